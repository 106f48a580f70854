{#-
    largest_remainder_cents(exact_amount, partition_by, order_by): an exact (unrounded) decimal
    amount rounded to the cent once, at the grain of the rows it is applied to, so that the cents
    of a partition add up to the partition's exact total rounded to the cent (largest-remainder
    rounding): every amount is first rounded down to the cent; the partition's shortfall, in
    cents, goes one cent each to the rows with the largest dropped remainders (ties: order_by).
    Every result is therefore the exact amount rounded down or up (less than a cent from it), and
    equal to the exact amount rounded half up whenever those roundings already add up.

    A window expression (one row per cell of the published grain, not an aggregate). Portable:
    the amount is cast to decimal(28, 14) and scaled by a decimal(3, 0), a product both DuckDB and
    Spark keep exact (decimal(32, 14)); the result is decimal(18, 2).
-#}
{% macro largest_remainder_cents(exact_amount, partition_by, order_by) -%}
    {%- set scaled = 'cast(' ~ exact_amount ~ ' as decimal(28, 14)) * cast(100 as decimal(3, 0))' -%}
    {%- set over = 'over (' ~ ('partition by ' ~ partition_by | join(', ') if partition_by else '') -%}
    cast(
        (
            floor({{ scaled }})
            + case
                when
                    row_number() {{ over }} order by {{ scaled }} - floor({{ scaled }}) desc, {{ order_by }})
                    <= round(sum({{ scaled }}) {{ over }}), 0) - sum(floor({{ scaled }})) {{ over }})
                    then 1
                else 0
            end
        ) * cast(0.01 as decimal(3, 2))
        as decimal(18, 2)
    )
{%- endmacro %}

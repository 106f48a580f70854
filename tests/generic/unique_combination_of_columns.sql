{#-
    unique_combination_of_columns(combination_of_columns): no two rows share the same values in
    the listed columns (the grain test of models with a composite key). Fails with one row per
    repeated combination.

    Two passes, exact: first the 64-bit hashes of the combinations that occur more than once, then
    the rows with those hashes grouped by the columns themselves (a hash collision is a candidate,
    never a failure). Grouping by one integer instead of several text columns needs a fraction of
    the memory: at scale XL (334 M rows, five key columns, 4 GB limit) the direct group-by ran out
    of memory inside a dbt build and took 125 s on its own; this takes 32 s (docs/BENCHMARK.md).
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

{%- set columns = combination_of_columns | join(', ') %}

with

repeated_hashes as (

    select {{ marketing_kpi.row_hash(combination_of_columns) }} as row_hash
    from {{ model }}
    group by {{ marketing_kpi.row_hash(combination_of_columns) }}
    having count(*) > 1

)

select
    {{ columns }},
    count(*) as rows_with_combination

from {{ model }}
where {{ marketing_kpi.row_hash(combination_of_columns) }} in (select row_hash from repeated_hashes)
group by {{ columns }}
having count(*) > 1

{% endtest %}

{#-
    percentile_continuous(expression, fraction): the interpolated percentile (0.5 = median) of a
    numeric expression, as an aggregate; nulls are ignored. Dispatched: quantile_cont on DuckDB,
    the standard ordered-set aggregate percentile_cont(…) within group (order by …) elsewhere.
-#}
{% macro percentile_continuous(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile_continuous', 'marketing_kpi')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile_continuous(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__percentile_continuous(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

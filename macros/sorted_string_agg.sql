{#-
    sorted_string_agg(expression, delimiter): the group's non-null values joined with delimiter in
    ascending order, the same string on every engine. Dispatched: string_agg ... order by on
    DuckDB (default); collect_list sorted and joined on Spark (dbt's listagg ignores the order
    there).
-#}
{% macro sorted_string_agg(expression, delimiter) -%}
    {{ return(adapter.dispatch('sorted_string_agg', 'marketing_kpi')(expression, delimiter)) }}
{%- endmacro %}

{% macro default__sorted_string_agg(expression, delimiter) -%}
    string_agg({{ expression }}, {{ delimiter }} order by {{ expression }})
{%- endmacro %}

{% macro spark__sorted_string_agg(expression, delimiter) -%}
    array_join(array_sort(collect_list({{ expression }})), {{ delimiter }})
{%- endmacro %}

{#-
    days_between(start_at, end_at): elapsed time between two timestamps in days, as a double with
    second precision (36 hours = 1.5). Null when either timestamp is null.
-#}
{% macro days_between(start_at, end_at) -%}
    cast({{ dbt.datediff(start_at, end_at, 'second') }} as double) / 86400.0
{%- endmacro %}

{#-
    hours_between(start_at, end_at): elapsed clock time between two timestamps in hours, as a
    double with second precision (90 minutes = 1.5). Null when either timestamp is null.
-#}
{% macro hours_between(start_at, end_at) -%}
    cast({{ dbt.datediff(start_at, end_at, 'second') }} as double) / 3600.0
{%- endmacro %}

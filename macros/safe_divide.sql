{#-
    safe_divide(numerator, denominator): the ratio as a double, null when the denominator is 0 or
    null (never 0, never an error). Every KPI ratio in the project goes through this macro.
-#}
{% macro safe_divide(numerator, denominator) -%}
    cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0)
{%- endmacro %}

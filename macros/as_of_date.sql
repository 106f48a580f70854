{#-
    as_of_date(): the project's "today" as a date: var('as_of_date') (from MKPI_AS_OF_DATE; the
    embedded dataset's last day by default) or the current date when the var is "today" or empty.
-#}
{% macro as_of_date() -%}
    {%- set value = var('as_of_date', none) -%}
    {%- if value and (value | string | lower) not in ('today', 'none', 'null') -%}
        cast('{{ value }}' as date)
    {%- else -%}
        current_date
    {%- endif -%}
{%- endmacro %}

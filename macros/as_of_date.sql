{#-
    as_of_date(): the project's "today" as a date literal: var('as_of_date') when set (tests and
    reproducible backfills), else the current date.
-#}
{% macro as_of_date() -%}
    {%- if var('as_of_date', none) -%}
        cast('{{ var("as_of_date") }}' as date)
    {%- else -%}
        current_date
    {%- endif -%}
{%- endmacro %}

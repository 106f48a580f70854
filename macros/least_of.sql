{#-
    least_of(expressions): the smallest non-null value of the expressions, null when all are null.
    Portable: least() ignores nulls on Postgres and DuckDB but returns null on Snowflake and
    BigQuery, so every argument is coalesced with the others first.
-#}
{% macro least_of(expressions) -%}
    {%- set coalesced = [] -%}
    {%- for expression in expressions -%}
        {%- set others = expressions | reject('equalto', expression) | list -%}
        {%- do coalesced.append('coalesce(' ~ ([expression] + others) | join(', ') ~ ')') -%}
    {%- endfor -%}
    {%- if expressions | length == 1 -%}
        {{ expressions[0] }}
    {%- else -%}
        least({{ coalesced | join(', ') }})
    {%- endif -%}
{%- endmacro %}

{#-
    raw_table_is_provided(table): a SQL boolean, true when the raw table holds at least one row.
    A company's export may leave any raw table out except the required ones (contract meta
    `required: true`); the loader then creates it empty. Checks against a table that was not
    provided (e.g. lead campaign ids against campaigns) are skipped rather than quarantining every
    row, and the relationships_if_provided test skips with them.
-#}
{% macro raw_table_is_provided(table) -%}
    exists (select 1 from {{ source('raw', table) }})
{%- endmacro %}

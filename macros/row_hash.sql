{#-
    row_hash(columns): a 64-bit hash of the values of the columns of one row (nulls included), for
    finding candidate duplicates cheaply; equal rows always hash equal, unequal rows may collide, so
    callers confirm on the columns themselves. Dispatched: hash() on DuckDB, xxhash64() on Spark,
    an md5 of the values as text elsewhere.
-#}
{% macro row_hash(columns) -%}
    {{ return(adapter.dispatch('row_hash', 'marketing_kpi')(columns)) }}
{%- endmacro %}

{% macro default__row_hash(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first %}{% do parts.append("'|'") %}{% endif -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '<null>')") -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}

{% macro duckdb__row_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__row_hash(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}

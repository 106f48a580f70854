{#-
    incremental_strategy(): the incremental strategy of the large staging facts (docs/INCREMENTAL.md).
    var('incremental_strategy') when set, else the adapter's default: delete+insert on DuckDB
    (record_key need not be unique), insert_overwrite on Spark/Databricks (plain Parquet tables,
    partitioned by event date), merge elsewhere.
-#}
{% macro incremental_strategy() -%}
    {{ return(var('incremental_strategy', none) or adapter.dispatch('incremental_strategy', 'marketing_kpi')()) }}
{%- endmacro %}

{% macro default__incremental_strategy() -%}
    {{ return('merge') }}
{%- endmacro %}

{% macro duckdb__incremental_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__incremental_strategy() -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}

{% macro databricks__incremental_strategy() -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}

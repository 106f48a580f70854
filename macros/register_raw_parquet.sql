{#-
    register_raw_parquet(raw_dir): on Spark, (re)creates every raw table of the contract as an
    external Spark table over Parquet files: raw.<table> reads <raw_dir>/<table>/ (a folder of
    .parquet files, text or typed columns; staging reads every value as text). Run as an
    on-run-start hook when MKPI_RAW_PARQUET_DIR is set (marketing_kpi.spark writes the folders), or
    by hand: dbt run-operation register_raw_parquet --args '{raw_dir: s3a://bucket/raw}'.
    A no-op on other adapters (DuckDB loads raw tables with dbt seed or marketing-kpi ingest).
-#}
{% macro register_raw_parquet(raw_dir=none) -%}
    {{ return(adapter.dispatch('register_raw_parquet', 'marketing_kpi')(raw_dir)) }}
{%- endmacro %}

{% macro default__register_raw_parquet(raw_dir) -%}
    {{ return('') }}
{%- endmacro %}

{% macro spark__register_raw_parquet(raw_dir) -%}
    {%- set raw_dir = raw_dir or env_var('MKPI_RAW_PARQUET_DIR', '') -%}
    {%- if execute and raw_dir -%}
        {%- set raw_source = graph.sources.values() | selectattr('source_name', 'equalto', 'raw') | list -%}
        {%- do run_query('create database if not exists ' ~ raw_source[0].schema) -%}
        {%- for source in raw_source -%}
            {%- do run_query('drop table if exists ' ~ source.schema ~ '.' ~ source.name) -%}
            {%- do run_query(
                'create table ' ~ source.schema ~ '.' ~ source.name ~ ' using parquet location '
                ~ "'" ~ (raw_dir.rstrip('/') ~ '/' ~ source.name) | replace("'", "\\'") ~ "'"
            ) -%}
        {%- endfor -%}
        {%- do log('registered ' ~ raw_source | length ~ ' raw tables over Parquet in ' ~ raw_dir, info=true) -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}

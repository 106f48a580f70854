{#-
    portable_type(data_type): a contract data type (as the yml files spell it, DuckDB/Postgres
    names) in the current adapter's spelling. Spark has no unbounded varchar (it needs a length)
    and calls it string; every other type the project declares (bigint, integer, double, boolean,
    date, timestamp, decimal(p,s)) is the same everywhere.

    spark__cast overrides dbt's cast() on Spark only, so dbt's contract check (the empty-schema
    query it builds from the yml data types) and unit-test fixtures accept the yml's varchar.
-#}
{% macro portable_type(data_type) -%}
    {{ return(adapter.dispatch('portable_type', 'marketing_kpi')(data_type)) }}
{%- endmacro %}

{% macro default__portable_type(data_type) -%}
    {{ return(data_type) }}
{%- endmacro %}

{% macro spark__portable_type(data_type) -%}
    {%- set normalised = data_type | string | trim | lower -%}
    {%- if normalised in ('varchar', 'text', 'character varying') -%}
        {{ return('string') }}
    {%- endif -%}
    {{ return(data_type) }}
{%- endmacro %}

{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ marketing_kpi.portable_type(type) }})
{%- endmacro %}

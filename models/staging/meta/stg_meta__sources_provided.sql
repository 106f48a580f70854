{#-
    Which inputs the dataset provides: one row per raw table of the raw data contract (every table
    of the `raw` source in models/staging/raw__sources.yml, read from the manifest) and per
    reference table a KPI may need (both listed by the macro availability_source_tables). A table is provided when it has at least one row; a raw table
    the user did not export exists as an empty table (the loader creates every contract table),
    so "absent" and "header-only" are the same thing here.

    Raw row counts come from stg_quarantine__row_counts (which counts every raw table), so this
    model reads refs only. Reference tables are the seeds of seeds/reference that hold a
    company's own plan data rather than lookups every dataset shares.
-#}

{%- set source_tables = marketing_kpi.availability_source_tables() -%}
{%- set raw_tables = source_tables | selectattr(1, 'equalto', 'raw') | map(attribute=0) | list -%}
{%- set reference_tables = source_tables | selectattr(1, 'equalto', 'reference') | map(attribute=0) | list %}

with

raw_row_counts as (

    select * from {{ ref('stg_quarantine__row_counts') }}

),

{% for reference_table in reference_tables %}
    {{ reference_table }} as (

        select * from {{ ref(reference_table) }}

    ),

{% endfor -%}

contract_tables as (

    {% for raw_table in raw_tables %}
        select cast('{{ raw_table }}' as {{ dbt.type_string() }}) as source_table
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

raw_tables as (

    select
        contract_tables.source_table,
        cast('raw' as {{ dbt.type_string() }}) as source_kind,
        raw_row_counts.raw_rows

    from contract_tables
    left join raw_row_counts
        on contract_tables.source_table = raw_row_counts.source_table

),

reference_tables as (

    {% for reference_table in reference_tables %}
        select
            cast('{{ reference_table }}' as {{ dbt.type_string() }}) as source_table,
            cast('reference' as {{ dbt.type_string() }}) as source_kind,
            count(*) as raw_rows
        from {{ reference_table }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

unioned as (

    select * from raw_tables
    union all
    select * from reference_tables

),

final as (

    select
        source_table,
        source_kind,
        cast(raw_rows as bigint) as raw_rows,
        coalesce(raw_rows > 0, false) as is_provided

    from unioned

)

select * from final

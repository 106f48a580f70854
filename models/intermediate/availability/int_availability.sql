{#-
    What the dataset can measure: one row per availability item.

      source        a raw or reference table (stg_meta__sources_provided): available when provided
      funnel_stage  mql, sql, opportunity, won (int_funnel_stages_tracked): available when tracked
      kpi           every registry KPI: available when all its required_sources are provided and
                    all its required_funnel_stages are tracked (seeds/reference/kpi_registry.csv)

    reason says in plain words why an item is not available (null when it is); the KPI reason
    joins its two parts with concat_ws, which skips the part that is null (|| keeps nulls null). The KPI marts read
    this model through the macros of macros/kpi/kpi_availability.sql, so an unavailable KPI or
    measure is null in every mart, never 0; kpi_availability publishes the KPI rows.
-#}

{%- set source_tables = marketing_kpi.availability_source_tables() -%}
{%- set funnel_stages = ['mql', 'sql', 'opportunity', 'won'] -%}
{%- set source_reason = ' data was provided (the table is empty)' -%}
{%- set stage_reason_start = 'the CRM does not track the ' -%}
{%- set stage_reason_end = ' stage (no stage change in the data ever reaches it)' -%}
{%- set missing_reason = 'needs data that was not provided: ' -%}
{%- set untracked_reason = 'counts funnel stages the CRM does not track: ' -%}

with

kpi_registry as (

    select * from {{ ref('kpi_registry') }}

),

sources_provided as (

    select * from {{ ref('stg_meta__sources_provided') }}

),

funnel_stages_tracked as (

    select * from {{ ref('int_funnel_stages_tracked') }}

),

source_items as (

    select
        cast('source' as {{ dbt.type_string() }}) as item_type,
        source_table as item_id,
        is_provided as is_available,
        cast(source_table as {{ dbt.type_string() }}) as missing_sources,
        cast(null as {{ dbt.type_string() }}) as untracked_funnel_stages

    from sources_provided

),

stage_items as (

    select
        cast('funnel_stage' as {{ dbt.type_string() }}) as item_type,
        funnel_stage as item_id,
        is_tracked as is_available,
        cast(null as {{ dbt.type_string() }}) as missing_sources,
        cast(funnel_stage as {{ dbt.type_string() }}) as untracked_funnel_stages

    from funnel_stages_tracked

),

{#- One row each: a flag per source table and per funnel stage, to check the KPIs against (a
    table or stage without a row counts as available, like in the availability macros; the
    upstream models always have a row for each). #}

sources_flagged as (

    select
        source_table,
        case when is_provided then 1 else 0 end as provided_flag

    from sources_provided

),

stages_flagged as (

    select
        funnel_stage,
        case when is_tracked then 1 else 0 end as tracked_flag

    from funnel_stages_tracked

),

provided_flags as (

    select
        {% for source_table, source_kind in source_tables %}
            coalesce(max(case when source_table = '{{ source_table }}' then provided_flag end), 1) = 1
                as is_{{ source_table }}_provided{% if not loop.last %},{% endif %}
        {% endfor %}

    from sources_flagged

),

tracked_flags as (

    select
        {% for funnel_stage in funnel_stages %}
            coalesce(max(case when funnel_stage = '{{ funnel_stage }}' then tracked_flag end), 1) = 1
                as is_{{ funnel_stage }}_tracked{% if not loop.last %},{% endif %}
        {% endfor %}

    from stages_flagged

),

kpi_requirements as (

    select
        kpi_id,
        {{ dbt.concat(["'|'", "coalesce(required_sources, '')", "'|'"]) }} as required_sources_list,
        {{ dbt.concat(["'|'", "coalesce(required_funnel_stages, '')", "'|'"]) }}
            as required_funnel_stages_list

    from kpi_registry

),

kpi_checked as (

    select
        kpi_requirements.kpi_id,
        concat_ws(
            ', ',
            {% for source_table, source_kind in source_tables %}
                case
                    when
                        kpi_requirements.required_sources_list like '%|{{ source_table }}|%'
                        and not provided_flags.is_{{ source_table }}_provided
                        then '{{ source_table }}'
                end{{ ',' if not loop.last }}
            {% endfor %}
        ) as missing_sources,
        concat_ws(
            ', ',
            {% for funnel_stage in funnel_stages %}
                case
                    when
                        kpi_requirements.required_funnel_stages_list like '%|{{ funnel_stage }}|%'
                        and not tracked_flags.is_{{ funnel_stage }}_tracked
                        then '{{ funnel_stage }}'
                end{{ ',' if not loop.last }}
            {% endfor %}
        ) as untracked_funnel_stages

    from kpi_requirements
    cross join provided_flags
    cross join tracked_flags

),

kpi_items as (

    select
        cast('kpi' as {{ dbt.type_string() }}) as item_type,
        kpi_id as item_id,
        missing_sources = '' and untracked_funnel_stages = '' as is_available,
        nullif(missing_sources, '') as missing_sources,
        nullif(untracked_funnel_stages, '') as untracked_funnel_stages

    from kpi_checked

),

unioned as (

    select * from source_items
    union all
    select * from stage_items
    union all
    select * from kpi_items

),

final as (

    select
        item_type,
        item_id,
        is_available,
        case when not is_available then missing_sources end as missing_sources,
        case when not is_available then untracked_funnel_stages end as untracked_funnel_stages,
        case
            when is_available then cast(null as {{ dbt.type_string() }})
            when item_type = 'source' then 'no ' || item_id || '{{ source_reason }}'
            when item_type = 'funnel_stage'
                then '{{ stage_reason_start }}' || item_id || '{{ stage_reason_end }}'
            else
                concat_ws(
                    '; ',
                    '{{ missing_reason }}' || missing_sources,
                    '{{ untracked_reason }}' || untracked_funnel_stages
                )
        end as reason

    from unioned

)

select * from final

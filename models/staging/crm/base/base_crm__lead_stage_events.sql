{{
    config(
        materialized='incremental',
        unique_key='record_key',
        incremental_strategy=marketing_kpi.incremental_strategy(),
        on_schema_change='fail',
    )
}}

with

source as (

    select * from {{ source('raw', 'lead_stage_events') }}
    {% if is_incremental() %}
        -- every raw row of the keys with rows in the lookback window (docs/INCREMENTAL.md)
        where {{ marketing_kpi.incremental_reprocess_filter(
            source_relation=source('raw', 'lead_stage_events'),
            raw_key_columns=[clean_text('stage_event_id')],
            key_columns=['stage_event_id'],
            raw_event_column='changed_at',
            raw_event_time=to_utc_timestamp(clean_text('changed_at'), 'lead_stage_events'),
            event_column='changed_at',
        ) }}
    {% endif %}

),

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

numbered as (

    {{ raw_rows_numbered('lead_stage_events') }}

),

typed as (

    select
        *,
        raw_stage_event_id as stage_event_id,
        raw_lead_id as lead_id,
        -- 'stage' is a keyword in some dialects, but it is the contract's column name.
        {{ clean_enum('raw_stage') }} as stage,  -- noqa: RF04
        {{ to_utc_timestamp('raw_changed_at', 'lead_stage_events') }} as changed_at

    from numbered

),

versioned as (

    select
        *,
        {{ version_columns(['stage_event_id']) }},
        {{ first_unparseable_column(['changed_at']) }} as unparseable_column

    from typed

),

looked_up as (

    select
        versioned.*,
        leads.lead_id is not null as is_known_lead

    from versioned
    left join leads
        on versioned.lead_id = leads.lead_id

),

checked as (

    select
        *,
        case
            when stage_event_id is null then 'null_key'
            when unparseable_column is not null then 'unparseable_value'
            when rows_at_version > 1 then 'duplicate_key'
            when stage not in {{ contract_accepted_values('lead_stage_events', 'stage') }}
                then 'invalid_enum'
            when not is_known_lead then 'unknown_lead'
            when cast(changed_at as date) > {{ as_of_date() }} then 'future_dated'
        end as quarantine_reason,
        case
            when stage_event_id is null then 'stage_event_id'
            when unparseable_column is not null then unparseable_column
            when rows_at_version > 1 then 'stage_event_id'
            when stage not in {{ contract_accepted_values('lead_stage_events', 'stage') }}
                then 'stage'
            when not is_known_lead then 'lead_id'
            when cast(changed_at as date) > {{ as_of_date() }} then 'changed_at'
        end as quarantine_column

    from looked_up

),

final as (

    select
        coalesce(stage_event_id, '<null>') as record_key,
        stage_event_id,
        lead_id,
        stage,
        changed_at,
        {{ record_status() }} as record_status,
        quarantine_reason,
        quarantine_column

    from checked

)

select * from final

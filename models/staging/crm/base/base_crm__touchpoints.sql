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

    select * from {{ source('raw', 'touchpoints') }}
    {% if is_incremental() %}
        -- every raw row of the keys with rows in the lookback window (docs/INCREMENTAL.md)
        where {{ marketing_kpi.incremental_reprocess_filter(
            source_relation=source('raw', 'touchpoints'),
            raw_key_columns=[clean_text('touchpoint_id')],
            key_columns=['touchpoint_id'],
            raw_event_column='touched_at',
            raw_event_time=to_utc_timestamp(clean_text('touched_at'), 'touchpoints'),
            event_column='touched_at',
        ) }}
    {% endif %}

),

channels as (

    select * from {{ ref('stg_ads__channels') }}

),

campaigns as (

    select * from {{ ref('stg_ads__campaigns') }}

),

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

numbered as (

    {{ raw_rows_numbered('touchpoints') }}

),

typed as (

    select
        *,
        raw_touchpoint_id as touchpoint_id,
        raw_lead_id as lead_id,
        raw_visitor_id as visitor_id,
        {{ to_utc_timestamp('raw_touched_at', 'touchpoints') }} as touched_at,
        raw_channel_id as channel_id,
        raw_campaign_id as campaign_id,
        {{ clean_enum('raw_touch_type') }} as touch_type

    from numbered

),

versioned as (

    select
        *,
        {{ version_columns(['touchpoint_id']) }},
        {{ first_unparseable_column(['touched_at']) }} as unparseable_column

    from typed

),

looked_up as (

    select
        versioned.*,
        versioned.lead_id is null or leads.lead_id is not null as is_known_lead,
        channels.channel_id is not null as is_known_channel,
        -- Without a campaigns export, campaign ids cannot be checked: kept as sent (unchecked).
        versioned.campaign_id is null
        or campaigns.campaign_id is not null
        or not {{ raw_table_is_provided('campaigns') }} as is_known_campaign

    from versioned
    left join leads
        on versioned.lead_id = leads.lead_id
    left join channels
        on versioned.channel_id = channels.channel_id
    left join campaigns
        on versioned.campaign_id = campaigns.campaign_id

),

checked as (

    select
        *,
        case
            when touchpoint_id is null then 'null_key'
            when unparseable_column is not null then 'unparseable_value'
            when rows_at_version > 1 then 'duplicate_key'
            when touch_type not in {{ contract_accepted_values('touchpoints', 'touch_type') }}
                then 'invalid_enum'
            when not is_known_channel then 'unknown_channel'
            when not is_known_campaign then 'unknown_campaign'
            when not is_known_lead then 'unknown_lead'
            when cast(touched_at as date) > {{ as_of_date() }} then 'future_dated'
        end as quarantine_reason,
        case
            when touchpoint_id is null then 'touchpoint_id'
            when unparseable_column is not null then unparseable_column
            when rows_at_version > 1 then 'touchpoint_id'
            when touch_type not in {{ contract_accepted_values('touchpoints', 'touch_type') }}
                then 'touch_type'
            when not is_known_channel then 'channel_id'
            when not is_known_campaign then 'campaign_id'
            when not is_known_lead then 'lead_id'
            when cast(touched_at as date) > {{ as_of_date() }} then 'touched_at'
        end as quarantine_column

    from looked_up

),

final as (

    select
        coalesce(touchpoint_id, '<null>') as record_key,
        touchpoint_id,
        lead_id,
        visitor_id,
        touched_at,
        channel_id,
        campaign_id,
        touch_type,
        {{ record_status() }} as record_status,
        quarantine_reason,
        quarantine_column

    from checked

)

select * from final

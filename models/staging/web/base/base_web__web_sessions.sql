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

    select * from {{ source('raw', 'web_sessions') }}
    {% if is_incremental() %}
        -- every raw row of the keys with rows in the lookback window (docs/INCREMENTAL.md)
        where {{ marketing_kpi.incremental_reprocess_filter(
            source_relation=source('raw', 'web_sessions'),
            raw_key_columns=[clean_text('session_id')],
            key_columns=['session_id'],
            raw_event_column='session_started_at',
            raw_event_time=to_utc_timestamp(clean_text('session_started_at'), 'web_sessions'),
            event_column='session_started_at',
        ) }}
    {% endif %}

),

channels as (

    select * from {{ ref('stg_ads__channels') }}

),

campaigns as (

    select * from {{ ref('stg_ads__campaigns') }}

),

numbered as (

    {{ raw_rows_numbered('web_sessions') }}

),

typed as (

    select
        *,
        raw_session_id as session_id,
        raw_visitor_id as visitor_id,
        {{ to_utc_timestamp('raw_session_started_at', 'web_sessions') }} as session_started_at,
        raw_channel_id as channel_id,
        raw_campaign_id as campaign_id,
        raw_landing_page as landing_page,
        {{ clean_enum('raw_device') }} as device,
        upper(raw_country_code) as country_code,
        try_cast(raw_pageviews as integer) as pageviews,
        try_cast(raw_engaged_seconds as integer) as engaged_seconds,
        try_cast(raw_is_bounced as boolean) as is_bounced,
        raw_lead_id as lead_id

    from numbered

),

versioned as (

    select
        *,
        {{ version_columns(['session_id']) }},
        {{ first_unparseable_column(['session_started_at', 'pageviews', 'engaged_seconds',
            'is_bounced']) }} as unparseable_column

    from typed

),

looked_up as (

    select
        versioned.*,
        channels.channel_id is not null as is_known_channel,
        -- Without a campaigns export, campaign ids cannot be checked: kept as sent (unchecked).
        versioned.campaign_id is null
        or campaigns.campaign_id is not null
        or not {{ raw_table_is_provided('campaigns') }} as is_known_campaign

    from versioned
    left join channels
        on versioned.channel_id = channels.channel_id
    left join campaigns
        on versioned.campaign_id = campaigns.campaign_id

),

checked as (

    select
        *,
        case
            when session_id is null then 'null_key'
            when unparseable_column is not null then 'unparseable_value'
            when rows_at_version > 1 then 'duplicate_key'
            when device not in {{ contract_accepted_values('web_sessions', 'device') }}
                then 'invalid_enum'
            when not is_known_channel then 'unknown_channel'
            when not is_known_campaign then 'unknown_campaign'
            when cast(session_started_at as date) > {{ as_of_date() }} then 'future_dated'
            when pageviews < 0 or engaged_seconds < 0 then 'negative_count'
        end as quarantine_reason,
        case
            when session_id is null then 'session_id'
            when unparseable_column is not null then unparseable_column
            when rows_at_version > 1 then 'session_id'
            when device not in {{ contract_accepted_values('web_sessions', 'device') }}
                then 'device'
            when not is_known_channel then 'channel_id'
            when not is_known_campaign then 'campaign_id'
            when cast(session_started_at as date) > {{ as_of_date() }} then 'session_started_at'
            when pageviews < 0 or engaged_seconds < 0 then 'pageviews, engaged_seconds'
        end as quarantine_column

    from looked_up

),

final as (

    select
        coalesce(session_id, '<null>') as record_key,
        session_id,
        visitor_id,
        session_started_at,
        channel_id,
        campaign_id,
        landing_page,
        device,
        country_code,
        pageviews,
        engaged_seconds,
        is_bounced,
        lead_id,
        {{ record_status() }} as record_status,
        quarantine_reason,
        quarantine_column

    from checked

)

select * from final

with

base as (

    select * from {{ ref('base_web__web_sessions') }}

),

valid as (

    select
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
        lead_id

    from base
    where record_status = 'valid'

)

select * from valid

with

base as (

    select * from {{ ref('base_crm__touchpoints') }}

),

valid as (

    select
        touchpoint_id,
        lead_id,
        visitor_id,
        touched_at,
        channel_id,
        campaign_id,
        touch_type

    from base
    where record_status = 'valid'

)

select * from valid

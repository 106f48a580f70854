with

base as (

    select * from {{ ref('base_crm__lead_stage_events') }}

),

valid as (

    select
        stage_event_id,
        lead_id,
        stage,
        changed_at

    from base
    where record_status = 'valid'

)

select * from valid

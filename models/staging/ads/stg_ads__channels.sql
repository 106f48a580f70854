with

base as (

    select * from {{ ref('base_ads__channels') }}

),

valid as (

    select
        channel_id,
        channel_name,
        channel_group,
        is_paid,
        platform

    from base
    where record_status = 'valid'

)

select * from valid

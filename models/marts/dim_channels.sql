with

channels as (

    select * from {{ ref('stg_ads__channels') }}

),

final as (

    select
        channel_id,
        channel_name,
        channel_group,
        is_paid,
        platform

    from channels

)

select * from final

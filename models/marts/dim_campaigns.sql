with

campaigns as (

    select * from {{ ref('stg_ads__campaigns') }}

),

channels as (

    select * from {{ ref('stg_ads__channels') }}

),

final as (

    select
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.channel_id,
        channels.channel_name,
        channels.channel_group,
        campaigns.objective,
        campaigns.start_date,
        campaigns.end_date,
        campaigns.budget_amount,
        campaigns.budget_amount_original,
        campaigns.currency_code_original

    from campaigns
    left join channels
        on campaigns.channel_id = channels.channel_id

)

select * from final

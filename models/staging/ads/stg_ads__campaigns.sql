with

base as (

    select * from {{ ref('base_ads__campaigns') }}

),

valid as (

    select
        campaign_id,
        channel_id,
        campaign_name,
        objective,
        start_date,
        end_date,
        budget_amount_original,
        currency_code_original,
        budget_amount,
        exported_at

    from base
    where record_status = 'valid'

)

select * from valid

with

base as (

    select * from {{ ref('base_ads__ad_performance') }}

),

valid as (

    select
        campaign_id,
        channel_id,
        report_date,
        spend_original,
        currency_code_original,
        spend,
        impressions,
        clicks,
        platform_conversions,
        exported_at

    from base
    where record_status = 'valid'

)

select * from valid

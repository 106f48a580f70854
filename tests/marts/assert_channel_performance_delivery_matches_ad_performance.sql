-- Spend, impressions and clicks in kpi_channel_performance__daily and __monthly equal the
-- staged ad-platform totals (stg_ads__ad_performance) exactly, per channel.
-- Returns one row per channel and mart where any total differs.

with

ad_performance as (

    select * from {{ ref('stg_ads__ad_performance') }}

),

channel_performance_daily as (

    select * from {{ ref('kpi_channel_performance__daily') }}

),

channel_performance_monthly as (

    select * from {{ ref('kpi_channel_performance__monthly') }}

),

source_totals as (

    select
        channel_id,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks

    from ad_performance
    group by channel_id

),

mart_totals as (

    select
        'kpi_channel_performance__daily' as mart,
        channel_id,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks

    from channel_performance_daily
    where spend != 0 or impressions != 0 or clicks != 0
    group by channel_id

    union all

    select
        'kpi_channel_performance__monthly' as mart,
        channel_id,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks

    from channel_performance_monthly
    where spend != 0 or impressions != 0 or clicks != 0
    group by channel_id

),

marts as (

    select 'kpi_channel_performance__daily' as mart
    union all
    select 'kpi_channel_performance__monthly' as mart

),

expected as (

    select
        marts.mart,
        source_totals.channel_id,
        source_totals.spend,
        source_totals.impressions,
        source_totals.clicks

    from source_totals
    cross join marts

),

compared as (

    select
        coalesce(expected.mart, mart_totals.mart) as mart,
        coalesce(expected.channel_id, mart_totals.channel_id) as channel_id,
        expected.spend as source_spend,
        mart_totals.spend as mart_spend,
        expected.impressions as source_impressions,
        mart_totals.impressions as mart_impressions,
        expected.clicks as source_clicks,
        mart_totals.clicks as mart_clicks

    from expected
    full outer join mart_totals
        on
            expected.mart = mart_totals.mart
            and expected.channel_id = mart_totals.channel_id

)

select * from compared
where
    coalesce(source_spend, 0) != coalesce(mart_spend, 0)
    or coalesce(source_impressions, 0) != coalesce(mart_impressions, 0)
    or coalesce(source_clicks, 0) != coalesce(mart_clicks, 0)

{#-
    Staging -> KPI marts, per day and channel: spend (USD), impressions, clicks and leads of
    kpi_channel_performance__daily per date_day x channel_id equal stg_ads__ad_performance (on
    report_date) and stg_crm__leads (on the UTC day of created_at); the same per date_month x
    channel_id for kpi_channel_performance__monthly. Spend to the cent, counts exactly. The
    per-channel and all-time totals are tested in tests/marts/; this pins every day. Returns one
    row per mart, period and channel that differs.
-#}

with

ad_performance as (

    select * from {{ ref('stg_ads__ad_performance') }}

),

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

channel_performance_daily as (

    select * from {{ ref('kpi_channel_performance__daily') }}

),

channel_performance_monthly as (

    select * from {{ ref('kpi_channel_performance__monthly') }}

),

staged_facts as (

    select
        report_date as date_day,
        channel_id,
        spend,
        impressions,
        clicks,
        0 as leads

    from ad_performance

    union all

    select
        cast(created_at as date) as date_day,
        channel_id,
        0 as spend,
        0 as impressions,
        0 as clicks,
        1 as leads

    from leads

),

staged_totals as (

    select
        'kpi_channel_performance__daily' as mart,
        date_day as period_start,
        channel_id,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(leads) as leads

    from staged_facts
    group by 1, 2, 3

    union all

    select
        'kpi_channel_performance__monthly' as mart,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as period_start,
        channel_id,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(leads) as leads

    from staged_facts
    group by 1, 2, 3

),

mart_totals as (

    select
        'kpi_channel_performance__daily' as mart,
        date_day as period_start,
        channel_id,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(leads) as leads

    from channel_performance_daily
    group by 1, 2, 3

    union all

    select
        'kpi_channel_performance__monthly' as mart,
        date_month as period_start,
        channel_id,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(leads) as leads

    from channel_performance_monthly
    group by 1, 2, 3

),

compared as (

    select
        coalesce(staged_totals.mart, mart_totals.mart) as mart,
        coalesce(staged_totals.period_start, mart_totals.period_start) as period_start,
        coalesce(staged_totals.channel_id, mart_totals.channel_id) as channel_id,
        coalesce(staged_totals.spend, 0) as staged_spend,
        coalesce(mart_totals.spend, 0) as mart_spend,
        coalesce(staged_totals.impressions, 0) as staged_impressions,
        coalesce(mart_totals.impressions, 0) as mart_impressions,
        coalesce(staged_totals.clicks, 0) as staged_clicks,
        coalesce(mart_totals.clicks, 0) as mart_clicks,
        coalesce(staged_totals.leads, 0) as staged_leads,
        coalesce(mart_totals.leads, 0) as mart_leads

    from staged_totals
    full outer join mart_totals
        on
            staged_totals.mart = mart_totals.mart
            and staged_totals.period_start = mart_totals.period_start
            and staged_totals.channel_id = mart_totals.channel_id

),

differing as (

    select * from compared
    where
        abs(staged_spend - mart_spend) >= 0.01
        or staged_impressions != mart_impressions
        or staged_clicks != mart_clicks
        or staged_leads != mart_leads

)

select * from differing

{#-
    Raw -> staging conservation of the measures, per day and channel: for ad performance (rows,
    spend as parsed in its export currency, impressions, clicks), CRM leads (rows) and billing
    orders (rows, amount as parsed; orders carry no channel), the totals read straight from the
    raw tables equal the totals of the base model summed over every record_status
    (valid + exact_duplicate + superseded + quarantined). A join fan-out or a lost row in a base
    model breaks it for the day and channel it happened on. Raw rows whose day does not parse are
    compared in one '<unparseable>' bucket; a raw row whose campaign is unknown has no channel
    ('<none>'). Returns one row per measure set, day and channel that differs.
-#}

with

raw_ad_performance as (

    select * from {{ source('raw', 'ad_performance') }}

),

raw_leads as (

    select * from {{ source('raw', 'leads') }}

),

raw_orders as (

    select * from {{ source('raw', 'orders') }}

),

campaigns as (

    select * from {{ ref('stg_ads__campaigns') }}

),

base_ad_performance as (

    select * from {{ ref('base_ads__ad_performance') }}

),

base_leads as (

    select * from {{ ref('base_crm__leads') }}

),

base_orders as (

    select * from {{ ref('base_billing__orders') }}

),

raw_ad_performance_parsed as (

    select
        try_cast({{ clean_text('raw_ad_performance.report_date') }} as date) as date_day,
        campaigns.channel_id,
        try_cast({{ clean_text('raw_ad_performance.spend') }} as decimal(18, 2)) as amount,
        try_cast({{ clean_text('raw_ad_performance.impressions') }} as bigint) as impressions,
        try_cast({{ clean_text('raw_ad_performance.clicks') }} as bigint) as clicks

    from raw_ad_performance
    left join campaigns
        on {{ clean_text('raw_ad_performance.campaign_id') }} = campaigns.campaign_id

),

raw_totals as (

    select
        'ad_performance' as source_table,
        coalesce(cast(date_day as {{ dbt.type_string() }}), '<unparseable>') as date_day,
        coalesce(channel_id, '<none>') as channel_id,
        count(*) as raw_rows,
        coalesce(sum(amount), 0) as raw_amount,
        coalesce(sum(impressions), 0) as raw_impressions,
        coalesce(sum(clicks), 0) as raw_clicks

    from raw_ad_performance_parsed
    group by 1, 2, 3

    union all

    select
        'leads' as source_table,
        coalesce(
            cast(
                cast({{ to_utc_timestamp(clean_text('created_at'), 'leads') }} as date)
                as {{ dbt.type_string() }}
            ),
            '<unparseable>'
        ) as date_day,
        coalesce({{ clean_text('channel_id') }}, '<none>') as channel_id,
        count(*) as raw_rows,
        0 as raw_amount,
        0 as raw_impressions,
        0 as raw_clicks

    from raw_leads
    group by 1, 2, 3

    union all

    select
        'orders' as source_table,
        coalesce(
            cast(
                cast({{ to_utc_timestamp(clean_text('ordered_at'), 'orders') }} as date)
                as {{ dbt.type_string() }}
            ),
            '<unparseable>'
        ) as date_day,
        '<none>' as channel_id,
        count(*) as raw_rows,
        coalesce(sum(try_cast({{ clean_text('amount') }} as decimal(18, 2))), 0) as raw_amount,
        0 as raw_impressions,
        0 as raw_clicks

    from raw_orders
    group by 1, 2, 3

),

base_totals as (

    select
        'ad_performance' as source_table,
        coalesce(cast(report_date as {{ dbt.type_string() }}), '<unparseable>') as date_day,
        coalesce(channel_id, '<none>') as channel_id,
        count(*) as base_rows,
        sum(case when record_status = 'valid' then 1 else 0 end) as staged_rows,
        sum(case when record_status = 'exact_duplicate' then 1 else 0 end) as exact_duplicates,
        sum(case when record_status = 'superseded' then 1 else 0 end) as superseded_rows,
        sum(case when record_status = 'quarantined' then 1 else 0 end) as quarantined_rows,
        coalesce(sum(spend_original), 0) as base_amount,
        coalesce(sum(impressions), 0) as base_impressions,
        coalesce(sum(clicks), 0) as base_clicks

    from base_ad_performance
    group by 1, 2, 3

    union all

    select
        'leads' as source_table,
        coalesce(cast(cast(created_at as date) as {{ dbt.type_string() }}), '<unparseable>') as date_day,
        coalesce(channel_id, '<none>') as channel_id,
        count(*) as base_rows,
        sum(case when record_status = 'valid' then 1 else 0 end) as staged_rows,
        sum(case when record_status = 'exact_duplicate' then 1 else 0 end) as exact_duplicates,
        sum(case when record_status = 'superseded' then 1 else 0 end) as superseded_rows,
        sum(case when record_status = 'quarantined' then 1 else 0 end) as quarantined_rows,
        0 as base_amount,
        0 as base_impressions,
        0 as base_clicks

    from base_leads
    group by 1, 2, 3

    union all

    select
        'orders' as source_table,
        coalesce(cast(cast(ordered_at as date) as {{ dbt.type_string() }}), '<unparseable>') as date_day,
        '<none>' as channel_id,
        count(*) as base_rows,
        sum(case when record_status = 'valid' then 1 else 0 end) as staged_rows,
        sum(case when record_status = 'exact_duplicate' then 1 else 0 end) as exact_duplicates,
        sum(case when record_status = 'superseded' then 1 else 0 end) as superseded_rows,
        sum(case when record_status = 'quarantined' then 1 else 0 end) as quarantined_rows,
        coalesce(sum(amount_original), 0) as base_amount,
        0 as base_impressions,
        0 as base_clicks

    from base_orders
    group by 1, 2, 3

),

compared as (

    select
        coalesce(raw_totals.source_table, base_totals.source_table) as source_table,
        coalesce(raw_totals.date_day, base_totals.date_day) as date_day,
        coalesce(raw_totals.channel_id, base_totals.channel_id) as channel_id,
        coalesce(raw_totals.raw_rows, 0) as raw_rows,
        coalesce(base_totals.staged_rows, 0) as staged_rows,
        coalesce(base_totals.exact_duplicates, 0) as exact_duplicates,
        coalesce(base_totals.superseded_rows, 0) as superseded_rows,
        coalesce(base_totals.quarantined_rows, 0) as quarantined_rows,
        coalesce(base_totals.base_rows, 0) as base_rows,
        coalesce(raw_totals.raw_amount, 0) as raw_amount,
        coalesce(base_totals.base_amount, 0) as base_amount,
        coalesce(raw_totals.raw_impressions, 0) as raw_impressions,
        coalesce(base_totals.base_impressions, 0) as base_impressions,
        coalesce(raw_totals.raw_clicks, 0) as raw_clicks,
        coalesce(base_totals.base_clicks, 0) as base_clicks

    from raw_totals
    full outer join base_totals
        on
            raw_totals.source_table = base_totals.source_table
            and raw_totals.date_day = base_totals.date_day
            and raw_totals.channel_id = base_totals.channel_id

),

not_conserved as (

    select * from compared
    where
        raw_rows != staged_rows + exact_duplicates + superseded_rows + quarantined_rows
        or raw_rows != base_rows
        or abs(raw_amount - base_amount) >= 0.01
        or raw_impressions != base_impressions
        or raw_clicks != base_clicks

)

select * from not_conserved

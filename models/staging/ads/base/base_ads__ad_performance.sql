{{
    config(
        materialized='incremental',
        unique_key='record_key',
        incremental_strategy=marketing_kpi.incremental_strategy(),
        on_schema_change='fail',
    )
}}

with

source as (

    select * from {{ source('raw', 'ad_performance') }}
    {% if is_incremental() %}
        -- every raw row of the keys with rows in the lookback window (docs/INCREMENTAL.md)
        where {{ marketing_kpi.incremental_reprocess_filter(
            source_relation=source('raw', 'ad_performance'),
            raw_key_columns=[clean_text('campaign_id'), 'try_cast(' ~ clean_text('report_date') ~ ' as date)'],
            key_columns=['campaign_id', 'report_date'],
            raw_event_column='report_date',
            raw_event_time='try_cast(' ~ clean_text('report_date') ~ ' as date)',
            event_column='report_date',
        ) }}
    {% endif %}

),

campaigns as (

    select * from {{ ref('stg_ads__campaigns') }}

),

fx_rates as (

    select * from {{ ref('fx_rates') }}

),

numbered as (

    {{ raw_rows_numbered('ad_performance') }}

),

typed as (

    select
        *,
        raw_campaign_id as campaign_id,
        try_cast(raw_report_date as date) as report_date,
        try_cast(raw_spend as decimal(18, 2)) as spend,
        upper(raw_currency_code) as currency_code,
        try_cast(raw_impressions as bigint) as impressions,
        try_cast(raw_clicks as bigint) as clicks,
        try_cast(raw_platform_conversions as bigint) as platform_conversions,
        {{ to_utc_timestamp('raw_exported_at', 'ad_performance') }} as exported_at

    from numbered

),

versioned as (

    select
        *,
        {{ version_columns(['campaign_id', 'report_date'], 'exported_at') }},
        {{ first_unparseable_column(['report_date', 'spend', 'impressions', 'clicks',
            'platform_conversions', 'exported_at']) }} as unparseable_column

    from typed

),

looked_up as (

    select
        versioned.*,
        campaigns.channel_id,
        campaigns.campaign_id is not null as is_known_campaign,
        {{ fx_rate_to_reporting('versioned.currency_code', 'fx_rates.rate_to_usd') }} as rate_to_usd

    from versioned
    left join campaigns
        on versioned.campaign_id = campaigns.campaign_id
    left join fx_rates
        on
            versioned.report_date = fx_rates.rate_date
            and versioned.currency_code = fx_rates.currency_code

),

checked as (

    select
        *,
        case
            when campaign_id is null or raw_report_date is null then 'null_key'
            when unparseable_column is not null then 'unparseable_value'
            when rows_at_version > 1 then 'duplicate_key'
            when not is_known_campaign then 'unknown_campaign'
            when report_date > {{ as_of_date() }} then 'future_dated'
            when impressions < 0 or clicks < 0 or platform_conversions < 0 then 'negative_count'
            when spend < 0 then 'negative_spend'
            when spend = 0 and impressions > 0 then 'zero_spend_with_delivery'
            when clicks > impressions then 'clicks_exceed_impressions'
            when rate_to_usd is null then 'missing_fx_rate'
        end as quarantine_reason,
        case
            when campaign_id is null or raw_report_date is null then 'campaign_id, report_date'
            when unparseable_column is not null then unparseable_column
            when rows_at_version > 1 then 'campaign_id, report_date'
            when not is_known_campaign then 'campaign_id'
            when report_date > {{ as_of_date() }} then 'report_date'
            when impressions < 0 or clicks < 0 or platform_conversions < 0
                then 'impressions, clicks, platform_conversions'
            when spend <= 0 then 'spend'
            when clicks > impressions then 'clicks'
            when rate_to_usd is null then 'currency_code'
        end as quarantine_column

    from looked_up

),

final as (

    select
        {{ dbt.concat(["coalesce(campaign_id, '<null>')", "'|'", "coalesce(raw_report_date, '<null>')"]) }}
            as record_key,
        campaign_id,
        channel_id,
        report_date,
        spend as spend_original,
        currency_code as currency_code_original,
        {{ to_reporting_currency('spend', 'rate_to_usd') }} as spend,
        impressions,
        clicks,
        platform_conversions,
        exported_at,
        {{ record_status('exported_at') }} as record_status,
        quarantine_reason,
        quarantine_column

    from checked

)

select * from final

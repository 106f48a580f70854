{{ config(severity = 'warn') }}

{#-
    Completeness of the ad-platform export: every day between the first and the last staged
    report_date has at least one staged ad_performance row. A day missing from an export is not a
    bad row (nothing to quarantine) and the marts would silently show zero spend for it, so it
    warns instead of passing unnoticed (a warning, not an error: a platform may truly have had an
    outage). Returns one row per gap: its first and last missing day and its length.
-#}

with

ad_performance as (

    select * from {{ ref('stg_ads__ad_performance') }}

),

report_days as (

    select distinct report_date
    from ad_performance

),

with_next_day as (

    select
        report_date,
        lead(report_date) over (order by report_date) as next_report_date

    from report_days

),

day_steps as (

    select
        report_date,
        next_report_date,
        {{ dbt.datediff('report_date', 'next_report_date', 'day') }} as days_to_next  -- noqa: LT05

    from with_next_day

),

gaps as (

    select
        cast({{ dbt.dateadd('day', 1, 'report_date') }} as date) as first_missing_day,
        cast({{ dbt.dateadd('day', -1, 'next_report_date') }} as date) as last_missing_day,
        days_to_next - 1 as missing_days

    from day_steps
    where days_to_next > 1

)

select * from gaps

{#-
    One row per calendar day covering the data (whole years, from the first year any lead,
    order, ad-performance day or web session falls in to the last, as-of date included), with the
    day's business hours: working_hours gives each ISO weekday's opening hours and holidays closes
    a day. Hours are UTC, like every timestamp in the warehouse. The day spine is a cross join of
    digits (up to 100,000 days), which runs on any engine.
-#}

with

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

orders as (

    select * from {{ ref('stg_billing__orders') }}

),

ad_performance as (

    select * from {{ ref('stg_ads__ad_performance') }}

),

web_sessions as (

    select * from {{ ref('stg_web__web_sessions') }}

),

working_hours as (

    select * from {{ ref('working_hours') }}

),

holidays as (

    select * from {{ ref('holidays') }}

),

holidays_per_day as (

    -- Two holidays on one date close the day once.
    select
        holiday_date,
        min(holiday_name) as holiday_name

    from holidays
    group by holiday_date

),

data_dates as (

    select cast(created_at as date) as data_date from leads
    union all
    select cast(first_responded_at as date) as data_date from leads
    union all
    select cast(ordered_at as date) as data_date from orders
    union all
    select report_date as data_date from ad_performance
    union all
    select cast(session_started_at as date) as data_date from web_sessions
    union all
    select {{ as_of_date() }} as data_date

),

spine_bounds as (

    select
        cast({{ dbt.date_trunc('year', 'min(data_date)') }} as date) as first_day,
        cast(
            {{ dbt.dateadd('day', -1, dbt.dateadd('year', 1, dbt.date_trunc('year', 'max(data_date)'))) }}
            as date
        ) as last_day

    from data_dates

),

digits as (

    {% for digit in range(10) %}
        select {{ digit }} as digit
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

day_offsets as (

    select
        ones.digit
        + 10 * tens.digit
        + 100 * hundreds.digit
        + 1000 * thousands.digit
        + 10000 * ten_thousands.digit as day_offset

    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands
    cross join digits as ten_thousands

),

days as (

    select
        cast({{ dbt.dateadd('day', 'day_offsets.day_offset', 'spine_bounds.first_day') }} as date)
            as date_day

    from spine_bounds
    cross join day_offsets
    where
        day_offsets.day_offset
        <= {{ dbt.datediff('spine_bounds.first_day', 'spine_bounds.last_day', 'day') }}

),

days_with_weekday as (

    select
        date_day,
        {{ iso_weekday_number('date_day') }} as weekday_number

    from days

),

final as (

    select
        days_with_weekday.date_day,
        days_with_weekday.weekday_number,
        days_with_weekday.weekday_number in (6, 7) as is_weekend,
        holidays_per_day.holiday_date is not null as is_holiday,
        holidays_per_day.holiday_name,
        coalesce(working_hours.is_working_day, false)
        and holidays_per_day.holiday_date is null as is_working_day,
        case
            when coalesce(working_hours.is_working_day, false) and holidays_per_day.holiday_date is null
                then {{ dbt.dateadd(
                    'minute',
                    'cast(round(working_hours.work_start_hour * 60) as integer)',
                    'cast(days_with_weekday.date_day as timestamp)'
                ) }}
        end as opens_at,
        case
            when coalesce(working_hours.is_working_day, false) and holidays_per_day.holiday_date is null
                then {{ dbt.dateadd(
                    'minute',
                    'cast(round(working_hours.work_end_hour * 60) as integer)',
                    'cast(days_with_weekday.date_day as timestamp)'
                ) }}
        end as closes_at,
        cast(
            case
                when coalesce(working_hours.is_working_day, false) and holidays_per_day.holiday_date is null
                    then working_hours.work_end_hour - working_hours.work_start_hour
                else 0
            end as double
        ) as working_hours

    from days_with_weekday
    left join working_hours
        on days_with_weekday.weekday_number = working_hours.weekday_number
    left join holidays_per_day
        on days_with_weekday.date_day = holidays_per_day.holiday_date

)

select * from final

with

business_hours_calendar as (

    select * from {{ ref('int_business_hours_calendar') }}

),

final as (

    select
        date_day,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as date_week,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as date_month,
        cast({{ dbt.date_trunc('quarter', 'date_day') }} as date) as date_quarter,
        cast(extract(year from date_day) as integer) as date_year,
        weekday_number,
        is_weekend,
        is_holiday,
        holiday_name,
        is_working_day,
        working_hours

    from business_hours_calendar

)

select * from final

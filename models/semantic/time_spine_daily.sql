{#-
    MetricFlow's time spine: one row per calendar day, taken from dim_dates (whole years covering
    the data), so metric_time has exactly the calendar the marts use.
-#}

with

dates as (

    select * from {{ ref('dim_dates') }}

),

final as (

    select date_day

    from dates

)

select * from final

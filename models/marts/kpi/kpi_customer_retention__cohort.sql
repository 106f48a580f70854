with

customer_months as (

    select * from {{ ref('int_customer_months') }}

),

aggregated as (

    select
        acquisition_cohort_month,
        acquisition_channel_id,
        months_since_acquisition,
        date_month,
        is_complete_month,
        cast(count(customer_id) as bigint) as cohort_customers,
        cast(count(case when is_active then customer_id end) as bigint) as active_customers,
        cast(sum(net_revenue) as decimal(18, 2)) as net_revenue

    from customer_months
    group by
        acquisition_cohort_month,
        acquisition_channel_id,
        months_since_acquisition,
        date_month,
        is_complete_month

),

accumulated as (

    select
        aggregated.*,
        cast(sum(aggregated.net_revenue) over (
            partition by aggregated.acquisition_cohort_month, aggregated.acquisition_channel_id
            order by aggregated.months_since_acquisition
            rows between unbounded preceding and current row
        ) as decimal(18, 2)) as cumulative_net_revenue

    from aggregated

),

final as (

    select
        acquisition_cohort_month,
        acquisition_channel_id,
        months_since_acquisition,
        date_month,
        is_complete_month,
        cohort_customers,
        active_customers,
        cast(
            {{ kpi_if_available('retention_rate', retention_rate('active_customers', 'cohort_customers')) }}
            as double
        ) as retention_rate,
        net_revenue,
        cumulative_net_revenue,
        cast(
            {{ kpi_if_available('historical_lifetime_value',
                historical_lifetime_value('cumulative_net_revenue', 'cohort_customers')) }}
            as double
        )
            as lifetime_value

    from accumulated

)

select * from final

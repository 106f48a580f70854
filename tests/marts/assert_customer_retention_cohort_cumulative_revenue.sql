{#-
    Cohort LTV integrity. Lifetime value is not asserted to be non-decreasing: refunds are netted
    in the month they complete, so a cohort month can have negative net revenue. What must hold
    instead, per cohort and channel: the cohort size never changes over months_since_acquisition,
    months are consecutive from 0, cumulative net revenue moves by exactly the month's net revenue
    (so LTV only falls in a month with net refunds), and the last cumulative value equals the
    cohort's net revenue in int_customer_months. Fails with the offending rows.
-#}

with

cohorts as (

    select * from {{ ref('kpi_customer_retention__cohort') }}

),

customer_months as (

    select * from {{ ref('int_customer_months') }}

),

with_previous as (

    select
        acquisition_cohort_month,
        acquisition_channel_id,
        months_since_acquisition,
        cohort_customers,
        net_revenue,
        cumulative_net_revenue,
        lag(months_since_acquisition) over (
            partition by acquisition_cohort_month, acquisition_channel_id
            order by months_since_acquisition
        ) as previous_months_since_acquisition,
        lag(cohort_customers) over (
            partition by acquisition_cohort_month, acquisition_channel_id
            order by months_since_acquisition
        ) as previous_cohort_customers,
        coalesce(lag(cumulative_net_revenue) over (
            partition by acquisition_cohort_month, acquisition_channel_id
            order by months_since_acquisition
        ), 0) as previous_cumulative_net_revenue,
        row_number() over (
            partition by acquisition_cohort_month, acquisition_channel_id
            order by months_since_acquisition desc
        ) as months_from_end

    from cohorts

),

step_failures as (

    select
        acquisition_cohort_month,
        acquisition_channel_id,
        months_since_acquisition,
        'step' as failure

    from with_previous
    where
        cumulative_net_revenue != previous_cumulative_net_revenue + net_revenue
        or (previous_months_since_acquisition is null and months_since_acquisition != 0)
        or months_since_acquisition != previous_months_since_acquisition + 1
        or cohort_customers != previous_cohort_customers

),

cohort_revenue as (

    select
        acquisition_cohort_month,
        acquisition_channel_id,
        sum(net_revenue) as net_revenue

    from customer_months
    group by
        acquisition_cohort_month,
        acquisition_channel_id

),

total_failures as (

    select
        with_previous.acquisition_cohort_month,
        with_previous.acquisition_channel_id,
        with_previous.months_since_acquisition,
        'total' as failure

    from with_previous
    inner join cohort_revenue
        on
            with_previous.acquisition_cohort_month = cohort_revenue.acquisition_cohort_month
            and coalesce(with_previous.acquisition_channel_id, '')
            = coalesce(cohort_revenue.acquisition_channel_id, '')
    where
        with_previous.months_from_end = 1
        and with_previous.cumulative_net_revenue != cohort_revenue.net_revenue

),

failures as (

    select * from step_failures
    union all
    select * from total_failures

)

select * from failures

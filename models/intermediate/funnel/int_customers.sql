{#-
    One row per customer: the account a won lead became, with its acquisition source (the
    acquiring lead's channel and campaign), its order history and its churn status.

    Churn: customers pay monthly (renewal orders). The last paid month is the month of the latest
    completed non-refund order (the acquisition month when there is none yet); the customer has
    churned when the whole month after it passed without a renewal, i.e. that month lies before
    the as-of month. churned_month is that first unpaid month; both stay null/false while the
    customer is active.
-#}

with

leads_lifecycle as (

    select * from {{ ref('int_leads_lifecycle') }}

),

orders_classified as (

    select * from {{ ref('int_orders_classified') }}

),

acquisitions as (

    select
        customer_id,
        lead_id,
        channel_id as acquisition_channel_id,
        campaign_id as acquisition_campaign_id,
        won_at as acquired_at

    from leads_lifecycle
    where is_customer_acquisition_lead

),

orders_per_customer as (

    select
        customer_id,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at,
        count(order_id) as orders,
        sum(net_revenue) as net_revenue,
        max(case when order_number is not null then order_month end) as last_paid_month

    from orders_classified
    group by customer_id

),

joined as (

    select
        acquisitions.customer_id,
        acquisitions.lead_id,
        acquisitions.acquisition_channel_id,
        acquisitions.acquisition_campaign_id,
        acquisitions.acquired_at,
        cast(acquisitions.acquired_at as date) as acquired_date,
        cast({{ dbt.date_trunc('month', 'acquisitions.acquired_at') }} as date)
            as acquisition_cohort_month,
        orders_per_customer.first_order_at,
        orders_per_customer.last_order_at,
        cast(coalesce(orders_per_customer.orders, 0) as bigint) as orders,
        cast(coalesce(orders_per_customer.net_revenue, 0) as decimal(18, 2)) as net_revenue,
        cast(
            {{ dbt.dateadd(
                'month',
                1,
                "coalesce(orders_per_customer.last_paid_month, cast("
                    ~ dbt.date_trunc('month', 'acquisitions.acquired_at') ~ " as date))"
            ) }} as date
        ) as first_unpaid_month

    from acquisitions
    left join orders_per_customer
        on acquisitions.customer_id = orders_per_customer.customer_id

),

final as (

    select
        customer_id,
        lead_id,
        acquisition_channel_id,
        acquisition_campaign_id,
        acquired_at,
        acquired_date,
        acquisition_cohort_month,
        first_order_at,
        last_order_at,
        orders,
        net_revenue,
        first_unpaid_month < cast({{ dbt.date_trunc('month', as_of_date()) }} as date) as is_churned,
        case
            when first_unpaid_month < cast({{ dbt.date_trunc('month', as_of_date()) }} as date)
                then first_unpaid_month
        end as churned_month

    from joined

)

select * from final

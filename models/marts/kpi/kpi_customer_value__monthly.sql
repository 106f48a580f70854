with

customer_months as (

    select * from {{ ref('int_customer_months') }}

),

aggregated as (

    select
        date_month,
        acquisition_channel_id,
        is_complete_month,
        cast(count(case when is_active then customer_id end) as bigint) as active_customers,
        cast(count(case when has_paid_order then customer_id end) as bigint) as customers_ordering,
        cast(count(case when is_new then customer_id end) as bigint) as new_customers,
        cast(sum(orders) as bigint) as orders,
        cast(sum(gross_revenue) as decimal(18, 2)) as gross_revenue,
        cast(sum(refunds) as decimal(18, 2)) as refunds,
        cast(sum(net_revenue) as decimal(18, 2)) as net_revenue,
        cast(count(case when orders_to_date >= 2 then customer_id end) as bigint) as repeat_customers,
        cast(count(case when orders_to_date >= 1 then customer_id end) as bigint) as ordering_customers,
        cast(count(case when has_expansion then customer_id end) as bigint) as expansion_customers,
        cast(count(case when has_cross_sell then customer_id end) as bigint) as cross_sell_customers,
        cast(count(case when was_active_last_month then customer_id end) as bigint) as customers_at_start,
        cast(count(case when is_retained then customer_id end) as bigint) as retained_customers,
        cast(count(case when is_churned_this_month then customer_id end) as bigint) as churned_customers,
        cast(sum(case when was_active_last_month then net_revenue_last_month else 0 end) as decimal(18, 2))
            as revenue_at_start,
        cast(sum(case when was_active_last_month then net_revenue else 0 end) as decimal(18, 2))
            as retained_revenue,
        cast(sum(case when is_churned_this_month then net_revenue_last_month else 0 end) as decimal(18, 2))
            as churned_revenue

    from customer_months
    group by
        date_month,
        acquisition_channel_id,
        is_complete_month

),

final as (

    select
        date_month,
        acquisition_channel_id,
        is_complete_month,
        active_customers,
        customers_ordering,
        new_customers,
        orders,
        gross_revenue,
        refunds,
        net_revenue,
        cast(
            {{ kpi_if_available('average_order_value', average_order_value('net_revenue', 'orders')) }}
            as double
        ) as average_order_value,
        cast(
            {{ kpi_if_available('orders_per_customer', orders_per_customer('orders', 'customers_ordering')) }}
            as double
        ) as orders_per_customer,
        repeat_customers,
        ordering_customers,
        cast(
            {{ kpi_if_available('repeat_purchase_rate',
                repeat_purchase_rate('repeat_customers', 'ordering_customers')) }}
            as double
        )
            as repeat_purchase_rate,
        expansion_customers,
        cast(
            {{ kpi_if_available('expansion_rate',
                expansion_rate('expansion_customers', 'active_customers')) }}
            as double
        ) as expansion_rate,
        cross_sell_customers,
        cast(
            {{ kpi_if_available('cross_sell_rate',
                cross_sell_rate('cross_sell_customers', 'active_customers')) }}
            as double
        ) as cross_sell_rate,
        customers_at_start,
        retained_customers,
        churned_customers,
        cast(
            {{ kpi_if_available('retention_rate',
                retention_rate('retained_customers', 'customers_at_start')) }}
            as double
        ) as retention_rate,
        cast(
            {{ kpi_if_available('churn_rate', churn_rate('churned_customers', 'customers_at_start')) }}
            as double
        ) as churn_rate,
        revenue_at_start,
        retained_revenue,
        churned_revenue,
        cast(
            {{ kpi_if_available('revenue_churn_rate',
                revenue_churn_rate('churned_revenue', 'revenue_at_start')) }}
            as double
        ) as revenue_churn_rate,
        cast(
            {{ kpi_if_available('net_revenue_retention_rate',
                net_revenue_retention_rate('retained_revenue', 'revenue_at_start')) }}
            as double
        )
            as net_revenue_retention_rate

    from aggregated

)

select * from final

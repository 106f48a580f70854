{#-
    One row per customer per calendar month, from the acquisition cohort month to the as-of month.
    has_paid_order: a completed non-refund order in the month. is_active: subscribed, from the first
    paid month until churn (gap months between two paid months stay active: ~30-day renewals can
    skip a calendar month). churned_month: the month after the last paid month, once it is over —
    the rule of int_customers.churned_month. See doc customer_value__activity_definition.
-#}

with

customers as (

    select * from {{ ref('int_customers') }}

),

orders as (

    select * from {{ ref('int_orders_classified') }}

),

month_offsets as (

    -- 0..599: fifty years of months, far more than any customer history the spine has to cover.
    {{ dbt.generate_series(600) }}

),

as_of as (

    select cast({{ dbt.date_trunc('month', as_of_date()) }} as date) as as_of_month

),

first_month as (

    select min(acquisition_cohort_month) as first_cohort_month
    from customers

),

month_spine as (

    select
        cast(
            {{ dbt.dateadd('month', 'month_offsets.generated_number - 1', 'first_month.first_cohort_month') }}
            as date
        ) as date_month

    from month_offsets
    cross join first_month

),

months_to_as_of as (

    select
        month_spine.date_month,
        -- the as-of month is the current, incomplete month (even on its last day), as in
        -- int_customers: its renewals and its churn are not known yet
        month_spine.date_month < as_of.as_of_month as is_complete_month

    from month_spine
    cross join as_of
    where month_spine.date_month <= as_of.as_of_month

),

orders_per_customer_month as (

    select
        customer_id,
        order_month as date_month,
        count(case when is_completed and not is_refund then order_id end) as orders,
        count(case when is_completed and is_renewal then order_id end) as renewal_orders,
        count(case when is_completed and is_expansion then order_id end) as expansion_orders,
        count(case when is_completed and is_cross_sell then order_id end) as cross_sell_orders,
        sum(case when is_completed and not is_refund then net_revenue else 0 end) as gross_revenue,
        -1 * sum(case when is_completed and is_refund then net_revenue else 0 end) as refunds,
        sum(net_revenue) as net_revenue

    from orders
    group by
        customer_id,
        order_month

),

customer_month_spine as (

    select
        customers.customer_id,
        customers.acquisition_channel_id,
        customers.acquisition_campaign_id,
        customers.acquisition_cohort_month,
        months_to_as_of.date_month,
        months_to_as_of.is_complete_month

    from customers
    inner join months_to_as_of
        on customers.acquisition_cohort_month <= months_to_as_of.date_month

),

joined as (

    select
        customer_month_spine.customer_id,
        customer_month_spine.date_month,
        customer_month_spine.acquisition_channel_id,
        customer_month_spine.acquisition_campaign_id,
        customer_month_spine.acquisition_cohort_month,
        customer_month_spine.is_complete_month,
        cast(coalesce(orders_per_customer_month.orders, 0) as integer) as orders,
        cast(coalesce(orders_per_customer_month.renewal_orders, 0) as integer) as renewal_orders,
        cast(coalesce(orders_per_customer_month.expansion_orders, 0) as integer) as expansion_orders,
        cast(coalesce(orders_per_customer_month.cross_sell_orders, 0) as integer) as cross_sell_orders,
        cast(coalesce(orders_per_customer_month.gross_revenue, 0) as decimal(18, 2)) as gross_revenue,
        cast(coalesce(orders_per_customer_month.refunds, 0) as decimal(18, 2)) as refunds,
        cast(coalesce(orders_per_customer_month.net_revenue, 0) as decimal(18, 2)) as net_revenue,
        coalesce(orders_per_customer_month.orders, 0) > 0 as has_paid_order

    from customer_month_spine
    left join orders_per_customer_month
        on
            customer_month_spine.customer_id = orders_per_customer_month.customer_id
            and customer_month_spine.date_month = orders_per_customer_month.date_month

),

paid_months as (

    select
        customer_id,
        min(case when has_paid_order then date_month end) as first_paid_month,
        max(case when has_paid_order then date_month end) as last_paid_month

    from joined
    group by customer_id

),

subscription_bounds as (

    select
        paid_months.customer_id,
        paid_months.first_paid_month,
        paid_months.last_paid_month,
        -- churn: the first month without a paid order after the last paid month, once that month
        -- is over (before the as-of month); a customer that later pays again never churned
        case
            when {{ dbt.dateadd('month', 1, 'paid_months.last_paid_month') }} < as_of.as_of_month
                then cast({{ dbt.dateadd('month', 1, 'paid_months.last_paid_month') }} as date)
        end as churned_month

    from paid_months
    cross join as_of

),

with_subscription as (

    select
        joined.*,
        subscription_bounds.first_paid_month,
        subscription_bounds.churned_month,
        coalesce(
            joined.date_month >= subscription_bounds.first_paid_month
            and (
                subscription_bounds.churned_month is null
                or joined.date_month < subscription_bounds.churned_month
            ),
            false
        ) as is_active

    from joined
    inner join subscription_bounds
        on joined.customer_id = subscription_bounds.customer_id

),

with_history as (

    select
        with_subscription.*,
        coalesce(
            lag(with_subscription.is_active) over (
                partition by with_subscription.customer_id
                order by with_subscription.date_month
            ),
            false
        ) as was_active_last_month,
        cast(coalesce(
            lag(with_subscription.net_revenue) over (
                partition by with_subscription.customer_id
                order by with_subscription.date_month
            ),
            0
        ) as decimal(18, 2)) as net_revenue_last_month,
        cast(sum(with_subscription.orders) over (
            partition by with_subscription.customer_id
            order by with_subscription.date_month
            rows between unbounded preceding and current row
        ) as integer) as orders_to_date

    from with_subscription

),

final as (

    select
        customer_id,
        date_month,
        acquisition_channel_id,
        acquisition_campaign_id,
        acquisition_cohort_month,
        cast(
            {{ dbt.datediff('acquisition_cohort_month', 'date_month', 'month') }}
            as integer
        ) as months_since_acquisition,
        is_complete_month,
        orders,
        renewal_orders,
        expansion_orders,
        cross_sell_orders,
        orders_to_date,
        gross_revenue,
        refunds,
        net_revenue,
        net_revenue_last_month,
        has_paid_order,
        expansion_orders > 0 as has_expansion,
        cross_sell_orders > 0 as has_cross_sell,
        first_paid_month,
        churned_month,
        is_active,
        was_active_last_month,
        coalesce(date_month = first_paid_month, false) as is_new,
        is_active and was_active_last_month as is_retained,
        coalesce(date_month = churned_month, false) as is_churned_this_month

    from with_history

)

select * from final

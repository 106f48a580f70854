{#-
    One row per order day × attribution model × channel × campaign: the net revenue (refunds
    negative) of the day's completed orders, spread over the channels and campaigns of each
    customer's conversion with the conversion's attribution weights (int_touchpoints_attributed,
    summed per channel and campaign).

    The grain is the finest the KPI marts report (kpi_channel_performance__daily by day and
    campaign, kpi_attribution__monthly by month and model, kpi_campaign_roi by campaign), not the
    order: an order × share table is ~20 rows per order (10^8 rows at scale L) that no mart reads.

    Money is exact to the cent: each customer's day revenue times its weight is computed in
    decimals (decimal(20, 2) × decimal(17, 12): a product both DuckDB and Spark keep exact at 14
    decimals; wider operands make DuckDB fall back to doubles or Spark drop scale, and the two
    engines then round half-cent ties differently), summed per day, model, channel and campaign, rounded to
    the cent, and the day's rounding residual goes to the day's largest share (ties: channel_id,
    campaign_id), so attributed_revenue summed over the channels and campaigns of a day equals the
    day's net revenue exactly, under every model. A customer without a conversion (should not
    happen: every customer converts) is credited in full to its acquisition channel and campaign,
    so no revenue is lost.

    attributed_conversions is the conversion's weight, counted once per customer on the day of its
    first purchase (order_number = 1).
-#}

with

orders as (

    select * from {{ ref('int_orders_classified') }}

),

touchpoints_attributed as (

    select * from {{ ref('int_touchpoints_attributed') }}

),

customer_days as (

    -- one row per customer and order day: the day's net revenue and whether it holds the
    -- customer's first purchase
    select
        customer_id,
        order_date,
        order_month,
        acquisition_channel_id,
        acquisition_campaign_id,
        sum(net_revenue) as net_revenue,
        max(case when order_number = 1 then 1 else 0 end) as is_first_purchase_day

    from orders
    where is_completed
    group by
        customer_id,
        order_date,
        order_month,
        acquisition_channel_id,
        acquisition_campaign_id

),

conversion_weights as (

    select
        conversion_id as customer_id,
        attribution_model,
        channel_id,
        campaign_id,
        sum(attribution_weight) as attribution_weight

    from touchpoints_attributed
    group by
        conversion_id,
        attribution_model,
        channel_id,
        campaign_id

),

attribution_models as (

    select distinct attribution_model
    from touchpoints_attributed

),

converted_customers as (

    select distinct customer_id
    from conversion_weights

),

customer_day_shares as (

    select
        customer_days.order_date,
        customer_days.order_month,
        conversion_weights.attribution_model,
        conversion_weights.channel_id,
        conversion_weights.campaign_id,
        cast(customer_days.net_revenue as decimal(20, 2))
        * cast(conversion_weights.attribution_weight as decimal(17, 12)) as exact_revenue,
        customer_days.is_first_purchase_day * conversion_weights.attribution_weight as conversions

    from customer_days
    inner join conversion_weights
        on customer_days.customer_id = conversion_weights.customer_id
    where conversion_weights.attribution_weight > 0

    union all

    select
        customer_days.order_date,
        customer_days.order_month,
        attribution_models.attribution_model,
        customer_days.acquisition_channel_id as channel_id,
        customer_days.acquisition_campaign_id as campaign_id,
        cast(customer_days.net_revenue as decimal(20, 2)) * cast(1 as decimal(17, 12)) as exact_revenue,
        cast(customer_days.is_first_purchase_day as double) as conversions

    from customer_days
    cross join attribution_models
    left join converted_customers
        on customer_days.customer_id = converted_customers.customer_id
    where converted_customers.customer_id is null

),

day_revenue as (

    select
        order_date,
        sum(net_revenue) as net_revenue

    from customer_days
    group by order_date

),

day_shares as (

    select
        order_date,
        order_month,
        attribution_model,
        channel_id,
        campaign_id,
        sum(exact_revenue) as exact_revenue,
        sum(conversions) as attributed_conversions

    from customer_day_shares
    group by
        order_date,
        order_month,
        attribution_model,
        channel_id,
        campaign_id

),

rounded_shares as (

    select
        *,
        cast(round(exact_revenue, 2) as decimal(18, 2)) as rounded_revenue,
        row_number() over (
            partition by order_date, attribution_model
            order by exact_revenue desc, channel_id asc nulls last, campaign_id asc nulls last
        ) as share_rank

    from day_shares

),

residuals as (

    select
        rounded_shares.*,
        day_revenue.net_revenue as day_net_revenue,
        sum(rounded_shares.rounded_revenue) over (
            partition by rounded_shares.order_date, rounded_shares.attribution_model
        ) as rounded_day_revenue

    from rounded_shares
    inner join day_revenue
        on rounded_shares.order_date = day_revenue.order_date

),

final as (

    select
        order_date,
        order_month,
        attribution_model,
        channel_id,
        campaign_id,
        cast(
            rounded_revenue
            + case when share_rank = 1 then day_net_revenue - rounded_day_revenue else 0 end
            as decimal(18, 2)
        ) as attributed_revenue,
        cast(attributed_conversions as double) as attributed_conversions

    from residuals

)

select * from final

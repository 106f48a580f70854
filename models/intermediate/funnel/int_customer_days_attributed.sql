{#-
    One row per customer × order day × attribution model × channel × campaign: the customer's net
    revenue of the day (completed orders, refunds negative) times the weight its conversion gives
    the channel and campaign under the model (int_touchpoints_attributed, summed per channel and
    campaign; zero weights dropped). int_revenue_attributed sums these per day, unrounded; each
    published grain (day, month, campaign lifetime) rounds its own sums once.

    A table of its own (not a CTE of int_revenue_attributed) so that the sum can run one
    attribution model at a time over stored rows: as one grouped aggregate over the joined shares
    it ran out of memory at scale XL under a 4 GB limit (docs/BENCHMARK.md, "Scale XL").

    exact_revenue is decimal(20, 2) × decimal(17, 12): a product both DuckDB and Spark keep exact
    at 14 decimals (wider operands make DuckDB fall back to doubles or Spark drop scale, and the
    two engines then round half-cent ties differently).

    A customer without a conversion (should not happen: every customer converts) is credited in
    full to its acquisition channel and campaign under every model, so no revenue is lost.
    conversions is the conversion's weight on the day of the customer's first purchase
    (order_number = 1), 0 on other days.
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

shares as (

    select
        customer_days.customer_id,
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
        customer_days.customer_id,
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

final as (

    select
        customer_id,
        order_date,
        order_month,
        attribution_model,
        channel_id,
        campaign_id,
        exact_revenue,
        cast(conversions as double) as conversions

    from shares

)

select * from final

{#-
    One row per completed order × attribution model × channel × campaign: the order's net revenue
    (refunds negative) spread over the channels and campaigns of its customer's conversion with
    the conversion's attribution weights (int_touchpoints_attributed, summed per channel and
    campaign).

    Money is exact to the cent: each share is rounded to the cent and the rounding residual goes
    to the order's largest share (ties: channel_id, campaign_id), so attributed_revenue summed
    over the channels and campaigns of an order equals its net_revenue exactly, under every model.
    An order whose customer has no conversion (should not happen: every customer converts) is
    credited in full to its acquisition channel and campaign, so no revenue is lost.

    attributed_conversions is the conversion's weight, counted once per customer on the first
    purchase (order_number = 1); 0 on every other order.
-#}

with

orders as (

    select * from {{ ref('int_orders_classified') }}

),

touchpoints_attributed as (

    select * from {{ ref('int_touchpoints_attributed') }}

),

completed_orders as (

    select
        order_id,
        customer_id,
        order_date,
        order_month,
        order_number,
        net_revenue,
        acquisition_channel_id,
        acquisition_campaign_id

    from orders
    where is_completed

),

conversion_weights as (

    select
        conversion_id as customer_id,
        attribution_model,
        channel_id,
        campaign_id,
        sum(attribution_weight) as attribution_weight

    from touchpoints_attributed
    group by 1, 2, 3, 4

),

ranked_conversion_weights as (

    -- The order of a customer's shares is the same on every one of its orders, so it is ranked
    -- once per customer and model here, not once per order (a sort of ~20 rows per order at scale).
    select
        customer_id,
        attribution_model,
        channel_id,
        campaign_id,
        attribution_weight,
        row_number() over (
            partition by customer_id, attribution_model
            order by attribution_weight desc, channel_id asc, campaign_id asc
        ) as share_rank

    from conversion_weights
    where attribution_weight > 0

),

attribution_models as (

    select distinct attribution_model
    from touchpoints_attributed

),

converted_customers as (

    select distinct customer_id
    from conversion_weights

),

orders_with_conversion as (

    select
        completed_orders.order_id,
        completed_orders.customer_id,
        completed_orders.order_date,
        completed_orders.order_month,
        completed_orders.order_number,
        completed_orders.net_revenue,
        ranked_conversion_weights.attribution_model,
        ranked_conversion_weights.channel_id,
        ranked_conversion_weights.campaign_id,
        ranked_conversion_weights.attribution_weight,
        ranked_conversion_weights.share_rank

    from completed_orders
    inner join ranked_conversion_weights
        on completed_orders.customer_id = ranked_conversion_weights.customer_id

),

orders_without_conversion as (

    select
        completed_orders.order_id,
        completed_orders.customer_id,
        completed_orders.order_date,
        completed_orders.order_month,
        completed_orders.order_number,
        completed_orders.net_revenue,
        attribution_models.attribution_model,
        completed_orders.acquisition_channel_id as channel_id,
        completed_orders.acquisition_campaign_id as campaign_id,
        1.0 as attribution_weight,
        1 as share_rank

    from completed_orders
    cross join attribution_models
    left join converted_customers
        on completed_orders.customer_id = converted_customers.customer_id
    where converted_customers.customer_id is null

),

order_shares as (

    select * from orders_with_conversion
    union all
    select * from orders_without_conversion

),

rounded_shares as (

    select
        *,
        cast({{ round_double('net_revenue * attribution_weight', 2) }} as decimal(18, 2)) as rounded_revenue

    from order_shares

),

residuals as (

    select
        *,
        sum(rounded_revenue) over (partition by order_id, attribution_model) as rounded_order_revenue

    from rounded_shares

),

final as (

    select
        order_id,
        customer_id,
        order_date,
        order_month,
        attribution_model,
        channel_id,
        campaign_id,
        cast(attribution_weight as double) as attribution_weight,
        cast(
            rounded_revenue
            + case when share_rank = 1 then net_revenue - rounded_order_revenue else 0 end
            as decimal(18, 2)
        ) as attributed_revenue,
        cast(case when order_number = 1 then attribution_weight else 0 end as double)
            as attributed_conversions

    from residuals

)

select * from final

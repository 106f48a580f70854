-- Attributed revenue equals total net revenue (int_orders_classified, refunds negative) to the
-- cent, under every attribution model: per order in int_revenue_attributed, and in total in
-- int_revenue_attributed, kpi_attribution__monthly and (default model)
-- kpi_channel_performance__daily / __monthly.
-- Returns the failing orders and totals.

with

orders as (

    select * from {{ ref('int_orders_classified') }}

),

revenue_attributed as (

    select * from {{ ref('int_revenue_attributed') }}

),

attribution_monthly as (

    select * from {{ ref('kpi_attribution__monthly') }}

),

channel_performance_daily as (

    select * from {{ ref('kpi_channel_performance__daily') }}

),

channel_performance_monthly as (

    select * from {{ ref('kpi_channel_performance__monthly') }}

),

attribution_models as (

    select 'first_touch' as attribution_model
    union all
    select 'last_touch'
    union all
    select 'last_non_direct_touch'
    union all
    select 'linear'
    union all
    select 'position_based'
    union all
    select 'time_decay'

),

all_model_marts as (

    select 'int_revenue_attributed' as checked_relation
    union all
    select 'kpi_attribution__monthly' as checked_relation

),

completed_orders as (

    select
        order_id,
        net_revenue

    from orders
    where is_completed

),

attributed_per_order as (

    select
        order_id,
        attribution_model,
        sum(attributed_revenue) as attributed_revenue

    from revenue_attributed
    group by
        order_id,
        attribution_model

),

order_failures as (

    select
        'int_revenue_attributed: order ' || completed_orders.order_id as checked_relation,
        attribution_models.attribution_model,
        completed_orders.net_revenue as expected_revenue,
        attributed_per_order.attributed_revenue

    from completed_orders
    cross join attribution_models
    left join attributed_per_order
        on
            completed_orders.order_id = attributed_per_order.order_id
            and attribution_models.attribution_model = attributed_per_order.attribution_model
    where coalesce(attributed_per_order.attributed_revenue, 0) != completed_orders.net_revenue

),

total_net_revenue as (

    select coalesce(sum(net_revenue), 0) as net_revenue from orders

),

model_totals as (

    select
        'int_revenue_attributed' as checked_relation,
        attribution_model,
        sum(attributed_revenue) as attributed_revenue

    from revenue_attributed
    group by attribution_model

    union all

    select
        'kpi_attribution__monthly' as checked_relation,
        attribution_model,
        sum(attributed_revenue) as attributed_revenue

    from attribution_monthly
    group by attribution_model

    union all

    select
        'kpi_channel_performance__daily' as checked_relation,
        '{{ var("default_attribution_model", "position_based") }}' as attribution_model,
        sum(attributed_revenue) as attributed_revenue

    from channel_performance_daily

    union all

    select
        'kpi_channel_performance__monthly' as checked_relation,
        '{{ var("default_attribution_model", "position_based") }}' as attribution_model,
        sum(attributed_revenue) as attributed_revenue

    from channel_performance_monthly

),

expected_totals as (

    select
        all_model_marts.checked_relation,
        attribution_models.attribution_model

    from attribution_models
    cross join all_model_marts

    union all

    select
        'kpi_channel_performance__daily' as checked_relation,
        '{{ var("default_attribution_model", "position_based") }}' as attribution_model

    union all

    select
        'kpi_channel_performance__monthly' as checked_relation,
        '{{ var("default_attribution_model", "position_based") }}' as attribution_model

),

total_failures as (

    select
        expected_totals.checked_relation,
        expected_totals.attribution_model,
        total_net_revenue.net_revenue as expected_revenue,
        model_totals.attributed_revenue

    from expected_totals
    cross join total_net_revenue
    left join model_totals
        on
            expected_totals.checked_relation = model_totals.checked_relation
            and expected_totals.attribution_model = model_totals.attribution_model
    where coalesce(model_totals.attributed_revenue, 0) != total_net_revenue.net_revenue

)

select * from order_failures
union all
select * from total_failures

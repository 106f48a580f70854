-- Attributed revenue equals total net revenue (int_orders_classified, refunds negative) to the
-- cent, under every attribution model: per order day in int_revenue_attributed, and in total in
-- int_revenue_attributed, kpi_attribution__monthly and (default model)
-- kpi_channel_performance__daily / __monthly. And no customer is lost or counted twice: under
-- every model, attributed_conversions sum to the number of customers with a completed first
-- purchase (within 1e-6, summed as decimals), which the per-day revenue check alone (the day's
-- cents are rounded to add up to the day's net revenue) would not show.
-- Returns the failing days and totals.

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

completed_order_days as (

    select
        order_date,
        sum(net_revenue) as net_revenue

    from orders
    where is_completed
    group by order_date

),

attributed_per_day as (

    select
        order_date,
        attribution_model,
        sum(attributed_revenue) as attributed_revenue

    from revenue_attributed
    group by
        order_date,
        attribution_model

),

day_failures as (

    select
        'int_revenue_attributed: day ' || cast(completed_order_days.order_date as {{ dbt.type_string() }})
            as checked_relation,
        attribution_models.attribution_model,
        completed_order_days.net_revenue as expected_revenue,
        attributed_per_day.attributed_revenue

    from completed_order_days
    cross join attribution_models
    left join attributed_per_day
        on
            completed_order_days.order_date = attributed_per_day.order_date
            and attribution_models.attribution_model = attributed_per_day.attribution_model
    where coalesce(attributed_per_day.attributed_revenue, 0) != completed_order_days.net_revenue

),

first_purchases as (

    select count(distinct customer_id) as customers
    from orders
    where is_completed and order_number = 1

),

attributed_conversions_per_model as (

    -- summed as decimals: a sum of doubles drifts with the number of rows (at scale XL, 10^8 rows
    -- adding up to 1.8 M, by 3e-5: more than the tolerance, for no error in the data)
    select
        attribution_model,
        sum(cast(attributed_conversions as decimal(38, 15))) as attributed_conversions

    from revenue_attributed
    group by attribution_model

),

conversion_failures as (

    select
        'int_revenue_attributed: attributed_conversions vs first purchases' as checked_relation,
        attribution_models.attribution_model,
        cast(first_purchases.customers as decimal(18, 2)) as expected_revenue,
        cast(attributed_conversions_per_model.attributed_conversions as decimal(18, 2)) as attributed_revenue

    from attribution_models
    cross join first_purchases
    left join attributed_conversions_per_model
        on attribution_models.attribution_model = attributed_conversions_per_model.attribution_model
    where
        abs(coalesce(attributed_conversions_per_model.attributed_conversions, 0) - first_purchases.customers)
        > 1e-6

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

select * from day_failures
union all
select * from conversion_failures
union all
select * from total_failures

{#-
    One row per order day × attribution model × channel × campaign: the net revenue (refunds
    negative) of the day's completed orders, spread over the channels and campaigns of each
    customer's conversion with the conversion's attribution weights - the per-customer shares of
    int_customer_days_attributed, summed per day, model, channel and campaign.

    The grain is the finest the KPI marts report (kpi_channel_performance__daily by day and
    campaign, kpi_attribution__monthly by month and model, kpi_campaign_roi by campaign), not the
    order: an order × share table is ~20 rows per order (10^8 rows at scale L) that no mart reads.

    The sum runs one attribution model at a time (one grouped aggregate per model, unioned): a
    single aggregate over all models holds every model's day × channel × campaign groups at once
    and ran out of memory at scale XL under a 4 GB limit (docs/BENCHMARK.md, "Scale XL").

    Money is exact to the cent: the shares are exact decimals, summed, rounded to the cent, and
    the day's rounding residual goes to the day's largest share (ties: channel_id, campaign_id),
    so attributed_revenue summed over the channels and campaigns of a day equals the day's net
    revenue exactly, under every model.

    attributed_conversions is the conversion's weight, counted once per customer on the day of its
    first purchase (order_number = 1).
-#}

with

orders as (

    select * from {{ ref('int_orders_classified') }}

),

day_revenue as (

    select
        order_date,
        sum(net_revenue) as net_revenue

    from orders
    where is_completed
    group by order_date

),

day_shares as (
    -- int_customer_days_attributed is read by ref in each branch, not through an import CTE:
    -- DuckDB materialises a CTE that is read more than once, in memory
    {% for attribution_model in attribution_model_names() %}
        select
            order_date,
            order_month,
            attribution_model,
            channel_id,
            campaign_id,
            sum(exact_revenue) as exact_revenue,
            sum(conversions) as attributed_conversions

        from {{ ref('int_customer_days_attributed') }}
        where attribution_model = '{{ attribution_model }}'
        group by
            order_date,
            order_month,
            attribution_model,
            channel_id,
            campaign_id
        {% if not loop.last %}
            union all
        {% endif -%}
    {% endfor %}
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

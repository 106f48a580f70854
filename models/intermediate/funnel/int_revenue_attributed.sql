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

    Money is exact to the cent: the shares are exact decimals and their sums are kept unrounded
    (exact_revenue), so the monthly and campaign marts round their own sums once, at their own
    grain. attributed_revenue is the day-grain rounding: exact_revenue rounded to the cent by
    largest remainder per day and model (largest_remainder_cents), so each cell is less than a
    cent from its exact amount and the cells of a day add up to the day's exact total rounded to
    the cent - the day's net revenue - under every model.

    attributed_conversions is the conversion's weight, counted once per customer on the day of its
    first purchase (order_number = 1).
-#}

with

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

final as (

    select
        order_date,
        order_month,
        attribution_model,
        channel_id,
        campaign_id,
        exact_revenue,
        {{ largest_remainder_cents(
            'exact_revenue', ['order_date', 'attribution_model'],
            'channel_id asc nulls last, campaign_id asc nulls last'
        ) }} as attributed_revenue,
        cast(attributed_conversions as double) as attributed_conversions

    from day_shares

)

select * from final

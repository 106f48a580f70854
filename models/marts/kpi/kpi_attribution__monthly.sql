{#-
    One row per month per attribution model per channel: attributed revenue and conversions under
    each model side by side, with the channel's spend (the same under every model), so ROAS and
    CAC can be compared across models. Revenue is reported in the order's month; a conversion is
    counted in the month of the customer's first purchase. customer_acquisition_cost divides spend
    by attributed (fractional) conversions, not by new customers of the lead's source channel.
    Channels with spend but no attributed revenue appear under every model. Attributed revenue is
    the exact sum of the shares (int_revenue_attributed.exact_revenue) rounded to the cent once per
    month, model and channel, by largest remainder within the month and model.
-#}

with

revenue_attributed as (

    select * from {{ ref('int_revenue_attributed') }}

),

ad_performance as (

    select * from {{ ref('stg_ads__ad_performance') }}

),

attribution_models as (

    select distinct attribution_model
    from revenue_attributed

),

revenue_facts as (

    select
        order_month as date_month,
        attribution_model,
        channel_id,
        exact_revenue,
        attributed_conversions,
        0 as spend

    from revenue_attributed

),

monthly_spend as (

    select
        cast({{ dbt.date_trunc('month', 'report_date') }} as date) as date_month,
        channel_id,
        sum(spend) as spend

    from ad_performance
    group by
        cast({{ dbt.date_trunc('month', 'report_date') }} as date),
        channel_id

),

spend_facts as (

    select
        monthly_spend.date_month,
        attribution_models.attribution_model,
        monthly_spend.channel_id,
        0 as exact_revenue,
        0 as attributed_conversions,
        monthly_spend.spend

    from monthly_spend
    cross join attribution_models

),

unioned_facts as (

    select * from revenue_facts
    union all
    select * from spend_facts

),

aggregated as (

    select
        date_month,
        attribution_model,
        channel_id,
        sum(exact_revenue) as exact_revenue,
        cast(sum(attributed_conversions) as double) as attributed_conversions,
        cast(sum(spend) as decimal(18, 2)) as spend

    from unioned_facts
    group by
        date_month,
        attribution_model,
        channel_id

),

rounded as (

    -- rounded once, at this grain: the channels of a month and model add up to the month's net
    -- revenue to the cent (largest remainder), each less than a cent from its exact sum
    select
        date_month,
        attribution_model,
        channel_id,
        {{ largest_remainder_cents('exact_revenue', ['date_month', 'attribution_model'], 'channel_id') }}
            as attributed_revenue,
        attributed_conversions,
        spend

    from aggregated

),

final as (

    select
        date_month,
        attribution_model,
        channel_id,
        attributed_revenue,
        attributed_conversions,
        spend,
        cast(
            {{ kpi_if_available('return_on_ad_spend', return_on_ad_spend('attributed_revenue', 'spend')) }}
            as double
        ) as return_on_ad_spend,
        cast(
            {{ kpi_if_available('return_on_investment',
                return_on_investment('attributed_revenue', 'spend')) }}
            as double
        )
            as return_on_investment,
        cast(
            {{ kpi_if_available('customer_acquisition_cost',
                customer_acquisition_cost('spend', 'attributed_conversions')) }}
            as double
        )
            as customer_acquisition_cost

    from rounded

)

select * from final

{#-
    One row per month per channel per campaign: kpi_channel_performance__daily summed to the
    month, every ratio recomputed from the monthly sums (a ratio of sums). Attributed revenue is
    not the sum of the daily cents: it is the month's exact sum of the shares
    (int_revenue_attributed.exact_revenue) rounded to the cent once, by largest remainder within
    the month, so it is less than a cent from the exact amount. invalid_spend is
    recomputed at the monthly grain: the month's spend of a campaign that brought no lead in the
    month (so it is at most the sum of the daily invalid spend).
-#}

with

channel_performance_daily as (

    select * from {{ ref('kpi_channel_performance__daily') }}

),

revenue_attributed as (

    select * from {{ ref('int_revenue_attributed') }}

),

monthly_revenue as (

    select
        order_month as date_month,
        channel_id,
        coalesce(campaign_id, '(none)') as campaign_key,
        sum(exact_revenue) as exact_revenue

    from revenue_attributed
    where attribution_model = '{{ var("default_attribution_model", "position_based") }}'
    group by
        order_month,
        channel_id,
        coalesce(campaign_id, '(none)')

),

monthly_revenue_rounded as (

    -- rounded once, at this grain (not the sum of the daily cents): the campaigns of a month add
    -- up to the month's net revenue to the cent (largest remainder), each less than a cent from
    -- its exact sum
    select
        date_month,
        channel_id,
        campaign_key,
        {{ largest_remainder_cents('exact_revenue', ['date_month'], 'channel_id, campaign_key') }}
            as attributed_revenue

    from monthly_revenue

),

aggregated as (

    select
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as date_month,
        channel_id,
        channel_name,
        channel_group,
        is_paid,
        campaign_id,
        campaign_key,
        campaign_name,
        cast(sum(spend) as decimal(18, 2)) as spend,
        cast(sum(impressions) as bigint) as impressions,
        cast(sum(clicks) as bigint) as clicks,
        cast(sum(platform_conversions) as bigint) as platform_conversions,
        cast(sum(leads) as bigint) as leads,
        cast(sum(marketing_qualified_leads) as bigint) as marketing_qualified_leads,
        cast(sum(sales_qualified_leads) as bigint) as sales_qualified_leads,
        cast(sum(opportunities) as bigint) as opportunities,
        cast(sum(new_customers) as bigint) as new_customers

    from channel_performance_daily
    group by
        cast({{ dbt.date_trunc('month', 'date_day') }} as date),
        channel_id,
        channel_name,
        channel_group,
        is_paid,
        campaign_id,
        campaign_key,
        campaign_name

),

with_invalid_spend as (

    select
        aggregated.*,
        cast(
            {{ stage_if_tracked('won', measure_if_provided(['leads', 'orders'],
                'coalesce(monthly_revenue_rounded.attributed_revenue, 0)')) }}
            as decimal(18, 2)
        ) as attributed_revenue,
        cast(
            {{ measure_if_provided(['ad_performance', 'campaigns', 'leads'],
                'case when aggregated.leads = 0 then aggregated.spend else 0 end') }}
            as decimal(18, 2)
        ) as invalid_spend

    from aggregated
    left join monthly_revenue_rounded
        on
            aggregated.date_month = monthly_revenue_rounded.date_month
            and aggregated.channel_id = monthly_revenue_rounded.channel_id
            and aggregated.campaign_key = monthly_revenue_rounded.campaign_key

),

final as (

    select
        date_month,
        channel_id,
        channel_name,
        channel_group,
        is_paid,
        campaign_id,
        campaign_key,
        campaign_name,
        spend,
        impressions,
        clicks,
        cast(
            {{ kpi_if_available('click_through_rate', click_through_rate('clicks', 'impressions')) }}
            as double
        ) as click_through_rate,
        cast(
            {{ kpi_if_available('cost_per_click', cost_per_click('spend', 'clicks')) }}
            as double
        ) as cost_per_click,
        cast(
            {{ kpi_if_available('cost_per_mille', cost_per_mille('spend', 'impressions')) }}
            as double
        ) as cost_per_mille,
        leads,
        cast(
            {{ kpi_if_available('cost_per_lead', cost_per_lead('spend', 'leads')) }}
            as double
        ) as cost_per_lead,
        marketing_qualified_leads,
        sales_qualified_leads,
        opportunities,
        new_customers,
        cast(
            {{ kpi_if_available('customer_acquisition_cost',
                customer_acquisition_cost('spend', 'new_customers')) }}
            as double
        )
            as customer_acquisition_cost,
        attributed_revenue,
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
        platform_conversions,
        leads as crm_conversions,
        cast(platform_conversions - leads as bigint) as platform_conversion_overstatement,
        invalid_spend,
        cast(
            {{ kpi_if_available('invalid_spend_rate', invalid_spend_rate('invalid_spend', 'spend')) }}
            as double
        ) as invalid_spend_rate

    from with_invalid_spend

)

select * from final

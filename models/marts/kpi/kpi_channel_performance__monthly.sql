{#-
    One row per month per channel per campaign: kpi_channel_performance__daily summed to the
    month, every ratio recomputed from the monthly sums (a ratio of sums). invalid_spend is
    recomputed at the monthly grain: the month's spend of a campaign that brought no lead in the
    month (so it is at most the sum of the daily invalid spend).
-#}

with

channel_performance_daily as (

    select * from {{ ref('kpi_channel_performance__daily') }}

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
        cast(sum(new_customers) as bigint) as new_customers,
        cast(sum(attributed_revenue) as decimal(18, 2)) as attributed_revenue

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
        *,
        cast(
            {{ measure_if_provided(['ad_performance', 'campaigns', 'leads'],
                'case when leads = 0 then spend else 0 end') }}
            as decimal(18, 2)
        ) as invalid_spend

    from aggregated

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

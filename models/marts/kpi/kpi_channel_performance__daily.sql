{#-
    One row per day per channel per campaign (campaign_id null for unpaid channels; campaign_key
    makes the grain null-free). Spend, delivery, leads, funnel stages, new customers and
    attributed revenue are combined with a union of facts (not joins), so a day with leads but no
    spend, or spend but no leads, is still a row and every total is complete:
      spend facts          stg_ads__ad_performance on report_date (USD)
      lead facts           int_leads_lifecycle on created_date, the lead's source channel/campaign
      stage facts          the same leads on the day each stage (mql, sql, opportunity) was reached
      customer facts       int_customers on acquired_date, the acquisition channel/campaign
      revenue facts        int_revenue_attributed under var('default_attribution_model') on order_date
    invalid_spend is the row's spend when the campaign brought no lead that day.
-#}

{%- set measures = ['spend', 'impressions', 'clicks', 'platform_conversions', 'leads',
    'marketing_qualified_leads', 'sales_qualified_leads', 'opportunities', 'new_customers',
    'attributed_revenue'] -%}

{%- set facts = {
    'spend_facts': ['spend', 'impressions', 'clicks', 'platform_conversions'],
    'lead_facts': ['leads'],
    'marketing_qualified_lead_facts': ['marketing_qualified_leads'],
    'sales_qualified_lead_facts': ['sales_qualified_leads'],
    'opportunity_facts': ['opportunities'],
    'customer_facts': ['new_customers'],
    'revenue_facts': ['attributed_revenue'],
} -%}

with

ad_performance as (

    select * from {{ ref('stg_ads__ad_performance') }}

),

leads_lifecycle as (

    select * from {{ ref('int_leads_lifecycle') }}

),

customers as (

    select * from {{ ref('int_customers') }}

),

revenue_attributed as (

    select * from {{ ref('int_revenue_attributed') }}

),

channels as (

    select * from {{ ref('stg_ads__channels') }}

),

campaigns as (

    select * from {{ ref('stg_ads__campaigns') }}

),

spend_facts as (

    select
        report_date as date_day,
        channel_id,
        campaign_id,
        spend,
        impressions,
        clicks,
        platform_conversions

    from ad_performance

),

lead_facts as (

    select
        created_date as date_day,
        channel_id,
        campaign_id,
        1 as leads

    from leads_lifecycle

),

marketing_qualified_lead_facts as (

    select
        cast(mql_at as date) as date_day,
        channel_id,
        campaign_id,
        1 as marketing_qualified_leads

    from leads_lifecycle
    where mql_at is not null

),

sales_qualified_lead_facts as (

    select
        cast(sql_at as date) as date_day,
        channel_id,
        campaign_id,
        1 as sales_qualified_leads

    from leads_lifecycle
    where sql_at is not null

),

opportunity_facts as (

    select
        cast(opportunity_at as date) as date_day,
        channel_id,
        campaign_id,
        1 as opportunities

    from leads_lifecycle
    where opportunity_at is not null

),

customer_facts as (

    select
        acquired_date as date_day,
        acquisition_channel_id as channel_id,
        acquisition_campaign_id as campaign_id,
        1 as new_customers

    from customers

),

revenue_facts as (

    select
        order_date as date_day,
        channel_id,
        campaign_id,
        attributed_revenue

    from revenue_attributed
    where attribution_model = '{{ var("default_attribution_model", "position_based") }}'

),

unioned_facts as (
    {% for fact, fact_measures in facts.items() %}
        select
            {%- for measure in measures %}
                {{ measure if measure in fact_measures else '0' }} as {{ measure }},
            {%- endfor %}
            date_day,
            channel_id,
            campaign_id

        from {{ fact }}
        {% if not loop.last %}
            union all
        {% endif -%}
    {% endfor %}
),

aggregated as (

    select
        date_day,
        channel_id,
        campaign_id,
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

    from unioned_facts
    group by
        date_day,
        channel_id,
        campaign_id

),

with_invalid_spend as (

    select
        *,
        cast(case when leads = 0 then spend else 0 end as decimal(18, 2)) as invalid_spend

    from aggregated

),

final as (

    select
        with_invalid_spend.date_day,
        with_invalid_spend.channel_id,
        channels.channel_name,
        channels.channel_group,
        channels.is_paid,
        with_invalid_spend.campaign_id,
        coalesce(with_invalid_spend.campaign_id, '(none)') as campaign_key,
        campaigns.campaign_name,
        {{ measure_if_provided(['ad_performance', 'campaigns'], 'with_invalid_spend.spend') }}
            as spend,
        {{ measure_if_provided(['ad_performance', 'campaigns'], 'with_invalid_spend.impressions') }}
            as impressions,
        {{ measure_if_provided(['ad_performance', 'campaigns'], 'with_invalid_spend.clicks') }}
            as clicks,
        cast(
            {{ kpi_if_available('click_through_rate',
                click_through_rate('with_invalid_spend.clicks', 'with_invalid_spend.impressions')) }}
            as double
        ) as click_through_rate,
        cast(
            {{ kpi_if_available('cost_per_click',
                cost_per_click('with_invalid_spend.spend', 'with_invalid_spend.clicks')) }}
            as double
        ) as cost_per_click,
        cast(
            {{ kpi_if_available('cost_per_mille',
                cost_per_mille('with_invalid_spend.spend', 'with_invalid_spend.impressions')) }}
            as double
        ) as cost_per_mille,
        {{ measure_if_provided('leads', 'with_invalid_spend.leads') }}
            as leads,
        cast(
            {{ kpi_if_available('cost_per_lead',
                cost_per_lead('with_invalid_spend.spend', 'with_invalid_spend.leads')) }}
            as double
        ) as cost_per_lead,
        {{ stage_if_tracked('mql', 'with_invalid_spend.marketing_qualified_leads') }}
            as marketing_qualified_leads,
        {{ stage_if_tracked('sql', 'with_invalid_spend.sales_qualified_leads') }}
            as sales_qualified_leads,
        {{ stage_if_tracked('opportunity', 'with_invalid_spend.opportunities') }}
            as opportunities,
        {{ stage_if_tracked('won', measure_if_provided('leads', 'with_invalid_spend.new_customers')) }}
            as new_customers,
        cast(
            {{ kpi_if_available('customer_acquisition_cost',
                customer_acquisition_cost('with_invalid_spend.spend', 'with_invalid_spend.new_customers')) }}
            as double
        ) as customer_acquisition_cost,
        {{ stage_if_tracked('won',
            measure_if_provided(['leads', 'orders'], 'with_invalid_spend.attributed_revenue')) }}
            as attributed_revenue,
        cast(
            {{ kpi_if_available('return_on_ad_spend',
                return_on_ad_spend('with_invalid_spend.attributed_revenue', 'with_invalid_spend.spend')) }}
            as double
        ) as return_on_ad_spend,
        cast(
            {{ kpi_if_available('return_on_investment',
                return_on_investment('with_invalid_spend.attributed_revenue', 'with_invalid_spend.spend')) }}
            as double
        ) as return_on_investment,
        {{ measure_if_provided(['ad_performance', 'campaigns'], 'with_invalid_spend.platform_conversions') }}
            as platform_conversions,
        {{ measure_if_provided('leads', 'with_invalid_spend.leads') }} as crm_conversions,
        cast({{ measure_if_provided(['ad_performance', 'campaigns', 'leads'],
            'with_invalid_spend.platform_conversions - with_invalid_spend.leads') }} as bigint)
            as platform_conversion_overstatement,
        {{ measure_if_provided(['ad_performance', 'campaigns', 'leads'],
            'with_invalid_spend.invalid_spend') }}
            as invalid_spend,
        cast(
            {{ kpi_if_available('invalid_spend_rate',
                invalid_spend_rate('with_invalid_spend.invalid_spend', 'with_invalid_spend.spend')) }}
            as double
        ) as invalid_spend_rate

    from with_invalid_spend
    left join channels
        on with_invalid_spend.channel_id = channels.channel_id
    left join campaigns
        on with_invalid_spend.campaign_id = campaigns.campaign_id

)

select * from final

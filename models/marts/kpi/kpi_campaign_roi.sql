{#-
    One row per campaign (every campaign in stg_ads__campaigns: paid media, email, events and
    webinars), lifetime to the as-of date: spend and delivery (stg_ads__ad_performance), leads
    whose source campaign it is, customers it acquired (the acquiring lead's campaign), revenue
    attributed to it under var('default_attribution_model') (the exact sum of its shares rounded to
    the cent once, by largest remainder across campaigns), and its budget in USD: the lifetime
    budget converted by staging at the fx rate of the campaign's start date, or, for a campaign
    that started before the fx table's first date (staging leaves its budget null), at the first
    rate of its currency.
-#}

with

campaigns as (

    select * from {{ ref('stg_ads__campaigns') }}

),

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

fx_rates as (

    select * from {{ ref('fx_rates') }}

),

first_rate_dates as (

    select
        currency_code,
        min(rate_date) as first_rate_date

    from fx_rates
    group by currency_code

),

first_rates as (

    select
        fx_rates.currency_code,
        fx_rates.rate_to_usd

    from fx_rates
    inner join first_rate_dates
        on
            fx_rates.currency_code = first_rate_dates.currency_code
            and fx_rates.rate_date = first_rate_dates.first_rate_date

),

campaign_budgets as (

    select
        campaigns.campaign_id,
        coalesce(
            campaigns.budget_amount,
            case
                when campaigns.start_date < first_rate_dates.first_rate_date
                    then {{ to_reporting_currency(
                        'campaigns.budget_amount_original', 'first_rates.rate_to_usd'
                    ) }}
            end
        ) as budget

    from campaigns
    left join first_rate_dates
        on campaigns.currency_code_original = first_rate_dates.currency_code
    left join first_rates
        on campaigns.currency_code_original = first_rates.currency_code

),

spend_per_campaign as (

    select
        campaign_id,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks

    from ad_performance
    group by campaign_id

),

leads_per_campaign as (

    select
        campaign_id,
        count(*) as leads

    from leads_lifecycle
    where campaign_id is not null
    group by campaign_id

),

customers_per_campaign as (

    select
        acquisition_campaign_id as campaign_id,
        count(*) as new_customers

    from customers
    where acquisition_campaign_id is not null
    group by acquisition_campaign_id

),

revenue_per_campaign as (

    select
        campaign_id,
        sum(exact_revenue) as exact_revenue

    from revenue_attributed
    where
        attribution_model = '{{ var("default_attribution_model", "position_based") }}'
        and campaign_id is not null
    group by campaign_id

),

revenue_per_campaign_rounded as (

    -- rounded once, at the campaign-lifetime grain: the campaigns add up to their exact total
    -- rounded to the cent (largest remainder), each less than a cent from its exact sum
    select
        campaign_id,
        {{ largest_remainder_cents('exact_revenue', [], 'campaign_id') }} as attributed_revenue

    from revenue_per_campaign

),

joined as (

    select
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.channel_id,
        campaigns.objective,
        campaigns.start_date,
        campaigns.end_date,
        cast(campaign_budgets.budget as decimal(18, 2)) as budget,
        cast(
            {{ measure_if_provided(['ad_performance', 'campaigns'],
                'coalesce(spend_per_campaign.spend, 0)') }}
            as decimal(18, 2)
        ) as spend,
        cast(
            {{ measure_if_provided(['ad_performance', 'campaigns'],
                'coalesce(spend_per_campaign.impressions, 0)') }}
            as bigint
        ) as impressions,
        cast(
            {{ measure_if_provided(['ad_performance', 'campaigns'],
                'coalesce(spend_per_campaign.clicks, 0)') }}
            as bigint
        ) as clicks,
        cast(
            {{ measure_if_provided('leads', 'coalesce(leads_per_campaign.leads, 0)') }}
            as bigint
        ) as leads,
        cast({{ stage_if_tracked('won', measure_if_provided('leads',
            'coalesce(customers_per_campaign.new_customers, 0)')) }} as bigint) as new_customers,
        cast({{ stage_if_tracked('won', measure_if_provided(['leads', 'orders'],
            'coalesce(revenue_per_campaign_rounded.attributed_revenue, 0)')) }} as decimal(18, 2))
            as attributed_revenue

    from campaigns
    left join campaign_budgets
        on campaigns.campaign_id = campaign_budgets.campaign_id
    left join spend_per_campaign
        on campaigns.campaign_id = spend_per_campaign.campaign_id
    left join leads_per_campaign
        on campaigns.campaign_id = leads_per_campaign.campaign_id
    left join customers_per_campaign
        on campaigns.campaign_id = customers_per_campaign.campaign_id
    left join revenue_per_campaign_rounded
        on campaigns.campaign_id = revenue_per_campaign_rounded.campaign_id

),

final as (

    select
        campaign_id,
        campaign_name,
        channel_id,
        objective,
        start_date,
        end_date,
        spend,
        impressions,
        clicks,
        leads,
        cast(
            {{ kpi_if_available('cost_per_lead', cost_per_lead('spend', 'leads')) }}
            as double
        ) as cost_per_lead,
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
        budget,
        cast(
            {{ kpi_if_available('budget_used_rate', budget_used_rate('spend', 'budget')) }}
            as double
        ) as budget_used_rate

    from joined

)

select * from final

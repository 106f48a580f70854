{#-
    Lead quality by score band: one row per lead score band and cohort month (the month the leads were created). How each band's leads moved down
    the funnel, and what they cost: each lead carries its source channel-month's spend split
    equally across that channel-month's leads (fct_leads.allocated_spend), so a band's spend is
    the channel-month spend times the band's share of the channel-month's leads, rounded to the
    cent; cost per lead and CAC divide that published spend, so each published ratio equals the
    published spend over the published count.
-#}

with

leads as (

    select * from {{ ref('fct_leads') }}

),

per_band as (

    select
        score_band,
        cohort_month,
        count(*) as leads,
        sum(case when is_mql then 1 else 0 end) as marketing_qualified_leads,
        sum(case when is_sql then 1 else 0 end) as sales_qualified_leads,
        sum(case when is_opportunity then 1 else 0 end) as opportunities,
        sum(case when is_won then 1 else 0 end) as customers,
        sum(case when is_right_censored then 1 else 0 end) as right_censored_leads,
        cast(sum(allocated_spend) as decimal(18, 2)) as spend

    from leads
    group by score_band, cohort_month

),

final as (

    select
        score_band,
        cohort_month,
        cast(leads as bigint) as leads,
        cast(
            {{ stage_if_tracked('mql', 'marketing_qualified_leads') }}
            as bigint
        ) as marketing_qualified_leads,
        cast({{ stage_if_tracked('sql', 'sales_qualified_leads') }} as bigint) as sales_qualified_leads,
        cast({{ stage_if_tracked('opportunity', 'opportunities') }} as bigint) as opportunities,
        cast({{ stage_if_tracked('won', 'customers') }} as bigint) as customers,
        cast(right_censored_leads as bigint) as right_censored_leads,
        cast(
            {{ kpi_if_available('lead_to_mql_rate', conversion_rate('marketing_qualified_leads', 'leads')) }}
            as double
        ) as lead_to_mql_rate,
        cast(
            {{ kpi_if_available('mql_to_sql_rate',
                conversion_rate('sales_qualified_leads', 'marketing_qualified_leads')) }}
            as double
        )
            as mql_to_sql_rate,
        cast(
            {{ kpi_if_available('sql_to_opportunity_rate',
                conversion_rate('opportunities', 'sales_qualified_leads')) }}
            as double
        )
            as sql_to_opportunity_rate,
        cast(
            {{ kpi_if_available('opportunity_to_won_rate', conversion_rate('customers', 'opportunities')) }}
            as double
        ) as opportunity_to_won_rate,
        cast(
            {{ kpi_if_available('lead_to_customer_rate', conversion_rate('customers', 'leads')) }}
            as double
        ) as lead_to_customer_rate,
        cast(
            {{ measure_if_provided(['ad_performance', 'campaigns'], 'coalesce(spend, 0)') }}
            as decimal(18, 2)
        ) as spend,
        cast(
            {{ kpi_if_available('cost_per_lead', cost_per_lead('spend', 'leads')) }}
            as double
        ) as cost_per_lead,
        cast(
            {{ kpi_if_available('customer_acquisition_cost',
                customer_acquisition_cost('spend', 'customers')) }}
            as double
        ) as customer_acquisition_cost

    from per_band

)

select * from final

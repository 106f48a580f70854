{#-
    Cohort funnel conversion: one row per cohort month (the month leads were created) and source
    channel. A lead counts in the cohort of its creation month whatever month it converted in, so
    recent cohorts are still converting: right_censored_leads says how many of the cohort's leads
    are younger than var('lead_maturity_days'). Velocity percentiles are over the leads of the
    cohort that made each transition.
-#}

{%- set transitions = ['lead_to_mql', 'mql_to_sql', 'sql_to_opportunity', 'opportunity_to_won',
    'lead_to_won'] -%}
{%- set percentiles = {'median': 0.5, 'p75': 0.75, 'p90': 0.9} -%}

with

leads as (

    select * from {{ ref('fct_leads') }}

),

cohorts as (

    select
        cohort_month,
        channel_id,
        count(*) as leads,
        sum(case when is_mql then 1 else 0 end) as marketing_qualified_leads,
        sum(case when is_sql then 1 else 0 end) as sales_qualified_leads,
        sum(case when is_opportunity then 1 else 0 end) as opportunities,
        sum(case when is_won then 1 else 0 end) as won_deals,
        sum(case when is_right_censored then 1 else 0 end) as right_censored_leads,
        {% for transition in transitions %}
            {% for percentile_name, fraction in percentiles.items() %}
                {{ percentile_continuous('days_' ~ transition, fraction) }}
                    as {{ percentile_name }}_days_{{ transition }},
            {% endfor %}
        {% endfor %}
        sum(case when is_right_censored then 0 else 1 end) as mature_leads

    from leads
    group by cohort_month, channel_id

),

final as (

    select
        cohort_month,
        channel_id,
        cast(leads as bigint) as leads,
        cast(
            {{ stage_if_tracked('mql', 'marketing_qualified_leads') }}
            as bigint
        ) as marketing_qualified_leads,
        cast({{ stage_if_tracked('sql', 'sales_qualified_leads') }} as bigint) as sales_qualified_leads,
        cast({{ stage_if_tracked('opportunity', 'opportunities') }} as bigint) as opportunities,
        cast({{ stage_if_tracked('won', 'won_deals') }} as bigint) as won_deals,
        cast(right_censored_leads as bigint) as right_censored_leads,
        cast(mature_leads as bigint) as mature_leads,
        right_censored_leads > 0 as is_right_censored_cohort,
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
            {{ kpi_if_available('opportunity_to_won_rate', conversion_rate('won_deals', 'opportunities')) }}
            as double
        ) as opportunity_to_won_rate,
        {% for transition in transitions %}
            {% for percentile_name, fraction in percentiles.items() %}
                cast({{ percentile_name }}_days_{{ transition }} as double)
                    as {{ percentile_name }}_days_{{ transition }},
            {% endfor %}
        {% endfor %}
        cast(
            {{ kpi_if_available('lead_to_customer_rate', conversion_rate('won_deals', 'leads')) }}
            as double
        ) as lead_to_customer_rate

    from cohorts

)

select * from final

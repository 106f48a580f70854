{#-
    Every monthly KPI as a long table: one row per month per KPI per channel (channel_id null =
    all channels). Values are read from the KPI marts, never recomputed with another formula:

      * where the mart's grain is already month × channel, value is the mart's own column;
      * where the mart is finer (campaign, device × country, owner), numerator and denominator are
        summed to month × channel and the KPI's formula macro is applied to the sums;
      * the all-channel row re-aggregates the channel rows' numerators and denominators and
        applies the formula macro (a ratio of sums, never an average of ratios).

    numerator and denominator are the inputs of the KPI's formula macro (see
    kpi_value_from_components), so value = formula(numerator, denominator) on every row.
    historical_lifetime_value is dated by acquisition cohort month (its period is the cohort).

    is_available comes from int_availability: a KPI whose required sources were not provided or
    whose funnel stages are not tracked keeps its rows (where the mart has rows) with numerator,
    denominator and value null, never 0.
-#}

{%- set sources = [
    {
        'cte': 'channel_performance',
        'model': 'kpi_channel_performance__monthly',
        'period': 'date_month',
        'channel': 'channel_id',
        'at_mart_grain': false,
        'kpis': [
            ('click_through_rate', 'clicks', 'impressions', none),
            ('cost_per_click', 'spend', 'clicks', none),
            ('cost_per_mille', 'spend', 'impressions', none),
            ('cost_per_lead', 'spend', 'leads', none),
            ('customer_acquisition_cost', 'spend', 'new_customers', none),
            ('return_on_ad_spend', 'attributed_revenue', 'spend', none),
            ('return_on_investment', 'attributed_revenue', 'spend', none),
            ('invalid_spend_rate', 'invalid_spend', 'spend', none),
        ],
    },
    {
        'cte': 'budget',
        'model': 'kpi_budget__monthly',
        'period': 'date_month',
        'channel': 'channel_id',
        'at_mart_grain': true,
        'kpis': [
            ('budget_variance', 'actual_spend', 'planned_spend', 'budget_variance'),
            ('budget_variance_rate', 'actual_spend', 'planned_spend', 'budget_variance_rate'),
            ('budget_pacing_rate', 'spend_to_date', 'planned_spend_to_date', 'budget_pacing_rate'),
        ],
    },
    {
        'cte': 'funnel_conversion',
        'model': 'kpi_funnel_conversion__monthly',
        'period': 'date_month',
        'channel': 'channel_id',
        'at_mart_grain': true,
        'kpis': [
            ('lead_to_mql_rate', 'marketing_qualified_leads', 'leads', 'lead_to_mql_rate'),
            ('mql_to_sql_rate', 'sales_qualified_leads', 'marketing_qualified_leads', 'mql_to_sql_rate'),
            ('sql_to_opportunity_rate', 'opportunities', 'sales_qualified_leads', 'sql_to_opportunity_rate'),
            ('opportunity_to_won_rate', 'won_deals', 'opportunities', 'opportunity_to_won_rate'),
            ('lead_to_customer_rate', 'won_deals', 'leads', 'lead_to_customer_rate'),
        ],
    },
    {
        'cte': 'customer_value',
        'model': 'kpi_customer_value__monthly',
        'period': 'date_month',
        'channel': 'acquisition_channel_id',
        'at_mart_grain': true,
        'kpis': [
            ('average_order_value', 'net_revenue', 'orders', 'average_order_value'),
            ('orders_per_customer', 'orders', 'customers_ordering', 'orders_per_customer'),
            ('repeat_purchase_rate', 'repeat_customers', 'ordering_customers', 'repeat_purchase_rate'),
            ('expansion_rate', 'expansion_customers', 'active_customers', 'expansion_rate'),
            ('cross_sell_rate', 'cross_sell_customers', 'active_customers', 'cross_sell_rate'),
            ('retention_rate', 'retained_customers', 'customers_at_start', 'retention_rate'),
            ('churn_rate', 'churned_customers', 'customers_at_start', 'churn_rate'),
            ('revenue_churn_rate', 'churned_revenue', 'revenue_at_start', 'revenue_churn_rate'),
            ('net_revenue_retention_rate', 'retained_revenue', 'revenue_at_start', 'net_revenue_retention_rate'),
        ],
    },
    {
        'cte': 'customer_lifetime_value',
        'model': 'kpi_customer_lifetime_value__cohort',
        'period': 'acquisition_cohort_month',
        'channel': 'acquisition_channel_id',
        'at_mart_grain': true,
        'kpis': [
            (
                'historical_lifetime_value',
                'cumulative_net_revenue_12_months',
                'case when cumulative_net_revenue_12_months is not null then cohort_customers end',
                'lifetime_value_12_months',
            ),
        ],
    },
    {
        'cte': 'email_engagement',
        'model': 'kpi_engagement__email_monthly',
        'period': 'date_month',
        'channel': 'channel_id',
        'at_mart_grain': false,
        'kpis': [
            ('email_open_rate', 'emails_opened', 'emails_delivered', none),
            ('email_click_through_rate', 'emails_clicked', 'emails_delivered', none),
            ('click_to_open_rate', 'emails_clicked', 'emails_opened', none),
            ('unsubscribe_rate', 'emails_unsubscribed', 'emails_delivered', none),
            ('email_bounce_rate', 'emails_bounced', 'emails_sent', none),
        ],
    },
    {
        'cte': 'web_engagement',
        'model': 'kpi_engagement__web_monthly',
        'period': 'date_month',
        'channel': 'channel_id',
        'at_mart_grain': false,
        'kpis': [
            ('pages_per_session', 'pageviews', 'sessions', none),
            ('average_engaged_seconds', 'engaged_seconds', 'sessions', none),
            ('bounce_rate', 'bounced_sessions', 'sessions', none),
            ('session_to_lead_rate', 'sessions_with_lead', 'sessions', none),
        ],
    },
    {
        'cte': 'lead_follow_up',
        'model': 'kpi_lead_follow_up__monthly',
        'period': 'date_month',
        'channel': 'channel_id',
        'at_mart_grain': false,
        'kpis': [
            ('average_hours_to_assignment', 'hours_to_assignment', 'leads_assigned', none),
            ('average_hours_to_first_response', 'hours_to_first_response', 'leads_responded', none),
            ('sla_attainment_rate', 'leads_within_sla', 'leads', none),
        ],
    },
    {
        'cte': 'net_promoter_score',
        'model': 'kpi_net_promoter_score__monthly',
        'period': 'date_month',
        'channel': 'segment_value',
        'where': "segment_type = 'acquisition_channel'",
        'at_mart_grain': true,
        'kpis': [
            ('net_promoter_score', 'promoters - detractors', 'responses', 'net_promoter_score'),
            ('promoter_rate', 'promoters', 'responses', 'promoter_rate'),
            ('detractor_rate', 'detractors', 'responses', 'detractor_rate'),
        ],
    },
] -%}

with

{% for source in sources %}
    {{ source.cte }} as (

        select * from {{ ref(source.model) }}

    ),

{% endfor -%}

marketing_contribution as (

    select * from {{ ref('kpi_marketing_contribution__monthly') }}

),

kpi_availability as (

    select * from {{ ref('int_availability') }}
    where item_type = 'kpi'

),

mart_grain_values as (

    {% for source in sources if source.at_mart_grain %}
        {% set outer_loop = loop %}
        {% for kpi_id, numerator, denominator, value_column in source.kpis %}
            select
                cast({{ source.period }} as date) as period_start,
                cast({{ source.channel }} as {{ dbt.type_string() }}) as channel_id,
                '{{ kpi_id }}' as kpi_id,
                cast({{ numerator }} as double) as numerator,
                cast({{ denominator }} as double) as denominator,
                cast({{ value_column }} as double) as value,
                '{{ source.model }}' as source_model

            from {{ source.cte }}
            {% if source.where %}
                where {{ source.where }}
            {% endif %}
            {% if not (loop.last and outer_loop.last) %}
                union all
            {% endif %}
        {% endfor %}
    {% endfor %}

),

summed_to_channel as (

    {% for source in sources if not source.at_mart_grain %}
        {% set outer_loop = loop %}
        {% for kpi_id, numerator, denominator, value_column in source.kpis %}
            select
                cast({{ source.period }} as date) as period_start,
                cast({{ source.channel }} as {{ dbt.type_string() }}) as channel_id,
                '{{ kpi_id }}' as kpi_id,
                cast(sum({{ numerator }}) as double) as numerator,
                cast(sum({{ denominator }}) as double) as denominator,
                '{{ source.model }}' as source_model

            from {{ source.cte }}
            group by
                cast({{ source.period }} as date),
                cast({{ source.channel }} as {{ dbt.type_string() }})
            {% if not (loop.last and outer_loop.last) %}
                union all
            {% endif %}
        {% endfor %}
    {% endfor %}

),

summed_values as (

    select
        period_start,
        channel_id,
        kpi_id,
        numerator,
        denominator,
        {{ kpi_value_from_components('kpi_id', 'numerator', 'denominator') }} as value,
        source_model

    from summed_to_channel

),

channel_values as (

    select * from mart_grain_values
    union all
    select * from summed_values

),

all_channel_components as (

    select
        period_start,
        kpi_id,
        source_model,
        sum(numerator) as numerator,
        sum(denominator) as denominator

    from channel_values
    group by period_start, kpi_id, source_model

),

all_channel_values as (

    select
        period_start,
        cast(null as {{ dbt.type_string() }}) as channel_id,
        kpi_id,
        numerator,
        denominator,
        {{ kpi_value_from_components('kpi_id', 'numerator', 'denominator') }} as value,
        source_model

    from all_channel_components

),

{#- Marketing contribution exists only for all channels: read as it is. #}

marketing_contribution_values as (

    select
        cast(date_month as date) as period_start,
        cast(null as {{ dbt.type_string() }}) as channel_id,
        'marketing_sourced_revenue_share' as kpi_id,
        cast(marketing_sourced_revenue as double) as numerator,
        cast(total_revenue as double) as denominator,
        cast(marketing_sourced_revenue_share as double) as value,
        'kpi_marketing_contribution__monthly' as source_model

    from marketing_contribution

),

unioned as (

    select * from channel_values
    union all
    select * from all_channel_values
    union all
    select * from marketing_contribution_values

),

final as (

    select
        unioned.period_start,
        cast('month' as {{ dbt.type_string() }}) as period_type,
        unioned.kpi_id,
        unioned.channel_id,
        coalesce(unioned.channel_id, 'all') as channel_key,
        case when kpi_availability.is_available then unioned.numerator end as numerator,
        case when kpi_availability.is_available then unioned.denominator end as denominator,
        case when kpi_availability.is_available then unioned.value end as value,
        coalesce(kpi_availability.is_available, false) as is_available,
        unioned.source_model

    from unioned
    left join kpi_availability
        on unioned.kpi_id = kpi_availability.item_id

)

select * from final

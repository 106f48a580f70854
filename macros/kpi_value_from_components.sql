{#-
    kpi_value_from_components(kpi_id, numerator, denominator): a KPI's value from its summed
    numerator and denominator, through the KPI's own formula macro (macros/kpi/kpi_formulas.sql),
    as a SQL case over the kpi_id column. Used wherever the long KPI tables re-aggregate (all
    channels, weeks, quarters), so a re-aggregated value is always a ratio of sums computed with
    the same formula as the mart. For a KPI whose macro takes more than two inputs the long
    tables store the inputs already combined:
        return_on_investment     numerator attributed_revenue, denominator spend
        budget_variance          numerator actual_spend, denominator planned_spend (a difference)
        budget_variance_rate     numerator actual_spend, denominator planned_spend
        budget_pacing_rate       numerator spend_to_date, denominator planned_spend_to_date
        net_promoter_score       numerator promoters − detractors, denominator responses
    Volume measures (spend, impressions, clicks, leads, new_customers) have no denominator: their
    value is the numerator. An unknown kpi_id gives null. The kpi_registry seed's formula_macro
    column must agree with this mapping (checked by tests/python/test_governance.py).
-#}
{% macro kpi_value_from_components(kpi_id, numerator, denominator) -%}
    {%- set two_input_macros = {
        'click_through_rate': 'click_through_rate',
        'cost_per_click': 'cost_per_click',
        'cost_per_mille': 'cost_per_mille',
        'cost_per_lead': 'cost_per_lead',
        'customer_acquisition_cost': 'customer_acquisition_cost',
        'return_on_ad_spend': 'return_on_ad_spend',
        'return_on_investment': 'return_on_investment',
        'invalid_spend_rate': 'invalid_spend_rate',
        'budget_variance': 'budget_variance',
        'budget_variance_rate': 'budget_variance_rate',
        'lead_to_mql_rate': 'conversion_rate',
        'mql_to_sql_rate': 'conversion_rate',
        'sql_to_opportunity_rate': 'conversion_rate',
        'opportunity_to_won_rate': 'conversion_rate',
        'lead_to_customer_rate': 'conversion_rate',
        'average_order_value': 'average_order_value',
        'orders_per_customer': 'orders_per_customer',
        'repeat_purchase_rate': 'repeat_purchase_rate',
        'expansion_rate': 'expansion_rate',
        'cross_sell_rate': 'cross_sell_rate',
        'retention_rate': 'retention_rate',
        'churn_rate': 'churn_rate',
        'revenue_churn_rate': 'revenue_churn_rate',
        'net_revenue_retention_rate': 'net_revenue_retention_rate',
        'historical_lifetime_value': 'historical_lifetime_value',
        'email_open_rate': 'email_open_rate',
        'email_click_through_rate': 'email_click_through_rate',
        'click_to_open_rate': 'click_to_open_rate',
        'unsubscribe_rate': 'unsubscribe_rate',
        'email_bounce_rate': 'email_bounce_rate',
        'pages_per_session': 'pages_per_session',
        'average_engaged_seconds': 'average_engaged_seconds',
        'bounce_rate': 'bounce_rate',
        'session_to_lead_rate': 'session_to_lead_rate',
        'average_hours_to_assignment': 'average_duration',
        'average_hours_to_first_response': 'average_duration',
        'sla_attainment_rate': 'sla_attainment_rate',
        'marketing_sourced_revenue_share': 'marketing_sourced_revenue_share',
        'promoter_rate': 'promoter_rate',
        'detractor_rate': 'detractor_rate',
    } -%}
    {%- set volume_measures = ['spend', 'impressions', 'clicks', 'leads', 'new_customers'] -%}
    case {{ kpi_id }}
        {%- for kpi, macro_name in two_input_macros.items() %}
        when '{{ kpi }}' then cast({{ context[macro_name](numerator, denominator) }} as double)
        {%- endfor %}
        when 'budget_pacing_rate' then cast({{ budget_pacing_rate(numerator, denominator, 1, 1) }} as double)
        when 'net_promoter_score' then cast({{ net_promoter_score(numerator, 0, denominator) }} as double)
        {%- for measure in volume_measures %}
        when '{{ measure }}' then cast({{ numerator }} as double)
        {%- endfor %}
    end
{%- endmacro %}

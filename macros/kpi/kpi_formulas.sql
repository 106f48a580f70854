{#-
    KPI formulas: every KPI's arithmetic, written once. Marts call these macros; nothing else
    divides. Each takes SQL expressions for already-summed numerators and denominators, so a KPI
    is always a ratio of sums (never an average of ratios), and returns null — never 0, never an
    error — when its denominator is 0 or null (see safe_divide).

    The KPI registry (seeds/reference/kpi_registry.csv) documents each formula in plain words;
    each mart column's yml says which macro computes it.
-#}

{#- Generic conversion rate: numerator / denominator, a 0–1 fraction. -#}
{% macro conversion_rate(numerator, denominator) -%}
    {{ marketing_kpi.safe_divide(numerator, denominator) }}
{%- endmacro %}

{#- CTR = clicks / impressions. -#}
{% macro click_through_rate(clicks, impressions) -%}
    {{ marketing_kpi.safe_divide(clicks, impressions) }}
{%- endmacro %}

{#- CPC = spend / clicks. -#}
{% macro cost_per_click(spend, clicks) -%}
    {{ marketing_kpi.safe_divide(spend, clicks) }}
{%- endmacro %}

{#- CPM = 1000 × spend / impressions. -#}
{% macro cost_per_mille(spend, impressions) -%}
    1000 * {{ marketing_kpi.safe_divide(spend, impressions) }}
{%- endmacro %}

{#- CPL = spend / leads created in the period from that channel or campaign. -#}
{% macro cost_per_lead(spend, leads) -%}
    {{ marketing_kpi.safe_divide(spend, leads) }}
{%- endmacro %}

{#- CAC = spend / new customers acquired in the period through that channel. -#}
{% macro customer_acquisition_cost(spend, new_customers) -%}
    {{ marketing_kpi.safe_divide(spend, new_customers) }}
{%- endmacro %}

{#- ROAS = attributed revenue / spend. -#}
{% macro return_on_ad_spend(attributed_revenue, spend) -%}
    {{ marketing_kpi.safe_divide(attributed_revenue, spend) }}
{%- endmacro %}

{#- ROI = (attributed revenue − spend) / spend. -#}
{% macro return_on_investment(attributed_revenue, spend) -%}
    {{ marketing_kpi.safe_divide('(' ~ attributed_revenue ~ ') - (' ~ spend ~ ')', spend) }}
{%- endmacro %}

{#- AOV = net revenue / orders. -#}
{% macro average_order_value(net_revenue, orders) -%}
    {{ marketing_kpi.safe_divide(net_revenue, orders) }}
{%- endmacro %}

{#- Repeat purchase rate = customers with ≥ 2 orders / customers with ≥ 1 order. -#}
{% macro repeat_purchase_rate(repeat_customers, ordering_customers) -%}
    {{ marketing_kpi.safe_divide(repeat_customers, ordering_customers) }}
{%- endmacro %}

{#- Retention rate = customers active at period start still active at its end / active at start. -#}
{% macro retention_rate(retained_customers, customers_at_start) -%}
    {{ marketing_kpi.safe_divide(retained_customers, customers_at_start) }}
{%- endmacro %}

{#- Churn rate = customers active at period start who churned in it / active at start. -#}
{% macro churn_rate(churned_customers, customers_at_start) -%}
    {{ marketing_kpi.safe_divide(churned_customers, customers_at_start) }}
{%- endmacro %}

{#- Predictive LTV = ARPA × gross margin ÷ monthly churn rate (ARPA = monthly net revenue per account). -#}
{% macro predictive_lifetime_value(arpa, gross_margin_rate, monthly_churn_rate) -%}
    {{ marketing_kpi.safe_divide('(' ~ arpa ~ ') * (' ~ gross_margin_rate ~ ')', monthly_churn_rate) }}
{%- endmacro %}

{#- CAC payback (months) = CAC ÷ (ARPA × gross margin): months of margin to earn the CAC back. -#}
{% macro cac_payback_months(customer_acquisition_cost, arpa, gross_margin_rate) -%}
    {{ marketing_kpi.safe_divide(customer_acquisition_cost, '(' ~ arpa ~ ') * (' ~ gross_margin_rate ~ ')') }}
{%- endmacro %}

{#- LTV:CAC = lifetime value / customer acquisition cost. -#}
{% macro ltv_to_cac_ratio(lifetime_value, customer_acquisition_cost) -%}
    {{ marketing_kpi.safe_divide(lifetime_value, customer_acquisition_cost) }}
{%- endmacro %}

{#- NPS = 100 × (promoters [9–10] − detractors [0–6]) / responses, on a −100..100 scale. -#}
{% macro net_promoter_score(promoters, detractors, responses) -%}
    100 * {{ marketing_kpi.safe_divide('(' ~ promoters ~ ') - (' ~ detractors ~ ')', responses) }}
{%- endmacro %}

{#- Budget variance = actual spend − planned spend (positive = overspend). -#}
{% macro budget_variance(actual_spend, planned_spend) -%}
    ({{ actual_spend }}) - ({{ planned_spend }})
{%- endmacro %}

{#- Budget variance rate = (actual − planned) / planned. -#}
{% macro budget_variance_rate(actual_spend, planned_spend) -%}
    {{ marketing_kpi.safe_divide('(' ~ actual_spend ~ ') - (' ~ planned_spend ~ ')', planned_spend) }}
{%- endmacro %}

{#- Pacing = spend to date / (planned spend × elapsed days ÷ days in period); 1 = on plan. -#}
{% macro budget_pacing_rate(spend_to_date, planned_spend, elapsed_days, period_days) -%}
    {{ marketing_kpi.safe_divide(spend_to_date, '(' ~ planned_spend ~ ') * (' ~ elapsed_days ~ ') / (' ~ period_days ~ ')') }}
{%- endmacro %}

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

{#- Orders per customer = completed non-refund orders / customers who ordered in the period. -#}
{% macro orders_per_customer(orders, customers_ordering) -%}
    {{ marketing_kpi.safe_divide(orders, customers_ordering) }}
{%- endmacro %}

{#- Expansion rate = active customers with a completed expansion order / active customers. -#}
{% macro expansion_rate(expansion_customers, active_customers) -%}
    {{ marketing_kpi.safe_divide(expansion_customers, active_customers) }}
{%- endmacro %}

{#- Cross-sell rate = active customers with a completed cross-sell order / active customers. -#}
{% macro cross_sell_rate(cross_sell_customers, active_customers) -%}
    {{ marketing_kpi.safe_divide(cross_sell_customers, active_customers) }}
{%- endmacro %}

{#- Revenue churn rate = last period's net revenue of customers who churned / net revenue at period start. -#}
{% macro revenue_churn_rate(churned_revenue, revenue_at_start) -%}
    {{ marketing_kpi.safe_divide(churned_revenue, revenue_at_start) }}
{%- endmacro %}

{#- NRR = this period's net revenue of customers active at its start / their net revenue at start (may exceed 1). -#}
{% macro net_revenue_retention_rate(retained_revenue, revenue_at_start) -%}
    {{ marketing_kpi.safe_divide(retained_revenue, revenue_at_start) }}
{%- endmacro %}

{#- ARPA = net revenue / active account-months: average monthly net revenue per active account. -#}
{% macro average_revenue_per_account(net_revenue, active_customer_months) -%}
    {{ marketing_kpi.safe_divide(net_revenue, active_customer_months) }}
{%- endmacro %}

{#- Historical LTV = cumulative net revenue of a cohort / customers in the cohort. -#}
{% macro historical_lifetime_value(cumulative_net_revenue, cohort_customers) -%}
    {{ marketing_kpi.safe_divide(cumulative_net_revenue, cohort_customers) }}
{%- endmacro %}

{#- Promoter rate = promoters (scores 9–10) / survey responses. -#}
{% macro promoter_rate(promoters, responses) -%}
    {{ marketing_kpi.safe_divide(promoters, responses) }}
{%- endmacro %}

{#- Detractor rate = detractors (scores 0–6) / survey responses. -#}
{% macro detractor_rate(detractors, responses) -%}
    {{ marketing_kpi.safe_divide(detractors, responses) }}
{%- endmacro %}

{#- Planned spend to date = planned spend × elapsed days ÷ days in period (the linear plan so far). -#}
{% macro planned_spend_to_date(planned_spend, elapsed_days, period_days) -%}
    ({{ planned_spend }}) * {{ marketing_kpi.safe_divide(elapsed_days, period_days) }}
{%- endmacro %}

{#- Budget used rate = lifetime spend / lifetime budget (above 1 = the budget was overspent). -#}
{% macro budget_used_rate(spend, budget) -%}
    {{ marketing_kpi.safe_divide(spend, budget) }}
{%- endmacro %}

{#- Invalid spend rate = spend on campaign-periods that brought no lead / total spend. -#}
{% macro invalid_spend_rate(invalid_spend, spend) -%}
    {{ marketing_kpi.safe_divide(invalid_spend, spend) }}
{%- endmacro %}

{#- Marketing-sourced revenue share = net revenue of marketing-sourced customers / total net revenue. -#}
{% macro marketing_sourced_revenue_share(marketing_sourced_revenue, total_revenue) -%}
    {{ marketing_kpi.safe_divide(marketing_sourced_revenue, total_revenue) }}
{%- endmacro %}

{#- Pages per session = pageviews / sessions. -#}
{% macro pages_per_session(pageviews, sessions) -%}
    {{ marketing_kpi.safe_divide(pageviews, sessions) }}
{%- endmacro %}

{#- Average engaged seconds = engaged seconds / sessions. -#}
{% macro average_engaged_seconds(engaged_seconds, sessions) -%}
    {{ marketing_kpi.safe_divide(engaged_seconds, sessions) }}
{%- endmacro %}

{#- Bounce rate = bounced sessions / sessions. -#}
{% macro bounce_rate(bounced_sessions, sessions) -%}
    {{ marketing_kpi.safe_divide(bounced_sessions, sessions) }}
{%- endmacro %}

{#- Session-to-lead rate = sessions in which a lead form was submitted / sessions. -#}
{% macro session_to_lead_rate(sessions_with_lead, sessions) -%}
    {{ marketing_kpi.safe_divide(sessions_with_lead, sessions) }}
{%- endmacro %}

{#- Email open rate = unique opens / emails delivered. -#}
{% macro email_open_rate(emails_opened, emails_delivered) -%}
    {{ marketing_kpi.safe_divide(emails_opened, emails_delivered) }}
{%- endmacro %}

{#- Email click-through rate = unique clicks / emails delivered. -#}
{% macro email_click_through_rate(emails_clicked, emails_delivered) -%}
    {{ marketing_kpi.safe_divide(emails_clicked, emails_delivered) }}
{%- endmacro %}

{#- Click-to-open rate = unique clicks / unique opens. -#}
{% macro click_to_open_rate(emails_clicked, emails_opened) -%}
    {{ marketing_kpi.safe_divide(emails_clicked, emails_opened) }}
{%- endmacro %}

{#- Unsubscribe rate = unsubscribes / emails delivered. -#}
{% macro unsubscribe_rate(emails_unsubscribed, emails_delivered) -%}
    {{ marketing_kpi.safe_divide(emails_unsubscribed, emails_delivered) }}
{%- endmacro %}

{#- Email bounce rate = bounced emails / emails sent. -#}
{% macro email_bounce_rate(emails_bounced, emails_sent) -%}
    {{ marketing_kpi.safe_divide(emails_bounced, emails_sent) }}
{%- endmacro %}

{#- Average duration = summed hours (or days) / items measured, e.g. hours to first response per responded lead. -#}
{% macro average_duration(total_duration, items_measured) -%}
    {{ marketing_kpi.safe_divide(total_duration, items_measured) }}
{%- endmacro %}

{#- SLA attainment rate = leads first responded to within the SLA / leads created. -#}
{% macro sla_attainment_rate(leads_within_sla, leads) -%}
    {{ marketing_kpi.safe_divide(leads_within_sla, leads) }}
{%- endmacro %}

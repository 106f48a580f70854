{%- set ltv_horizons = [3, 6, 12, 24] -%}

with

customer_months as (

    select * from {{ ref('int_customer_months') }}

),

ad_performance as (

    select * from {{ ref('stg_ads__ad_performance') }}

),

cohorts as (

    select
        acquisition_cohort_month,
        acquisition_channel_id,
        count(distinct customer_id) as cohort_customers,
        -- months since acquisition that are over (0 for a cohort acquired in the as-of month)
        max(case when is_complete_month then months_since_acquisition + 1 else 0 end) as complete_months,
        {% for horizon in ltv_horizons -%}
            sum(case when months_since_acquisition < {{ horizon }} then net_revenue else 0 end)
                as net_revenue_first_{{ horizon }}_months,
        {% endfor -%}
        sum(case when is_complete_month then net_revenue else 0 end) as net_revenue_complete_months,
        count(case when is_complete_month and is_active then customer_id end) as active_customer_months,
        count(case when is_complete_month and was_active_last_month then customer_id end)
            as customers_at_start,
        count(case when is_complete_month and is_churned_this_month then customer_id end)
            as churned_customers

    from customer_months
    group by
        acquisition_cohort_month,
        acquisition_channel_id

),

channel_spend_per_month as (

    select
        channel_id,
        {{ dbt.date_trunc('month', 'report_date') }} as spend_month,
        sum(spend) as spend

    from ad_performance
    group by
        channel_id,
        {{ dbt.date_trunc('month', 'report_date') }}

),

joined as (

    select
        cohorts.*,
        {{ measure_if_provided(['ad_performance', 'campaigns'],
            'coalesce(channel_spend_per_month.spend, 0)') }} as spend

    from cohorts
    left join channel_spend_per_month
        on
            cohorts.acquisition_channel_id = channel_spend_per_month.channel_id
            and cohorts.acquisition_cohort_month = channel_spend_per_month.spend_month

),

measured as (

    select
        acquisition_cohort_month,
        acquisition_channel_id,
        cast(cohort_customers as bigint) as cohort_customers,
        cast(complete_months as integer) as complete_months,
        {% for horizon in ltv_horizons -%}
            -- right-censored: null until the cohort's first {{ horizon }} months are over
            cast(case
                when complete_months >= {{ horizon }} then net_revenue_first_{{ horizon }}_months
            end as decimal(18, 2)) as cumulative_net_revenue_{{ horizon }}_months,
        {% endfor -%}
        cast(net_revenue_complete_months as decimal(18, 2)) as net_revenue_complete_months,
        cast(active_customer_months as bigint) as active_customer_months,
        cast(customers_at_start as bigint) as customers_at_start,
        cast(churned_customers as bigint) as churned_customers,
        cast({{ var('gross_margin_rate', 0.75) }} as double) as gross_margin_rate,
        cast(spend as decimal(18, 2)) as spend

    from joined

),

with_unit_economics as (

    select
        measured.*,
        cast({{ kpi_if_available('average_revenue_per_account', average_revenue_per_account(
            'net_revenue_complete_months', 'active_customer_months'
        )) }} as double) as average_revenue_per_account,
        cast(
            {{ kpi_if_available('churn_rate', churn_rate('churned_customers', 'customers_at_start')) }}
            as double
        ) as monthly_churn_rate,
        cast(
            {{ kpi_if_available('customer_acquisition_cost',
                customer_acquisition_cost('spend', 'cohort_customers')) }}
            as double
        )
            as customer_acquisition_cost

    from measured

),

with_lifetime_value as (

    select
        with_unit_economics.*,
        cast({{ kpi_if_available('predictive_lifetime_value', predictive_lifetime_value(
            'average_revenue_per_account', 'gross_margin_rate', 'monthly_churn_rate'
        )) }} as double) as predictive_lifetime_value,
        cast({{ kpi_if_available('cac_payback_months', cac_payback_months(
            'customer_acquisition_cost', 'average_revenue_per_account', 'gross_margin_rate'
        )) }} as double) as cac_payback_months

    from with_unit_economics

),

final as (

    select
        acquisition_cohort_month,
        acquisition_channel_id,
        cohort_customers,
        complete_months,
        {% for horizon in ltv_horizons -%}
            cumulative_net_revenue_{{ horizon }}_months,
            cast({{ kpi_if_available('historical_lifetime_value', historical_lifetime_value(
                'cumulative_net_revenue_' ~ horizon ~ '_months', 'cohort_customers'
            )) }} as double) as lifetime_value_{{ horizon }}_months,
        {% endfor -%}
        net_revenue_complete_months,
        active_customer_months,
        average_revenue_per_account,
        customers_at_start,
        churned_customers,
        monthly_churn_rate,
        gross_margin_rate,
        predictive_lifetime_value,
        spend,
        customer_acquisition_cost,
        cac_payback_months,
        cast(
            {{ kpi_if_available('ltv_to_cac_ratio',
                ltv_to_cac_ratio('predictive_lifetime_value', 'customer_acquisition_cost')) }}
            as double
        )
            as ltv_to_cac_ratio

    from with_lifetime_value

)

select * from final

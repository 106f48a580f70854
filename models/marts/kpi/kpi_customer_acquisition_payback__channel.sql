with

customer_months as (

    select * from {{ ref('int_customer_months') }}

),

ad_performance as (

    select * from {{ ref('stg_ads__ad_performance') }}

),

customers_per_channel as (

    select
        acquisition_channel_id,
        count(distinct customer_id) as new_customers,
        sum(case when is_complete_month then net_revenue else 0 end) as net_revenue_complete_months,
        count(case when is_complete_month and is_active then customer_id end) as active_customer_months,
        count(case when is_complete_month and was_active_last_month then customer_id end)
            as customers_at_start,
        count(case when is_complete_month and is_churned_this_month then customer_id end)
            as churned_customers

    from customer_months
    group by acquisition_channel_id

),

spend_per_channel as (

    select
        channel_id,
        sum(spend) as spend

    from ad_performance
    group by channel_id

),

channels as (

    select acquisition_channel_id from customers_per_channel
    union
    select channel_id as acquisition_channel_id from spend_per_channel

),

joined as (

    select
        channels.acquisition_channel_id,
        cast(coalesce(customers_per_channel.new_customers, 0) as bigint) as new_customers,
        cast(
            {{ measure_if_provided(['ad_performance', 'campaigns'], 'coalesce(spend_per_channel.spend, 0)') }}
            as decimal(18, 2)
        ) as spend,
        cast(coalesce(customers_per_channel.net_revenue_complete_months, 0) as decimal(18, 2))
            as net_revenue_complete_months,
        cast(coalesce(customers_per_channel.active_customer_months, 0) as bigint) as active_customer_months,
        cast(coalesce(customers_per_channel.customers_at_start, 0) as bigint) as customers_at_start,
        cast(coalesce(customers_per_channel.churned_customers, 0) as bigint) as churned_customers,
        cast({{ var('gross_margin_rate', 0.75) }} as double) as gross_margin_rate

    from channels
    left join customers_per_channel
        on channels.acquisition_channel_id = customers_per_channel.acquisition_channel_id
    left join spend_per_channel
        on channels.acquisition_channel_id = spend_per_channel.channel_id

),

with_unit_economics as (

    select
        joined.*,
        cast(
            {{ kpi_if_available('customer_acquisition_cost',
                customer_acquisition_cost('spend', 'new_customers')) }}
            as double
        )
            as customer_acquisition_cost,
        cast({{ kpi_if_available('average_revenue_per_account', average_revenue_per_account(
            'net_revenue_complete_months', 'active_customer_months'
        )) }} as double) as average_revenue_per_account,
        cast(
            {{ kpi_if_available('churn_rate', churn_rate('churned_customers', 'customers_at_start')) }}
            as double
        ) as monthly_churn_rate

    from joined

),

with_lifetime_value as (

    select
        with_unit_economics.*,
        cast({{ kpi_if_available('cac_payback_months', cac_payback_months(
            'customer_acquisition_cost', 'average_revenue_per_account', 'gross_margin_rate'
        )) }} as double) as cac_payback_months,
        cast({{ kpi_if_available('predictive_lifetime_value', predictive_lifetime_value(
            'average_revenue_per_account', 'gross_margin_rate', 'monthly_churn_rate'
        )) }} as double) as predictive_lifetime_value

    from with_unit_economics

),

final as (

    select
        acquisition_channel_id,
        new_customers,
        spend,
        customer_acquisition_cost,
        net_revenue_complete_months,
        active_customer_months,
        average_revenue_per_account,
        customers_at_start,
        churned_customers,
        monthly_churn_rate,
        gross_margin_rate,
        cac_payback_months,
        predictive_lifetime_value,
        cast(
            {{ kpi_if_available('ltv_to_cac_ratio',
                ltv_to_cac_ratio('predictive_lifetime_value', 'customer_acquisition_cost')) }}
            as double
        )
            as ltv_to_cac_ratio

    from with_lifetime_value

)

select * from final

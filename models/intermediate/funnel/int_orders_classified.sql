{#-
    One row per valid order, classified: completed or not, refund, the customer's first or a
    repeat order, renewal / expansion / cross-sell, with the customer's acquisition source.
    order_number counts the customer's completed non-refund orders (1 = first purchase); it is
    null for pending, cancelled and refund orders. net_revenue is the amount when the order is
    completed (refunds negative) and 0 otherwise.
-#}

with

orders as (

    select * from {{ ref('stg_billing__orders') }}

),

leads_lifecycle as (

    select * from {{ ref('int_leads_lifecycle') }}

),

customer_acquisitions as (

    select
        customer_id,
        channel_id as acquisition_channel_id,
        campaign_id as acquisition_campaign_id,
        cast({{ dbt.date_trunc('month', 'won_at') }} as date) as acquisition_cohort_month

    from leads_lifecycle
    where is_customer_acquisition_lead

),

flagged as (

    select
        order_id,
        customer_id,
        ordered_at,
        cast(ordered_at as date) as order_date,
        cast({{ dbt.date_trunc('month', 'ordered_at') }} as date) as order_month,
        order_type,
        order_status,
        amount,
        amount_original,
        currency_code_original,
        order_status = 'completed' as is_completed,
        order_type = 'refund' as is_refund,
        order_status = 'completed' and order_type != 'refund' as is_purchase

    from orders

),

ranked as (

    select
        *,
        row_number() over (
            partition by customer_id, is_purchase
            order by ordered_at, order_id
        ) as rank_within_kind

    from flagged

),

numbered as (

    -- Only completed non-refund orders are numbered: the customer's purchases in time order.
    select
        *,
        case when is_purchase then rank_within_kind end as order_number

    from ranked

),

final as (

    select
        numbered.order_id,
        numbered.customer_id,
        numbered.ordered_at,
        numbered.order_date,
        numbered.order_month,
        numbered.order_type,
        numbered.order_status,
        numbered.amount,
        numbered.amount_original,
        numbered.currency_code_original,
        numbered.is_completed,
        numbered.is_refund,
        coalesce(numbered.order_number = 1, false) as is_first_order,
        coalesce(numbered.order_number > 1, false) as is_repeat_order,
        numbered.order_type = 'renewal' as is_renewal,
        numbered.order_type = 'expansion' as is_expansion,
        numbered.order_type = 'cross_sell' as is_cross_sell,
        numbered.order_number,
        cast(case when numbered.is_completed then numbered.amount else 0 end as decimal(18, 2))
            as net_revenue,
        customer_acquisitions.acquisition_channel_id,
        customer_acquisitions.acquisition_campaign_id,
        customer_acquisitions.acquisition_cohort_month

    from numbered
    left join customer_acquisitions
        on numbered.customer_id = customer_acquisitions.customer_id

)

select * from final

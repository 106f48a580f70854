with

orders_classified as (

    select * from {{ ref('int_orders_classified') }}

),

final as (

    select
        order_id,
        customer_id,
        ordered_at,
        order_date,
        order_month,
        order_type,
        order_status,
        amount,
        amount_original,
        currency_code_original,
        net_revenue,
        is_completed,
        is_refund,
        is_first_order,
        is_repeat_order,
        is_renewal,
        is_expansion,
        is_cross_sell,
        order_number,
        acquisition_channel_id,
        acquisition_campaign_id,
        acquisition_cohort_month

    from orders_classified

)

select * from final

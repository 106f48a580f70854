with

base as (

    select * from {{ ref('base_billing__orders') }}

),

valid as (

    select
        order_id,
        customer_id,
        ordered_at,
        amount_original,
        currency_code_original,
        amount,
        order_type,
        order_status

    from base
    where record_status = 'valid'

)

select * from valid

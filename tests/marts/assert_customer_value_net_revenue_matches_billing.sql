{#-
    Revenue integrity: the net revenue of kpi_customer_value__monthly, summed over all months and
    channels, equals the net revenue of the completed orders in stg_billing__orders (refunds
    negative). Fails with one row showing both totals when they differ by a cent or more — e.g.
    an order dated before its customer's acquisition month, or of a customer missing from
    int_customers, would fall outside the customer-month spine.
-#}

with

customer_value as (

    select * from {{ ref('kpi_customer_value__monthly') }}

),

orders as (

    select * from {{ ref('stg_billing__orders') }}

),

mart_total as (

    select coalesce(sum(net_revenue), 0) as net_revenue
    from customer_value

),

billing_total as (

    select coalesce(sum(amount), 0) as net_revenue
    from orders
    where order_status = 'completed'

),

compared as (

    select
        mart_total.net_revenue as mart_net_revenue,
        billing_total.net_revenue as billing_net_revenue

    from mart_total
    cross join billing_total

)

select * from compared
where abs(mart_net_revenue - billing_net_revenue) >= 0.01

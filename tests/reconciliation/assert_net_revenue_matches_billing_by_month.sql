{#-
    Revenue, staging -> marts, per month: the net revenue (USD, refunds negative) of the completed
    orders in stg_billing__orders, per UTC month of ordered_at, equals, to the cent:
      fct_orders.net_revenue per order_month,
      kpi_customer_value__monthly.net_revenue per date_month (summed over acquisition channels),
      kpi_marketing_contribution__monthly.total_revenue per date_month.
    (The all-time total of kpi_customer_value__monthly is tested in tests/marts/.) Returns one row
    per mart and month that differs.
-#}

with

orders as (

    select * from {{ ref('stg_billing__orders') }}

),

fct_orders as (

    select * from {{ ref('fct_orders') }}

),

customer_value as (

    select * from {{ ref('kpi_customer_value__monthly') }}

),

marketing_contribution as (

    select * from {{ ref('kpi_marketing_contribution__monthly') }}

),

billing_by_month as (

    select
        cast({{ dbt.date_trunc('month', 'ordered_at') }} as date) as date_month,
        sum(amount) as net_revenue

    from orders
    where order_status = 'completed'
    group by 1

),

marts as (

    select 'fct_orders' as mart
    union all
    select 'kpi_customer_value__monthly' as mart
    union all
    select 'kpi_marketing_contribution__monthly' as mart

),

expected as (

    select
        marts.mart,
        billing_by_month.date_month,
        billing_by_month.net_revenue

    from billing_by_month
    cross join marts

),

mart_by_month as (

    select
        'fct_orders' as mart,
        order_month as date_month,
        sum(net_revenue) as net_revenue

    from fct_orders
    group by 1, 2

    union all

    select
        'kpi_customer_value__monthly' as mart,
        date_month,
        sum(net_revenue) as net_revenue

    from customer_value
    group by 1, 2

    union all

    select
        'kpi_marketing_contribution__monthly' as mart,
        date_month,
        sum(total_revenue) as net_revenue

    from marketing_contribution
    group by 1, 2

),

compared as (

    select
        coalesce(expected.mart, mart_by_month.mart) as mart,
        coalesce(expected.date_month, mart_by_month.date_month) as date_month,
        coalesce(expected.net_revenue, 0) as billing_net_revenue,
        coalesce(mart_by_month.net_revenue, 0) as mart_net_revenue

    from expected
    full outer join mart_by_month
        on
            expected.mart = mart_by_month.mart
            and expected.date_month = mart_by_month.date_month

),

differing as (

    select * from compared
    where abs(billing_net_revenue - mart_net_revenue) >= 0.01

)

select * from differing

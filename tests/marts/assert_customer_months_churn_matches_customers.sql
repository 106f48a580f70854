{#-
    One churn definition: for every customer that has paid, int_customer_months.churned_month
    (which drives the churn KPIs) equals int_customers.churned_month (null-safe). Customers that
    never paid are left out: they are never active in int_customer_months, so they cannot churn
    there. Fails with the customers whose churn months differ.
-#}

with

customer_months as (

    select * from {{ ref('int_customer_months') }}

),

customers as (

    select * from {{ ref('int_customers') }}

),

churn_per_customer as (

    select
        customer_id,
        max(churned_month) as churned_month

    from customer_months
    where first_paid_month is not null
    group by customer_id

),

compared as (

    select
        churn_per_customer.customer_id,
        churn_per_customer.churned_month as customer_months_churned_month,
        customers.churned_month as customers_churned_month

    from churn_per_customer
    inner join customers
        on churn_per_customer.customer_id = customers.customer_id
    where
        churn_per_customer.churned_month != customers.churned_month
        or (churn_per_customer.churned_month is null and customers.churned_month is not null)
        or (churn_per_customer.churned_month is not null and customers.churned_month is null)

)

select * from compared

{#-
    Acquisition integrity: every customer of int_customers is counted once as a new customer in
    kpi_customer_acquisition_payback__channel and once as a cohort customer in
    kpi_customer_lifetime_value__cohort, and the channel mart's spend equals the spend of
    stg_ads__ad_performance. Fails with one row per mismatching total. An export without leads has
    no customers and empty marts: 0 counted against 0 (a sum over no rows is 0 customers).
-#}

with

customers as (

    select * from {{ ref('int_customers') }}

),

ad_performance as (

    select * from {{ ref('stg_ads__ad_performance') }}

),

payback as (

    select * from {{ ref('kpi_customer_acquisition_payback__channel') }}

),

lifetime_value as (

    select * from {{ ref('kpi_customer_lifetime_value__cohort') }}

),

totals as (

    select
        'new_customers' as measure,
        (select cast(count(*) as decimal(18, 2)) from customers) as expected,
        (select cast(coalesce(sum(new_customers), 0) as decimal(18, 2)) from payback) as actual

    union all

    select
        'cohort_customers' as measure,
        (select cast(count(*) as decimal(18, 2)) from customers) as expected,
        (select cast(coalesce(sum(cohort_customers), 0) as decimal(18, 2)) from lifetime_value) as actual

    union all

    select
        'spend' as measure,
        (select cast(coalesce(sum(spend), 0) as decimal(18, 2)) from ad_performance) as expected,
        (select cast(coalesce(sum(spend), 0) as decimal(18, 2)) from payback) as actual

)

select * from totals
where expected != actual or actual is null

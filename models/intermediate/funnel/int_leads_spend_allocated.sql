{#-
    One row per valid lead with its share of media spend: the spend of the lead's source channel in
    the month the lead was created, split equally across that channel-month's leads. Summed over
    any group of leads (a score band, a cohort) it gives the spend "attributable" to that group by
    its share of the channel-month's leads. Spend of a channel-month without leads is allocated to
    no lead. Kept at 6 decimals so sums reconcile to the cent; the marts round sums to cents.
-#}

with

leads_lifecycle as (

    select * from {{ ref('int_leads_lifecycle') }}

),

ad_performance as (

    select * from {{ ref('stg_ads__ad_performance') }}

),

spend_per_channel_month as (

    select
        channel_id,
        cast({{ dbt.date_trunc('month', 'report_date') }} as date) as spend_month,
        sum(spend) as spend

    from ad_performance
    group by channel_id, cast({{ dbt.date_trunc('month', 'report_date') }} as date)

),

leads_per_channel_month as (

    select
        channel_id,
        cohort_month,
        count(*) as leads

    from leads_lifecycle
    group by channel_id, cohort_month

),

allocated as (

    select
        leads_lifecycle.lead_id,
        leads_lifecycle.channel_id,
        leads_lifecycle.cohort_month,
        cast(coalesce(spend_per_channel_month.spend, 0) as decimal(18, 2)) as channel_month_spend,
        cast(leads_per_channel_month.leads as bigint) as channel_month_leads,
        cast(
            coalesce(
                {{ safe_divide('spend_per_channel_month.spend', 'leads_per_channel_month.leads') }},
                0
            ) as decimal(18, 6)
        ) as allocated_spend

    from leads_lifecycle
    inner join leads_per_channel_month
        on
            leads_lifecycle.channel_id = leads_per_channel_month.channel_id
            and leads_lifecycle.cohort_month = leads_per_channel_month.cohort_month
    left join spend_per_channel_month
        on
            leads_lifecycle.channel_id = spend_per_channel_month.channel_id
            and leads_lifecycle.cohort_month = spend_per_channel_month.spend_month

)

select * from allocated

{#-
    One row per valid lead with its share of media spend: the spend of the lead's source channel in
    the month the lead was created, split equally across that channel-month's leads. Summed over
    any group of leads (a score band, a cohort) it gives the spend "attributable" to that group by
    its share of the channel-month's leads. Spend of a channel-month without leads is allocated to
    no lead. Each share is rounded down to 6 decimals and the remainder of the channel-month
    (spend - share x leads, exact in decimal arithmetic) goes to its first lead (lowest lead_id),
    so a channel-month's shares add up to its spend exactly at any volume: rounding alone drifted
    by leads x 0.5e-6 and missed the cent at scale XL (~45,000 leads per channel-month). The marts
    round sums to cents.
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
        count(*) as leads,
        min(lead_id) as first_lead_id

    from leads_lifecycle
    group by channel_id, cohort_month

),

shares as (

    select
        leads_per_channel_month.channel_id,
        leads_per_channel_month.cohort_month,
        leads_per_channel_month.leads,
        leads_per_channel_month.first_lead_id,
        cast(coalesce(spend_per_channel_month.spend, 0) as decimal(18, 2)) as spend,
        -- rounded down, so the remainder given to the first lead is never negative
        cast(
            coalesce(
                floor(
                    {{ safe_divide('spend_per_channel_month.spend', 'leads_per_channel_month.leads') }}
                    * 1000000
                ) / 1000000,
                0
            ) as decimal(18, 6)
        ) as spend_share

    from leads_per_channel_month
    left join spend_per_channel_month
        on
            leads_per_channel_month.channel_id = spend_per_channel_month.channel_id
            and leads_per_channel_month.cohort_month = spend_per_channel_month.spend_month

),

allocated as (

    select
        leads_lifecycle.lead_id,
        leads_lifecycle.channel_id,
        leads_lifecycle.cohort_month,
        shares.spend as channel_month_spend,
        cast(shares.leads as bigint) as channel_month_leads,
        cast(
            case
                when leads_lifecycle.lead_id = shares.first_lead_id
                    then shares.spend_share + (shares.spend - shares.spend_share * shares.leads)
                else shares.spend_share
            end
            as decimal(18, 6)
        ) as allocated_spend

    from leads_lifecycle
    inner join shares
        on
            leads_lifecycle.channel_id = shares.channel_id
            and leads_lifecycle.cohort_month = shares.cohort_month

)

select * from allocated

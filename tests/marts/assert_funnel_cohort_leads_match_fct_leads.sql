-- The cohort funnel mart and the score-band mart count every lead once: their lead totals equal
-- fct_leads, and the score bands' allocated spend equals the spend of channel-months with leads.
with

fact as (

    select
        count(*) as leads,
        cast(sum(allocated_spend) as decimal(18, 2)) as spend

    from {{ ref('fct_leads') }}

),

cohorts as (

    select sum(leads) as leads from {{ ref('kpi_funnel_conversion__cohort') }}

),

bands as (

    select
        sum(leads) as leads,
        sum(spend) as spend

    from {{ ref('kpi_lead_quality__score_band') }}

)

select
    fact.leads as fact_leads,
    cohorts.leads as cohort_leads,
    bands.leads as band_leads,
    fact.spend as fact_spend,
    bands.spend as band_spend

from fact
cross join cohorts
cross join bands
where
    fact.leads != cohorts.leads
    or fact.leads != bands.leads
    or abs(fact.spend - bands.spend) > 0.05

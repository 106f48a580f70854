-- Leads in kpi_channel_performance__daily and __monthly add up to the rows of stg_crm__leads
-- (every valid CRM lead counted once, none lost to the channel/campaign combine).
-- Returns one row per mart whose lead total differs.

with

crm_leads as (

    select * from {{ ref('stg_crm__leads') }}

),

channel_performance_daily as (

    select * from {{ ref('kpi_channel_performance__daily') }}

),

channel_performance_monthly as (

    select * from {{ ref('kpi_channel_performance__monthly') }}

),

crm_total as (

    select count(*) as leads from crm_leads

),

mart_totals as (

    select
        'kpi_channel_performance__daily' as mart,
        coalesce(sum(leads), 0) as leads

    from channel_performance_daily

    union all

    select
        'kpi_channel_performance__monthly' as mart,
        coalesce(sum(leads), 0) as leads

    from channel_performance_monthly

)

select
    mart_totals.mart,
    mart_totals.leads as mart_leads,
    crm_total.leads as crm_leads

from mart_totals
cross join crm_total
where mart_totals.leads != crm_total.leads

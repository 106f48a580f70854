-- int_leads_lifecycle holds exactly the staged leads: same count, no lead lost or invented.
with

staged as (

    select count(*) as leads from {{ ref('stg_crm__leads') }}

),

lifecycle as (

    select count(*) as leads from {{ ref('int_leads_lifecycle') }}

),

fact as (

    select count(*) as leads from {{ ref('fct_leads') }}

)

select
    staged.leads as staged_leads,
    lifecycle.leads as lifecycle_leads,
    fact.leads as fact_leads

from staged
cross join lifecycle
cross join fact
where staged.leads != lifecycle.leads or staged.leads != fact.leads

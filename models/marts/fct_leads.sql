with

leads_lifecycle as (

    select * from {{ ref('int_leads_lifecycle') }}

),

leads_scored as (

    select * from {{ ref('int_leads_scored') }}

),

leads_followed_up as (

    select * from {{ ref('int_leads_followed_up') }}

),

leads_spend_allocated as (

    select * from {{ ref('int_leads_spend_allocated') }}

),

final as (

    select
        leads_lifecycle.lead_id,
        leads_lifecycle.customer_id,
        leads_lifecycle.channel_id,
        leads_lifecycle.campaign_id,
        leads_lifecycle.owner_id,
        leads_lifecycle.country_code,
        leads_lifecycle.device,
        leads_lifecycle.seniority,
        leads_lifecycle.company_size,
        leads_lifecycle.declared_budget,
        leads_lifecycle.created_at,
        leads_lifecycle.created_date,
        leads_lifecycle.cohort_month,
        leads_lifecycle.mql_at,
        leads_lifecycle.sql_at,
        leads_lifecycle.opportunity_at,
        leads_lifecycle.won_at,
        leads_lifecycle.lost_at,
        leads_lifecycle.disqualified_at,
        leads_lifecycle.is_mql,
        leads_lifecycle.is_sql,
        leads_lifecycle.is_opportunity,
        leads_lifecycle.is_won,
        leads_lifecycle.is_lost,
        leads_lifecycle.is_disqualified,
        leads_lifecycle.is_customer_acquisition_lead,
        leads_lifecycle.days_lead_to_mql,
        leads_lifecycle.days_mql_to_sql,
        leads_lifecycle.days_sql_to_opportunity,
        leads_lifecycle.days_opportunity_to_won,
        leads_lifecycle.days_lead_to_won,
        leads_lifecycle.is_right_censored,
        leads_scored.fit_score,
        leads_scored.engagement_score,
        leads_scored.lead_score,
        leads_scored.score_band,
        leads_followed_up.assigned_at,
        leads_followed_up.first_responded_at,
        leads_followed_up.is_assigned,
        leads_followed_up.is_responded,
        leads_followed_up.hours_to_assignment,
        leads_followed_up.hours_to_first_response,
        leads_followed_up.business_hours_to_first_response,
        leads_followed_up.is_within_sla,
        leads_followed_up.is_within_sla_clock_hours,
        leads_spend_allocated.allocated_spend

    from leads_lifecycle
    left join leads_scored
        on leads_lifecycle.lead_id = leads_scored.lead_id
    left join leads_followed_up
        on leads_lifecycle.lead_id = leads_followed_up.lead_id
    left join leads_spend_allocated
        on leads_lifecycle.lead_id = leads_spend_allocated.lead_id

)

select * from final

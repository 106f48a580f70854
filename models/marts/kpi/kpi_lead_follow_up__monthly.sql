{#-
    Sales follow-up of leads: one row per month the leads were created in, owner and source
    channel. Speed to lead in clock hours and in business hours (working_hours and holidays
    seeds), and SLA attainment against var('sla_hours'): the headline sla_attainment_rate counts
    business hours; sla_attainment_rate_clock_hours counts clock hours. Leads never assigned (no
    assigned_at, is_assigned false) are grouped under a null owner_id, whatever owner the CRM
    routed them to: they have not reached a rep yet.
-#}

with

leads as (

    select * from {{ ref('fct_leads') }}

),

leads_by_assigned_owner as (

    select
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as date_month,
        -- the owner only once the lead is assigned: the raw owner_id is the rep the CRM routed
        -- the lead to, set before (and without) an assignment too
        case when is_assigned then owner_id end as owner_id,
        channel_id,
        is_assigned,
        hours_to_assignment,
        is_responded,
        hours_to_first_response,
        business_hours_to_first_response,
        is_within_sla,
        is_within_sla_clock_hours

    from leads

),

monthly as (

    select
        date_month,
        owner_id,
        channel_id,
        count(*) as leads,
        sum(case when is_assigned then 1 else 0 end) as leads_assigned,
        sum(hours_to_assignment) as hours_to_assignment,
        sum(case when is_responded then 1 else 0 end) as leads_responded,
        sum(hours_to_first_response) as hours_to_first_response,
        {{ percentile_continuous('hours_to_first_response', 0.5) }} as median_hours_to_first_response,
        sum(business_hours_to_first_response) as business_hours_to_first_response,
        {{ percentile_continuous('business_hours_to_first_response', 0.5) }}
            as median_business_hours_to_first_response,
        sum(case when is_within_sla then 1 else 0 end) as leads_within_sla,
        sum(case when is_within_sla_clock_hours then 1 else 0 end) as leads_within_sla_clock_hours,
        sum(case when is_responded then 0 else 1 end) as leads_without_response

    from leads_by_assigned_owner
    group by
        date_month,
        owner_id,
        channel_id

),

final as (

    select
        date_month,
        owner_id,
        channel_id,
        cast(leads as bigint) as leads,
        cast(leads_assigned as bigint) as leads_assigned,
        cast(hours_to_assignment as double) as hours_to_assignment,
        cast(
            {{ kpi_if_available('average_hours_to_assignment',
                average_duration('hours_to_assignment', 'leads_assigned')) }}
            as double
        )
            as average_hours_to_assignment,
        cast(leads_responded as bigint) as leads_responded,
        cast(leads_without_response as bigint) as leads_without_response,
        cast(hours_to_first_response as double) as hours_to_first_response,
        cast(
            {{ kpi_if_available('average_hours_to_first_response',
                average_duration('hours_to_first_response', 'leads_responded')) }}
            as double
        )
            as average_hours_to_first_response,
        cast(median_hours_to_first_response as double) as median_hours_to_first_response,
        cast(business_hours_to_first_response as double) as business_hours_to_first_response,
        cast(
            {{ kpi_if_available('average_hours_to_first_response',
                average_duration('business_hours_to_first_response', 'leads_responded')) }}
            as double
        )
            as average_business_hours_to_first_response,
        cast(median_business_hours_to_first_response as double) as median_business_hours_to_first_response,
        cast({{ var('sla_hours', 24) }} as double) as sla_hours,
        cast(leads_within_sla as bigint) as leads_within_sla,
        cast(
            {{ kpi_if_available('sla_attainment_rate', sla_attainment_rate('leads_within_sla', 'leads')) }}
            as double
        ) as sla_attainment_rate,
        cast(leads_within_sla_clock_hours as bigint) as leads_within_sla_clock_hours,
        cast({{ sla_attainment_rate('leads_within_sla_clock_hours', 'leads') }} as double)
            as sla_attainment_rate_clock_hours

    from monthly

)

select * from final

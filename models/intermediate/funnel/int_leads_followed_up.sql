{#-
    One row per valid lead with its sales follow-up times: clock hours from creation to assignment
    and to the first response, business hours to the first response (the overlap of the
    creation-to-response interval with each working day's opening hours, holidays closed), and
    whether the response met the var('sla_hours') SLA in business and in clock hours.
    A response logged before the lead's creation counts as immediate (0 hours).
-#}

with

leads_lifecycle as (

    select * from {{ ref('int_leads_lifecycle') }}

),

business_hours_calendar as (

    select * from {{ ref('int_business_hours_calendar') }}

),

working_days as (

    select
        date_day,
        opens_at,
        closes_at

    from business_hours_calendar
    where is_working_day

),

responded_leads as (

    select
        lead_id,
        created_at,
        first_responded_at

    from leads_lifecycle
    where first_responded_at > created_at

),

business_overlap_per_day as (

    -- The part of each working day's opening hours that falls between creation and response.
    select
        responded_leads.lead_id,
        case
            when responded_leads.created_at > working_days.opens_at then responded_leads.created_at
            else working_days.opens_at
        end as overlap_start_at,
        case
            when responded_leads.first_responded_at < working_days.closes_at
                then responded_leads.first_responded_at
            else working_days.closes_at
        end as overlap_end_at

    from responded_leads
    inner join working_days
        on
            working_days.date_day >= cast(responded_leads.created_at as date)
            and working_days.date_day <= cast(responded_leads.first_responded_at as date)

),

business_hours_per_lead as (

    select
        lead_id,
        sum(
            case
                when overlap_end_at > overlap_start_at
                    then {{ hours_between('overlap_start_at', 'overlap_end_at') }}
                else 0
            end
        ) as business_hours_to_first_response

    from business_overlap_per_day
    group by lead_id

),

measured as (

    select
        leads_lifecycle.lead_id,
        leads_lifecycle.owner_id,
        leads_lifecycle.channel_id,
        leads_lifecycle.created_at,
        leads_lifecycle.assigned_at,
        leads_lifecycle.first_responded_at,
        leads_lifecycle.assigned_at is not null as is_assigned,
        leads_lifecycle.first_responded_at is not null as is_responded,
        case
            when leads_lifecycle.assigned_at is null then null
            when leads_lifecycle.assigned_at < leads_lifecycle.created_at then 0
            else {{ hours_between('leads_lifecycle.created_at', 'leads_lifecycle.assigned_at') }}
        end as hours_to_assignment,
        case
            when leads_lifecycle.first_responded_at is null then null
            when leads_lifecycle.first_responded_at < leads_lifecycle.created_at then 0
            else {{ hours_between('leads_lifecycle.created_at', 'leads_lifecycle.first_responded_at') }}
        end as hours_to_first_response,
        case
            when leads_lifecycle.first_responded_at is null then null
            else coalesce(business_hours_per_lead.business_hours_to_first_response, 0)
        end as business_hours_to_first_response

    from leads_lifecycle
    left join business_hours_per_lead
        on leads_lifecycle.lead_id = business_hours_per_lead.lead_id

),

final as (

    select
        lead_id,
        owner_id,
        channel_id,
        created_at,
        assigned_at,
        first_responded_at,
        is_assigned,
        is_responded,
        cast(hours_to_assignment as double) as hours_to_assignment,
        cast(hours_to_first_response as double) as hours_to_first_response,
        cast(business_hours_to_first_response as double) as business_hours_to_first_response,
        coalesce(business_hours_to_first_response <= {{ var('sla_hours', 24) }}, false) as is_within_sla,
        coalesce(hours_to_first_response <= {{ var('sla_hours', 24) }}, false) as is_within_sla_clock_hours

    from measured

)

select * from final

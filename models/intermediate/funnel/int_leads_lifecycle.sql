{#-
    One row per valid lead with the first time it reached each funnel stage.

    Implied-min rule: a stage counts as reached at the earliest event of that stage OR of any later
    stage (lead -> mql -> sql -> opportunity -> won), so an sql event dated before the mql event
    sets mql_at to the sql time and the funnel is monotone by construction. A stage time is never
    earlier than the lead's created_at (events dated before creation are clamped to it), so every
    stage duration is non-negative. The lead stage itself is created_at: a lead with a won event
    but no 'lead' event is still a lead. A lead the CRM linked to a customer account but with no
    won event is won at its customer's first order (the CRM missed the stage change).
-#}

with

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

stage_events as (

    select * from {{ ref('stg_crm__lead_stage_events') }}

),

orders as (

    select * from {{ ref('stg_billing__orders') }}

),

funnel_stages_tracked as (

    select * from {{ ref('int_funnel_stages_tracked') }}

),

stages_flagged as (

    select
        funnel_stage,
        case when is_tracked then 1 else 0 end as tracked_flag

    from funnel_stages_tracked

),

stages_tracked as (

    -- One row: which of the later funnel stages the CRM tracks (a stage without a row counts as
    -- tracked; int_funnel_stages_tracked always has a row per stage).
    select
        {% for stage in ['mql', 'sql', 'opportunity', 'won'] %}
            coalesce(max(case when funnel_stage = '{{ stage }}' then tracked_flag end), 1) = 1
                as is_{{ stage }}_tracked{% if not loop.last %},{% endif %}
        {% endfor %}

    from stages_flagged

),

first_event_per_stage as (

    select
        lead_id,
        min(case when stage = 'mql' then changed_at end) as first_mql_event_at,
        min(case when stage = 'sql' then changed_at end) as first_sql_event_at,
        min(case when stage = 'opportunity' then changed_at end) as first_opportunity_event_at,
        min(case when stage = 'won' then changed_at end) as first_won_event_at,
        min(case when stage = 'lost' then changed_at end) as first_lost_event_at,
        min(case when stage = 'disqualified' then changed_at end) as first_disqualified_event_at

    from stage_events
    group by lead_id

),

first_order_per_customer as (

    select
        customer_id,
        min(ordered_at) as first_ordered_at

    from orders
    group by customer_id

),

events_joined as (

    select
        leads.lead_id,
        leads.customer_id,
        leads.channel_id,
        leads.campaign_id,
        leads.owner_id,
        leads.country_code,
        leads.device,
        leads.seniority,
        leads.company_size,
        leads.declared_budget,
        leads.created_at,
        leads.assigned_at,
        leads.first_responded_at,
        first_event_per_stage.first_mql_event_at,
        first_event_per_stage.first_sql_event_at,
        first_event_per_stage.first_opportunity_event_at,
        first_event_per_stage.first_lost_event_at,
        first_event_per_stage.first_disqualified_event_at,
        coalesce(
            first_event_per_stage.first_won_event_at,
            case when leads.customer_id is not null then first_order_per_customer.first_ordered_at end
        ) as first_won_event_at

    from leads
    left join first_event_per_stage
        on leads.lead_id = first_event_per_stage.lead_id
    left join first_order_per_customer
        on leads.customer_id = first_order_per_customer.customer_id

),

implied_stage_times as (

    -- Each tracked stage is reached at the earliest event of itself or any later stage
    -- (implied-min rule); an untracked stage is never reached.
    select
        events_joined.*,
        case when stages_tracked.is_won_tracked then events_joined.first_won_event_at end
            as implied_won_at,
        case
            when stages_tracked.is_opportunity_tracked
                then {{ least_of(['events_joined.first_opportunity_event_at',
                    'events_joined.first_won_event_at']) }}
        end as implied_opportunity_at,
        case
            when stages_tracked.is_sql_tracked
                then {{ least_of(['events_joined.first_sql_event_at',
                    'events_joined.first_opportunity_event_at', 'events_joined.first_won_event_at']) }}
        end as implied_sql_at,
        case
            when stages_tracked.is_mql_tracked
                then {{ least_of(['events_joined.first_mql_event_at',
                    'events_joined.first_sql_event_at', 'events_joined.first_opportunity_event_at',
                    'events_joined.first_won_event_at']) }}
        end as implied_mql_at

    from events_joined
    cross join stages_tracked

),

clamped_to_creation as (

    -- A stage cannot be reached before the lead exists: earlier event times are clamped to created_at.
    select
        *,
        case when implied_mql_at < created_at then created_at else implied_mql_at end as mql_at,
        case when implied_sql_at < created_at then created_at else implied_sql_at end as sql_at,
        case
            when implied_opportunity_at < created_at then created_at else implied_opportunity_at
        end as opportunity_at,
        case when implied_won_at < created_at then created_at else implied_won_at end as won_at,
        case
            when first_lost_event_at < created_at then created_at else first_lost_event_at
        end as lost_at,
        case
            when first_disqualified_event_at < created_at then created_at
            else first_disqualified_event_at
        end as disqualified_at

    from implied_stage_times

),

customer_acquisition_ranked as (

    -- When several leads share a customer account, the earliest won lead acquired it.
    select
        lead_id,
        row_number() over (
            partition by customer_id
            order by won_at, created_at, lead_id
        ) as customer_lead_rank

    from clamped_to_creation
    where customer_id is not null and won_at is not null

),

final as (

    select
        clamped_to_creation.lead_id,
        clamped_to_creation.customer_id,
        clamped_to_creation.channel_id,
        clamped_to_creation.campaign_id,
        clamped_to_creation.owner_id,
        clamped_to_creation.country_code,
        clamped_to_creation.device,
        clamped_to_creation.seniority,
        clamped_to_creation.company_size,
        clamped_to_creation.declared_budget,
        clamped_to_creation.created_at,
        cast(clamped_to_creation.created_at as date) as created_date,
        cast({{ dbt.date_trunc('month', 'clamped_to_creation.created_at') }} as date) as cohort_month,
        clamped_to_creation.assigned_at,
        clamped_to_creation.first_responded_at,
        clamped_to_creation.mql_at,
        clamped_to_creation.sql_at,
        clamped_to_creation.opportunity_at,
        clamped_to_creation.won_at,
        clamped_to_creation.lost_at,
        clamped_to_creation.disqualified_at,
        clamped_to_creation.mql_at is not null as is_mql,
        clamped_to_creation.sql_at is not null as is_sql,
        clamped_to_creation.opportunity_at is not null as is_opportunity,
        clamped_to_creation.won_at is not null as is_won,
        clamped_to_creation.lost_at is not null as is_lost,
        clamped_to_creation.disqualified_at is not null as is_disqualified,
        coalesce(customer_acquisition_ranked.customer_lead_rank = 1, false)
            as is_customer_acquisition_lead,
        {{ days_between('clamped_to_creation.created_at', 'clamped_to_creation.mql_at') }}
            as days_lead_to_mql,
        {{ days_between('clamped_to_creation.mql_at', 'clamped_to_creation.sql_at') }}
            as days_mql_to_sql,
        {{ days_between('clamped_to_creation.sql_at', 'clamped_to_creation.opportunity_at') }}
            as days_sql_to_opportunity,
        {{ days_between('clamped_to_creation.opportunity_at', 'clamped_to_creation.won_at') }}
            as days_opportunity_to_won,
        {{ days_between('clamped_to_creation.created_at', 'clamped_to_creation.won_at') }}
            as days_lead_to_won,
        {{ dbt.datediff('cast(clamped_to_creation.created_at as date)', as_of_date(), 'day') }}
        < {{ var('lead_maturity_days', 90) }} as is_right_censored

    from clamped_to_creation
    left join customer_acquisition_ranked
        on clamped_to_creation.lead_id = customer_acquisition_ranked.lead_id

)

select * from final

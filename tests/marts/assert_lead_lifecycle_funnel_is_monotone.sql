{#-
    The lifecycle funnel is monotone over the stages the CRM tracks (implied-min rule): a lead that
    reached a stage reached every earlier tracked stage, and no lead reaches an untracked stage
    (int_funnel_stages_tracked). Returns the offending leads with the broken rule.
-#}

with

leads_lifecycle as (

    select * from {{ ref('int_leads_lifecycle') }}

),

funnel_stages_tracked as (

    select * from {{ ref('int_funnel_stages_tracked') }}

),

stages_tracked as (

    select
        max(case when funnel_stage = 'mql' and is_tracked then 1 else 0 end) = 1 as is_mql_tracked,
        max(case when funnel_stage = 'sql' and is_tracked then 1 else 0 end) = 1 as is_sql_tracked,
        max(case when funnel_stage = 'opportunity' and is_tracked then 1 else 0 end) = 1
            as is_opportunity_tracked,
        max(case when funnel_stage = 'won' and is_tracked then 1 else 0 end) = 1 as is_won_tracked

    from funnel_stages_tracked

),

checked as (

    select
        leads_lifecycle.lead_id,
        case
            when leads_lifecycle.is_mql and not stages_tracked.is_mql_tracked
                then 'untracked stage reached: mql'
            when leads_lifecycle.is_sql and not stages_tracked.is_sql_tracked
                then 'untracked stage reached: sql'
            when leads_lifecycle.is_opportunity and not stages_tracked.is_opportunity_tracked
                then 'untracked stage reached: opportunity'
            when leads_lifecycle.is_won and not stages_tracked.is_won_tracked
                then 'untracked stage reached: won'
            when
                stages_tracked.is_mql_tracked and not leads_lifecycle.is_mql
                and (leads_lifecycle.is_sql or leads_lifecycle.is_opportunity or leads_lifecycle.is_won)
                then 'later stage without mql'
            when
                stages_tracked.is_sql_tracked and not leads_lifecycle.is_sql
                and (leads_lifecycle.is_opportunity or leads_lifecycle.is_won)
                then 'later stage without sql'
            when
                stages_tracked.is_opportunity_tracked and not leads_lifecycle.is_opportunity
                and leads_lifecycle.is_won
                then 'won without opportunity'
        end as broken_rule

    from leads_lifecycle
    cross join stages_tracked

)

select * from checked
where broken_rule is not null

{#-
    One row per valid lead with its rule-based lead score (weights in the lead_score_weights seed).

    fit_score: points for seniority + company size + declared budget band (USD), capped.
    engagement_score: points for each touchpoint and web session within the engagement window
    around the lead's creation, each decayed by 0.5 ^ (days from creation / half-life), capped.
    The decay runs from the lead's creation, not from the as-of date, so a lead's score does not
    drift as time passes and bands are comparable across cohorts.
    lead_score = round(fit + engagement), 0–100; score_band from the seed's band ranges.
-#}

with

leads_lifecycle as (

    select * from {{ ref('int_leads_lifecycle') }}

),

touchpoints as (

    select * from {{ ref('stg_crm__touchpoints') }}

),

web_sessions as (

    select * from {{ ref('stg_web__web_sessions') }}

),

lead_score_weights as (

    select * from {{ ref('lead_score_weights') }}

),

settings as (

    select
        max(case when rule_key = 'engagement_window_days' then setting_value end)
            as engagement_window_days,
        max(case when rule_key = 'engagement_half_life_days' then setting_value end)
            as engagement_half_life_days,
        max(case when rule_key = 'fit_max_points' then setting_value end) as fit_max_points,
        max(case when rule_key = 'engagement_max_points' then setting_value end)
            as engagement_max_points

    from lead_score_weights
    where rule_group = 'setting'

),

seniority_points as (

    select
        rule_key as seniority,
        points

    from lead_score_weights
    where rule_group = 'fit_seniority'

),

company_size_points as (

    select
        rule_key as company_size,
        points

    from lead_score_weights
    where rule_group = 'fit_company_size'

),

budget_bands as (

    select
        rule_key as budget_band,
        points,
        lower_bound,
        upper_bound

    from lead_score_weights
    where rule_group = 'fit_declared_budget'

),

score_bands as (

    select
        rule_key as score_band,
        lower_bound,
        upper_bound

    from lead_score_weights
    where rule_group = 'score_band'

),

activity_points as (

    select
        rule_group,
        rule_key,
        points

    from lead_score_weights
    where rule_group in ('engagement_touch', 'engagement_session')

),

fit_scored as (

    select
        leads_lifecycle.lead_id,
        leads_lifecycle.created_at,
        coalesce(seniority_points.points, 0)
        + coalesce(company_size_points.points, 0)
        + coalesce(budget_bands.points, 0) as fit_points

    from leads_lifecycle
    left join seniority_points
        on coalesce(leads_lifecycle.seniority, 'unknown') = seniority_points.seniority
    left join company_size_points
        on coalesce(leads_lifecycle.company_size, 'unknown') = company_size_points.company_size
    left join budget_bands
        on
            coalesce(leads_lifecycle.declared_budget >= budget_bands.lower_bound, false)
            and (
                leads_lifecycle.declared_budget < budget_bands.upper_bound
                or budget_bands.upper_bound is null
            )
            or (leads_lifecycle.declared_budget is null and budget_bands.budget_band = 'unknown')

),

lead_visitors as (

    -- A lead's anonymous visitor ids: from its touchpoints and from the session that created it.
    select distinct
        lead_id,
        visitor_id

    from touchpoints
    where lead_id is not null and visitor_id is not null

    union

    select distinct
        lead_id,
        visitor_id

    from web_sessions
    where lead_id is not null and visitor_id is not null

),

activities as (

    select
        touchpoints.lead_id,
        touchpoints.touched_at as activity_at,
        activity_points.points

    from touchpoints
    inner join activity_points
        on
            activity_points.rule_group = 'engagement_touch'
            and touchpoints.touch_type = activity_points.rule_key
    where touchpoints.lead_id is not null

    union all

    select
        lead_visitors.lead_id,
        web_sessions.session_started_at as activity_at,
        activity_points.points

    from web_sessions
    inner join lead_visitors
        on web_sessions.visitor_id = lead_visitors.visitor_id
    inner join activity_points
        on
            activity_points.rule_group = 'engagement_session'
            and activity_points.rule_key
            = case when web_sessions.is_bounced then 'bounced_session' else 'engaged_session' end

),

activities_in_window as (

    select
        fit_scored.lead_id,
        activities.points,
        abs({{ days_between('fit_scored.created_at', 'activities.activity_at') }}) as days_from_creation

    from fit_scored
    inner join activities
        on fit_scored.lead_id = activities.lead_id

),

engagement_per_lead as (

    select
        activities_in_window.lead_id,
        sum(
            activities_in_window.points
            * power(0.5, activities_in_window.days_from_creation / settings.engagement_half_life_days)
        ) as engagement_points

    from activities_in_window
    cross join settings
    where activities_in_window.days_from_creation <= settings.engagement_window_days
    group by activities_in_window.lead_id

),

scored as (

    select
        fit_scored.lead_id,
        cast(
            round(
                case
                    when fit_scored.fit_points > settings.fit_max_points then settings.fit_max_points
                    else fit_scored.fit_points
                end,
                2
            ) as double
        ) as fit_score,
        cast(
            round(
                case
                    when coalesce(engagement_per_lead.engagement_points, 0) > settings.engagement_max_points
                        then settings.engagement_max_points
                    else coalesce(engagement_per_lead.engagement_points, 0)
                end,
                2
            ) as double
        ) as engagement_score

    from fit_scored
    cross join settings
    left join engagement_per_lead
        on fit_scored.lead_id = engagement_per_lead.lead_id

),

final as (

    select
        scored.lead_id,
        scored.fit_score,
        scored.engagement_score,
        cast(round(scored.fit_score + scored.engagement_score, 0) as integer) as lead_score,
        score_bands.score_band

    from scored
    left join score_bands
        on
            round(scored.fit_score + scored.engagement_score, 0) >= score_bands.lower_bound
            and (
                round(scored.fit_score + scored.engagement_score, 0) < score_bands.upper_bound
                or score_bands.upper_bound is null
            )

)

select * from final

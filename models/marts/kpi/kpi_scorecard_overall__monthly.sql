{#-
    One overall score per month per company stage, from the all-channel rows of
    kpi_scorecard__monthly: overall_score = Σ weight × attainment_score / Σ weight, both sums over
    the stage's weighted KPIs that have an attainment this month (a KPI without a value or target
    is left out and the rest re-weighted; weight_covered says how much of the weight was scored).
    1 = every weighted KPI exactly on target; the cap on attainment_score (1.2) keeps one
    outperforming KPI from hiding the others. overall_health_band uses fixed thresholds: on_track
    at 0.95 and above, warning at 0.85 and above, critical below.

    Availability: a KPI the dataset cannot measure (kpi_availability) is never scored, so the score
    re-weights over the available KPIs; weight_available is the share of the stage's weight on
    KPIs that are available and unavailable_kpis lists the stage's weighted KPIs left out.
-#}

with

scorecard as (

    select * from {{ ref('kpi_scorecard__monthly') }}
    where channel_key = 'all' and weight > 0

),

scorecard_weights as (

    select * from {{ ref('scorecard_weights') }}

),

kpi_availability as (

    select * from {{ ref('int_availability') }}
    where item_type = 'kpi'

),

stage_availability as (

    select
        scorecard_weights.company_stage,
        sum(
            case when coalesce(kpi_availability.is_available, true) then scorecard_weights.weight else 0 end
        ) as weight_available,
        {{ sorted_string_agg(
            'case when not kpi_availability.is_available then scorecard_weights.kpi_id end', "', '"
        ) }} as unavailable_kpis

    from scorecard_weights
    left join kpi_availability
        on scorecard_weights.kpi_id = kpi_availability.item_id
    group by scorecard_weights.company_stage

),

aggregated as (

    select
        period_start,
        company_stage,
        sum(case when attainment_score is not null then weighted_score end) as weighted_score_sum,
        sum(case when attainment_score is not null then weight else 0 end) as weight_covered,
        count(*) as weighted_kpis,
        count(attainment_score) as scored_kpis,
        sum(case when health_band = 'on_track' then 1 else 0 end) as on_track_kpis,
        sum(case when health_band = 'warning' then 1 else 0 end) as warning_kpis,
        sum(case when health_band = 'critical' then 1 else 0 end) as critical_kpis

    from scorecard
    group by period_start, company_stage

),

scored as (

    select
        aggregated.*,
        stage_availability.weight_available,
        stage_availability.unavailable_kpis,
        {{ marketing_kpi.safe_divide('aggregated.weighted_score_sum', 'aggregated.weight_covered') }}
            as overall_score

    from aggregated
    left join stage_availability
        on aggregated.company_stage = stage_availability.company_stage

),

final as (

    select
        cast(period_start as date) as period_start,
        cast(company_stage as {{ dbt.type_string() }}) as company_stage,
        cast(overall_score as double) as overall_score,
        cast(
            {{ kpi_health_band('overall_score', 0.95, 0.85) }}
            as {{ dbt.type_string() }}
        ) as overall_health_band,
        cast(round(weight_covered, 9) as double) as weight_covered,
        cast(weighted_kpis as integer) as weighted_kpis,
        cast(scored_kpis as integer) as scored_kpis,
        cast(on_track_kpis as integer) as on_track_kpis,
        cast(warning_kpis as integer) as warning_kpis,
        cast(critical_kpis as integer) as critical_kpis,
        cast(round(weight_available, 9) as double) as weight_available,
        cast(nullif(unavailable_kpis, '') as {{ dbt.type_string() }}) as unavailable_kpis

    from scored

)

select * from final

{#-
    The KPI scorecard: one row per month per KPI per channel (channel_key 'all' = all channels)
    per company stage. Value from int_kpi_values__monthly (read from the KPI marts), target from
    seeds/reference/kpi_targets.csv, attainment direction-aware (kpi_attainment), health band from
    the registry's thresholds (kpi_health_band), and the KPI's weight for the company stage
    (seeds/reference/scorecard_weights.csv; 0 when the stage does not weigh the KPI).
    attainment_score = max(0, min(attainment, var('scorecard_attainment_cap', 1.2))): beating a
    target counts up to 20 % extra, a negative value (ROI) counts 0; weighted_score = weight ×
    attainment_score. Month-over-month and year-over-year changes compare with the same KPI and
    channel one and twelve months earlier: (value − earlier) / |earlier|, null when either is
    missing or the earlier value is 0.

    Availability: a KPI that cannot be measured with the data provided (kpi_availability) has
    is_available false and a null value, so it is never scored; score_status says why a row is or
    is not scored: scored, not available, no target (no target row in kpi_targets: targets are
    never invented, so with an empty kpi_targets nothing is scored), no value, or not scorable
    (value and target exist but attainment is undefined, e.g. a zero cost).
-#}

{%- set attainment_cap = var('scorecard_attainment_cap', 1.2) -%}

with

kpi_values as (

    select * from {{ ref('int_kpi_values__monthly') }}

),

kpi_registry as (

    select * from {{ ref('kpi_registry') }}

),

kpi_targets as (

    select * from {{ ref('kpi_targets') }}
    where period_type = 'month'

),

scorecard_weights as (

    select * from {{ ref('scorecard_weights') }}

),

company_stages as (

    select distinct company_stage from scorecard_weights

),

with_targets as (

    select
        kpi_values.period_start,
        kpi_values.period_type,
        kpi_values.kpi_id,
        kpi_values.channel_id,
        kpi_values.channel_key,
        kpi_values.numerator,
        kpi_values.denominator,
        kpi_values.value,
        kpi_values.is_available,
        kpi_registry.direction,
        kpi_registry.on_track_threshold,
        kpi_registry.warning_threshold,
        kpi_targets.target_value as target

    from kpi_values
    inner join kpi_registry
        on kpi_values.kpi_id = kpi_registry.kpi_id
    left join kpi_targets
        on
            kpi_values.kpi_id = kpi_targets.kpi_id
            and kpi_values.period_start = kpi_targets.period_start
            and kpi_values.channel_key = coalesce(kpi_targets.channel_id, 'all')

),

with_attainment as (

    select
        *,
        {{ kpi_attainment('value', 'target', 'direction') }} as attainment

    from with_targets

),

{#- least/greatest skip nulls on some engines: a missing attainment must stay a missing score #}

with_score as (

    select
        *,
        case
            when attainment is not null then greatest(0, least(attainment, {{ attainment_cap }}))
        end as attainment_score

    from with_attainment

),

with_changes as (

    select
        current_period.*,
        previous_period.value as previous_period_value,
        year_ago.value as year_ago_value

    from with_score as current_period
    left join with_score as previous_period
        on
            current_period.kpi_id = previous_period.kpi_id
            and current_period.channel_key = previous_period.channel_key
            and {{ dbt.dateadd('month', -1, 'current_period.period_start') }} = previous_period.period_start
    left join with_score as year_ago
        on
            current_period.kpi_id = year_ago.kpi_id
            and current_period.channel_key = year_ago.channel_key
            and {{ dbt.dateadd('month', -12, 'current_period.period_start') }} = year_ago.period_start

),

per_stage as (

    select
        with_changes.*,
        company_stages.company_stage,
        coalesce(scorecard_weights.weight, 0) as weight

    from with_changes
    cross join company_stages
    left join scorecard_weights
        on
            company_stages.company_stage = scorecard_weights.company_stage
            and with_changes.kpi_id = scorecard_weights.kpi_id

),

final as (

    select
        cast(period_start as date) as period_start,
        cast(period_type as {{ dbt.type_string() }}) as period_type,
        cast(kpi_id as {{ dbt.type_string() }}) as kpi_id,
        cast(channel_id as {{ dbt.type_string() }}) as channel_id,
        cast(channel_key as {{ dbt.type_string() }}) as channel_key,
        cast(company_stage as {{ dbt.type_string() }}) as company_stage,
        cast(numerator as double) as numerator,
        cast(denominator as double) as denominator,
        cast(value as double) as value,
        cast(target as double) as target,
        cast(direction as {{ dbt.type_string() }}) as direction,
        cast(attainment as double) as attainment,
        cast(attainment_score as double) as attainment_score,
        cast(
            {{ kpi_health_band('attainment', 'on_track_threshold', 'warning_threshold') }}
            as {{ dbt.type_string() }}
        ) as health_band,
        cast(weight as double) as weight,
        cast(weight * attainment_score as double) as weighted_score,
        is_available,
        cast(
            case
                when not is_available then 'not available'
                when target is null then 'no target'
                when value is null then 'no value'
                when attainment is null then 'not scorable'
                else 'scored'
            end as {{ dbt.type_string() }}
        ) as score_status,
        cast(previous_period_value as double) as previous_period_value,
        cast(
            {{ marketing_kpi.safe_divide('value - previous_period_value', 'abs(previous_period_value)') }}
            as double
        ) as period_over_period_change,
        cast(year_ago_value as double) as year_ago_value,
        cast({{ marketing_kpi.safe_divide('value - year_ago_value', 'abs(year_ago_value)') }} as double)
            as year_over_year_change

    from per_stage

)

select * from final

{#-
    Weekly anomaly detection on channel delivery and cost KPIs: one row per complete ISO week per
    metric per channel (channel_key 'all' = all channels), from int_kpi_values__weekly.

    Baseline: the same metric and channel in the trailing var('anomaly_baseline_weeks', 8) weeks
    before the week (the week itself excluded), weeks with a null value skipped.
      baseline_median        median of the baseline values
      baseline_mad           median absolute deviation from baseline_median
      robust_scale           1.4826 × MAD (a standard deviation for normal data); when the MAD is
                             0 (more than half the baseline identical), 1.2533 × the mean absolute
                             deviation instead; null when every baseline value is identical
      robust_z_score         (value − baseline_median) / robust_scale
    is_anomaly: the baseline has at least var('anomaly_min_baseline_weeks', 6) values and either
    |robust_z_score| > var('anomaly_z_threshold', 3.5) (Iglewicz and Hoaglin's modified z-score
    cut-off), or the baseline is perfectly flat (robust_scale null) and the value left it.
    anomaly_direction: 'up' or 'down' when flagged. Week-over-week and year-over-year (52 weeks)
    changes: (value − earlier) / |earlier|, null when either is missing or the earlier value is 0.
-#}

{%- set baseline_weeks = var('anomaly_baseline_weeks', 8) -%}
{%- set min_baseline_weeks = var('anomaly_min_baseline_weeks', 6) -%}
{%- set z_threshold = var('anomaly_z_threshold', 3.5) -%}

with

weekly_values as (

    select * from {{ ref('int_kpi_values__weekly') }}
    where is_complete_period

),

baseline_points as (

    select
        current_week.period_start,
        current_week.metric_id,
        current_week.channel_key,
        history.value as baseline_value

    from weekly_values as current_week
    inner join weekly_values as history
        on
            current_week.metric_id = history.metric_id
            and current_week.channel_key = history.channel_key
            and current_week.period_start > history.period_start
            and history.period_start
            >= {{ dbt.dateadd('day', -7 * baseline_weeks, 'current_week.period_start') }}
    where history.value is not null

),

baseline_medians as (

    select
        period_start,
        metric_id,
        channel_key,
        count(*) as baseline_weeks,
        {{ percentile_continuous('baseline_value', 0.5) }} as baseline_median

    from baseline_points
    group by period_start, metric_id, channel_key

),

baseline_deviations as (

    select
        baseline_points.period_start,
        baseline_points.metric_id,
        baseline_points.channel_key,
        abs(baseline_points.baseline_value - baseline_medians.baseline_median) as absolute_deviation

    from baseline_points
    inner join baseline_medians
        on
            baseline_points.period_start = baseline_medians.period_start
            and baseline_points.metric_id = baseline_medians.metric_id
            and baseline_points.channel_key = baseline_medians.channel_key

),

baseline_spread as (

    select
        period_start,
        metric_id,
        channel_key,
        {{ percentile_continuous('absolute_deviation', 0.5) }} as baseline_mad,
        avg(absolute_deviation) as baseline_mean_absolute_deviation

    from baseline_deviations
    group by period_start, metric_id, channel_key

),

baselines as (

    select
        baseline_medians.period_start,
        baseline_medians.metric_id,
        baseline_medians.channel_key,
        baseline_medians.baseline_weeks,
        baseline_medians.baseline_median,
        baseline_spread.baseline_mad,
        case
            when baseline_spread.baseline_mad > 0 then 1.4826 * baseline_spread.baseline_mad
            when baseline_spread.baseline_mean_absolute_deviation > 0
                then 1.2533 * baseline_spread.baseline_mean_absolute_deviation
        end as robust_scale

    from baseline_medians
    inner join baseline_spread
        on
            baseline_medians.period_start = baseline_spread.period_start
            and baseline_medians.metric_id = baseline_spread.metric_id
            and baseline_medians.channel_key = baseline_spread.channel_key

),

scored as (

    select
        weekly_values.period_start,
        weekly_values.metric_id,
        weekly_values.channel_id,
        weekly_values.channel_key,
        weekly_values.value,
        coalesce(baselines.baseline_weeks, 0) as baseline_weeks,
        baselines.baseline_median,
        baselines.baseline_mad,
        baselines.robust_scale,
        {{ marketing_kpi.safe_divide(
            'weekly_values.value - baselines.baseline_median', 'baselines.robust_scale'
        ) }} as robust_z_score,
        previous_week.value as previous_week_value,
        year_ago.value as year_ago_value

    from weekly_values
    left join baselines
        on
            weekly_values.period_start = baselines.period_start
            and weekly_values.metric_id = baselines.metric_id
            and weekly_values.channel_key = baselines.channel_key
    left join weekly_values as previous_week
        on
            weekly_values.metric_id = previous_week.metric_id
            and weekly_values.channel_key = previous_week.channel_key
            and {{ dbt.dateadd('day', -7, 'weekly_values.period_start') }} = previous_week.period_start
    left join weekly_values as year_ago
        on
            weekly_values.metric_id = year_ago.metric_id
            and weekly_values.channel_key = year_ago.channel_key
            and {{ dbt.dateadd('day', -364, 'weekly_values.period_start') }} = year_ago.period_start

),

flagged as (

    select
        *,
        coalesce(
            value is not null
            and baseline_weeks >= {{ min_baseline_weeks }}
            and (
                abs(robust_z_score) > {{ z_threshold }}
                or (robust_scale is null and value != baseline_median)
            ),
            false
        ) as is_anomaly

    from scored

),

final as (

    select
        cast(period_start as date) as period_start,
        cast(metric_id as {{ dbt.type_string() }}) as metric_id,
        cast(channel_id as {{ dbt.type_string() }}) as channel_id,
        cast(channel_key as {{ dbt.type_string() }}) as channel_key,
        cast(value as double) as value,
        cast(baseline_weeks as integer) as baseline_weeks,
        cast(baseline_median as double) as baseline_median,
        cast(baseline_mad as double) as baseline_mad,
        cast(robust_scale as double) as robust_scale,
        cast(robust_z_score as double) as robust_z_score,
        cast(is_anomaly as boolean) as is_anomaly,
        cast(case
            when is_anomaly and value > baseline_median then 'up'
            when is_anomaly and value < baseline_median then 'down'
        end as {{ dbt.type_string() }}) as anomaly_direction,
        cast(previous_week_value as double) as previous_week_value,
        cast(
            {{ marketing_kpi.safe_divide('value - previous_week_value', 'abs(previous_week_value)') }}
            as double
        ) as week_over_week_change,
        cast(year_ago_value as double) as year_ago_value,
        cast({{ marketing_kpi.safe_divide('value - year_ago_value', 'abs(year_ago_value)') }} as double)
            as year_over_year_change

    from flagged

)

select * from final

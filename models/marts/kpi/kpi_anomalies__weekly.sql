{#-
    Weekly anomaly detection on channel delivery and cost KPIs: one row per ISO week per metric
    per channel (channel_key 'all' = all channels), from int_kpi_values__weekly. Method and the
    reasoning behind each rule: docs/GOVERNANCE.md "Anomalies".

    Which weeks are evaluated (not_evaluated_reason says why a week is not, first rule that applies):
      incomplete_week      the week is partial in the data or does not end on or before the as-of
                           date (macro as_of_date): a partial week is never tested
      holiday_week         the week holds a day of the holidays reference (an expected dip)
      insufficient_volume  the count behind the value is below var('anomaly_min_volume', 5):
                           a ratio KPI's denominator in the week (impressions for CTR and CPM,
                           clicks for CPC, leads for CPL, new customers for CAC); for a count
                           (impressions, clicks, leads, new customers) the larger of the week's
                           count and the baseline median, so a collapse to zero is still tested;
                           spend is a money amount with no count behind it and is not gated
      missing_value        the week has no value
      short_baseline       fewer than var('anomaly_min_baseline_weeks', 6) baseline weeks
      degenerate_baseline  baseline median 0 or spread 0 (MAD 0: more than half of the baseline
                           weeks share one value), where a z-score has no meaning
    Baseline: the same metric and channel in the trailing var('anomaly_baseline_weeks', 8) weeks
    before the week (the week itself excluded): complete non-holiday weeks with a value, and for
    a ratio KPI only weeks whose denominator reaches the volume threshold.
      baseline_median      median of the baseline values
      baseline_mad         median absolute deviation from baseline_median (the spread)
      sampling_error       the Poisson noise of the week at its volume: sqrt(baseline_median) for
                           a count, |baseline_median| / sqrt(volume) for a ratio, null for spend
      robust_scale         the larger of 1.4826 × MAD and sampling_error; null when MAD is 0
      robust_z_score       (value − baseline_median) / robust_scale, evaluated weeks only
      relative_change_from_baseline  (value − baseline_median) / |baseline_median|, evaluated only
    An outlier: an evaluated week with |robust_z_score| > var('anomaly_z_threshold', 4.0) and
    |relative_change_from_baseline| >= var('anomaly_min_relative_change', 0.25). is_anomaly: an
    outlier whose previous week was not an outlier in the same direction (a sustained shift alerts
    once, at its onset); is_continued_anomaly: an outlier that continues the previous week's.
    anomaly_direction: 'up' or 'down' when flagged. Week-over-week and year-over-year (52 weeks)
    changes between complete weeks: (value − earlier) / |earlier|, null when either is missing or
    partial or the earlier value is 0.
-#}

{%- set baseline_weeks = var('anomaly_baseline_weeks', 8) -%}
{%- set min_baseline_weeks = var('anomaly_min_baseline_weeks', 6) -%}
{%- set z_threshold = var('anomaly_z_threshold', 4.0) -%}
{%- set min_volume = var('anomaly_min_volume', 5) -%}
{%- set min_relative_change = var('anomaly_min_relative_change', 0.25) -%}
{#- metrics whose value is a count of events (their volume is the count itself) and money
    amounts (no volume gate); every other metric is a ratio whose volume is its denominator #}
{%- set count_metrics = ['impressions', 'clicks', 'leads', 'new_customers'] -%}
{%- set money_metrics = ['spend'] -%}
{%- set count_list = "'" ~ count_metrics | join("', '") ~ "'" -%}
{%- set money_list = "'" ~ money_metrics | join("', '") ~ "'" -%}

with

kpi_values as (

    select * from {{ ref('int_kpi_values__weekly') }}

),

holidays as (

    select * from {{ ref('holidays') }}

),

holiday_weeks as (

    select distinct cast({{ dbt.date_trunc('week', 'holiday_date') }} as date) as period_start
    from holidays

),

weekly_values as (

    select
        kpi_values.period_start,
        kpi_values.metric_id,
        kpi_values.channel_id,
        kpi_values.channel_key,
        kpi_values.value,
        holiday_weeks.period_start is not null as is_holiday_week,
        case
            when kpi_values.metric_id in ({{ money_list }}) then 'money'
            when kpi_values.metric_id in ({{ count_list }}) then 'count'
            else 'ratio'
        end as metric_kind,
        case
            when kpi_values.metric_id in ({{ money_list }}) then null
            when kpi_values.metric_id in ({{ count_list }}) then kpi_values.numerator
            else coalesce(kpi_values.denominator, 0)
        end as volume,
        coalesce(
            kpi_values.is_complete_period
            and {{ dbt.dateadd('day', 6, 'kpi_values.period_start') }} <= {{ as_of_date() }},
            false
        ) as is_complete_week

    from kpi_values
    left join holiday_weeks
        on kpi_values.period_start = holiday_weeks.period_start

),

{#- the weeks a baseline may use: complete, with a value, and a ratio only over enough volume #}

history_weeks as (

    select * from weekly_values
    where
        is_complete_week
        and not is_holiday_week
        and value is not null
        and (metric_kind != 'ratio' or volume >= {{ min_volume }})

),

baseline_points as (

    select
        current_week.period_start,
        current_week.metric_id,
        current_week.channel_key,
        history.value as baseline_value

    from weekly_values as current_week
    inner join history_weeks as history
        on
            current_week.metric_id = history.metric_id
            and current_week.channel_key = history.channel_key
            and current_week.period_start > history.period_start
            and history.period_start
            >= {{ dbt.dateadd('day', -7 * baseline_weeks, 'current_week.period_start') }}

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
        {{ percentile_continuous('absolute_deviation', 0.5) }} as baseline_mad

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
        baseline_spread.baseline_mad

    from baseline_medians
    inner join baseline_spread
        on
            baseline_medians.period_start = baseline_spread.period_start
            and baseline_medians.metric_id = baseline_spread.metric_id
            and baseline_medians.channel_key = baseline_spread.channel_key

),

with_baseline as (

    select
        weekly_values.period_start,
        weekly_values.metric_id,
        weekly_values.channel_id,
        weekly_values.channel_key,
        weekly_values.metric_kind,
        weekly_values.value,
        weekly_values.volume,
        weekly_values.is_complete_week,
        weekly_values.is_holiday_week,
        coalesce(baselines.baseline_weeks, 0) as baseline_weeks,
        baselines.baseline_median,
        baselines.baseline_mad,
        {#- the counting noise the week's value carries at its volume (Poisson): a count with
            the baseline's level varies by sqrt(level), a ratio over n events by value / sqrt(n) #}
        case
            when weekly_values.metric_kind = 'count' then sqrt(baselines.baseline_median)
            when weekly_values.metric_kind = 'ratio' and weekly_values.volume > 0
                then abs(baselines.baseline_median) / sqrt(weekly_values.volume)
        end as sampling_error

    from weekly_values
    left join baselines
        on
            weekly_values.period_start = baselines.period_start
            and weekly_values.metric_id = baselines.metric_id
            and weekly_values.channel_key = baselines.channel_key

),

evaluation as (

    select
        *,
        case
            when not is_complete_week then 'incomplete_week'
            when is_holiday_week then 'holiday_week'
            when
                metric_kind = 'ratio'
                and volume < {{ min_volume }}
                then 'insufficient_volume'
            when
                metric_kind = 'count'
                and greatest(coalesce(volume, 0), coalesce(baseline_median, 0)) < {{ min_volume }}
                then 'insufficient_volume'
            when value is null then 'missing_value'
            when baseline_weeks < {{ min_baseline_weeks }} then 'short_baseline'
            when baseline_median = 0 or not baseline_mad > 0 then 'degenerate_baseline'
        end as not_evaluated_reason

    from with_baseline

),

scaled as (

    select
        *,
        case
            when baseline_mad > 0
                then greatest(1.4826 * baseline_mad, coalesce(sampling_error, 0))
        end as robust_scale

    from evaluation

),

scored as (

    select
        *,
        case
            when not_evaluated_reason is null
                then (value - baseline_median) / robust_scale
        end as robust_z_score,
        case
            when not_evaluated_reason is null
                then (value - baseline_median) / abs(baseline_median)
        end as relative_change_from_baseline

    from scaled

),

outliers as (

    select
        *,
        case
            when
                not_evaluated_reason is null
                and abs(robust_z_score) > {{ z_threshold }}
                and abs(relative_change_from_baseline) >= {{ min_relative_change }}
                then case when value > baseline_median then 'up' else 'down' end
        end as outlier_direction

    from scored

),

{#- a sustained shift alerts once, at its onset: a week whose previous week was already an
    outlier in the same direction continues that anomaly instead of raising a new one #}

flagged as (

    select
        outliers.*,
        coalesce(outliers.outlier_direction = previous_outlier.outlier_direction, false)
            as is_continued_anomaly,
        coalesce(
            outliers.outlier_direction is not null
            and not coalesce(outliers.outlier_direction = previous_outlier.outlier_direction, false),
            false
        ) as is_anomaly

    from outliers
    left join outliers as previous_outlier
        on
            outliers.metric_id = previous_outlier.metric_id
            and outliers.channel_key = previous_outlier.channel_key
            and {{ dbt.dateadd('day', -7, 'outliers.period_start') }} = previous_outlier.period_start

),

complete_weeks as (

    select * from weekly_values
    where is_complete_week

),

compared as (

    select
        flagged.*,
        previous_week.value as previous_week_value,
        year_ago.value as year_ago_value

    from flagged
    left join complete_weeks as previous_week
        on
            flagged.is_complete_week
            and flagged.metric_id = previous_week.metric_id
            and flagged.channel_key = previous_week.channel_key
            and {{ dbt.dateadd('day', -7, 'flagged.period_start') }} = previous_week.period_start
    left join complete_weeks as year_ago
        on
            flagged.is_complete_week
            and flagged.metric_id = year_ago.metric_id
            and flagged.channel_key = year_ago.channel_key
            and {{ dbt.dateadd('day', -364, 'flagged.period_start') }} = year_ago.period_start

),

final as (

    select
        cast(period_start as date) as period_start,
        cast(metric_id as {{ dbt.type_string() }}) as metric_id,
        cast(channel_id as {{ dbt.type_string() }}) as channel_id,
        cast(channel_key as {{ dbt.type_string() }}) as channel_key,
        cast(value as double) as value,
        cast(volume as double) as volume,
        cast(is_complete_week as boolean) as is_complete_week,
        cast(baseline_weeks as integer) as baseline_weeks,
        cast(baseline_median as double) as baseline_median,
        cast(baseline_mad as double) as baseline_mad,
        cast(sampling_error as double) as sampling_error,
        cast(robust_scale as double) as robust_scale,
        cast(robust_z_score as double) as robust_z_score,
        cast(relative_change_from_baseline as double) as relative_change_from_baseline,
        cast(not_evaluated_reason is null as boolean) as is_evaluated,
        cast(not_evaluated_reason as {{ dbt.type_string() }}) as not_evaluated_reason,
        cast(is_anomaly as boolean) as is_anomaly,
        cast(case when is_anomaly then outlier_direction end as {{ dbt.type_string() }})
            as anomaly_direction,
        cast(is_continued_anomaly as boolean) as is_continued_anomaly,
        cast(previous_week_value as double) as previous_week_value,
        cast(
            {{ marketing_kpi.safe_divide('value - previous_week_value', 'abs(previous_week_value)') }}
            as double
        ) as week_over_week_change,
        cast(year_ago_value as double) as year_ago_value,
        cast({{ marketing_kpi.safe_divide('value - year_ago_value', 'abs(year_ago_value)') }} as double)
            as year_over_year_change

    from compared

)

select * from final

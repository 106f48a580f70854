{#-
    On the embedded dataset the series are flat apart from the planted anomalies
    (seeds/reference/planted_anomalies.csv), so every other flag of kpi_anomalies__weekly is a
    false alarm. False-alarm rate = flags not explained by a planted anomaly / KPI-weeks evaluated
    (is_evaluated); fails when it reaches var('anomaly_max_false_alarm_rate', 0.01), or when
    nothing was evaluated. A flag is explained by a planted anomaly of the same metric and week on
    the same channel or on channel_key 'all' (the all-channel series contains the planted channel).
    Runs only when a planted anomaly is in the data (your own data has none: the rate of real
    anomalies is not a defect).
-#}

{%- set max_false_alarm_rate = var('anomaly_max_false_alarm_rate', 0.01) -%}

with

planted_anomalies as (

    select * from {{ ref('planted_anomalies') }}

),

anomalies as (

    select * from {{ ref('kpi_anomalies__weekly') }}

),

planted_in_data as (

    select count(*) as planted_rows
    from planted_anomalies
    where
        exists (
            select 1
            from anomalies
            where
                anomalies.metric_id = planted_anomalies.metric_id
                and anomalies.channel_key = planted_anomalies.channel_id
                and anomalies.period_start = planted_anomalies.period_start
        )

),

classified as (

    select
        anomalies.is_evaluated,
        anomalies.is_anomaly
        and not exists (
            select 1
            from planted_anomalies
            where
                planted_anomalies.metric_id = anomalies.metric_id
                and planted_anomalies.period_start = anomalies.period_start
                and (
                    planted_anomalies.channel_id = anomalies.channel_key
                    or anomalies.channel_key = 'all'
                )
        ) as is_false_alarm

    from anomalies

),

rate as (

    select
        sum(case when is_evaluated then 1 else 0 end) as evaluated_weeks,
        sum(case when is_false_alarm then 1 else 0 end) as false_alarms,
        {{ marketing_kpi.safe_divide(
            'sum(case when is_false_alarm then 1 else 0 end)',
            'sum(case when is_evaluated then 1 else 0 end)'
        ) }} as false_alarm_rate,
        {{ max_false_alarm_rate }} as max_false_alarm_rate

    from classified

)

select rate.*
from rate
cross join planted_in_data
where
    planted_in_data.planted_rows > 0
    and (coalesce(rate.evaluated_weeks, 0) = 0 or rate.false_alarm_rate >= rate.max_false_alarm_rate)

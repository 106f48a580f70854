{#-
    The anomaly planted in the embedded dataset (seeds/raw/_dirt_manifest.json: meta_ads spend ×4
    in the week of 2026-06-08 with flat leads) is flagged by kpi_anomalies__weekly, in the expected
    direction, for every metric listed in seeds/reference/planted_anomalies.csv. Fails when a flag
    disappears. Rows whose week and channel are not in the data (your own data), or whose metric
    has no value there (its source was not provided: kpi_availability), are not checked.
-#}

with

planted_anomalies as (

    select * from {{ ref('planted_anomalies') }}

),

anomalies as (

    select * from {{ ref('kpi_anomalies__weekly') }}

),

weekly_values as (

    select * from {{ ref('int_kpi_values__weekly') }}

),

in_data as (

    select planted_anomalies.*
    from planted_anomalies
    where
        exists (
            select 1
            from weekly_values
            where
                weekly_values.metric_id = planted_anomalies.metric_id
                and weekly_values.channel_id = planted_anomalies.channel_id
                and weekly_values.period_start = planted_anomalies.period_start
                and weekly_values.value is not null
        )

),

checked as (

    select
        in_data.metric_id,
        in_data.channel_id,
        in_data.period_start,
        in_data.expected_direction,
        anomalies.is_anomaly,
        anomalies.anomaly_direction,
        anomalies.robust_z_score

    from in_data
    left join anomalies
        on
            in_data.metric_id = anomalies.metric_id
            and in_data.channel_id = anomalies.channel_key
            and in_data.period_start = anomalies.period_start

)

select * from checked
where not coalesce(is_anomaly and anomaly_direction = expected_direction, false)

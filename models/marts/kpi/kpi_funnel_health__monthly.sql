{#-
    Funnel health: one row per month per funnel stage transition per source channel
    (channel_key 'all' = all channels). The transition's period (flow) conversion rate from
    kpi_funnel_conversion__monthly (via int_kpi_values__monthly: channel rows as the mart has
    them, the all-channel row a ratio of summed stage counts) banded against
    seeds/reference/funnel_health_ranges.csv: 'ideal' inside [ideal_min, ideal_max], 'warning'
    inside [warning_min, warning_max], 'danger' outside it (too low leaks the funnel, too high
    usually means the stage's bar is too low); null when there is no rate (no entries upstream).
-#}

with

kpi_values as (

    select * from {{ ref('int_kpi_values__monthly') }}

),

funnel_health_ranges as (

    select * from {{ ref('funnel_health_ranges') }}

),

joined as (

    select
        kpi_values.period_start,
        kpi_values.channel_id,
        kpi_values.channel_key,
        kpi_values.kpi_id,
        funnel_health_ranges.from_stage,
        funnel_health_ranges.to_stage,
        funnel_health_ranges.stage_order,
        kpi_values.numerator as to_stage_entries,
        kpi_values.denominator as from_stage_entries,
        kpi_values.value as conversion_value,
        funnel_health_ranges.ideal_min,
        funnel_health_ranges.ideal_max,
        funnel_health_ranges.warning_min,
        funnel_health_ranges.warning_max

    from kpi_values
    inner join funnel_health_ranges
        on kpi_values.kpi_id = funnel_health_ranges.kpi_id
    where kpi_values.source_model = 'kpi_funnel_conversion__monthly'

),

final as (

    select
        cast(period_start as date) as date_month,
        cast(channel_id as {{ dbt.type_string() }}) as channel_id,
        cast(channel_key as {{ dbt.type_string() }}) as channel_key,
        cast(kpi_id as {{ dbt.type_string() }}) as kpi_id,
        cast(from_stage as {{ dbt.type_string() }}) as from_stage,
        cast(to_stage as {{ dbt.type_string() }}) as to_stage,
        cast(stage_order as integer) as stage_order,
        cast(from_stage_entries as bigint) as from_stage_entries,
        cast(to_stage_entries as bigint) as to_stage_entries,
        cast(conversion_value as double) as conversion_value,
        cast(ideal_min as double) as ideal_min,
        cast(ideal_max as double) as ideal_max,
        cast(warning_min as double) as warning_min,
        cast(warning_max as double) as warning_max,
        cast(case
            when conversion_value is null then null
            when conversion_value between ideal_min and ideal_max then 'ideal'
            when conversion_value between warning_min and warning_max then 'warning'
            else 'danger'
        end as {{ dbt.type_string() }}) as health_band

    from joined

)

select * from final

-- Every target of a fraction KPI (registry unit 'fraction', a share between 0 and 1) is in
-- [0, 1] (seeds/reference/kpi_targets.csv, made by marketing_kpi.kpi_targets): a retention target
-- of 1.05 could never be reached. Returns the offending targets.
with

kpi_targets as (

    select * from {{ ref('kpi_targets') }}

),

kpi_registry as (

    select * from {{ ref('kpi_registry') }}

),

fraction_targets as (

    select
        kpi_targets.kpi_id,
        kpi_targets.period_type,
        kpi_targets.period_start,
        kpi_targets.channel_id,
        kpi_targets.target_value

    from kpi_targets
    inner join kpi_registry
        on kpi_targets.kpi_id = kpi_registry.kpi_id
    where kpi_registry.unit = 'fraction'

)

select * from fraction_targets
where target_value < 0 or target_value > 1

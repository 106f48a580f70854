{#-
    Every row of int_kpi_values__monthly satisfies value = formula(numerator, denominator) with the
    KPI's formula macro: the values read from the marts agree with the components stored next to
    them, so re-aggregating the components (all channels, quarters) is sound.
-#}
with

kpi_values as (

    select * from {{ ref('int_kpi_values__monthly') }}

),

recomputed as (

    select
        *,
        {{ kpi_value_from_components('kpi_id', 'numerator', 'denominator') }} as formula_value

    from kpi_values

)

select * from recomputed
where
    (value is null) != (formula_value is null)
    or abs(value - formula_value) > 1e-6 * greatest(1, abs(value))

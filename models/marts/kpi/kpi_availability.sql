{#-
    Which KPIs the dataset can measure: one row per registry KPI. A KPI is not available when a
    table it needs was not provided (empty) or when it counts a funnel stage the CRM does not
    track; it is then null in every mart column that carries it, never 0, and the scorecard
    re-weights over the available KPIs. reason says why, in plain words.
-#}

with

availability as (

    select * from {{ ref('int_availability') }}
    where item_type = 'kpi'

),

kpi_registry as (

    select * from {{ ref('kpi_registry') }}

),

final as (

    select
        cast(kpi_registry.kpi_id as {{ dbt.type_string() }}) as kpi_id,
        cast(kpi_registry.display_name as {{ dbt.type_string() }}) as display_name,
        cast(kpi_registry.mart_model as {{ dbt.type_string() }}) as mart_model,
        cast(kpi_registry.mart_column as {{ dbt.type_string() }}) as mart_column,
        coalesce(availability.is_available, true) as is_available,
        cast(kpi_registry.required_sources as {{ dbt.type_string() }}) as required_sources,
        cast(availability.missing_sources as {{ dbt.type_string() }}) as missing_sources,
        cast(kpi_registry.required_funnel_stages as {{ dbt.type_string() }}) as required_funnel_stages,
        cast(availability.untracked_funnel_stages as {{ dbt.type_string() }}) as untracked_funnel_stages,
        cast(availability.reason as {{ dbt.type_string() }}) as reason

    from kpi_registry
    left join availability
        on kpi_registry.kpi_id = availability.item_id

)

select * from final

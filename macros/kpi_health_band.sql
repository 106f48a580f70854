{#-
    kpi_health_band(attainment, on_track_threshold, warning_threshold): 'on_track' when attainment
    is at or above on_track_threshold, 'warning' when at or above warning_threshold, 'critical'
    below it; null when attainment is null (no value or no target). Thresholds come from the KPI
    registry (seeds/reference/kpi_registry.csv).
-#}
{% macro kpi_health_band(attainment, on_track_threshold, warning_threshold) -%}
    case
        when {{ attainment }} is null then null
        when {{ attainment }} >= {{ on_track_threshold }} then 'on_track'
        when {{ attainment }} >= {{ warning_threshold }} then 'warning'
        else 'critical'
    end
{%- endmacro %}

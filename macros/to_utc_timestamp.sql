{#-
    to_utc_timestamp(column): an ISO 8601 timestamp with or without an offset ('2025-03-04
    12:15:00+02:00', '2025-03-04T10:15:00Z', '2025-03-04 10:15:00') as a timestamp in UTC.
    Values without an offset are UTC by contract. Unparseable values become null (the base models
    quarantine them as unparseable_value). Dispatched: DuckDB (default) casts through timestamptz;
    Spark casts to its session-time-zone timestamp (the profile sets spark.sql.session.timeZone
    to UTC), which applies the offset.
-#}
{% macro to_utc_timestamp(column) -%}
    {{ return(adapter.dispatch('to_utc_timestamp', 'marketing_kpi')(column)) }}
{%- endmacro %}

{% macro default__to_utc_timestamp(column) -%}
    timezone('UTC', try_cast(cast({{ column }} as {{ dbt.type_string() }}) as timestamptz))
{%- endmacro %}

{% macro spark__to_utc_timestamp(column) -%}
    try_cast(cast({{ column }} as {{ dbt.type_string() }}) as timestamp)
{%- endmacro %}

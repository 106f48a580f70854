{#-
    to_utc_timestamp(column, table=none): an ISO 8601 timestamp with or without an offset
    ('2025-03-04 12:15:00+02:00', '2025-03-04T10:15:00Z', '2025-03-04 10:15:00') as a timestamp in
    UTC. A value with an offset (or Z) keeps it. A value without one is local time in the table's
    source time zone: source_time_zone_of(table), i.e. the dbt var source_time_zones
    ('leads=America/Sao_Paulo,orders=Europe/Berlin', from MKPI_SOURCE_TIMEZONES) for that table,
    else the var source_time_zone (MKPI_SOURCE_TIMEZONE), else UTC. Local times that fall in a
    daylight-saving gap or overlap are resolved by the engine's time-zone library (ICU on DuckDB).
    Unparseable values become null (the base models quarantine them as unparseable_value).
    Dispatched: DuckDB (default) casts through timestamptz; Spark casts to its session-time-zone
    timestamp (the profile sets spark.sql.session.timeZone to UTC), which applies the offset.
-#}
{% macro to_utc_timestamp(column, table=none) -%}
    {{ return(adapter.dispatch('to_utc_timestamp', 'marketing_kpi')(column, table)) }}
{%- endmacro %}

{% macro default__to_utc_timestamp(column, table=none) -%}
    {%- set zone = marketing_kpi.source_time_zone_of(table) -%}
    {%- set text = 'cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')' -%}
    {%- if zone == 'UTC' -%}
        timezone('UTC', try_cast({{ text }} as timestamptz))
    {%- else -%}
        case
            when regexp_matches({{ text }}, '([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)$')
                then timezone('UTC', try_cast({{ text }} as timestamptz))
            else timezone('UTC', timezone('{{ zone }}', try_cast({{ text }} as timestamp)))
        end
    {%- endif -%}
{%- endmacro %}

{% macro spark__to_utc_timestamp(column, table=none) -%}
    {%- set zone = marketing_kpi.source_time_zone_of(table) -%}
    {%- set text = 'cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')' -%}
    {%- if zone == 'UTC' -%}
        try_cast({{ text }} as timestamp)
    {%- else -%}
        case
            when {{ text }} rlike '([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)$'
                then try_cast({{ text }} as timestamp)
            else to_utc_timestamp(try_cast({{ text }} as timestamp), '{{ zone }}')
        end
    {%- endif -%}
{%- endmacro %}

{#-
    source_time_zone_of(table): the IANA time zone naive timestamps of a raw table are written in:
    the table's entry in var('source_time_zones') ('table=Zone,table=Zone'), else
    var('source_time_zone'), else 'UTC'. A zone name is letters, digits and / _ + - only
    (it is inlined into SQL); anything else is a compile error naming the setting.
-#}
{% macro source_time_zone_of(table=none) -%}
    {%- set chosen = {'zone': var('source_time_zone', 'UTC') or 'UTC'} -%}
    {%- set per_table = (var('source_time_zones', '') or '') | string -%}
    {%- for entry in per_table.split(',') if entry.strip() -%}
        {%- if '=' not in entry -%}
            {{ exceptions.raise_compiler_error("source_time_zones: '" ~ entry.strip() ~ "' is not table=Zone (MKPI_SOURCE_TIMEZONES)") }}
        {%- endif -%}
        {%- set parts = entry.split('=', 1) -%}
        {%- if table and parts[0].strip() == table -%}
            {%- do chosen.update({'zone': parts[1].strip()}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set zone = chosen['zone'] | string | trim -%}
    {%- if modules.re.fullmatch('[A-Za-z0-9/_+-]+', zone) is none -%}
        {{ exceptions.raise_compiler_error("source time zone '" ~ zone ~ "' is not a time zone name (MKPI_SOURCE_TIMEZONE / MKPI_SOURCE_TIMEZONES)") }}
    {%- endif -%}
    {{ return(zone) }}
{%- endmacro %}

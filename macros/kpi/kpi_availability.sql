{#-
    Availability: a KPI, a measure or a funnel-stage count is computed only when the data behind
    it exists, and is null (never 0) otherwise. The one check, if_available, reads
    int_availability (one row per availability item: a source table, a funnel stage or a KPI) with
    an uncorrelated scalar subquery, which every engine evaluates once per query:

      kpi_if_available(kpi_id, expression)            the KPI's registry requirements are met
      measure_if_provided(source_tables, expression)  every listed table was provided
      stage_if_tracked(funnel_stage, expression)      the CRM tracks the funnel stage

    An item without a row counts as available (int_availability has a row for every registry KPI,
    every source table and every funnel stage, tested), so a unit test that gives the model an
    empty int_availability fixture exercises today's arithmetic unchanged.

    availability_source_tables() lists the tables stg_meta__sources_provided reports, as
    (table, kind) pairs: every table of the raw data contract, then the reference tables.
-#}

{% macro if_available(item_type, item_ids, expression) -%}
    case
        when coalesce((
            select max(case when availability.is_available then 0 else 1 end)
            from {{ ref('int_availability') }} as availability
            where
                availability.item_type = '{{ item_type }}'
                and availability.item_id in (
                    {%- for item_id in item_ids -%}
                        '{{ item_id }}'{{ ', ' if not loop.last }}
                    {%- endfor -%}
                )
        ), 0) = 0
            then {{ expression }}
    end
{%- endmacro %}

{% macro kpi_if_available(kpi_id, expression) -%}
    {{ marketing_kpi.if_available('kpi', [kpi_id], expression) }}
{%- endmacro %}

{% macro measure_if_provided(source_tables, expression) -%}
    {%- set tables = [source_tables] if source_tables is string else source_tables -%}
    {{ marketing_kpi.if_available('source', tables, expression) }}
{%- endmacro %}

{% macro stage_if_tracked(funnel_stage, expression) -%}
    {{ marketing_kpi.if_available('funnel_stage', [funnel_stage], expression) }}
{%- endmacro %}

{% macro availability_source_tables() -%}
    {%- set tables = [] -%}
    {%- if not execute -%}
        {%- do tables.append(('channels', 'raw')) -%}
    {%- elif graph.get('sources') -%}
        {%- for node in graph.sources.values() if node.source_name == 'raw' -%}
            {%- do tables.append((node.name, 'raw')) -%}
        {%- endfor -%}
    {%- else -%}
        {#- unit tests compile without sources in the graph: read the contract file instead -#}
        {%- set path = (flags.PROJECT_DIR or '.') ~ '/models/staging/raw__sources.yml' -%}
        {%- for source in fromyaml(marketing_kpi.read_text_file(path)).sources if source.name == 'raw' -%}
            {%- for table in source.tables -%}
                {%- do tables.append((table.name, 'raw')) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for reference_table in ['channel_budgets', 'kpi_targets', 'working_hours'] -%}
        {%- do tables.append((reference_table, 'reference')) -%}
    {%- endfor -%}
    {{ return(tables) }}
{%- endmacro %}

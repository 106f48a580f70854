{#-
    Helpers that read the raw data contract (models/staging/_raw__sources.yml) from dbt's graph, so
    column lists and allowed values are written once, in the contract.

    raw_column_names(table)          -> list of the table's contract columns, in contract order
    contract_accepted_values(table, column) -> SQL list literal of the column's allowed values
-#}
{% macro _raw_source_node(table) -%}
    {%- set node = graph.sources.get('source.' ~ project_name ~ '.raw.' ~ table) -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error("raw table '" ~ table ~ "' is not in the raw data contract") }}
    {%- endif -%}
    {{ return(node) }}
{%- endmacro %}

{% macro raw_column_names(table) -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {{ return(marketing_kpi._raw_source_node(table).columns.keys() | list) }}
{%- endmacro %}

{% macro contract_accepted_values(table, column) -%}
    {%- if not execute -%}{{ return("('')") }}{%- endif -%}
    {%- set col = marketing_kpi._raw_source_node(table).columns.get(column) -%}
    {%- set values = (col.meta or {}).get('accepted_values') if col else none -%}
    {%- if not values -%}
        {{ exceptions.raise_compiler_error("raw column " ~ table ~ "." ~ column ~ " has no accepted_values in the contract") }}
    {%- endif -%}
    {{ return("(" ~ (values | map('string') | map('replace', "'", "''") | map('tojson') | join(', ') | replace('"', "'")) ~ ")") }}
{%- endmacro %}

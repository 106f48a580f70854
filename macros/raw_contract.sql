{#-
    Helpers that read the raw data contract (models/staging/raw__sources.yml) from dbt's graph, so
    column lists and allowed values are written once, in the contract.

    raw_column_names(table)          -> list of the table's contract columns, in contract order
    contract_accepted_values(table, column) -> SQL list literal of the column's allowed values
-#}
{% macro _raw_source_node(table) -%}
    {%- if graph.get('sources') -%}
        {%- set node = graph.sources.get('source.' ~ project_name ~ '.raw.' ~ table) -%}
    {%- else -%}
        {#- dbt compiles unit tests against a manifest without sources (graph is empty there), so
            read the same contract file from disk instead. -#}
        {%- set node = marketing_kpi._raw_source_node_from_contract_file(table) -%}
    {%- endif -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error("raw table '" ~ table ~ "' is not in the raw data contract") }}
    {%- endif -%}
    {{ return(node) }}
{%- endmacro %}

{% macro _raw_source_node_from_contract_file(table) -%}
    {%- set path = (flags.PROJECT_DIR or '.') ~ '/models/staging/raw__sources.yml' -%}
    {%- set text = marketing_kpi.read_text_file(path) -%}
    {%- set node = none -%}
    {%- for source in fromyaml(text).sources if source.name == 'raw' -%}
        {%- for contract_table in source.tables if contract_table.name == table -%}
            {%- set columns = {} -%}
            {%- for column in contract_table.columns -%}
                {%- do columns.update({column.name: column}) -%}
            {%- endfor -%}
            {{ return({'name': table, 'columns': columns}) }}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(none) }}
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

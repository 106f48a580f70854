{#-
    Schemas are the layer names themselves (raw, reference, staging, intermediate, marts, kpi),
    not dbt's default "<target schema>_<custom schema>": BI users see stable, short names.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

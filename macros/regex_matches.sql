{#-
    regex_matches(expression, pattern, full=false): true when the text matches the regular
    expression somewhere (full=true: the whole text). Dispatched: DuckDB's regexp_matches /
    regexp_full_match (RE2); Spark's rlike (Java regex) with a raw string literal, anchored for a
    full match. Keep patterns to the syntax both engines share (character classes, quantifiers).
-#}
{% macro regex_matches(expression, pattern, full=false) -%}
    {{ return(adapter.dispatch('regex_matches', 'marketing_kpi')(expression, pattern, full)) }}
{%- endmacro %}

{% macro default__regex_matches(expression, pattern, full=false) -%}
    {%- if full -%}
        regexp_full_match({{ expression }}, '{{ pattern }}')
    {%- else -%}
        regexp_matches({{ expression }}, '{{ pattern }}')
    {%- endif -%}
{%- endmacro %}

{% macro spark__regex_matches(expression, pattern, full=false) -%}
    {%- if full -%}
        ({{ expression }} rlike r'^(?:{{ pattern }})$')
    {%- else -%}
        ({{ expression }} rlike r'{{ pattern }}')
    {%- endif -%}
{%- endmacro %}

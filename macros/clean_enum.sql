{#-
    clean_enum(column): enum values as exports send them (' Paid_Social', 'MQL ') normalised to
    the contract's spelling: trimmed, lower-cased, inner spaces and hyphens as underscores; blank
    becomes null.
-#}
{% macro clean_enum(column) -%}
    nullif(replace(replace(lower(trim({{ column }})), ' ', '_'), '-', '_'), '')
{%- endmacro %}

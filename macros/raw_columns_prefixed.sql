{#-
    raw_columns_prefixed(table): every contract column of a raw table as trimmed text named
    raw_<column> (blank -> null), for the base models' typing step. Reading raw values as text
    lets one model serve CSV exports (text) and Parquet files (typed) alike.
-#}
{% macro raw_columns_prefixed(table) -%}
    {%- for column in marketing_kpi.raw_column_names(table) %}
        {{ marketing_kpi.clean_text(column) }} as raw_{{ column }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

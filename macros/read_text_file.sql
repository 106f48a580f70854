{#-
    read_text_file(path): the content of a (small) text file the warehouse engine can read, as a
    string, at compile time (run_query). Dispatched: DuckDB's read_text (default); on Spark the
    text data source, one row per line, joined back in file order (a small file is one split).
-#}
{% macro read_text_file(path) -%}
    {{ return(adapter.dispatch('read_text_file', 'marketing_kpi')(path)) }}
{%- endmacro %}

{% macro default__read_text_file(path) -%}
    {{ return(run_query("select content from read_text('" ~ path | replace("'", "''") ~ "')").columns[0].values()[0]) }}
{%- endmacro %}

{% macro spark__read_text_file(path) -%}
    {%- set lines = run_query("select value from text.`" ~ path | replace("`", "``") ~ "`").columns[0].values() -%}
    {{ return(lines | join('\n')) }}
{%- endmacro %}

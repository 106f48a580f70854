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
    {#- Each line is prefixed with '|' so the result table keeps it verbatim (dbt's result tables
        would turn an empty line into null and could strip indentation, which YAML depends on),
        and numbered so the lines come back in file order. -#}
    {%- set query -%}
        select concat('|', value) as line
        from (
            select value, monotonically_increasing_id() as line_number
            from text.`{{ path | replace("`", "``") }}`
        ) as numbered_lines
        order by line_number
    {%- endset -%}
    {%- set lines = [] -%}
    {%- for line in run_query(query).columns[0].values() -%}
        {%- do lines.append(line[1:]) -%}
    {%- endfor -%}
    {{ return(lines | join('\n')) }}
{%- endmacro %}

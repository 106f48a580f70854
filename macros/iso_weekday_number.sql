{#-
    iso_weekday_number(date_expression): ISO day of the week, 1 = Monday … 7 = Sunday (the
    numbering of the working_hours seed). Dispatched: extract(isodow …) on DuckDB and Postgres
    (default), dayofweekiso on Snowflake, a shifted dayofweek on BigQuery, extract(dayofweek_iso …)
    on Spark.
-#}
{% macro iso_weekday_number(date_expression) -%}
    {{ return(adapter.dispatch('iso_weekday_number', 'marketing_kpi')(date_expression)) }}
{%- endmacro %}

{% macro default__iso_weekday_number(date_expression) -%}
    cast(extract(isodow from {{ date_expression }}) as integer)
{%- endmacro %}

{% macro snowflake__iso_weekday_number(date_expression) -%}
    cast(dayofweekiso({{ date_expression }}) as integer)
{%- endmacro %}

{% macro bigquery__iso_weekday_number(date_expression) -%}
    mod(extract(dayofweek from {{ date_expression }}) + 5, 7) + 1
{%- endmacro %}

{% macro spark__iso_weekday_number(date_expression) -%}
    cast(extract(dayofweek_iso from {{ date_expression }}) as integer)
{%- endmacro %}

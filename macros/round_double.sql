{#-
    round_double(expression, digits): a double rounded to `digits` decimals the way DuckDB does it
    (round half away from zero of the binary value times 10^digits, divided back), as a double.
    Engines disagree on halves: DuckDB rounds the binary value (1.005 is 1.00499…, so 1.00), Spark
    rounds the shortest decimal text of the double (1.005 gives 1.01), which moves money splits by
    a cent. Dispatched: round() on DuckDB (default, unchanged); on Spark round(x * 10^digits, 0) /
    10^digits, which gives DuckDB's result bit for bit (a double that prints as n.5 is exactly n.5).
-#}
{% macro round_double(expression, digits) -%}
    {{ return(adapter.dispatch('round_double', 'marketing_kpi')(expression, digits)) }}
{%- endmacro %}

{% macro default__round_double(expression, digits) -%}
    round({{ expression }}, {{ digits }})
{%- endmacro %}

{% macro spark__round_double(expression, digits) -%}
    (round(cast({{ expression }} as double) * 1E{{ digits }}, 0) / 1E{{ digits }})
{%- endmacro %}

{#-
    first_unparseable_column(columns): the name of the first contract column whose non-blank raw
    value (raw_<column>) did not cast to its contract type (<column> is null), or null when every
    value parsed. Used by the base models to quarantine rows as unparseable_value.
-#}
{% macro first_unparseable_column(columns) -%}
    case
        {%- for column in columns %}
        when raw_{{ column }} is not null and {{ column }} is null then '{{ column }}'
        {%- endfor %}
    end
{%- endmacro %}

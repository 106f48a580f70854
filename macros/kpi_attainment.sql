{#-
    kpi_attainment(value, target, direction): how far a KPI value is from its target, direction-
    aware, as a double (1 = exactly on target, above 1 = better than target):
        higher_is_better   value / target
        lower_is_better    target / value
    Null when the value or the target is null, when the target is not positive, or when a
    lower-is-better value is not positive (a cost or churn of 0 has no finite attainment).
-#}
{% macro kpi_attainment(value, target, direction) -%}
    case
        when {{ value }} is null or {{ target }} is null or {{ target }} <= 0 then null
        when {{ direction }} = 'higher_is_better' then {{ marketing_kpi.safe_divide(value, target) }}
        when {{ direction }} = 'lower_is_better' and {{ value }} > 0
            then {{ marketing_kpi.safe_divide(target, value) }}
    end
{%- endmacro %}

{#-
    attribution_model_names(): the attribution models, in report order. One list for the model
    that computes the weights (int_touchpoints_attributed) and the one that aggregates revenue one
    model at a time (int_revenue_attributed).
-#}
{% macro attribution_model_names() -%}
    {{ return(['first_touch', 'last_touch', 'last_non_direct_touch', 'linear', 'position_based', 'time_decay']) }}
{%- endmacro %}

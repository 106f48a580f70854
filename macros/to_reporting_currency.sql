{#-
    to_reporting_currency(amount, rate_to_reporting): an amount converted with the day's fx rate
    and rounded to the cent, so totals reconcile exactly. Null when there is no rate (the base
    models quarantine such rows as missing_fx_rate).
-#}
{% macro to_reporting_currency(amount, rate_to_reporting) -%}
    cast(round(cast({{ amount }} as decimal(18, 2)) * {{ rate_to_reporting }}, 2) as decimal(18, 2))
{%- endmacro %}

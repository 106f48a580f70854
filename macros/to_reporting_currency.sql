{#-
    to_reporting_currency(amount, rate_to_reporting): an amount converted with the day's fx rate
    and rounded to the cent, so totals reconcile exactly. Null when there is no rate (the base
    models quarantine such rows as missing_fx_rate).
-#}
{% macro to_reporting_currency(amount, rate_to_reporting) -%}
    cast(round(cast({{ amount }} as decimal(18, 2)) * {{ rate_to_reporting }}, 2) as decimal(18, 2))
{%- endmacro %}

{#-
    fx_rate_to_reporting(currency_column, rate_column): the rate that converts currency_column into
    the reporting currency: exactly 1 for the reporting currency itself (var reporting_currency),
    whether or not the fx table lists it, so a single-currency dataset needs no fx file; else the
    looked-up rate (null when the fx table has none for that day: missing_fx_rate).
-#}
{% macro fx_rate_to_reporting(currency_column, rate_column) -%}
    case
        when {{ currency_column }} = '{{ var("reporting_currency") }}' then cast(1 as decimal(18, 6))
        else {{ rate_column }}
    end
{%- endmacro %}

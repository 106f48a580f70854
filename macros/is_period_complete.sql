{#-
    is_period_complete(period_start, grain): true once the period that starts at period_start
    (a date; grain 'day', 'week' or 'month') has ended before the as-of date (macro as_of_date).
    The as-of day itself is "today", still under way, so a period is complete only when the
    first day of the next period is on or before the as-of date: with as_of_date 2026-10-31,
    October 2026 (and the day 2026-10-31) is still incomplete, September is complete. The same
    rule as int_customer_months.is_complete_month. Portable: dbt.dateadd only.
-#}
{% macro is_period_complete(period_start, grain) -%}
    {%- if grain not in ('day', 'week', 'month', 'quarter', 'year') -%}
        {{ exceptions.raise_compiler_error(
            "is_period_complete: grain must be day, week, month, quarter or year, got '" ~ grain ~ "'"
        ) }}
    {%- endif -%}
    {%- if grain == 'week' -%}
        ({{ dbt.dateadd('day', 7, period_start) }} <= {{ as_of_date() }})
    {%- elif grain == 'quarter' -%}
        ({{ dbt.dateadd('month', 3, period_start) }} <= {{ as_of_date() }})
    {%- else -%}
        ({{ dbt.dateadd(grain, 1, period_start) }} <= {{ as_of_date() }})
    {%- endif -%}
{%- endmacro %}

{#-
    redact_contact_details(column): free text with email addresses replaced by '[redacted-email]'
    and phone-like numbers (an optional +country code, then at least three groups of digits, 7+
    digits in all) replaced by '[redacted-phone]'. Dates ('2025-03-04') and short numbers are
    kept. Compare the result with the input to know whether anything was redacted.
-#}
{% macro redact_contact_details(column) -%}
    {{ return(adapter.dispatch('redact_contact_details', 'marketing_kpi')(column)) }}
{%- endmacro %}

{% macro default__redact_contact_details(column) -%}
    regexp_replace(
        regexp_replace(
            {{ column }},
            '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}',
            '[redacted-email]',
            'g'
        ),
        '(\+|00)?\(?[0-9]{1,4}\)?[ .-]?\(?[0-9]{2,4}\)?[ .-]?[0-9]{3,4}[ .-]?[0-9]{3,4}',
        '[redacted-phone]',
        'g'
    )
{%- endmacro %}

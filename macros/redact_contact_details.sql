{#-
    redact_contact_details(column): free text with email addresses replaced by '[redacted-email]'
    and phone-like numbers replaced by '[redacted-phone]': international numbers (+ or 00, a
    country code, then two to six digit groups: '+1 415-555-0134', '+44 20 7946 0958',
    '+33 1 12 34 56 78', '+61 2 5550 1234') and ten-digit national ones ('(415) 555-0134').
    Dates ('2025-03-04') and other numbers are kept. Compare the result with the input to know
    whether anything was redacted. Dispatched: Spark's regexp_replace replaces every match (no
    'g' flag) and its patterns are raw string literals (r'…'), so backslashes reach Java's regex
    engine unchanged.
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
        '(\+|\b00)[0-9]{1,3}([ .-]?\(?[0-9]{1,5}\)?){2,6}|(\(|\b)[0-9]{3}\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4}\b',
        '[redacted-phone]',
        'g'
    )
{%- endmacro %}

{% macro spark__redact_contact_details(column) -%}
    regexp_replace(
        regexp_replace(
            {{ column }},
            r'[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}',
            '[redacted-email]'
        ),
        r'(\+|\b00)[0-9]{1,3}([ .-]?\(?[0-9]{1,5}\)?){2,6}|(\(|\b)[0-9]{3}\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4}\b',
        '[redacted-phone]'
    )
{%- endmacro %}

{%- set base_models = [
    ('channels', 'base_ads__channels'),
    ('campaigns', 'base_ads__campaigns'),
    ('ad_performance', 'base_ads__ad_performance'),
    ('web_sessions', 'base_web__web_sessions'),
    ('email_sends', 'base_email__email_sends'),
    ('leads', 'base_crm__leads'),
    ('lead_stage_events', 'base_crm__lead_stage_events'),
    ('touchpoints', 'base_crm__touchpoints'),
    ('orders', 'base_billing__orders'),
    ('survey_responses', 'base_survey__survey_responses'),
] -%}

with

{% for source_table, base_model in base_models %}
    {{ source_table }} as (

        select * from {{ ref(base_model) }}

    ),
{% endfor %}

quarantined as (

    {% for source_table, base_model in base_models %}
        select
            '{{ source_table }}' as source_table,
            record_key,
            quarantine_reason,
            quarantine_column
        from {{ source_table }}
        where record_status = 'quarantined'
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from quarantined

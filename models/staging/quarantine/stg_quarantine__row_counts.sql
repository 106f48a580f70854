{#-
    Reads each raw table (source) and its base model (ref): the one documented exception to
    "no model reads both a source and a ref", because this model is the reconciliation itself.
-#}
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
    raw_{{ source_table }} as (

        select * from {{ source('raw', source_table) }}

    ),

    base_{{ source_table }} as (

        select * from {{ ref(base_model) }}

    ),
{% endfor %}

raw_rows as (

    {% for source_table, base_model in base_models %}
        select
            '{{ source_table }}' as source_table,
            count(*) as raw_rows
        from raw_{{ source_table }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

rows_by_status as (

    {% for source_table, base_model in base_models %}
        select
            '{{ source_table }}' as source_table,
            sum(case when record_status = 'valid' then 1 else 0 end) as staged_rows,
            sum(case when record_status = 'exact_duplicate' then 1 else 0 end)
                as exact_duplicates_removed,
            sum(case when record_status = 'superseded' then 1 else 0 end) as superseded_rows,
            sum(case when record_status = 'quarantined' then 1 else 0 end) as quarantined_rows
        from base_{{ source_table }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

joined as (

    select
        raw_rows.source_table,
        cast(raw_rows.raw_rows as bigint) as raw_rows,
        cast(coalesce(rows_by_status.staged_rows, 0) as bigint) as staged_rows,
        cast(coalesce(rows_by_status.exact_duplicates_removed, 0) as bigint)
            as exact_duplicates_removed,
        cast(coalesce(rows_by_status.superseded_rows, 0) as bigint) as superseded_rows,
        cast(coalesce(rows_by_status.quarantined_rows, 0) as bigint) as quarantined_rows

    from raw_rows
    left join rows_by_status
        on raw_rows.source_table = rows_by_status.source_table

)

select * from joined

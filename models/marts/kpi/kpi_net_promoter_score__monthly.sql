with

survey_responses as (

    select * from {{ ref('stg_survey__survey_responses') }}

),

customers as (

    select * from {{ ref('int_customers') }}

),

leads as (

    select * from {{ ref('int_leads_lifecycle') }}

),

responses_classified as (

    select
        survey_responses.response_id,
        cast({{ dbt.date_trunc('month', 'survey_responses.responded_at') }} as date) as date_month,
        coalesce(customers.acquisition_channel_id, '(unknown)') as acquisition_channel_id,
        coalesce(leads.company_size, '(unknown)') as company_size,
        case when survey_responses.score >= 9 then 1 else 0 end as is_promoter,
        case when survey_responses.score between 7 and 8 then 1 else 0 end as is_passive,
        case when survey_responses.score <= 6 then 1 else 0 end as is_detractor

    from survey_responses
    left join customers
        on survey_responses.customer_id = customers.customer_id
    left join leads
        on customers.lead_id = leads.lead_id

),

segmented as (

    select
        date_month,
        'all' as segment_type,
        'all' as segment_value,
        response_id,
        is_promoter,
        is_passive,
        is_detractor

    from responses_classified

    union all

    select
        date_month,
        'acquisition_channel' as segment_type,
        acquisition_channel_id as segment_value,
        response_id,
        is_promoter,
        is_passive,
        is_detractor

    from responses_classified

    union all

    select
        date_month,
        'company_size' as segment_type,
        company_size as segment_value,
        response_id,
        is_promoter,
        is_passive,
        is_detractor

    from responses_classified

),

aggregated as (

    select
        date_month,
        segment_type,
        segment_value,
        cast(count(response_id) as bigint) as responses,
        cast(sum(is_promoter) as bigint) as promoters,
        cast(sum(is_passive) as bigint) as passives,
        cast(sum(is_detractor) as bigint) as detractors

    from segmented
    group by
        date_month,
        segment_type,
        segment_value

),

final as (

    select
        date_month,
        segment_type,
        segment_value,
        responses,
        promoters,
        passives,
        detractors,
        cast(
            {{ kpi_if_available('net_promoter_score',
                net_promoter_score('promoters', 'detractors', 'responses')) }}
            as double
        )
            as net_promoter_score,
        cast(
            {{ kpi_if_available('promoter_rate', promoter_rate('promoters', 'responses')) }}
            as double
        ) as promoter_rate,
        cast(
            {{ kpi_if_available('detractor_rate', detractor_rate('detractors', 'responses')) }}
            as double
        ) as detractor_rate

    from aggregated

)

select * from final

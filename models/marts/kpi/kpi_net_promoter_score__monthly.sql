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

{#- the month and the two before, pooled per segment (a month without responses adds none) #}

rolling_three_months as (

    select
        current_month.date_month,
        current_month.segment_type,
        current_month.segment_value,
        cast(sum(pooled_month.responses) as bigint) as rolling_3_month_responses,
        cast(sum(pooled_month.promoters) as bigint) as rolling_3_month_promoters,
        cast(sum(pooled_month.detractors) as bigint) as rolling_3_month_detractors

    from aggregated as current_month
    inner join aggregated as pooled_month
        on
            current_month.segment_type = pooled_month.segment_type
            and current_month.segment_value = pooled_month.segment_value
            and current_month.date_month >= pooled_month.date_month
            and pooled_month.date_month >= {{ dbt.dateadd('month', -2, 'current_month.date_month') }}
    group by
        current_month.date_month,
        current_month.segment_type,
        current_month.segment_value

),

scored as (

    select
        aggregated.*,
        rolling_three_months.rolling_3_month_responses,
        rolling_three_months.rolling_3_month_promoters,
        rolling_three_months.rolling_3_month_detractors,
        {{ net_promoter_score('aggregated.promoters', 'aggregated.detractors', 'aggregated.responses') }}
            as net_promoter_score,
        {{ net_promoter_score_margin_of_error(
            'aggregated.promoters', 'aggregated.detractors', 'aggregated.responses'
        ) }} as net_promoter_score_margin,
        {{ net_promoter_score(
            'rolling_three_months.rolling_3_month_promoters',
            'rolling_three_months.rolling_3_month_detractors',
            'rolling_three_months.rolling_3_month_responses'
        ) }} as rolling_nps,
        {{ net_promoter_score_margin_of_error(
            'rolling_three_months.rolling_3_month_promoters',
            'rolling_three_months.rolling_3_month_detractors',
            'rolling_three_months.rolling_3_month_responses'
        ) }} as rolling_nps_margin

    from aggregated
    inner join rolling_three_months
        on
            aggregated.date_month = rolling_three_months.date_month
            and aggregated.segment_type = rolling_three_months.segment_type
            and aggregated.segment_value = rolling_three_months.segment_value

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
        cast({{ kpi_if_available('net_promoter_score', 'net_promoter_score') }} as double)
            as net_promoter_score,
        cast(
            {{ kpi_if_available('promoter_rate', promoter_rate('promoters', 'responses')) }}
            as double
        ) as promoter_rate,
        cast(
            {{ kpi_if_available('detractor_rate', detractor_rate('detractors', 'responses')) }}
            as double
        ) as detractor_rate,
        {#- the interval is clipped to the scale's bounds; null without a margin (too few
            responses): greatest() and least() would ignore the null #}
        cast(case
            when net_promoter_score_margin is not null
                then greatest(net_promoter_score - net_promoter_score_margin, -100)
        end as double) as net_promoter_score_lower_95,
        cast(case
            when net_promoter_score_margin is not null
                then least(net_promoter_score + net_promoter_score_margin, 100)
        end as double) as net_promoter_score_upper_95,
        rolling_3_month_responses,
        cast({{ kpi_if_available('net_promoter_score', 'rolling_nps') }} as double)
            as rolling_3_month_net_promoter_score,
        cast(case
            when rolling_nps_margin is not null then greatest(rolling_nps - rolling_nps_margin, -100)
        end as double) as rolling_3_month_net_promoter_score_lower_95,
        cast(case
            when rolling_nps_margin is not null then least(rolling_nps + rolling_nps_margin, 100)
        end as double) as rolling_3_month_net_promoter_score_upper_95

    from scored

)

select * from final

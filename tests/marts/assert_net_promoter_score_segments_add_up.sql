{#-
    NPS integrity: each segment type of kpi_net_promoter_score__monthly splits the same responses,
    so per month every segment type adds up to the month's 'all' row, which equals the responses
    in stg_survey__survey_responses. Fails with the offending month and segment type.
-#}

with

net_promoter_score as (

    select * from {{ ref('kpi_net_promoter_score__monthly') }}

),

survey_responses as (

    select * from {{ ref('stg_survey__survey_responses') }}

),

per_segment_type as (

    select
        date_month,
        segment_type,
        sum(responses) as responses,
        sum(promoters) as promoters,
        sum(detractors) as detractors

    from net_promoter_score
    group by
        date_month,
        segment_type

),

staged as (

    select
        cast({{ dbt.date_trunc('month', 'responded_at') }} as date) as date_month,
        count(*) as responses,
        sum(case when score >= 9 then 1 else 0 end) as promoters,
        sum(case when score <= 6 then 1 else 0 end) as detractors

    from survey_responses
    group by cast({{ dbt.date_trunc('month', 'responded_at') }} as date)

),

compared as (

    select
        coalesce(per_segment_type.date_month, staged.date_month) as date_month,
        per_segment_type.segment_type,
        per_segment_type.responses as mart_responses,
        staged.responses as staged_responses

    from per_segment_type
    full outer join staged
        on per_segment_type.date_month = staged.date_month
    where
        staged.date_month is null
        or per_segment_type.date_month is null
        or per_segment_type.responses != staged.responses
        or per_segment_type.promoters != staged.promoters
        or per_segment_type.detractors != staged.detractors

)

select * from compared

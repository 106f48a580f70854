{#-
    The NPS mart's acquisition_channel segment only: one row per month per acquisition channel,
    each survey response counted once (the mart also holds the 'all' and company_size segments,
    which would count it again). The semantic layer's survey_responses_monthly reads this.
-#}

with

net_promoter_score as (

    select * from {{ ref('kpi_net_promoter_score__monthly') }}

),

final as (

    select
        date_month,
        segment_value as acquisition_channel_id,
        responses,
        promoters,
        passives,
        detractors

    from net_promoter_score
    where segment_type = 'acquisition_channel'

)

select * from final

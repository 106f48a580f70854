{#-
    Lead score calibration: one row per pair of adjacent score bands (A vs B, B vs C, C vs D), with
    each band's lead-to-customer rate and whether the better band converts better. A calibrated
    score has is_higher_band_converting_better true on every row. Band order comes from the
    lead_score_weights seed (a higher lower_bound is a better band).
-#}

with

score_band_quality as (

    select * from {{ ref('kpi_lead_quality__score_band') }}

),

lead_score_weights as (

    select * from {{ ref('lead_score_weights') }}

),

bands_ordered as (

    select
        rule_key as score_band,
        row_number() over (order by lower_bound desc) as band_rank

    from lead_score_weights
    where rule_group = 'score_band'

),

bands_with_counts as (

    select
        bands_ordered.score_band,
        bands_ordered.band_rank,
        coalesce(score_band_quality.leads, 0) as leads,
        coalesce(score_band_quality.customers, 0) as customers

    from bands_ordered
    left join score_band_quality
        on bands_ordered.score_band = score_band_quality.score_band

),

pairs as (

    select
        higher_band.score_band as higher_score_band,
        lower_band.score_band as lower_score_band,
        higher_band.leads as higher_band_leads,
        higher_band.customers as higher_band_customers,
        lower_band.leads as lower_band_leads,
        lower_band.customers as lower_band_customers

    from bands_with_counts as higher_band
    inner join bands_with_counts as lower_band
        on higher_band.band_rank + 1 = lower_band.band_rank

),

rated as (

    select
        *,
        {{ kpi_if_available('lead_to_customer_rate',
            conversion_rate('higher_band_customers', 'higher_band_leads')) }}
            as higher_band_lead_to_customer_rate,
        {{ kpi_if_available('lead_to_customer_rate',
            conversion_rate('lower_band_customers', 'lower_band_leads')) }}
            as lower_band_lead_to_customer_rate

    from pairs

),

final as (

    select
        higher_score_band,
        lower_score_band,
        cast(higher_band_leads as bigint) as higher_band_leads,
        cast(higher_band_customers as bigint) as higher_band_customers,
        cast(higher_band_lead_to_customer_rate as double) as higher_band_lead_to_customer_rate,
        cast(lower_band_leads as bigint) as lower_band_leads,
        cast(lower_band_customers as bigint) as lower_band_customers,
        cast(lower_band_lead_to_customer_rate as double) as lower_band_lead_to_customer_rate,
        higher_band_lead_to_customer_rate > lower_band_lead_to_customer_rate
            as is_higher_band_converting_better

    from rated

)

select * from final

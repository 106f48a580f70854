-- The scorecard weights of every company stage sum to 1 (seeds/reference/scorecard_weights.csv).
with

scorecard_weights as (

    select * from {{ ref('scorecard_weights') }}

),

per_stage as (

    select
        company_stage,
        sum(weight) as total_weight

    from scorecard_weights
    group by company_stage

)

select * from per_stage
where abs(total_weight - 1) > 1e-9

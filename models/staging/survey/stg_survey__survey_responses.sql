with

base as (

    select * from {{ ref('base_survey__survey_responses') }}

),

valid as (

    select
        response_id,
        customer_id,
        responded_at,
        score

    from base
    where record_status = 'valid'

)

select * from valid

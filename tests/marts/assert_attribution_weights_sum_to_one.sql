-- Attribution weights sum to 1 (to 1e-9) per conversion and model, every customer converts, and
-- every conversion has a weight under each of the six models.
-- Returns the failing conversion × model rows.

with

customers as (

    select * from {{ ref('int_customers') }}

),

touchpoints_attributed as (

    select * from {{ ref('int_touchpoints_attributed') }}

),

attribution_models as (

    select 'first_touch' as attribution_model
    union all
    select 'last_touch'
    union all
    select 'last_non_direct_touch'
    union all
    select 'linear'
    union all
    select 'position_based'
    union all
    select 'time_decay'

),

weights_per_conversion as (

    select
        conversion_id,
        attribution_model,
        sum(attribution_weight) as total_weight

    from touchpoints_attributed
    group by
        conversion_id,
        attribution_model

),

expected as (

    select
        customers.customer_id as conversion_id,
        attribution_models.attribution_model

    from customers
    cross join attribution_models

),

compared as (

    select
        coalesce(expected.conversion_id, weights_per_conversion.conversion_id) as conversion_id,
        coalesce(expected.attribution_model, weights_per_conversion.attribution_model)
            as attribution_model,
        weights_per_conversion.total_weight

    from expected
    full outer join weights_per_conversion
        on
            expected.conversion_id = weights_per_conversion.conversion_id
            and expected.attribution_model = weights_per_conversion.attribution_model

)

select * from compared
where total_weight is null or abs(total_weight - 1) > 1e-9

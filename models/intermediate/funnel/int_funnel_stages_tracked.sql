{#-
    Which funnel stages the CRM tracks: one row per funnel stage after lead (mql, sql,
    opportunity, won). A stage is tracked when at least one valid stage event of the whole
    dataset reaches it; won is also tracked when a lead is linked to a customer account that has
    an order (int_leads_lifecycle reads that as a won the CRM missed). A CRM that only records MQL
    and won does not track sql and opportunity: their counts and rates are null ("not tracked"),
    never 0 and never implied from a later stage (see int_leads_lifecycle).
-#}

{%- set funnel_stages = [('mql', 1), ('sql', 2), ('opportunity', 3), ('won', 4)] -%}

with

stage_events as (

    select * from {{ ref('stg_crm__lead_stage_events') }}

),

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

orders as (

    select * from {{ ref('stg_billing__orders') }}

),

funnel_stages as (

    {% for stage, stage_order in funnel_stages %}
        select
            cast('{{ stage }}' as {{ dbt.type_string() }}) as funnel_stage,
            {{ stage_order }} as stage_order
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

events_per_stage as (

    select
        stage as funnel_stage,
        count(*) as stage_events

    from stage_events
    group by stage

),

customers_with_orders as (

    select distinct customer_id from orders

),

won_from_orders as (

    select count(*) as leads_won_from_orders

    from leads
    inner join customers_with_orders
        on leads.customer_id = customers_with_orders.customer_id

),

final as (

    select
        funnel_stages.funnel_stage,
        cast(funnel_stages.stage_order as integer) as stage_order,
        cast(coalesce(events_per_stage.stage_events, 0) as bigint) as stage_events,
        coalesce(events_per_stage.stage_events, 0) > 0
        or (funnel_stages.funnel_stage = 'won' and won_from_orders.leads_won_from_orders > 0)
            as is_tracked

    from funnel_stages
    cross join won_from_orders
    left join events_per_stage
        on funnel_stages.funnel_stage = events_per_stage.funnel_stage

)

select * from final

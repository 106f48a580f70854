{#-
    One row per conversion × touchpoint × attribution model, with the touchpoint's weight under
    the model (0 when the model gives the touch no credit; the weights of a conversion sum to 1
    under every model).

    A conversion is a lead becoming a customer (conversion_id = customer_id), converted at the
    customer's acquired_at. Its touchpoints are
      - the touches the CRM recorded on the converting lead (stg_crm__touchpoints.lead_id), and
      - the anonymous touches (lead_id null) of every visitor whose web session created that lead
        (stg_web__web_sessions: visitor_id -> lead_id), i.e. pre-identification touches,
    that happened at or before the conversion and at most var('attribution_lookback_days') days
    before it. A conversion with no such touch gets one synthetic touch on its lead's source
    channel and campaign (touch_type 'lead_source', touched at the lead's creation), so every
    conversion, and therefore all revenue, is attributed.

    Touches are ordered by touched_at (touchpoint_id breaks ties). Models:
      first_touch / last_touch       all credit to the first / last touch;
      last_non_direct_touch          all credit to the last touch whose channel_group is not
                                     'direct' (the last touch when every touch is direct);
      linear                         1 / touches each;
      position_based                 40% first, 40% last, 20% shared by the middle touches
                                     (one touch: 1; two touches: 0.5 each);
      time_decay                     ∝ 2^(-days before conversion / attribution_half_life_days),
                                     normalised to sum to 1.
    Weights are doubles; int_revenue_attributed rounds the money, not the weights.
-#}

{%- set attribution_models = attribution_model_names() -%}

with

customers as (

    select * from {{ ref('int_customers') }}

),

leads_lifecycle as (

    select * from {{ ref('int_leads_lifecycle') }}

),

touchpoints as (

    select * from {{ ref('stg_crm__touchpoints') }}

),

web_sessions as (

    select * from {{ ref('stg_web__web_sessions') }}

),

channels as (

    select * from {{ ref('stg_ads__channels') }}

),

conversions as (

    select
        customers.customer_id as conversion_id,
        customers.customer_id,
        customers.lead_id,
        customers.acquired_at as converted_at,
        coalesce(customers.acquisition_channel_id, leads_lifecycle.channel_id)
            as lead_source_channel_id,
        coalesce(customers.acquisition_campaign_id, leads_lifecycle.campaign_id)
            as lead_source_campaign_id,
        leads_lifecycle.created_at as lead_created_at

    from customers
    left join leads_lifecycle
        on customers.lead_id = leads_lifecycle.lead_id

),

visitors_of_leads as (

    -- Each anonymous visitor whose session submitted a lead form belongs to that lead.
    select distinct
        visitor_id,
        lead_id

    from web_sessions
    where visitor_id is not null and lead_id is not null

),

lead_touches as (

    select
        touchpoint_id,
        lead_id,
        touched_at,
        channel_id,
        campaign_id,
        touch_type,
        'lead' as linked_through

    from touchpoints
    where lead_id is not null

),

visitor_touches as (

    select
        touchpoints.touchpoint_id,
        visitors_of_leads.lead_id,
        touchpoints.touched_at,
        touchpoints.channel_id,
        touchpoints.campaign_id,
        touchpoints.touch_type,
        'visitor' as linked_through

    from touchpoints
    inner join visitors_of_leads
        on touchpoints.visitor_id = visitors_of_leads.visitor_id
    where touchpoints.lead_id is null

),

linked_touches as (

    select * from lead_touches
    union all
    select * from visitor_touches

),

touches_in_window as (

    select
        conversions.conversion_id,
        conversions.customer_id,
        conversions.lead_id,
        conversions.converted_at,
        linked_touches.touchpoint_id,
        linked_touches.touched_at,
        linked_touches.channel_id,
        linked_touches.campaign_id,
        linked_touches.touch_type,
        linked_touches.linked_through

    from conversions
    inner join linked_touches
        on conversions.lead_id = linked_touches.lead_id
    where
        linked_touches.touched_at <= conversions.converted_at
        and linked_touches.touched_at >= {{ dbt.dateadd(
            'day', -1 * var('attribution_lookback_days', 90), 'conversions.converted_at') }}

),

converted_with_touches as (

    select distinct conversion_id
    from touches_in_window

),

lead_source_touches as (

    -- No touch in the window: one synthetic touch on the lead's source, so revenue is never lost.
    select
        conversions.conversion_id,
        conversions.customer_id,
        conversions.lead_id,
        conversions.converted_at,
        {{ dbt.concat(["'lead_source|'", 'conversions.conversion_id']) }} as touchpoint_id,
        coalesce(conversions.lead_created_at, conversions.converted_at) as touched_at,
        conversions.lead_source_channel_id as channel_id,
        conversions.lead_source_campaign_id as campaign_id,
        'lead_source' as touch_type,
        'lead_source' as linked_through

    from conversions
    left join converted_with_touches
        on conversions.conversion_id = converted_with_touches.conversion_id
    where converted_with_touches.conversion_id is null

),

attributable_touches as (

    select * from touches_in_window
    union all
    select * from lead_source_touches

),

ordered_touches as (

    select
        attributable_touches.*,
        channels.channel_group,
        coalesce(channels.channel_group, '') != 'direct' as is_non_direct,
        {{ days_between('attributable_touches.touched_at', 'attributable_touches.converted_at') }}
            as days_before_conversion,
        row_number() over (
            partition by attributable_touches.conversion_id
            order by attributable_touches.touched_at, attributable_touches.touchpoint_id
        ) as touch_number,
        count(*) over (partition by attributable_touches.conversion_id) as touches

    from attributable_touches
    left join channels
        on attributable_touches.channel_id = channels.channel_id

),

decay_scored as (

    select
        *,
        max(case when is_non_direct then touch_number end) over (partition by conversion_id)
            as last_non_direct_touch_number,
        power(2.0, -1.0 * days_before_conversion / {{ var('attribution_half_life_days', 7) }})
            as decay_score

    from ordered_touches

),

decay_totals as (

    select
        *,
        sum(decay_score) over (partition by conversion_id) as conversion_decay_score

    from decay_scored

),

weighted as (

    select
        *,
        case when touch_number = 1 then 1.0 else 0.0 end as first_touch_weight,
        case when touch_number = touches then 1.0 else 0.0 end as last_touch_weight,
        case
            when touch_number = coalesce(last_non_direct_touch_number, touches) then 1.0 else 0.0
        end as last_non_direct_touch_weight,
        1.0 / touches as linear_weight,
        case
            when touches = 1 then 1.0
            when touches = 2 then 0.5
            when touch_number = 1 or touch_number = touches then 0.4
            else 0.2 / (touches - 2)
        end as position_based_weight,
        case
            when touches = 1 then 1.0
            else decay_score / conversion_decay_score
        end as time_decay_weight

    from decay_totals

),

unpivoted as (
    {% for attribution_model in attribution_models %}
        select
            conversion_id,
            customer_id,
            lead_id,
            touchpoint_id,
            touch_type,
            linked_through,
            channel_id,
            channel_group,
            campaign_id,
            touched_at,
            converted_at,
            days_before_conversion,
            touch_number,
            touches,
            '{{ attribution_model }}' as attribution_model,
            {{ attribution_model }}_weight as attribution_weight

        from weighted
        {% if not loop.last %}
            union all
        {% endif -%}
    {% endfor %}
),

final as (

    select
        conversion_id,
        customer_id,
        lead_id,
        touchpoint_id,
        touch_type,
        linked_through,
        touch_type = 'lead_source' as is_lead_source_touch,
        channel_id,
        channel_group,
        campaign_id,
        touched_at,
        converted_at,
        days_before_conversion,
        cast(touch_number as integer) as touch_number,
        cast(touches as integer) as touches,
        attribution_model,
        cast(attribution_weight as double) as attribution_weight

    from unpivoted

)

select * from final

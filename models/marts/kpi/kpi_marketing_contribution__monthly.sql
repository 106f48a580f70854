{#-
    One row per month: total net revenue and the part of it from marketing-sourced customers.
    A customer is marketing-sourced when the channel of its acquiring lead (the lead's source
    channel) is a marketing channel: every channel whose channel_group is not 'direct' (organic
    search, organic social and referral count: they are the result of content and SEO work).
    Customers with an unknown acquisition channel are not marketing-sourced.
-#}

with

orders as (

    select * from {{ ref('int_orders_classified') }}

),

channels as (

    select * from {{ ref('stg_ads__channels') }}

),

orders_sourced as (

    select
        orders.order_month,
        orders.net_revenue,
        coalesce(channels.channel_group != 'direct', false) as is_marketing_sourced

    from orders
    left join channels
        on orders.acquisition_channel_id = channels.channel_id

),

aggregated as (

    select
        order_month as date_month,
        cast(sum(net_revenue) as decimal(18, 2)) as total_revenue,
        cast(sum(case when is_marketing_sourced then net_revenue else 0 end) as decimal(18, 2))
            as marketing_sourced_revenue

    from orders_sourced
    group by order_month

),

final as (

    select
        date_month,
        total_revenue,
        marketing_sourced_revenue,
        cast(total_revenue - marketing_sourced_revenue as decimal(18, 2)) as non_marketing_revenue,
        cast(
            {{ kpi_if_available('marketing_sourced_revenue_share',
                marketing_sourced_revenue_share('marketing_sourced_revenue', 'total_revenue')) }}
            as double
        ) as marketing_sourced_revenue_share

    from aggregated

)

select * from final

{#-
    One row per month per email campaign: the sends of the month (stg_email__email_sends, on
    sent_at, UTC) summed, with the email funnel rates as ratios of the sums.
-#}

with

email_sends as (

    select * from {{ ref('stg_email__email_sends') }}

),

aggregated as (

    select
        cast({{ dbt.date_trunc('month', 'sent_at') }} as date) as date_month,
        campaign_id,
        channel_id,
        cast(count(*) as bigint) as sends,
        cast(sum(emails_sent) as bigint) as emails_sent,
        cast(sum(emails_delivered) as bigint) as emails_delivered,
        cast(sum(emails_opened) as bigint) as emails_opened,
        cast(sum(emails_clicked) as bigint) as emails_clicked,
        cast(sum(emails_unsubscribed) as bigint) as emails_unsubscribed,
        cast(sum(emails_bounced) as bigint) as emails_bounced

    from email_sends
    group by
        cast({{ dbt.date_trunc('month', 'sent_at') }} as date),
        campaign_id,
        channel_id

),

final as (

    select
        date_month,
        campaign_id,
        channel_id,
        sends,
        emails_sent,
        emails_delivered,
        emails_opened,
        emails_clicked,
        emails_unsubscribed,
        emails_bounced,
        cast(
            {{ kpi_if_available('email_open_rate', email_open_rate('emails_opened', 'emails_delivered')) }}
            as double
        ) as email_open_rate,
        cast(
            {{ kpi_if_available('email_click_through_rate',
                email_click_through_rate('emails_clicked', 'emails_delivered')) }}
            as double
        )
            as email_click_through_rate,
        cast(
            {{ kpi_if_available('click_to_open_rate',
                click_to_open_rate('emails_clicked', 'emails_opened')) }}
            as double
        )
            as click_to_open_rate,
        cast(
            {{ kpi_if_available('unsubscribe_rate',
                unsubscribe_rate('emails_unsubscribed', 'emails_delivered')) }}
            as double
        )
            as unsubscribe_rate,
        cast(
            {{ kpi_if_available('email_bounce_rate', email_bounce_rate('emails_bounced', 'emails_sent')) }}
            as double
        ) as email_bounce_rate

    from aggregated

)

select * from final

with

base as (

    select * from {{ ref('base_email__email_sends') }}

),

valid as (

    select
        send_id,
        campaign_id,
        channel_id,
        sent_at,
        emails_sent,
        emails_delivered,
        emails_opened,
        emails_clicked,
        emails_unsubscribed,
        emails_bounced

    from base
    where record_status = 'valid'

)

select * from valid

with

source as (

    select * from {{ source('raw', 'email_sends') }}

),

campaigns as (

    select * from {{ ref('stg_ads__campaigns') }}

),

numbered as (

    {{ raw_rows_numbered('email_sends') }}

),

typed as (

    select
        *,
        raw_send_id as send_id,
        raw_campaign_id as campaign_id,
        {{ to_utc_timestamp('raw_sent_at', 'email_sends') }} as sent_at,
        try_cast(raw_emails_sent as bigint) as emails_sent,
        try_cast(raw_emails_delivered as bigint) as emails_delivered,
        try_cast(raw_emails_opened as bigint) as emails_opened,
        try_cast(raw_emails_clicked as bigint) as emails_clicked,
        try_cast(raw_emails_unsubscribed as bigint) as emails_unsubscribed,
        try_cast(raw_emails_bounced as bigint) as emails_bounced

    from numbered

),

versioned as (

    select
        *,
        {{ version_columns(['send_id']) }},
        {{ first_unparseable_column(['sent_at', 'emails_sent', 'emails_delivered', 'emails_opened',
            'emails_clicked', 'emails_unsubscribed', 'emails_bounced']) }} as unparseable_column

    from typed

),

looked_up as (

    select
        versioned.*,
        campaigns.channel_id,
        -- Without a campaigns export, campaign ids cannot be checked: kept as sent (unchecked).
        versioned.campaign_id is null
        or campaigns.campaign_id is not null
        or not {{ raw_table_is_provided('campaigns') }} as is_known_campaign

    from versioned
    left join campaigns
        on versioned.campaign_id = campaigns.campaign_id

),

checked as (

    select
        *,
        case
            when send_id is null then 'null_key'
            when unparseable_column is not null then 'unparseable_value'
            when rows_at_version > 1 then 'duplicate_key'
            when not is_known_campaign then 'unknown_campaign'
            when cast(sent_at as date) > {{ as_of_date() }} then 'future_dated'
            when
                emails_sent < 0 or emails_delivered < 0 or emails_opened < 0 or emails_clicked < 0
                or emails_unsubscribed < 0 or emails_bounced < 0
                then 'negative_count'
            when
                emails_delivered > emails_sent
                or emails_bounced > emails_sent
                or emails_opened > emails_delivered
                or emails_clicked > emails_opened
                or emails_unsubscribed > emails_delivered
                then 'inconsistent_counts'
        end as quarantine_reason,
        case
            when send_id is null then 'send_id'
            when unparseable_column is not null then unparseable_column
            when rows_at_version > 1 then 'send_id'
            when not is_known_campaign then 'campaign_id'
            when cast(sent_at as date) > {{ as_of_date() }} then 'sent_at'
            when emails_sent < 0 then 'emails_sent'
            when emails_delivered < 0 then 'emails_delivered'
            when emails_opened < 0 then 'emails_opened'
            when emails_clicked < 0 then 'emails_clicked'
            when emails_unsubscribed < 0 then 'emails_unsubscribed'
            when emails_bounced < 0 then 'emails_bounced'
            when emails_delivered > emails_sent or emails_bounced > emails_sent
                then 'emails_delivered, emails_bounced'
            when emails_opened > emails_delivered then 'emails_opened'
            when emails_clicked > emails_opened then 'emails_clicked'
            when emails_unsubscribed > emails_delivered then 'emails_unsubscribed'
        end as quarantine_column

    from looked_up

),

final as (

    select
        coalesce(send_id, '<null>') as record_key,
        send_id,
        campaign_id,
        channel_id,
        sent_at,
        emails_sent,
        emails_delivered,
        emails_opened,
        emails_clicked,
        emails_unsubscribed,
        emails_bounced,
        {{ record_status() }} as record_status,
        quarantine_reason,
        quarantine_column

    from checked

)

select * from final

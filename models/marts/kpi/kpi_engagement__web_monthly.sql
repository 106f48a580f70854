{#-
    One row per month per channel per device per country: web-analytics sessions (stg_web__web_sessions,
    on the session's start month, UTC) with pageviews, engaged time, bounces and the sessions in
    which a lead form was submitted (lead_id set).
-#}

with

web_sessions as (

    select * from {{ ref('stg_web__web_sessions') }}

),

aggregated as (

    select
        cast({{ dbt.date_trunc('month', 'session_started_at') }} as date) as date_month,
        channel_id,
        device,
        country_code,
        cast(count(session_id) as bigint) as sessions,
        cast(sum(pageviews) as bigint) as pageviews,
        cast(sum(engaged_seconds) as bigint) as engaged_seconds,
        cast(sum(case when is_bounced then 1 else 0 end) as bigint) as bounced_sessions,
        cast(sum(case when lead_id is not null then 1 else 0 end) as bigint) as sessions_with_lead

    from web_sessions
    group by
        cast({{ dbt.date_trunc('month', 'session_started_at') }} as date),
        channel_id,
        device,
        country_code

),

final as (

    select
        date_month,
        channel_id,
        device,
        country_code,
        sessions,
        pageviews,
        cast(
            {{ kpi_if_available('pages_per_session', pages_per_session('pageviews', 'sessions')) }}
            as double
        ) as pages_per_session,
        engaged_seconds,
        cast(
            {{ kpi_if_available('average_engaged_seconds',
                average_engaged_seconds('engaged_seconds', 'sessions')) }}
            as double
        )
            as average_engaged_seconds,
        bounced_sessions,
        cast(
            {{ kpi_if_available('bounce_rate', bounce_rate('bounced_sessions', 'sessions')) }}
            as double
        ) as bounce_rate,
        sessions_with_lead,
        cast(
            {{ kpi_if_available('session_to_lead_rate',
                session_to_lead_rate('sessions_with_lead', 'sessions')) }}
            as double
        )
            as session_to_lead_rate

    from aggregated

)

select * from final

{#-
    Period (flow) funnel conversion: one row per month and source channel, each funnel stage
    counted in the month it was first reached (leads in their creation month, MQLs in the month
    they became MQL, ...). The rates compare a month's stage entries with the previous stage's
    entries in the same month (mql_to_sql_rate = SQLs reached in the month / MQLs reached in the
    month): flow rates for operational monitoring, not cohort rates, and not bounded by 1 (a month
    can convert a backlog from earlier months). Use kpi_funnel_conversion__cohort for how many of
    a month's leads eventually converted.
-#}

with

leads as (

    select * from {{ ref('fct_leads') }}

),

stage_entries as (

    select
        channel_id,
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as date_month,
        'lead' as funnel_stage

    from leads

    union all

    select
        channel_id,
        cast({{ dbt.date_trunc('month', 'mql_at') }} as date) as date_month,
        'mql' as funnel_stage

    from leads
    where mql_at is not null

    union all

    select
        channel_id,
        cast({{ dbt.date_trunc('month', 'sql_at') }} as date) as date_month,
        'sql' as funnel_stage

    from leads
    where sql_at is not null

    union all

    select
        channel_id,
        cast({{ dbt.date_trunc('month', 'opportunity_at') }} as date) as date_month,
        'opportunity' as funnel_stage

    from leads
    where opportunity_at is not null

    union all

    select
        channel_id,
        cast({{ dbt.date_trunc('month', 'won_at') }} as date) as date_month,
        'won' as funnel_stage

    from leads
    where won_at is not null

),

monthly as (

    select
        date_month,
        channel_id,
        sum(case when funnel_stage = 'lead' then 1 else 0 end) as leads,
        sum(case when funnel_stage = 'mql' then 1 else 0 end) as marketing_qualified_leads,
        sum(case when funnel_stage = 'sql' then 1 else 0 end) as sales_qualified_leads,
        sum(case when funnel_stage = 'opportunity' then 1 else 0 end) as opportunities,
        sum(case when funnel_stage = 'won' then 1 else 0 end) as won_deals

    from stage_entries
    group by date_month, channel_id

),

final as (

    select
        date_month,
        channel_id,
        cast(leads as bigint) as leads,
        cast(
            {{ stage_if_tracked('mql', 'marketing_qualified_leads') }}
            as bigint
        ) as marketing_qualified_leads,
        cast({{ stage_if_tracked('sql', 'sales_qualified_leads') }} as bigint) as sales_qualified_leads,
        cast({{ stage_if_tracked('opportunity', 'opportunities') }} as bigint) as opportunities,
        cast({{ stage_if_tracked('won', 'won_deals') }} as bigint) as won_deals,
        cast(
            {{ kpi_if_available('lead_to_mql_rate', conversion_rate('marketing_qualified_leads', 'leads')) }}
            as double
        ) as lead_to_mql_rate,
        cast(
            {{ kpi_if_available('mql_to_sql_rate',
                conversion_rate('sales_qualified_leads', 'marketing_qualified_leads')) }}
            as double
        )
            as mql_to_sql_rate,
        cast(
            {{ kpi_if_available('sql_to_opportunity_rate',
                conversion_rate('opportunities', 'sales_qualified_leads')) }}
            as double
        )
            as sql_to_opportunity_rate,
        cast(
            {{ kpi_if_available('opportunity_to_won_rate', conversion_rate('won_deals', 'opportunities')) }}
            as double
        ) as opportunity_to_won_rate,
        cast(
            {{ kpi_if_available('lead_to_customer_rate', conversion_rate('won_deals', 'leads')) }}
            as double
        ) as lead_to_customer_rate

    from monthly

)

select * from final

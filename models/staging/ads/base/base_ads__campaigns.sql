with

source as (

    select * from {{ source('raw', 'campaigns') }}

),

channels as (

    select * from {{ ref('stg_ads__channels') }}

),

fx_rates as (

    select * from {{ ref('fx_rates') }}

),

numbered as (

    {{ raw_rows_numbered('campaigns') }}

),

typed as (

    select
        *,
        raw_campaign_id as campaign_id,
        raw_channel_id as channel_id,
        raw_campaign_name as campaign_name,
        {{ clean_enum('raw_objective') }} as objective,
        try_cast(raw_start_date as date) as start_date,
        try_cast(raw_end_date as date) as end_date,
        try_cast(raw_budget_amount as decimal(18, 2)) as budget_amount,
        upper(raw_budget_currency) as budget_currency,
        {{ to_utc_timestamp('raw_exported_at', 'campaigns') }} as exported_at

    from numbered

),

versioned as (

    select
        *,
        {{ version_columns(['campaign_id'], 'exported_at') }},
        {{ first_unparseable_column(['start_date', 'end_date', 'budget_amount', 'exported_at']) }}
            as unparseable_column

    from typed

),

looked_up as (

    select
        versioned.*,
        channels.channel_id is not null as is_known_channel,
        {{ fx_rate_to_reporting('versioned.budget_currency', 'fx_rates.rate_to_usd') }} as rate_to_usd

    from versioned
    left join channels
        on versioned.channel_id = channels.channel_id
    left join fx_rates
        on
            versioned.start_date = fx_rates.rate_date
            and versioned.budget_currency = fx_rates.currency_code

),

checked as (

    select
        *,
        case
            when campaign_id is null then 'null_key'
            when unparseable_column is not null then 'unparseable_value'
            when rows_at_version > 1 then 'duplicate_key'
            when objective not in {{ contract_accepted_values('campaigns', 'objective') }}
                then 'invalid_enum'
            when not is_known_channel then 'unknown_channel'
            when budget_amount < 0 then 'negative_amount'
        end as quarantine_reason,
        case
            when campaign_id is null then 'campaign_id'
            when unparseable_column is not null then unparseable_column
            when rows_at_version > 1 then 'campaign_id'
            when objective not in {{ contract_accepted_values('campaigns', 'objective') }}
                then 'objective'
            when not is_known_channel then 'channel_id'
            when budget_amount < 0 then 'budget_amount'
        end as quarantine_column

    from looked_up

),

final as (

    select
        coalesce(campaign_id, '<null>') as record_key,
        campaign_id,
        channel_id,
        campaign_name,
        objective,
        start_date,
        end_date,
        budget_amount as budget_amount_original,
        budget_currency as currency_code_original,
        {{ to_reporting_currency('budget_amount', 'rate_to_usd') }} as budget_amount,
        exported_at,
        {{ record_status('exported_at') }} as record_status,
        quarantine_reason,
        quarantine_column

    from checked

)

select * from final

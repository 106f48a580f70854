with

source as (

    select * from {{ source('raw', 'leads') }}

),

channels as (

    select * from {{ ref('stg_ads__channels') }}

),

campaigns as (

    select * from {{ ref('stg_ads__campaigns') }}

),

fx_rates as (

    select * from {{ ref('fx_rates') }}

),

numbered as (

    {{ raw_rows_numbered('leads') }}

),

typed as (

    select
        *,
        raw_lead_id as lead_id,
        {{ to_utc_timestamp('raw_created_at', 'leads') }} as created_at,
        raw_channel_id as channel_id,
        raw_campaign_id as campaign_id,
        {{ pii_hash('raw_email') }} as email_hash,
        {{ pii_hash('raw_phone') }} as phone_hash,
        {{ pii_hash('raw_full_name') }} as full_name_hash,
        raw_job_title as job_title,
        {{ clean_enum('raw_seniority') }} as seniority,
        -- Bands are spelled with hyphens ('1-10'), so clean_enum's hyphen rewrite does not apply.
        nullif(replace(lower(raw_company_size), ' ', ''), '') as company_size,
        try_cast(raw_declared_budget as decimal(18, 2)) as declared_budget,
        upper(raw_declared_budget_currency) as declared_budget_currency,
        upper(raw_country_code) as country_code,
        {{ clean_enum('raw_device') }} as device,
        raw_owner_id as owner_id,
        {{ to_utc_timestamp('raw_assigned_at', 'leads') }} as assigned_at,
        {{ to_utc_timestamp('raw_first_responded_at', 'leads') }} as first_responded_at,
        raw_customer_id as customer_id,
        {{ redact_contact_details('raw_notes') }} as notes,
        {{ to_utc_timestamp('raw_exported_at', 'leads') }} as exported_at

    from numbered

),

versioned as (

    select
        *,
        {{ version_columns(['lead_id'], 'exported_at') }},
        {{ first_unparseable_column(['created_at', 'declared_budget', 'assigned_at',
            'first_responded_at', 'exported_at']) }} as unparseable_column

    from typed

),

looked_up as (

    select
        versioned.*,
        channels.channel_id is not null as is_known_channel,
        -- Without a campaigns export, campaign ids cannot be checked: kept as sent (unchecked).
        versioned.campaign_id is null
        or campaigns.campaign_id is not null
        or not {{ raw_table_is_provided('campaigns') }} as is_known_campaign,
        {{ fx_rate_to_reporting(
            'versioned.declared_budget_currency', 'fx_rates.rate_to_usd'
        ) }} as rate_to_usd

    from versioned
    left join channels
        on versioned.channel_id = channels.channel_id
    left join campaigns
        on versioned.campaign_id = campaigns.campaign_id
    left join fx_rates
        on
            cast(versioned.created_at as date) = fx_rates.rate_date
            and versioned.declared_budget_currency = fx_rates.currency_code

),

checked as (

    select
        *,
        case
            when lead_id is null then 'null_key'
            when unparseable_column is not null then 'unparseable_value'
            when rows_at_version > 1 then 'duplicate_key'
            when
                seniority not in {{ contract_accepted_values('leads', 'seniority') }}
                or company_size not in {{ contract_accepted_values('leads', 'company_size') }}
                or device not in {{ contract_accepted_values('leads', 'device') }}
                then 'invalid_enum'
            when not is_known_channel then 'unknown_channel'
            when not is_known_campaign then 'unknown_campaign'
            when cast(created_at as date) > {{ as_of_date() }} then 'future_dated'
            when declared_budget < 0 then 'negative_amount'
        end as quarantine_reason,
        case
            when lead_id is null then 'lead_id'
            when unparseable_column is not null then unparseable_column
            when rows_at_version > 1 then 'lead_id'
            when seniority not in {{ contract_accepted_values('leads', 'seniority') }}
                then 'seniority'
            when company_size not in {{ contract_accepted_values('leads', 'company_size') }}
                then 'company_size'
            when device not in {{ contract_accepted_values('leads', 'device') }} then 'device'
            when not is_known_channel then 'channel_id'
            when not is_known_campaign then 'campaign_id'
            when cast(created_at as date) > {{ as_of_date() }} then 'created_at'
            when declared_budget < 0 then 'declared_budget'
        end as quarantine_column

    from looked_up

),

final as (

    select
        coalesce(lead_id, '<null>') as record_key,
        lead_id,
        created_at,
        channel_id,
        campaign_id,
        email_hash,
        phone_hash,
        full_name_hash,
        job_title,
        seniority,
        company_size,
        declared_budget as declared_budget_original,
        declared_budget_currency as currency_code_original,
        {{ to_reporting_currency('declared_budget', 'rate_to_usd') }} as declared_budget,
        country_code,
        device,
        owner_id,
        assigned_at,
        first_responded_at,
        customer_id,
        notes,
        coalesce(notes != raw_notes, false) as has_redacted_contact_details,
        exported_at,
        {{ record_status('exported_at') }} as record_status,
        quarantine_reason,
        quarantine_column

    from checked

)

select * from final

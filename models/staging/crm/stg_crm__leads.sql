with

base as (

    select * from {{ ref('base_crm__leads') }}

),

valid as (

    select
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
        declared_budget_original,
        currency_code_original,
        declared_budget,
        country_code,
        device,
        owner_id,
        assigned_at,
        first_responded_at,
        customer_id,
        notes,
        has_redacted_contact_details,
        exported_at

    from base
    where record_status = 'valid'

)

select * from valid

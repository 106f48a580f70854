-- PII never reaches staging in the clear: every contact hash is a 64-character hex SHA-256 (never
-- the raw value, which contains '@', spaces or '+'), and the sales notes carry no email address
-- or phone-like number, nor any '@' or '+<digit>' left behind by a format the redaction missed.
-- Returns the offending leads (ids only).
with

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

exposed as (

    select
        lead_id,
        case
            when not {{ regex_matches('email_hash', '[0-9a-f]{64}', full=true) }} then 'email_hash'
            when not {{ regex_matches('phone_hash', '[0-9a-f]{64}', full=true) }} then 'phone_hash'
            when not {{ regex_matches('full_name_hash', '[0-9a-f]{64}', full=true) }} then 'full_name_hash'
            when {{ redact_contact_details('notes') }} != notes then 'notes'
            when notes like '%@%' or {{ regex_matches('notes', '[+][0-9]') }} then 'notes'
        end as exposed_column

    from leads

)

select * from exposed
where exposed_column is not null

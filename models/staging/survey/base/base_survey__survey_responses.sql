with

source as (

    select * from {{ source('raw', 'survey_responses') }}

),

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

customers as (

    select distinct customer_id
    from leads
    where customer_id is not null

),

numbered as (

    {{ raw_rows_numbered('survey_responses') }}

),

typed as (

    select
        *,
        raw_response_id as response_id,
        raw_customer_id as customer_id,
        {{ to_utc_timestamp('raw_responded_at', 'survey_responses') }} as responded_at,
        try_cast(raw_score as integer) as score

    from numbered

),

versioned as (

    select
        *,
        {{ version_columns(['response_id']) }},
        {{ first_unparseable_column(['responded_at', 'score']) }} as unparseable_column

    from typed

),

looked_up as (

    select
        versioned.*,
        customers.customer_id is not null as is_known_customer

    from versioned
    left join customers
        on versioned.customer_id = customers.customer_id

),

checked as (

    select
        *,
        case
            when response_id is null then 'null_key'
            when unparseable_column is not null then 'unparseable_value'
            when rows_at_version > 1 then 'duplicate_key'
            when not is_known_customer then 'unknown_customer'
            when cast(responded_at as date) > {{ as_of_date() }} then 'future_dated'
            when score < 0 or score > 10 then 'score_out_of_range'
        end as quarantine_reason,
        case
            when response_id is null then 'response_id'
            when unparseable_column is not null then unparseable_column
            when rows_at_version > 1 then 'response_id'
            when not is_known_customer then 'customer_id'
            when cast(responded_at as date) > {{ as_of_date() }} then 'responded_at'
            when score < 0 or score > 10 then 'score'
        end as quarantine_column

    from looked_up

),

final as (

    select
        coalesce(response_id, '<null>') as record_key,
        response_id,
        customer_id,
        responded_at,
        score,
        {{ record_status() }} as record_status,
        quarantine_reason,
        quarantine_column

    from checked

)

select * from final

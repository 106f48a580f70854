{{
    config(
        materialized='incremental',
        unique_key='record_key',
        incremental_strategy=marketing_kpi.incremental_strategy(),
        on_schema_change='fail',
    )
}}

with

source as (

    select * from {{ source('raw', 'orders') }}
    {% if is_incremental() %}
        -- every raw row of the keys with rows in the lookback window (docs/INCREMENTAL.md)
        where {{ marketing_kpi.incremental_reprocess_filter(
            source_relation=source('raw', 'orders'),
            raw_key_columns=[clean_text('order_id')],
            key_columns=['order_id'],
            raw_event_column='ordered_at',
            raw_event_time=to_utc_timestamp(clean_text('ordered_at'), 'orders'),
            event_column='ordered_at',
        ) }}
    {% endif %}

),

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

fx_rates as (

    select * from {{ ref('fx_rates') }}

),

customers as (

    select distinct customer_id
    from leads
    where customer_id is not null

),

numbered as (

    {{ raw_rows_numbered('orders') }}

),

typed as (

    select
        *,
        raw_order_id as order_id,
        raw_customer_id as customer_id,
        {{ to_utc_timestamp('raw_ordered_at', 'orders') }} as ordered_at,
        try_cast(raw_amount as decimal(18, 2)) as amount,
        upper(raw_currency_code) as currency_code,
        {{ clean_enum('raw_order_type') }} as order_type,
        {{ clean_enum('raw_order_status') }} as order_status

    from numbered

),

versioned as (

    select
        *,
        {{ version_columns(['order_id']) }},
        {{ first_unparseable_column(['ordered_at', 'amount']) }} as unparseable_column

    from typed

),

looked_up as (

    select
        versioned.*,
        customers.customer_id is not null as is_known_customer,
        {{ fx_rate_to_reporting('versioned.currency_code', 'fx_rates.rate_to_usd') }} as rate_to_usd

    from versioned
    left join customers
        on versioned.customer_id = customers.customer_id
    left join fx_rates
        on
            cast(versioned.ordered_at as date) = fx_rates.rate_date
            and versioned.currency_code = fx_rates.currency_code

),

checked as (

    select
        *,
        case
            when order_id is null then 'null_key'
            when unparseable_column is not null then 'unparseable_value'
            when rows_at_version > 1 then 'duplicate_key'
            when
                order_type not in {{ contract_accepted_values('orders', 'order_type') }}
                or order_status not in {{ contract_accepted_values('orders', 'order_status') }}
                then 'invalid_enum'
            when not is_known_customer then 'unknown_customer'
            when cast(ordered_at as date) > {{ as_of_date() }} then 'future_dated'
            when order_type != 'refund' and amount < 0 then 'negative_amount'
            when order_type = 'refund' and amount >= 0 then 'refund_not_negative'
            when rate_to_usd is null then 'missing_fx_rate'
        end as quarantine_reason,
        case
            when order_id is null then 'order_id'
            when unparseable_column is not null then unparseable_column
            when rows_at_version > 1 then 'order_id'
            when order_type not in {{ contract_accepted_values('orders', 'order_type') }}
                then 'order_type'
            when order_status not in {{ contract_accepted_values('orders', 'order_status') }}
                then 'order_status'
            when not is_known_customer then 'customer_id'
            when cast(ordered_at as date) > {{ as_of_date() }} then 'ordered_at'
            when order_type != 'refund' and amount < 0 then 'amount'
            when order_type = 'refund' and amount >= 0 then 'amount'
            when rate_to_usd is null then 'currency_code'
        end as quarantine_column

    from looked_up

),

final as (

    select
        coalesce(order_id, '<null>') as record_key,
        order_id,
        customer_id,
        ordered_at,
        amount as amount_original,
        currency_code as currency_code_original,
        {{ to_reporting_currency('amount', 'rate_to_usd') }} as amount,
        order_type,
        order_status,
        {{ record_status() }} as record_status,
        quarantine_reason,
        quarantine_column

    from checked

)

select * from final

with

source as (

    select * from {{ source('raw', 'channels') }}

),

numbered as (

    {{ raw_rows_numbered('channels') }}

),

typed as (

    select
        *,
        raw_channel_id as channel_id,
        raw_channel_name as channel_name,
        {{ clean_enum('raw_channel_group') }} as channel_group,
        try_cast(raw_is_paid as boolean) as is_paid,
        {{ clean_enum('raw_platform') }} as platform

    from numbered

),

versioned as (

    select
        *,
        {{ version_columns(['channel_id']) }},
        {{ first_unparseable_column(['is_paid']) }} as unparseable_column

    from typed

),

checked as (

    select
        *,
        case
            when channel_id is null then 'null_key'
            when unparseable_column is not null then 'unparseable_value'
            when rows_at_version > 1 then 'duplicate_key'
            when channel_group not in {{ contract_accepted_values('channels', 'channel_group') }}
                then 'invalid_enum'
        end as quarantine_reason,
        case
            when channel_id is null then 'channel_id'
            when unparseable_column is not null then unparseable_column
            when rows_at_version > 1 then 'channel_id'
            when channel_group not in {{ contract_accepted_values('channels', 'channel_group') }}
                then 'channel_group'
        end as quarantine_column

    from versioned

),

final as (

    select
        coalesce(channel_id, '<null>') as record_key,
        channel_id,
        channel_name,
        channel_group,
        is_paid,
        platform,
        {{ record_status() }} as record_status,
        quarantine_reason,
        quarantine_column

    from checked

)

select * from final

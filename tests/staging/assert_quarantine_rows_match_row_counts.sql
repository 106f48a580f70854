-- The grain test of stg_quarantine__rows (one row per quarantined raw row): its rows per raw table
-- equal quarantined_rows in stg_quarantine__row_counts. Returns the tables that disagree.
with

quarantine_rows as (

    select * from {{ ref('stg_quarantine__rows') }}

),

row_counts as (

    select * from {{ ref('stg_quarantine__row_counts') }}

),

rows_per_table as (

    select
        source_table,
        count(*) as quarantine_rows

    from quarantine_rows
    group by source_table

),

compared as (

    select
        row_counts.source_table,
        row_counts.quarantined_rows,
        coalesce(rows_per_table.quarantine_rows, 0) as quarantine_rows

    from row_counts
    left join rows_per_table
        on row_counts.source_table = rows_per_table.source_table
    where row_counts.quarantined_rows != coalesce(rows_per_table.quarantine_rows, 0)

)

select * from compared

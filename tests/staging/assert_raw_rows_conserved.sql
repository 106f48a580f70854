-- Every raw row ends in exactly one bucket: raw rows = staged + exact duplicates removed +
-- superseded + quarantined, for every raw table. Returns the tables where that does not hold.
with

row_counts as (

    select * from {{ ref('stg_quarantine__row_counts') }}

),

not_conserved as (

    select
        source_table,
        raw_rows,
        staged_rows,
        exact_duplicates_removed,
        superseded_rows,
        quarantined_rows

    from row_counts
    where
        raw_rows
        != staged_rows + exact_duplicates_removed + superseded_rows + quarantined_rows

)

select * from not_conserved

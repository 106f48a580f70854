{#-
    incremental_reprocess_filter(source_relation, raw_key_columns, key_columns, raw_event_column,
        raw_event_time, event_column): the where clause on a raw table, inside an incremental base
    model, selecting every raw row of every key the run must reprocess (docs/INCREMENTAL.md):
      * keys with a raw row whose event date is on or after the cutoff = the latest event date of
        the model's valid rows minus var('incremental_lookback_days') (3). The raw side is read
        cheaply and conservatively: the date in the first ten characters of the text, one day
        earlier still (an offset moves a UTC date by less than a day), so no expensive time-zone
        parse runs over every raw row; a few extra keys are reprocessed, which is always correct;
      * keys with a raw row whose event time is missing or not an ISO date, or with a null key part;
      * keys the model currently quarantines for a reason that depends on other tables or on the
        clock (unknown_*, missing_fx_rate, future_dated), so they are checked again.
    Whole keys are reprocessed so the dedupe and versioning windows rank every copy and version
    again; the model then replaces those keys (unique_key='record_key', delete+insert).

    source_relation: the raw relation (source('raw', ...)), for the window's key lookup;
    raw_key_columns: expressions on the raw columns giving the model's key values, in the order of
        key_columns (e.g. clean_text('order_id'));
    key_columns: the model's key column names (e.g. ['order_id']);
    raw_event_column: the raw column holding the event time or date (e.g. 'ordered_at');
    raw_event_time: expression on the raw columns giving the exact event time or date (used only
        by insert_overwrite, whose partitions must be selected exactly);
    event_column: the model's column holding it (e.g. 'ordered_at').
    With incremental_strategy() = insert_overwrite (Spark on Parquet) a batch must hold whole
    partitions: with the model's partition_by set, only the event-date window applies; without
    it, insert_overwrite rewrites the whole table, so every raw row is selected (correct, not
    incremental) until the port adds a partition column.
-#}
{% macro incremental_reprocess_filter(source_relation, raw_key_columns, key_columns, raw_event_column,
    raw_event_time, event_column) -%}
    {%- set recheck_reasons = ['unknown_channel', 'unknown_campaign', 'unknown_lead', 'unknown_customer',
        'missing_fx_rate', 'future_dated'] -%}
    {%- set lookback = var('incremental_lookback_days', 3) | int -%}
    {%- set cutoff -%}
        (
            select
                coalesce(
                    cast({{ dbt.dateadd('day', -1 * lookback, 'max(cast(' ~ event_column ~ ' as date))') }} as date),
                    cast('1900-01-01' as date)
                )
            from {{ this }}
            where record_status = 'valid'
        )
    {%- endset -%}
    {%- set raw_date = 'try_cast(left(' ~ marketing_kpi.clean_text(raw_event_column) ~ ', 10) as date)' -%}
    {%- if marketing_kpi.incremental_strategy() == 'insert_overwrite' and not config.get('partition_by') -%}
        1 = 1
    {%- elif marketing_kpi.incremental_strategy() == 'insert_overwrite' -%}
        (cast({{ raw_event_time }} as date) >= {{ cutoff }} or {{ raw_event_time }} is null)
    {%- else -%}
        (
            {%- for raw_key in raw_key_columns %}
            {{ raw_key }} is null or
            {%- endfor %}
            {{ marketing_kpi._reprocess_key(raw_key_columns) }} in (
                select {{ marketing_kpi._reprocess_key(raw_key_columns) }}
                from {{ source_relation }}
                where
                    {{ raw_date }} >= {{ dbt.dateadd('day', -1, cutoff) }}
                    or {{ raw_date }} is null

                union all

                select {{ marketing_kpi._reprocess_key(key_columns) }}
                from {{ this }}
                where
                    record_status = 'quarantined'
                    and quarantine_reason in ('{{ recheck_reasons | join("', '") }}')
            )
        )
    {%- endif -%}
{%- endmacro %}

{#- One comparable value per key: the column itself, or the parts of a composite key as text joined
    by '|' (null when a part is null; those keys are selected by the `is null` tests). A row-value
    `(a, b) in (select ...)` is far slower on DuckDB (minutes instead of seconds on 10 M rows). -#}
{% macro _reprocess_key(columns) -%}
    {%- if columns | length == 1 -%}
        {{ columns[0] }}
    {%- else -%}
        {%- set parts = [] -%}
        {%- for column in columns -%}
            {%- do parts.append('cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')') -%}
            {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
        {%- endfor -%}
        {{ dbt.concat(parts) }}
    {%- endif -%}
{%- endmacro %}

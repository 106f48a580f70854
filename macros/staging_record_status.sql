{#-
    The shared row bookkeeping of every base model (models/staging/<source>/base/). A raw row ends
    in exactly one record_status, so raw rows = staged + duplicates removed + superseded +
    quarantined holds by construction, and tests/staging/assert_raw_rows_conserved.sql proves it.

    raw_rows_numbered(table)     -> select of every raw row as trimmed text (raw_<column>) with
                                    exact_duplicate_rank numbering identical raw rows (1 = first copy)
    version_columns(keys, version) -> two window columns over first copies with a non-null key:
        latest_version      the newest version of the key (exports re-send rows with updates)
        rows_at_version     how many distinct rows share this key and version (>1 = ambiguous)
    record_status(version) -> 'exact_duplicate' | 'superseded' | 'quarantined' | 'valid'
-#}
{% macro raw_rows_numbered(table, from_relation='source') -%}
    {#- Every raw row of from_relation with its contract columns as trimmed text (raw_<column>) and
        exact_duplicate_rank: identical raw rows are grouped once (a hash aggregate) and expanded
        back to one row per copy numbered 1..n, so every raw row is kept and counted, at a
        fraction of the cost of a row_number() window partitioned by every column. -#}
    {%- set columns = marketing_kpi.raw_column_names(table) -%}
    select
        {{- marketing_kpi.raw_columns_prefixed(table) }},
        {{ marketing_kpi.copy_numbers('raw_copies') }} as exact_duplicate_rank

    from (
        select
            {{ columns | join(', ') }},
            count(*) as raw_copies
        from {{ from_relation }}
        group by {{ columns | join(', ') }}
    ) as distinct_raw_rows
{%- endmacro %}

{#- copy_numbers(count_column): a generator expression giving one row per copy, numbered 1..n. -#}
{% macro copy_numbers(count_column) -%}
    {{ return(adapter.dispatch('copy_numbers', 'marketing_kpi')(count_column)) }}
{%- endmacro %}

{% macro default__copy_numbers(count_column) -%}
    unnest(generate_series(1, {{ count_column }}))
{%- endmacro %}

{% macro spark__copy_numbers(count_column) -%}
    explode(sequence(1, cast({{ count_column }} as int)))
{%- endmacro %}

{% macro version_columns(key_columns, version_column=none) -%}
    {%- set partition = ['exact_duplicate_rank = 1'] + key_columns -%}
    {%- if version_column -%}
        max({{ version_column }}) over (partition by {{ partition | join(', ') }}) as latest_version,
        count(*) over (partition by {{ (partition + [version_column]) | join(', ') }}) as rows_at_version
    {%- else -%}
        cast(null as timestamp) as latest_version,
        count(*) over (partition by {{ partition | join(', ') }}) as rows_at_version
    {%- endif -%}
{%- endmacro %}

{% macro record_status(version_column=none, reason_column='quarantine_reason') -%}
    case
        when exact_duplicate_rank > 1 then 'exact_duplicate'
        {%- if version_column %}
        when
            coalesce({{ reason_column }}, '') != 'null_key'
            and {{ version_column }} < latest_version
            then 'superseded'
        {%- endif %}
        when {{ reason_column }} is not null then 'quarantined'
        else 'valid'
    end
{%- endmacro %}

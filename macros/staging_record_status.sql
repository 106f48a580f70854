{#-
    The shared row bookkeeping of every base model (models/staging/<source>/base/). A raw row ends
    in exactly one record_status, so raw rows = staged + duplicates removed + superseded +
    quarantined holds by construction, and tests/staging/assert_raw_rows_conserved.sql proves it.

    exact_duplicate_rank(table)  -> window expression numbering identical raw rows (1 = first copy)
    version_columns(keys, version) -> two window columns over first copies with a non-null key:
        latest_version      the newest version of the key (exports re-send rows with updates)
        rows_at_version     how many distinct rows share this key and version (>1 = ambiguous)
    record_status(version) -> 'exact_duplicate' | 'superseded' | 'quarantined' | 'valid'
-#}
{% macro exact_duplicate_rank(table) -%}
    row_number() over (
        partition by {{ marketing_kpi.raw_column_names(table) | join(', ') }}
        order by {{ marketing_kpi.raw_column_names(table)[0] }}
    )
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

{#-
    pii_hash(column): a salted SHA-256 of a normalised (trimmed, lower-cased) PII value, for joins
    and distinct counts without the raw value. The salt is a DuckDB session variable set by the
    profile's connection plugin from DBT_ENV_SECRET_PII_SALT: it never appears in compiled SQL.
    Null in, null out.
-#}
{% macro pii_hash(column) -%}
    {{ return(adapter.dispatch('pii_hash', 'marketing_kpi')(column)) }}
{%- endmacro %}

{% macro default__pii_hash(column) -%}
    case
        when nullif(trim({{ column }}), '') is not null
            then sha256(concat(getvariable('pii_salt'), lower(trim({{ column }}))))
    end
{%- endmacro %}

{#-
    pii_hash(column): a salted SHA-256 of a normalised (trimmed, lower-cased) PII value, for joins
    and distinct counts without the raw value. The salt is a DuckDB session variable set by the
    profile's connection plugin from DBT_ENV_SECRET_PII_SALT: it never appears in compiled SQL.
    On Spark it is the session conf spark.mkpi.pii_salt (set by the profile's
    server_side_parameters from the same variable), read as ${spark.mkpi.pii_salt}: Spark
    substitutes it when it parses the statement, after dbt compiled and logged it. An unset or
    short salt fails the query. Both give the same lower-case hex digest. Null in, null out. Without the salt it raises an error instead of hashing unsalted:
    models calling it must be tables (a view would evaluate the hash, unsalted, at read time).
-#}
{% macro pii_hash(column) -%}
    {{ return(adapter.dispatch('pii_hash', 'marketing_kpi')(column)) }}
{%- endmacro %}

{% macro default__pii_hash(column) -%}
    case
        {# Fail loudly rather than hash without salt (e.g. a view read outside dbt). -#}
        when getvariable('pii_salt') is null or length(getvariable('pii_salt')) < 16
            then error('PII salt missing: pii_hash needs the pii_salt session variable set by the profile plugin')
        when nullif(trim({{ column }}), '') is not null
            then sha256(getvariable('pii_salt') || lower(trim({{ column }})))
    end
{%- endmacro %}

{% macro spark__pii_hash(column) -%}
    case
        when length('${spark.mkpi.pii_salt}') < 16 or '${spark.mkpi.pii_salt}' = concat('$', '{spark.mkpi.pii_salt}')
            then raise_error('PII salt missing or too short: set DBT_ENV_SECRET_PII_SALT (16+ characters)')
        when nullif(trim({{ column }}), '') is not null
            then sha2(concat('${spark.mkpi.pii_salt}', lower(trim({{ column }}))), 256)
    end
{%- endmacro %}

"""PII never leaves staging and the salt never leaves the environment."""

from __future__ import annotations

import re

from marketing_kpi import paths
from marketing_kpi.contract import load_contract
from marketing_kpi.dbt_runner import dbt_env

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def _salt() -> str:
    return dbt_env()["DBT_ENV_SECRET_PII_SALT"]


def test_salt_never_in_compiled_sql_or_logs(built_database):
    salt = _salt()
    assert len(salt) >= 16
    checked = 0
    for folder in (paths.PROJECT_ROOT / "target", paths.PROJECT_ROOT / "logs"):
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix in {".sql", ".json", ".log", ".txt"}:
                checked += 1
                assert salt not in path.read_text(errors="ignore"), f"PII salt leaked into {path}"
    assert checked > 0, "no compiled SQL or logs found to check"


def test_salt_and_raw_pii_never_in_any_table_outside_raw(warehouse):
    salt = _salt()
    raw_emails = warehouse.execute("select count(*) from raw.leads where email is not null").fetchone()[0]
    assert raw_emails, "the embedded dataset should contain lead emails"
    text_columns = warehouse.execute(
        """
        select table_schema, table_name, column_name
        from information_schema.columns
        where table_schema not in ('raw', 'information_schema', 'pg_catalog')
          and data_type = 'VARCHAR'
        """
    ).fetchall()
    assert text_columns
    # One scan of every text value outside raw: where the salt or a raw lead email appears.
    texts = "\nunion all\n".join(
        f"select '{schema}.{table}.{column}' as location, \"{column}\" as text_value "
        f'from "{schema}"."{table}" where "{column}" is not null'
        for schema, table, column in text_columns
    )
    findings = warehouse.execute(
        f"""
        with texts as ({texts}),
        raw_emails as (select distinct lower(trim(email)) as email from raw.leads where email is not null)
        select location, 'salt' as what from texts where strpos(text_value, ?) > 0
        union all
        select distinct found.location, 'raw lead email'
        from (
            select location, lower(unnest(regexp_extract_all(text_value, ?))) as email
            from texts
            where regexp_matches(text_value, ?)
        ) as found
        inner join raw_emails on found.email = raw_emails.email
        """,
        [salt, EMAIL.pattern, EMAIL.pattern],
    ).fetchall()
    assert findings == [], f"salt or raw PII found outside staging: {findings[:10]}"


def test_pii_columns_are_hashed_in_staging(warehouse):
    pii = load_contract()["leads"].pii_columns
    assert set(pii) == {"email", "phone", "full_name"}
    columns = {
        r[0]
        for r in warehouse.execute(
            "select column_name from information_schema.columns where table_name = 'stg_crm__leads'"
        ).fetchall()
    }
    for column in pii:
        assert column not in columns
        assert f"{column}_hash" in columns
    row = warehouse.execute(
        "select count(*), count(distinct email_hash), min(length(email_hash)) from staging.stg_crm__leads"
    ).fetchone()
    assert row[0] > 0 and row[1] > 0.9 * row[0] and row[2] == 64


def test_hash_is_salted(warehouse):
    """The stored hash is not the unsalted SHA-256 of the normalised email."""
    unsalted = warehouse.execute(
        """
        select count(*)
        from staging.stg_crm__leads as s
        inner join raw.leads as r on s.lead_id = trim(r.lead_id)
        where s.email_hash = sha256(lower(trim(r.email)))
        """
    ).fetchone()[0]
    assert unsalted == 0


def test_project_profile_has_no_literal_secrets():
    profile = (paths.PROJECT_ROOT / "profiles" / "profiles.yml").read_text()
    assert "DBT_ENV_SECRET_PII_SALT" in profile
    for line in profile.splitlines():
        if any(word in line.lower() for word in ("password", "token", "salt:")):
            assert "env_var(" in line or line.strip().startswith("#"), line

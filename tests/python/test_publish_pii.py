"""No contact details in anything published: every text column of every published table, in the
DuckDB file and in Parquet, is scanned for email addresses and phone numbers."""

from __future__ import annotations

import re

import duckdb
import pytest
from _publish_testkit import FIXTURE_MODELS, make_build_db, make_fixture, make_manifest, real_build

from marketing_kpi import publish as pub

EMAIL = re.compile(pub.EMAIL_PATTERN)
PHONE = re.compile(pub.PHONE_PATTERN)


def _text_columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    described = con.execute(f"describe select * from {relation}").fetchall()
    return [name for name, dtype, *_ in described if str(dtype).upper().startswith(pub.TEXT_TYPES)]


def _scan(result: pub.PublishResult) -> dict[str, list[str]]:
    """{relation: flagged text columns} for every published table, DuckDB file and Parquet."""
    flagged: dict[str, list[str]] = {}
    con = duckdb.connect(str(result.serving_file), read_only=True)
    try:
        tables = con.execute("select schema_name, table_name from duckdb_tables()").fetchall()
        assert len(tables) == len(result.tables) + len(pub.META_TABLES)
        for schema, table in tables:
            for relation in (
                f'"{schema}"."{table}"',
                f"read_parquet('{result.parquet_dir}/{schema}/{table}/*.parquet')",
            ):
                columns = _text_columns(con, relation)
                flagged[relation] = pub.find_contact_details(con, relation, columns)
    finally:
        con.close()
    return flagged


@pytest.mark.parametrize(
    ("value", "is_contact"),
    [
        ("jane.doe@example.com", True),
        ("call +49 170 5551234 today", True),
        ("(555) 123-4567", True),
        ("0049 30 1234 5678", True),
        ("2025-03-04", False),
        ("L000123", False),
        ("550e8400-e29b-41d4-a716-446655440000", False),
        ("ch_12345", False),
        ("Spring sale 2025", False),
        ("[redacted-email] [redacted-phone]", False),
    ],
)
def test_contact_patterns(value, is_contact):
    con = duckdb.connect()
    relation = "(select '" + value.replace("'", "''") + "' as v)"
    found = pub.find_contact_details(con, relation, ["v"])
    assert bool(found) == is_contact
    assert bool(EMAIL.search(value) or PHONE.search(value)) == is_contact


def test_planted_pii_columns_are_not_published(tmp_path):
    """Columns marked PII in the manifest (meta or tag) and *_hash columns are dropped; the
    published output then passes the scan although the build table holds emails and phones."""
    fx = make_fixture(tmp_path)
    result = pub.publish(fx.build_a, fx.serving, fx.manifest)
    leads = next(t for t in result.tables if t.name == "dim_leads")
    assert set(leads.dropped_columns) == {"contact_email", "contact_phone", "email_hash"}
    assert _scan(result) == {relation: [] for relation in _scan(result)}


def test_the_scan_finds_a_planted_email_when_the_manifest_misses_it(tmp_path):
    build = make_build_db(tmp_path / "build.duckdb")
    models = dict(FIXTURE_MODELS)
    path, schema, access, cols = models["dim_leads"]
    models["dim_leads"] = (path, schema, access, {**cols, "contact_phone": {}})  # PII tag forgotten
    manifest = make_manifest(tmp_path / "target" / "manifest.json", models=models)
    result = pub.publish(build, tmp_path / "serving", manifest, scan_contact_details=False)
    flagged = _scan(result)
    assert flagged['"marts"."dim_leads"'] == ["contact_phone"]
    assert any(columns == ["contact_phone"] for relation, columns in flagged.items() if "parquet" in relation)


def test_real_published_output_holds_no_contact_details(tmp_path):
    build, manifest = real_build()
    result = pub.publish(build, tmp_path / "serving", manifest, scan_contact_details=False)
    flagged = {relation: columns for relation, columns in _scan(result).items() if columns}
    assert not flagged, f"email/phone-like values in published columns: {flagged}"
    for table in result.tables:
        assert not any(c.endswith("_hash") for c in table.columns)

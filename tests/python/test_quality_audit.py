"""The Great Expectations audit gate (src/marketing_kpi/quality).

Unit-level tests build a small DuckDB file in tmp_path; the end-to-end test audits the real build
(MKPI_DUCKDB_PATH) and is skipped when it has not been built.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import duckdb
import great_expectations as gx
import pytest

from marketing_kpi.contract import load_contract
from marketing_kpi.quality import audit
from marketing_kpi.quality.suites import AuditSettings, SuiteSpec, enum_regex, load_settings, normalise_type

AS_OF = dt.date(2026, 10, 31)
PLANTED_EMAIL = "planted.person@leak.example"
PLANTED_PHONE = "+1 202-555-0147"
PLANTED_NAME = "Zebulon Quistgaard"


def _settings() -> AuditSettings:
    return AuditSettings(
        as_of_date=AS_OF, raw_freshness_days=7, kpi_freshness_days=7, future_slack_days=1, volume_bands={}
    )


@pytest.fixture()
def mini_database(tmp_path: Path) -> Path:
    """A tiny build database: raw.leads (text, as exported; 3 of 10 rows with an unparseable
    created_at, all with contact details) and one KPI mart with one rate above 1."""
    db = tmp_path / "mini.duckdb"
    leads = load_contract()["leads"]
    con = duckdb.connect(str(db))
    con.execute("create schema raw")
    con.execute("create schema kpi")
    con.execute(f"create table raw.leads ({', '.join(f'{c} varchar' for c in leads.column_names)})")
    for i in range(10):
        row = {c: None for c in leads.column_names}
        row.update(
            lead_id=f"lead_{i:06d}",
            created_at="garbage" if i < 3 else "2026-10-30 10:00:00",
            channel_id="google_search",
            email=PLANTED_EMAIL,
            phone=PLANTED_PHONE,
            full_name=PLANTED_NAME,
            notes=f"call {PLANTED_NAME} on {PLANTED_PHONE} or {PLANTED_EMAIL}",
            seniority="VP",
            device=" Desktop",
            exported_at="2026-10-30 11:00:00",
        )
        con.execute(f"insert into raw.leads values ({', '.join('?' for _ in row)})", list(row.values()))
    con.execute(
        """
        create table kpi.kpi_demo__monthly as
        select * from (values
            (date '2026-10-01', 'google_search', 10::bigint, 5::bigint, 0.5::double),
            (date '2026-10-01', 'meta_ads', 4::bigint, 6::bigint, 1.5::double)
        ) as t(date_month, channel_id, leads, marketing_qualified_leads, lead_to_mql_rate)
        """
    )
    con.close()
    return db


@pytest.fixture()
def mini_manifest(tmp_path: Path) -> Path:
    """A dbt manifest with one public KPI mart (contract columns and a grain test)."""
    model_id = "model.marketing_kpi.kpi_demo__monthly"
    columns = {
        "date_month": "date",
        "channel_id": "varchar",
        "leads": "bigint",
        "marketing_qualified_leads": "bigint",
        "lead_to_mql_rate": "double",
    }
    manifest = {
        "nodes": {
            model_id: {
                "resource_type": "model",
                "name": "kpi_demo__monthly",
                "alias": "kpi_demo__monthly",
                "schema": "kpi",
                "access": "public",
                "original_file_path": "models/marts/kpi/kpi_demo__monthly.sql",
                "columns": {name: {"name": name, "data_type": t} for name, t in columns.items()},
            },
            "test.marketing_kpi.grain": {
                "resource_type": "test",
                "attached_node": model_id,
                "test_metadata": {
                    "name": "unique_combination_of_columns",
                    "kwargs": {"combination_of_columns": ["date_month", "channel_id"]},
                },
            },
            "model.marketing_kpi.fct_private": {
                "resource_type": "model",
                "name": "fct_private",
                "access": "public",
                "original_file_path": "models/marts/fct_private.sql",
                "columns": {},
            },
        }
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    return path


def test_pandas_path_gives_exactly_one_pass_and_one_failure(tmp_path: Path) -> None:
    """GX's SQL datasource cannot run on DuckDB; the pandas dataframe path must keep working."""
    db = tmp_path / "tiny.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create table main.t as select range as id, range % 3 as n from range(6)")
    con.close()
    spec = SuiteSpec(
        name="tiny",
        table="main.t",
        layer="raw",
        select_sql="select * from main.t",
        key_columns=("id",),
        expectations=[
            gx.expectations.ExpectColumnValuesToNotBeNull(column="id"),
            gx.expectations.ExpectColumnValuesToBeBetween(column="n", min_value=0, max_value=1),
        ],
    )
    result = audit.run_audit(db, data_docs_dir=None, settings=_settings(), specs=[spec])
    assert not result.success
    assert (result.expectations, result.passed) == (2, 1)
    (failure,) = result.failures
    assert failure.expectation == "expect_column_values_to_be_between"
    assert failure.column == "n"
    assert failure.unexpected_count == 2
    assert failure.sample_keys == [{"id": 2}, {"id": 5}]
    assert failure.error is None


def test_database_is_opened_read_only(mini_database: Path, mini_manifest: Path) -> None:
    before = mini_database.stat().st_mtime_ns
    held = duckdb.connect(str(mini_database), read_only=True)  # a second reader is fine only if we read
    try:
        audit.run_audit(
            mini_database,
            data_docs_dir=None,
            manifest=mini_manifest,
            settings=_settings(),
            tables=["kpi_demo__monthly"],
        )
    finally:
        held.close()
    assert mini_database.stat().st_mtime_ns == before


def test_failing_mart_exits_non_zero_with_a_readable_report(
    mini_database: Path, mini_manifest: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "last_audit.json"
    code = audit.main(
        [
            "--database", str(mini_database),
            "--manifest", str(mini_manifest),
            "--tables", "kpi_demo__monthly",
            "--as-of-date", AS_OF.isoformat(),
            "--no-volume-bands",
            "--report", str(report),
            "--data-docs-dir", str(tmp_path / "docs"),
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1
    assert "FAILED kpi.kpi_demo__monthly" in out
    assert "table=kpi.kpi_demo__monthly" in out
    assert "column=lead_to_mql_rate" in out
    assert "expect_column_values_to_be_between(min_value=0.0, max_value=1.0)" in out
    assert "unexpected: 1 rows (50.0%)" in out
    assert '"channel_id": "meta_ads"' in out  # the grain from the manifest's test is the sample key
    assert "column=leads, marketing_qualified_leads" not in out  # period mart: funnel not checked
    saved = json.loads(report.read_text())
    assert saved["success"] is False
    (failure,) = saved["failures"]
    assert failure["sample_keys"] == [{"date_month": "2026-10-01T00:00:00", "channel_id": "meta_ads"}]
    assert (tmp_path / "docs" / "index.html").exists()
    assert {s["suite"] for s in saved["suites"]} == {"kpi.kpi_demo__monthly", "kpi.kpi_demo__monthly.schema"}


def test_module_entry_point_audits_and_fails(mini_database: Path, mini_manifest: Path, tmp_path: Path) -> None:
    """`python -m marketing_kpi.quality.audit` (what the benchmark and scripts run) really audits: with
    pyspark installed, an eager Great Expectations import in the package made it exit 0 silently."""
    import subprocess
    import sys

    proc = subprocess.run(
        [
            sys.executable, "-m", "marketing_kpi.quality.audit",
            "--database", str(mini_database),
            "--manifest", str(mini_manifest),
            "--tables", "kpi_demo__monthly",
            "--as-of-date", AS_OF.isoformat(),
            "--no-volume-bands",
            "--report", str(tmp_path / "last_audit.json"),
            "--no-data-docs",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "FAILED kpi.kpi_demo__monthly" in proc.stdout


def test_pii_never_reaches_the_report_or_data_docs(
    mini_database: Path, mini_manifest: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "last_audit.json"
    docs = tmp_path / "docs"
    code = audit.main(
        [
            "--database", str(mini_database),
            "--manifest", str(mini_manifest),
            "--tables", "raw.leads",
            "--as-of-date", AS_OF.isoformat(),
            "--no-volume-bands",
            "--report", str(report),
            "--data-docs-dir", str(docs),
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1
    assert "column=created_at" in out and "lead_000000" in out  # the failure is reported by key
    everything = out + report.read_text() + "".join(p.read_text(errors="ignore") for p in docs.rglob("*.html"))
    for secret in (PLANTED_EMAIL, "planted.person", PLANTED_PHONE, "555-0147", PLANTED_NAME, "Quistgaard"):
        assert secret not in everything


def test_enum_regex_accepts_what_staging_normalises() -> None:
    import re

    pattern = re.compile(enum_regex(["paid_social", "1-10"]))
    for ok in ("paid_social", " Paid Social ", "PAID-SOCIAL", "1-10", "1_10"):
        assert pattern.match(ok), ok
    for bad in ("paid", "paid_socials", "110"):
        assert not pattern.match(bad), bad


def test_types_normalise_between_manifest_and_catalog() -> None:
    assert normalise_type("decimal(18, 2)") == normalise_type("DECIMAL(18,2)") == "DECIMAL(18,2)"
    assert normalise_type("int8") == "BIGINT"
    assert normalise_type("text") == "VARCHAR"
    assert normalise_type(None) is None


def test_embedded_settings_measure_freshness_from_the_data_end() -> None:
    settings = load_settings()
    manifest = json.loads((Path(audit.paths.raw_seed_dir()) / "_dirt_manifest.json").read_text())
    assert settings.as_of_date == dt.date.fromisoformat(manifest["end"])
    low, high = settings.volume_bands["raw"]["leads"]
    assert low < manifest["rows"]["leads"] < high


def _real_build() -> Path | None:
    value = os.environ.get("MKPI_DUCKDB_PATH")
    if not value or not Path(value).exists():
        return None
    con = duckdb.connect(value, read_only=True)
    try:
        has_kpi = con.execute("select count(*) from information_schema.schemata where schema_name = 'kpi'").fetchone()
    finally:
        con.close()
    return Path(value) if has_kpi and has_kpi[0] else None


def test_embedded_dataset_audit_passes(tmp_path: Path) -> None:
    database = _real_build()
    if database is None:
        pytest.skip("MKPI_DUCKDB_PATH is not set or has no kpi schema: build the project first")
    manifest = audit.default_manifest()
    if not manifest.exists():
        pytest.skip(f"no dbt manifest at {manifest}: build the project first")
    result = audit.run_audit(database, data_docs_dir=tmp_path / "docs", manifest=manifest)
    assert result.success, audit.format_report(result)
    assert len({s.table for s in result.suites if s.table.startswith("raw.")}) == len(load_contract())

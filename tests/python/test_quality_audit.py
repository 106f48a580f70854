"""The Great Expectations audit gate (src/marketing_kpi/quality).

Unit-level tests build a small DuckDB file in tmp_path; the end-to-end test audits the real build
(MKPI_DUCKDB_PATH) and is skipped when it has not been built.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from pathlib import Path

import duckdb
import great_expectations as gx
import pandas as pd
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


def _tiny_suite(tmp_path: Path, *, rows: int, expectations: list) -> tuple[Path, SuiteSpec]:
    """A database with main.t (id 0..rows-1, n = id % 3, s = 'x' || id) and a suite over it."""
    db = tmp_path / "tiny.duckdb"
    con = duckdb.connect(str(db))
    con.execute(f"create table main.t as select range as id, range % 3 as n, 'x' || range as s from range({rows})")
    con.close()
    spec = SuiteSpec(
        name="tiny",
        table="main.t",
        layer="raw",
        select_sql="select * from main.t",
        key_columns=("id",),
        expectations=expectations,
    )
    return db, spec


def test_pandas_path_gives_exactly_one_pass_and_one_failure(tmp_path: Path) -> None:
    """GX's SQL datasource cannot run on DuckDB; the pandas dataframe path must keep working."""
    db, spec = _tiny_suite(
        tmp_path,
        rows=6,
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


def test_each_part_is_released_before_the_next_is_fetched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GX keeps the last validated dataframe; the audit drops it after each part, so at most one
    part's frame is alive when the next is fetched (otherwise two of a large table's part frames
    are held at once)."""
    import gc
    import weakref

    db, spec = _tiny_suite(
        tmp_path,
        rows=50,
        expectations=[
            gx.expectations.ExpectColumnValuesToNotBeNull(column="id"),
            gx.expectations.ExpectColumnValuesToBeBetween(column="n", min_value=0, max_value=2),
            gx.expectations.ExpectColumnValuesToNotBeNull(column="s"),
        ],
    )
    fetched: list[weakref.ref] = []
    alive_at_fetch: list[int] = []
    fetch = audit.fetch_frame

    def tracking_fetch(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
        gc.collect()
        alive_at_fetch.append(sum(ref() is not None for ref in fetched))
        frame = fetch(con, sql)
        fetched.append(weakref.ref(frame))
        return frame

    monkeypatch.setattr(audit, "fetch_frame", tracking_fetch)
    result = audit.run_audit(db, data_docs_dir=None, settings=_settings(), specs=[spec], split_cells=0)
    assert result.success and result.expectations == 3
    assert len(alive_at_fetch) == 3 and alive_at_fetch == [0, 0, 0]


def test_audit_connection_takes_the_profile_memory_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit reads with the profile's DuckDB memory limit and threads (which also bound
    DuckDB's block cache), not DuckDB's default of 80 % of RAM."""
    db = tmp_path / "tiny.duckdb"
    duckdb.connect(str(db)).close()
    monkeypatch.setenv("MKPI_DUCKDB_MEMORY_LIMIT", "321MB")
    monkeypatch.setenv("MKPI_DUCKDB_THREADS", "1")
    monkeypatch.setenv("MKPI_DUCKDB_TEMP_DIR", str(tmp_path / "spill"))
    reference = duckdb.connect()
    reference.execute("set memory_limit = '321MB'")
    con = audit.connect_read_only(db)
    try:
        setting = "select current_setting('memory_limit'), current_setting('threads'), current_setting('TimeZone')"
        assert con.execute(setting).fetchall() == [(reference.execute(setting).fetchall()[0][0], 1, "UTC")]
        with pytest.raises(duckdb.Error):
            con.execute("create table main.nope as select 1 as x")
    finally:
        con.close()
        reference.close()


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


def _comparable(df: pd.DataFrame) -> pd.DataFrame:
    """Values only: datetimes at one unit, numbers as float (Int64 5 == float 5.0)."""
    out = df.copy()
    for name in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[name]):
            out[name] = out[name].dt.as_unit("us")
        elif pd.api.types.is_numeric_dtype(out[name]) and not pd.api.types.is_bool_dtype(out[name]):
            out[name] = out[name].astype("float64")
        else:
            # text: a missing value is missing whether pandas spells it None or NaN (an all-null
            # text column arrives as Arrow strings of NaN, DuckDB's .df() gives objects of None)
            out[name] = out[name].astype(object).where(out[name].notna(), None)
    return out


def test_arrow_fetch_matches_duckdb_df_on_edge_types() -> None:
    """fetch_frame (the audit's fast path) gives the values of DuckDB's own .df(), including nulls
    in every type, in dtypes GX validates vectorised (nanosecond timestamps, float64 for integers
    with nulls), and keeps a timestamp outside the nanosecond range rather than altering it."""
    con = duckdb.connect()
    sql = """
        select * from (values
            (date '2025-01-02', timestamp '2025-01-02 03:04:05', 1.25::decimal(18, 2), 10::hugeint,
             5::bigint, 3::integer, true, 1.5::double, 'a', 7::bigint, false),
            (null, null, null, null, null, null, null, null, null, 8::bigint, true)
        ) as t(d, ts, amount, total, big, small, flag, ratio, label, never_null, flag_never_null)
    """
    try:
        expected = con.sql(sql).df()
        actual = audit.fetch_frame(con, sql)
        far_future = audit.fetch_frame(con, "select timestamp '9999-12-31 23:59:59' as ts, date '0001-01-01' as d")
    finally:
        con.close()
    pd.testing.assert_frame_equal(_comparable(actual), _comparable(expected), check_dtype=False)
    assert str(actual["ts"].dtype) == "datetime64[ns]" and str(actual["d"].dtype) == "datetime64[ns]"
    assert actual["big"].dtype == "float64" and actual["never_null"].dtype == "int64"
    assert far_future["ts"][0] == pd.Timestamp("9999-12-31 23:59:59")
    assert far_future["d"][0] == pd.Timestamp("0001-01-01")


def test_arrow_fetch_matches_duckdb_df_for_every_suite(built_database: Path) -> None:
    """Every suite's dataframe on the embedded warehouse is the same through both fetch paths, so
    switching the audit to Arrow changed no expectation's input."""
    manifest = audit.default_manifest()
    if not manifest.exists():
        pytest.skip(f"no dbt manifest at {manifest}: build the project first")
    specs = [s for s in audit.build_specs(_settings(), manifest) if s.frame_builder != "schema"]
    assert specs
    con = duckdb.connect(str(built_database), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        for spec in specs:
            expected = con.sql(spec.select_sql).df()
            actual = audit.fetch_frame(con, spec.select_sql)
            pd.testing.assert_frame_equal(_comparable(actual), _comparable(expected), check_dtype=False, obj=spec.name)
    finally:
        con.close()


def test_large_batches_skip_the_gx_fingerprint() -> None:
    """The audit lowers GX's batch-fingerprint threshold; if a GX upgrade renames the constant the
    audit silently pays ~20 s per large table again, so this test names it."""
    from great_expectations.execution_engine import pandas_execution_engine

    assert hasattr(pandas_execution_engine, "HASH_THRESHOLD")
    audit._limit_batch_fingerprints()
    assert pandas_execution_engine.HASH_THRESHOLD == audit.FINGERPRINT_MAX_BYTES


def test_expectations_run_in_parts_by_the_columns_they_read() -> None:
    """Each part validates only its columns plus the key columns; the column-set check runs on zero
    rows, the row count on one column, and an expectation naming a column the table lacks on the
    whole table (so GX reports the missing column)."""
    E = gx.expectations
    spec = SuiteSpec(name="kpi.x", table="kpi.x", layer="kpi", select_sql="", key_columns=("day",))
    spec.expectations += [
        E.ExpectTableColumnsToMatchSet(column_set=["day", "spend", "leads"], exact_match=True),
        E.ExpectTableRowCountToBeBetween(min_value=1),
        E.ExpectColumnValuesToNotBeNull(column="day"),
        E.ExpectColumnValuesToBeBetween(column="spend", min_value=0),
        E.ExpectColumnValuesToNotBeNull(column="spend"),
        E.ExpectColumnPairValuesAToBeGreaterThanB(column_A="spend", column_B="leads", or_equal=True),
        E.ExpectColumnValuesToNotBeNull(column="not_there"),
    ]
    parts = audit.expectation_parts(spec, ["day", "spend", "leads"])
    got = {(p.name, tuple(p.columns), p.no_rows): [type(e).__name__ for e in p.expectations] for p in parts}
    assert got == {
        ("kpi.x", ("day", "spend", "leads"), True): ["ExpectTableColumnsToMatchSet"],
        ("kpi.x [row count]", ("day",), False): ["ExpectTableRowCountToBeBetween"],
        ("kpi.x [day]", ("day",), False): ["ExpectColumnValuesToNotBeNull"],
        ("kpi.x [spend]", ("spend", "day"), False): ["ExpectColumnValuesToBeBetween", "ExpectColumnValuesToNotBeNull"],
        ("kpi.x [spend, leads]", ("spend", "leads", "day"), False): ["ExpectColumnPairValuesAToBeGreaterThanB"],
        ("kpi.x [table]", ("day", "spend", "leads"), False): ["ExpectColumnValuesToNotBeNull"],
    }
    assert sum(len(p.expectations) for p in parts) == len(spec.expectations)
    whole = audit.expectation_parts(spec, ["day", "spend", "leads"], split=False)
    assert [(p.name, p.columns, len(p.expectations)) for p in whole] == [("kpi.x", ["day", "spend", "leads"], 7)]


def test_audit_in_parts_gives_the_whole_table_results(built_database: Path, tmp_path: Path) -> None:
    """On the embedded warehouse, every suite run in parts has the same expectations, passes and
    failures (with sample keys) as the same suite validated in one piece on the whole table."""
    manifest = audit.default_manifest()
    if not manifest.exists():
        pytest.skip(f"no dbt manifest at {manifest}: build the project first")
    settings = _settings()
    # a strict row-count band and a strict bound make some expectations fail, with sample keys
    specs = [
        s
        for s in audit.build_specs(settings, manifest)
        if s.name in ("raw.touchpoints", "kpi.kpi_channel_performance__daily")
    ]
    assert len(specs) == 2
    specs[0].expectations.append(gx.expectations.ExpectColumnValuesToMatchRegex(column="touch_type", regex="^visit$"))
    specs[1].expectations.append(gx.expectations.ExpectColumnValuesToBeBetween(column="spend", max_value=1))
    parted = audit.run_audit(built_database, data_docs_dir=None, specs=specs, manifest=manifest, split_cells=0)
    whole = [
        SuiteSpec(
            name=s.name, table=s.table, layer=s.layer, select_sql=s.select_sql, key_columns=s.key_columns,
            expectations=[gx.expectations.ExpectTableRowCountToBeBetween(min_value=0)], masked_columns=s.masked_columns,
        )
        for s in specs
    ]  # fmt: skip
    con = duckdb.connect(str(built_database), read_only=True)
    try:
        for spec, one_piece in zip(specs, whole, strict=True):
            df = audit.fetch_frame(con, spec.select_sql)
            context = gx.get_context(mode="ephemeral")
            batch = (
                context.data_sources.add_pandas("p").add_dataframe_asset("a").add_batch_definition_whole_dataframe("b")
            )
            suite = context.suites.add(
                gx.ExpectationSuite(name="whole", expectations=[copy.copy(e) for e in spec.expectations])
            )
            validation = batch.get_batch(batch_parameters={"dataframe": df}).validate(
                suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5}
            )
            passed, failures = audit._failures(one_piece, df, validation)
            mine = [f for f in parted.failures if f.suite == spec.name]
            outcome = next(o for o in parted.suites if o.suite == spec.name)
            assert (outcome.expectations, outcome.passed, outcome.rows) == (len(spec.expectations), passed, len(df))
            assert sorted((f.expectation, f.column, f.unexpected_count, str(f.sample_keys)) for f in mine) == sorted(
                (f.expectation, f.column, f.unexpected_count, str(f.sample_keys)) for f in failures
            )
            assert failures, "the strict expectations should fail"
    finally:
        con.close()

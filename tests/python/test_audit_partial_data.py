"""The audit on partial data (bring your own data with only some raw tables) and what publish records.

A small build database in tmp_path: the raw tables of the contract, `channels`, `leads` and
`lead_stage_events` provided (the embedded dataset's rows, as text, like the loader writes them),
every other raw table present but EMPTY; three KPI marts whose dbt lineage (a hand-made manifest)
reads provided inputs only, provided and unprovided ones, and unprovided ones only.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from marketing_kpi import paths
from marketing_kpi import publish as pub
from marketing_kpi.contract import load_contract
from marketing_kpi.quality import audit, suites
from marketing_kpi.quality.suites import AuditSettings, load_settings

PROVIDED = ("channels", "leads", "lead_stage_events")
DATA_END = dt.date.fromisoformat(json.loads((paths.raw_seed_dir() / "_dirt_manifest.json").read_text())["end"])
ROW_COUNT = "expect_table_row_count_to_be_between"
COLUMN_MAX = "expect_column_max_to_be_between"

# mart -> (raw inputs its lineage reads, rows: provided-only mart has two fresh months)
FULL = "kpi_leads__monthly"  # leads + channels: all provided
MIXED = "kpi_orders__monthly"  # orders (not provided) + leads + channels
NONE = "kpi_surveys__monthly"  # survey_responses only (not provided)


def _settings(as_of: dt.date = DATA_END, **overrides) -> AuditSettings:
    values = dict(as_of_date=as_of, raw_freshness_days=7, kpi_freshness_days=7, future_slack_days=1, volume_bands={})
    values.update(overrides)
    return AuditSettings(**values)


def _make_database(path: Path, *, empty_marts: tuple[str, ...] = (), empty_raw: tuple[str, ...] = ()) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema raw")
    con.execute("create schema staging")
    con.execute("create schema kpi")
    for table in load_contract().values():
        columns = ", ".join(f'"{c}" varchar' for c in table.column_names)
        con.execute(f"create table raw.{table.name} ({columns})")
        if table.name in PROVIDED and table.name not in empty_raw:
            csv = paths.raw_seed_dir() / f"{table.name}.csv"
            con.execute(
                f"insert into raw.{table.name} by name "
                f"select * from read_csv('{csv}', all_varchar = true, header = true)"
            )
    month = DATA_END.replace(day=1)
    con.execute(
        f"""
        create table kpi.{FULL} as select * from (values
            ((date '{month}' - interval 1 month)::date, 'google_search', 10::bigint),
            (date '{month}', 'google_search', 12::bigint)
        ) as t(date_month, channel_id, leads)
        """
    )
    con.execute(
        f"create table kpi.{MIXED} as select date '{month}' as date_month, 'x' as channel_id, 1::bigint as orders"
    )
    con.execute(f"delete from kpi.{MIXED}")  # leads but no orders: legitimately empty
    con.execute(f"create table kpi.{NONE} (date_month date, channel_id varchar, responses bigint)")
    for mart in empty_marts:
        con.execute(f"delete from kpi.{mart}")
    con.close()
    return path


def _manifest(path: Path) -> Path:
    """Sources for every raw table, a staging model, and the three marts (public, models/marts/kpi)."""
    sources = {
        f"source.marketing_kpi.raw.{t}": {"resource_type": "source", "name": t, "identifier": t, "schema": "raw"}
        for t in load_contract()
    }
    nodes: dict[str, dict] = {
        "seed.marketing_kpi.fx_rates": {"resource_type": "seed", "name": "fx_rates", "depends_on": {"nodes": []}},
        "model.marketing_kpi.stg_crm__leads": {
            "resource_type": "model",
            "name": "stg_crm__leads",
            "schema": "staging",
            "original_file_path": "models/staging/crm/stg_crm__leads.sql",
            "depends_on": {"nodes": ["source.marketing_kpi.raw.leads", "seed.marketing_kpi.fx_rates"]},
            "columns": {},
        },
    }
    marts = {
        FULL: (["model.marketing_kpi.stg_crm__leads", "source.marketing_kpi.raw.channels"], "leads"),
        MIXED: (["model.marketing_kpi.stg_crm__leads", "source.marketing_kpi.raw.orders"], "orders"),
        NONE: (["source.marketing_kpi.raw.survey_responses"], "responses"),
    }
    for name, (parents, measure) in marts.items():
        uid = f"model.marketing_kpi.{name}"
        columns = {"date_month": "date", "channel_id": "varchar", measure: "bigint"}
        nodes[uid] = {
            "resource_type": "model",
            "name": name,
            "alias": name,
            "database": path.parent.name,
            "schema": "kpi",
            "access": "public",
            "config": {"materialized": "table", "access": "public", "enabled": True},
            "original_file_path": f"models/marts/kpi/{name}.sql",
            "depends_on": {"nodes": parents},
            "columns": {c: {"name": c, "data_type": t} for c, t in columns.items()},
        }
        nodes[f"test.marketing_kpi.grain_{name}"] = {
            "resource_type": "test",
            "attached_node": uid,
            "test_metadata": {
                "name": "unique_combination_of_columns",
                "kwargs": {"combination_of_columns": ["date_month", "channel_id"]},
            },
        }
    path.write_text(json.dumps({"metadata": {"invocation_id": "inv"}, "nodes": nodes, "sources": sources}))
    return path


@pytest.fixture()
def partial(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "build").mkdir()
    database = _make_database(tmp_path / "build" / "build.duckdb")
    return database, _manifest(tmp_path / "build" / "manifest.json")


def _run(database: Path, manifest: Path, settings: AuditSettings, report: Path | None = None) -> audit.AuditResult:
    return audit.run_audit(database, data_docs_dir=None, manifest=manifest, settings=settings, report_file=report)


def _failed(result: audit.AuditResult) -> set[tuple[str, str, str | None]]:
    return {(f.suite, f.expectation, f.column) for f in result.failures}


def test_partial_data_audits_green_with_the_skipped_expectations_recorded(partial, tmp_path):
    database, manifest = partial
    report = tmp_path / "last_audit.json"
    result = _run(database, manifest, _settings(), report)
    assert result.success, audit.format_report(result)

    skipped = {(s.table, s.expectation, s.column, s.action): s.reason for s in result.skipped}
    # A raw table that is not provided: no volume, no freshness; each with its reason.
    assert skipped[("raw.orders", ROW_COUNT, None, "skipped")] == "raw.orders not provided (0 rows)"
    assert skipped[("raw.orders", COLUMN_MAX, "ordered_at", "skipped")] == "raw.orders not provided (0 rows)"
    # Provided tables keep both (nothing skipped for them), the required one included.
    assert not [s for s in result.skipped if s.table in {f"raw.{t}" for t in PROVIDED}]
    # Mart fed by provided and unprovided inputs: row count relaxed to min 0, freshness skipped.
    relaxed = skipped[(f"kpi.{MIXED}", ROW_COUNT, None, "relaxed")]
    assert relaxed == "raw.orders not provided (its other inputs raw.leads are)"
    assert (f"kpi.{MIXED}", COLUMN_MAX, "date_month", "skipped") in skipped
    # Mart fed only by unprovided inputs: neither.
    assert (
        skipped[(f"kpi.{NONE}", ROW_COUNT, None, "skipped")] == "no input provided (raw.survey_responses not provided)"
    )
    # Mart fed only by provided inputs: checked in full.
    assert not [s for s in result.skipped if s.table == f"kpi.{FULL}"]
    full_suite = next(o for o in result.suites if o.suite == f"kpi.{FULL}")
    assert full_suite.rows == 2 and full_suite.passed == full_suite.expectations

    saved = json.loads(report.read_text())
    assert saved["success"] is True
    assert {"table": "raw.orders", "rows": 0, "provided": False, "required": False} in saved["sources"]
    assert {"table": "raw.channels", "rows": 12, "provided": True, "required": True} in saved["sources"]
    assert saved["skipped_expectations"] == sum(s.action == "skipped" for s in result.skipped) > 0
    assert saved["relaxed_expectations"] == 1
    assert {"table": "raw.orders", "action": "skipped", "reason": "raw.orders not provided (0 rows)"}.items() <= next(
        s for s in saved["skipped"] if s["table"] == "raw.orders" and s["expectation"] == ROW_COUNT
    ).items()
    text = audit.format_report(result)
    assert "Partial data: not provided (0 rows): raw.campaigns" in text
    assert "skipped expect_table_row_count_to_be_between on raw.orders: raw.orders not provided (0 rows)" in text


def test_schema_and_column_rules_still_run_on_empty_tables(partial):
    """Only volume and freshness are left out: the empty raw tables' column, parse and
    cross-column rules still run (and pass on zero rows); a missing column still fails."""
    database, manifest = partial
    result = _run(database, manifest, _settings())
    orders = {o.suite: o for o in result.suites if o.table == "raw.orders"}
    assert orders["raw.orders"].rows == 0 and orders["raw.orders"].expectations > 3
    assert orders["raw.orders"].passed == orders["raw.orders"].expectations
    assert orders["raw.orders.typed"].expectations >= 1  # not-future-dated and range rules
    con = duckdb.connect(str(database))
    con.execute("alter table raw.orders drop column currency_code")
    con.close()
    result = _run(database, manifest, _settings())
    assert not result.success
    assert {f.table for f in result.failures} == {"raw.orders"}
    assert all("currency_code" in (f.error or "") for f in result.failures)


def test_a_provided_but_stale_table_still_fails_freshness(partial):
    database, manifest = partial
    result = _run(database, manifest, _settings(DATA_END + dt.timedelta(days=30)))
    assert not result.success
    # Exactly the provided tables that are stale fail, and the mart fed by them. The embedded
    # lead_stage_events carry a planted far-future changed_at (year 2062): freshness looks at the
    # newest row that is not future-dated, so that row does not make the stale table look fresh.
    assert _failed(result) == {
        ("raw.leads.typed", COLUMN_MAX, "created_at"),
        ("raw.lead_stage_events.typed", COLUMN_MAX, "changed_at"),
        (f"kpi.{FULL}", COLUMN_MAX, "date_month"),
    }
    assert "hint: the newest value is older than the freshness window" in audit.format_report(result)

    # A per-table window (freshness_days.tables) widens one table ...
    later = DATA_END + dt.timedelta(days=30)
    result = _run(database, manifest, _settings(later, freshness_by_table={"leads": 40}))
    assert _failed(result) == {
        ("raw.lead_stage_events.typed", COLUMN_MAX, "changed_at"),
        (f"kpi.{FULL}", COLUMN_MAX, "date_month"),
    }
    # ... and null switches its check off, recorded as skipped.
    tables = {"leads": 40, "lead_stage_events": 40, FULL: None}
    result = _run(database, manifest, _settings(later, freshness_by_table=tables))
    assert result.success
    assert any(
        s.table == f"kpi.{FULL}" and s.expectation == COLUMN_MAX and "switched off" in s.reason for s in result.skipped
    )


def test_per_table_freshness_windows_are_read_from_the_settings_file(tmp_path):
    settings_file = tmp_path / "settings.yml"
    settings_file.write_text(
        "as_of_date: 2026-01-31\nfreshness_days:\n  raw: 3\n  tables:\n    orders: 30\n    survey_responses: null\n"
    )
    settings = load_settings(settings_file, use_volume_bands=False)
    assert settings.freshness_days("raw", "orders") == 30
    assert settings.freshness_days("raw", "survey_responses") is None
    assert settings.freshness_days("raw", "leads") == 3
    assert settings.freshness_days("kpi", "kpi_budget__monthly") == 7
    settings_file.write_text("freshness_days:\n  tables:\n    orders: soon\n")
    with pytest.raises(ValueError, match=r"freshness_days.tables.orders: expected a number of days"):
        load_settings(settings_file, as_of_date="2026-01-31")


def test_an_empty_mart_whose_inputs_are_provided_still_fails(tmp_path, capsys):
    (tmp_path / "build").mkdir()
    database = _make_database(tmp_path / "build" / "build.duckdb", empty_marts=(FULL,))
    manifest = _manifest(tmp_path / "build" / "manifest.json")
    report = tmp_path / "last_audit.json"
    code = audit.main(
        [
            "--database", str(database), "--manifest", str(manifest), "--as-of-date", DATA_END.isoformat(),
            "--no-volume-bands", "--report", str(report), "--no-data-docs",
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1
    assert _failed_from_report(report) == {(f"kpi.{FULL}", ROW_COUNT, None), (f"kpi.{FULL}", COLUMN_MAX, "date_month")}
    assert f"FAILED kpi.{FULL}  table=kpi.{FULL}  column=-" in out
    assert "expectation: expect_table_row_count_to_be_between(min_value=1)" in out
    # ... and nothing is published.
    serving = tmp_path / "serving"
    argv = ["--build-db", str(database), "--serving-dir", str(serving), "--manifest", str(manifest)]
    assert pub.main([*argv, "--require-audit-file", str(report)]) == 1
    assert "audit did not pass" in capsys.readouterr().err
    assert not (serving / pub.SERVING_FILE_NAME).exists()


def test_the_required_table_must_be_provided(tmp_path):
    """channels is `meta: required: true`: empty, its volume expectation still runs and fails."""
    (tmp_path / "build").mkdir()
    database = _make_database(tmp_path / "build" / "build.duckdb", empty_raw=("channels",))
    manifest = _manifest(tmp_path / "build" / "manifest.json")
    result = _run(database, manifest, _settings())
    assert ("raw.channels", ROW_COUNT, None) in _failed(result)
    assert {f.table for f in result.failures} == {"raw.channels"}  # the other empty tables are not provided
    assert not [s for s in result.skipped if s.table == "raw.channels"]


def _failed_from_report(report: Path) -> set[tuple[str, str, str | None]]:
    return {(f["suite"], f["expectation"], f["column"]) for f in json.loads(report.read_text())["failures"]}


def _query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_published_metadata_lists_the_sources_and_the_skipped_expectations(partial, tmp_path, capsys):
    database, manifest = partial
    report = tmp_path / "last_audit.json"
    result = _run(database, manifest, _settings(), report)
    assert result.success
    serving = tmp_path / "serving"
    argv = ["--build-db", str(database), "--serving-dir", str(serving), "--manifest", str(manifest)]
    assert pub.main([*argv, "--require-audit-file", str(report)]) == 0
    out = capsys.readouterr().out
    assert "audit:   passed" in out and "partial data: not provided: raw.campaigns" in out

    served = serving / pub.SERVING_FILE_NAME
    info = _query(
        served,
        "select audit_status, audit_as_of_date, audit_expectations, audit_expectations_skipped, "
        "audit_expectations_relaxed, sources_provided from meta.build_info",
    )
    skipped_count = sum(s.action == "skipped" for s in result.skipped)
    assert info == [
        ("passed", DATA_END, result.expectations, skipped_count, 1, "raw.channels, raw.leads, raw.lead_stage_events")
    ]
    sources = dict(
        (
            (t, (p, r))
            for t, p, r in _query(served, "select source_table, is_provided, is_required from meta.build_sources")
        )
    )
    assert sources["raw.orders"] == (False, False) and sources["raw.channels"] == (True, True)
    assert len(sources) == len(load_contract())
    rows = _query(
        served,
        "select table_name, column_name, expectation_type, action, reason, detail from meta.audit_skipped_expectations",
    )
    assert len(rows) == len(result.skipped)
    assert ("raw.orders", None, ROW_COUNT, "skipped", "raw.orders not provided (0 rows)", None) in rows
    assert (
        f"kpi.{MIXED}",
        None,
        ROW_COUNT,
        "relaxed",
        "raw.orders not provided (its other inputs raw.leads are)",
        "min_value=0 (may be empty), max_value=None",
    ) in rows
    # The same tables in Parquet, for BI tools without DuckDB.
    parquet = serving / "parquet" / "meta" / "audit_skipped_expectations" / pub.PARQUET_FILE_NAME
    assert duckdb.connect().execute(f"select count(*) from read_parquet('{parquet}')").fetchone()[0] == len(rows)


def test_an_audit_of_other_data_does_not_pass_the_gate(partial, tmp_path):
    """The report's raw row counts must be the build's: an old audit of the full data cannot
    publish a later partial build (or the other way round)."""
    database, manifest = partial
    report = tmp_path / "last_audit.json"
    assert _run(database, manifest, _settings(), report).success
    con = duckdb.connect(str(database))
    con.execute(
        "delete from raw.lead_stage_events "
        "where stage_event_id in (select stage_event_id from raw.lead_stage_events limit 5)"
    )
    con.close()
    with pytest.raises(pub.AuditNotPassed, match=r"raw.lead_stage_events: \d+ rows audited, \d+ in the build"):
        pub.publish(database, tmp_path / "serving", manifest, audit=pub.check_audit(report))
    assert not (tmp_path / "serving" / pub.SERVING_FILE_NAME).exists()


def test_publishing_without_an_audit_says_not_audited(partial, tmp_path):
    database, manifest = partial
    serving = tmp_path / "serving"
    result = pub.publish(database, serving, manifest)
    assert result.audit_status == pub.NOT_AUDITED
    served = serving / pub.SERVING_FILE_NAME
    assert _query(served, "select audit_status, audit_expectations from meta.build_info") == [("not audited", None)]
    assert _query(served, "select count(*) from meta.audit_skipped_expectations") == [(0,)]
    assert ("raw.orders", False) in _query(served, "select source_table, is_provided from meta.build_sources")
    history = json.loads((serving / pub.HISTORY_FILE_NAME).read_text().splitlines()[-1])
    assert history["audit_status"] == "not audited" and "raw.orders" in history["sources_not_provided"]


def test_no_audit_notice_says_nothing_was_published_and_how_to_publish(partial, tmp_path):
    database, manifest = partial
    serving = tmp_path / "serving"
    first = pub.not_published_notice(serving, ["--as-of-date", "today", "--no-volume-bands"])
    assert first.startswith("NOT PUBLISHED: the audit was skipped (--no-audit)")
    assert "nothing has been published yet" in first
    assert (
        "marketing-kpi audit --as-of-date today --no-volume-bands && marketing-kpi publish --require-audit-file"
        in first
    )
    result = pub.publish(database, serving, manifest)
    assert f"BI still reads build {result.build_id}" in pub.not_published_notice(serving)
    assert "NOT published" in pub.NO_AUDIT_HELP


def test_mart_inputs_are_walked_up_the_manifest_to_the_sources(tmp_path):
    manifest = json.loads(_manifest(tmp_path / "manifest.json").read_text())
    lineage = suites.mart_raw_inputs(manifest)
    assert lineage[f"model.marketing_kpi.{FULL}"] == ("raw.channels", "raw.leads")  # through staging; seed ignored
    assert lineage[f"model.marketing_kpi.{NONE}"] == ("raw.survey_responses",)
    # On the project's own manifest, when it has been built.
    real = audit.default_manifest()
    if real.exists():
        marts = {m.name: m for m in audit.discover_marts(real)}
        email = marts["kpi_engagement__email_monthly"].raw_inputs
        assert set(email) >= {"raw.email_sends", "raw.channels"} and "raw.orders" not in email


def test_without_a_provision_every_mart_keeps_its_volume_and_freshness():
    """Suites built without measured data (the embedded dataset's tests, --write-volume-bands) are
    unchanged: every mart must have rows and be fresh."""
    mart = suites.Mart(
        "kpi_x__monthly", "kpi", "kpi_x__monthly", {"date_month": "date"}, ("date_month",), ("raw.orders",)
    )
    (spec, _) = suites.mart_suites(_settings(), [mart])
    kinds = [e.expectation_type for e in spec.expectations]
    assert ROW_COUNT in kinds and COLUMN_MAX in kinds and not spec.skipped
    (spec, _) = suites.mart_suites(_settings(), [mart], suites.Provision(rows={"raw.orders": 0}))
    assert [s.action for s in spec.skipped] == ["skipped", "skipped"]


def test_a_settings_files_as_of_date_is_used_unless_the_run_sets_one(tmp_path, monkeypatch):
    """--settings FILE's as_of_date counts when neither --as-of-date nor MKPI_AS_OF_DATE is given
    (the dbt project's default date used to win over it); those two still win over the file."""
    settings_file = tmp_path / "settings.yml"
    settings_file.write_text("as_of_date: 2025-06-30\n")
    monkeypatch.delenv("MKPI_AS_OF_DATE", raising=False)
    assert load_settings(settings_file, use_volume_bands=False).as_of_date == dt.date(2025, 6, 30)
    monkeypatch.setenv("MKPI_AS_OF_DATE", "2025-07-31")
    assert load_settings(settings_file, use_volume_bands=False).as_of_date == dt.date(2025, 7, 31)
    late = load_settings(settings_file, as_of_date="2025-08-31", use_volume_bands=False)
    assert late.as_of_date == dt.date(2025, 8, 31)
    monkeypatch.delenv("MKPI_AS_OF_DATE")
    settings_file.write_text("freshness_days: {raw: 3}\n")  # no as_of_date: the project's default
    assert load_settings(settings_file, use_volume_bands=False).as_of_date == DATA_END


def test_sparse_tables_get_a_freshness_window_of_three_typical_gaps() -> None:
    """A table of a handful of rows a month (16 orders in four months) is not stale a week after its
    last row: its window is three times its average spacing between event days; dense tables keep
    the configured window."""
    from marketing_kpi.quality.suites import Provision

    provision = Provision(
        rows={"raw.orders": 16, "raw.leads": 900}, event_day_spacing={"raw.orders": 7.5, "raw.leads": 1.0}
    )
    assert provision.freshness_window("raw.orders", 7) == 23
    assert provision.freshness_window("raw.leads", 7) == 7
    assert provision.freshness_window("raw.web_sessions", 7) == 7

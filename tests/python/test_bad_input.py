"""Bad-input drills: what the pipeline does with each kind of broken export (`pytest -k bad_input`).

Every scenario is applied to a copy of the embedded raw dataset and states its expected outcome:

* file-level faults (a column missing, extra, renamed or mistyped; a malformed row; bytes that are
  not UTF-8; a cut-off CSV or Parquet file; an empty file) must stop the ingest *before anything
  is loaded*, with a message naming the table, the column or line, and the rule. They are planted
  together, one per table, into one directory: the contract check lists every problem at once, so
  one (failing) ingest answers them all, and no dbt run is needed;
* an empty table (header only) follows the contract, so the ingest loads it; the quality audit's
  row-volume expectation fails, and the publish gate refuses it;
* row-level faults are planted together, on disjoint keys, into one dataset that is ingested and
  built once (tests/python/_drill_build.py); each test checks its own keys: quarantined with the
  stated reason and column, normalised, superseded, redacted or flagged as an anomaly; and row
  conservation (raw rows = staged + duplicates + superseded + quarantined) is checked for the
  whole build.

The scenario table, with the expected outcomes, is SCENARIOS below.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from _drill_build import DrillBuild, copy_raw_csvs, drill_build, read_rows, write_rows

from marketing_kpi import paths
from marketing_kpi.contract import load_contract
from marketing_kpi.ingest import ContractMismatch, TableFile, check_table, ingest, reader_sql
from marketing_kpi.quality.audit import run_audit
from marketing_kpi.quality.suites import load_settings, raw_suites

# scenario -> (expected outcome, how it is checked)
SCENARIOS: dict[str, tuple[str, str]] = {
    # file level: the ingest refuses the directory, nothing is loaded
    "missing_column": ("ingest fails: 'web_sessions: missing columns: landing_page'", "contract check"),
    "extra_column": ("ingest fails: 'email_sends: extra columns: utm_content'", "contract check"),
    "renamed_column": ("ingest fails: survey_responses missing score + extra nps_score", "contract check"),
    "wrong_type": ("ingest fails: 'campaigns.budget_amount: mistyped: expected decimal(18,2)'", "contract check"),
    "malformed_csv_row": ("ingest fails: orders.csv line 1001 has 8 fields, header 7", "integrity check"),
    "invalid_utf8": ("ingest fails: leads.csv line 2001 not valid UTF-8", "integrity check"),
    "truncated_csv": ("ingest fails: touchpoints.csv cut-off row (line named) + 'looks truncated'", "integrity check"),
    "truncated_parquet": ("ingest fails: 'ad_performance: cannot read ...parquet'", "parquet reader"),
    "empty_file": ("ingest fails: channels has no header: every column missing", "contract check"),
    # the volume gate
    "empty_table": ("ingest loads 0 rows; GX audit fails the raw row-count band; publish refused", "audit"),
    # row level: one build, each fault on its own keys
    "duplicate_keys": ("both versions quarantined: duplicate_key (campaign_id, report_date)", "quarantine"),
    "null_keys": ("quarantined: null_key (order_id)", "quarantine"),
    "unknown_channel": ("quarantined: unknown_channel (channel_id)", "quarantine"),
    "unknown_campaign": ("quarantined: unknown_campaign (campaign_id)", "quarantine"),
    "negative_spend": ("quarantined: negative_spend (spend)", "quarantine"),
    "clicks_above_impressions": ("quarantined: clicks_exceed_impressions (clicks)", "quarantine"),
    "dates_in_the_future": ("quarantined: future_dated (report_date)", "quarantine"),
    "stage_events_out_of_order": ("kept; lifecycle monotone: mql_at <= sql_at, no negative duration", "lifecycle"),
    "won_without_being_a_lead": ("quarantined: unknown_lead (lead_id)", "quarantine"),
    "revenue_for_unknown_customer": ("quarantined: unknown_customer (customer_id); not in revenue", "quarantine"),
    "currency_without_fx_rate": ("quarantined: missing_fx_rate (currency_code)", "quarantine"),
    "timezone_shifted_timestamps": ("normalised to UTC: same instant, UTC day/month in the marts", "staging"),
    "spend_outlier_100x": ("valid (not quarantined); kpi_anomalies__weekly flags spend up that week", "anomaly mart"),
    "missing_day": (
        "builds with a warning (assert_no_day_without_ad_performance); the day shows zero spend, nothing invented",
        "dbt test + marts",
    ),
    "late_rows_for_past_day": ("older version superseded; the mart shows the re-sent value", "staging + mart"),
    "email_in_free_text": ("redacted in staging notes; the address reaches no mart", "staging + marts scan"),
    "whole_table_duplicated": ("every second copy removed as exact_duplicate; staged rows unchanged", "counts"),
}


# ================================================================================================
# File-level faults: one directory, one ingest, no dbt
# ================================================================================================


def _plant_file_faults(data_dir: Path) -> dict[str, int]:
    """One fault per table; returns the line numbers that the messages must name."""
    lines: dict[str, int] = {}

    header, rows = read_rows(data_dir / "web_sessions.csv")
    write_rows(
        data_dir / "web_sessions.csv", [c for c in header if c != "landing_page"], rows_without(rows, "landing_page")
    )

    header, rows = read_rows(data_dir / "email_sends.csv")
    write_rows(data_dir / "email_sends.csv", [*header, "utm_content"], [dict(r, utm_content="spring") for r in rows])

    header, rows = read_rows(data_dir / "survey_responses.csv")
    renamed = [{("nps_score" if k == "score" else k): v for k, v in r.items()} for r in rows]
    write_rows(data_dir / "survey_responses.csv", ["nps_score" if c == "score" else c for c in header], renamed)

    header, rows = read_rows(data_dir / "campaigns.csv")
    write_rows(data_dir / "campaigns.csv", header, [dict(r, budget_amount="see brief") for r in rows])

    orders = (data_dir / "orders.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines["malformed_csv_row"] = 1001
    orders[1000] = orders[1000].rstrip("\n") + ",surplus field\n"
    (data_dir / "orders.csv").write_text("".join(orders), encoding="utf-8")

    leads = (data_dir / "leads.csv").read_bytes().splitlines(keepends=True)
    lines["invalid_utf8"] = 2001
    first_comma = leads[2000].index(b",")
    leads[2000] = leads[2000][: first_comma + 1] + b"\xff\xfe" + leads[2000][first_comma + 1 :]
    (data_dir / "leads.csv").write_bytes(b"".join(leads))

    touchpoints = (data_dir / "touchpoints.csv").read_bytes()
    cut = touchpoints.index(b"\n", len(touchpoints) // 2) + 20  # 20 bytes into a row
    (data_dir / "touchpoints.csv").write_bytes(touchpoints[:cut])
    lines["truncated_csv"] = touchpoints[:cut].count(b"\n") + 1

    con = duckdb.connect()
    parquet = data_dir / "ad_performance.parquet"
    con.execute(
        f"copy (select * from read_csv('{(data_dir / 'ad_performance.csv').as_posix()}', all_varchar = true)) "
        f"to '{parquet.as_posix()}' (format parquet)"
    )
    con.close()
    (data_dir / "ad_performance.csv").unlink()
    parquet.write_bytes(parquet.read_bytes()[: parquet.stat().st_size // 2])

    (data_dir / "channels.csv").write_bytes(b"")
    return lines


def rows_without(rows: list[dict[str, str]], column: str) -> list[dict[str, str]]:
    return [{k: v for k, v in r.items() if k != column} for r in rows]


def _raw_fingerprints(database: Path) -> dict[str, tuple[int, int]]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return {
            name: con.execute(f"select count(*), coalesce(sum(hash(t)::hugeint), 0) from raw.{name} as t").fetchone()
            for name in load_contract()
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def rejected_ingest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Ingest the broken directory into a database that already holds the previous raw data."""
    root = tmp_path_factory.mktemp("bad_input_files")
    broken = copy_raw_csvs(root / "data")
    lines = _plant_file_faults(broken)
    previous = root / "previous.duckdb"
    con = duckdb.connect(str(previous))
    con.execute("create schema raw")
    for name in load_contract():
        src = paths.raw_seed_dir() / f"{name}.csv"
        con.execute(f"create table raw.{name} as select * from read_csv('{src.as_posix()}', all_varchar = true)")
    con.close()
    before = _raw_fingerprints(previous)
    with pytest.raises(ContractMismatch) as exc:
        ingest(broken, previous)
    return {"message": str(exc.value), "lines": lines, "before": before, "after": _raw_fingerprints(previous)}


def _problems(message: str) -> list[str]:
    return [line.strip()[2:] for line in message.splitlines() if line.strip().startswith("- ")]


def _one_problem(rejected: dict, *fragments: str) -> str:
    matches = [p for p in _problems(rejected["message"]) if all(f in p for f in fragments)]
    assert matches, f"no problem mentions {fragments}:\n{rejected['message']}"
    return matches[0]


def test_bad_input_file_faults_load_nothing(rejected_ingest: dict) -> None:
    assert rejected_ingest["after"] == rejected_ingest["before"], "a refused ingest changed the raw tables"


def test_bad_input_missing_column(rejected_ingest: dict) -> None:
    _one_problem(rejected_ingest, "web_sessions: missing columns: landing_page")


def test_bad_input_extra_column(rejected_ingest: dict) -> None:
    _one_problem(rejected_ingest, "email_sends: extra columns: utm_content")


def test_bad_input_renamed_column(rejected_ingest: dict) -> None:
    _one_problem(rejected_ingest, "survey_responses: missing columns: score")
    _one_problem(rejected_ingest, "survey_responses: extra columns: nps_score")


def test_bad_input_wrong_type(rejected_ingest: dict) -> None:
    _one_problem(rejected_ingest, "campaigns.budget_amount: mistyped: expected decimal(18,2)")


def test_bad_input_malformed_csv_row(rejected_ingest: dict) -> None:
    line = rejected_ingest["lines"]["malformed_csv_row"]
    _one_problem(rejected_ingest, "orders:", "orders.csv", f"line {line}:", "8 fields, the header has 7")


def test_bad_input_invalid_utf8(rejected_ingest: dict) -> None:
    line = rejected_ingest["lines"]["invalid_utf8"]
    _one_problem(rejected_ingest, "leads:", "leads.csv", f"line {line}:", "not valid UTF-8")


def test_bad_input_truncated_csv(rejected_ingest: dict) -> None:
    line = rejected_ingest["lines"]["truncated_csv"]
    _one_problem(rejected_ingest, "touchpoints:", "touchpoints.csv", f"line {line}:", "the header has 7")
    _one_problem(rejected_ingest, "touchpoints:", "looks truncated")


def test_bad_input_truncated_parquet(rejected_ingest: dict) -> None:
    _one_problem(rejected_ingest, "ad_performance: cannot read", "ad_performance.parquet")


def test_bad_input_empty_file(rejected_ingest: dict) -> None:
    _one_problem(rejected_ingest, "channels: missing columns: channel_id")


def test_bad_input_untouched_table_is_not_reported(rejected_ingest: dict) -> None:
    assert not [p for p in _problems(rejected_ingest["message"]) if p.startswith("lead_stage_events")]


# ================================================================================================
# Empty table: follows the contract, stopped by the audit's row-volume band (publish gate)
# ================================================================================================


def test_bad_input_empty_table_fails_the_audit_row_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    header_only = tmp_path / "survey_responses.csv"
    header_only.write_text((paths.raw_seed_dir() / "survey_responses.csv").read_text().splitlines()[0] + "\n")
    table = load_contract()["survey_responses"]
    reader = reader_sql([header_only], "csv")
    con = duckdb.connect()
    try:
        assert check_table(con, table, TableFile(table.name, reader, header_only, (header_only,))) == []
    finally:
        con.close()

    database = tmp_path / "build.duckdb"
    con = duckdb.connect(str(database))
    con.execute("create schema raw")
    con.execute(f"create table raw.survey_responses as select * from {reader}")
    con.close()
    monkeypatch.setenv("MKPI_DUCKDB_PATH", str(database))
    settings = load_settings()
    report = tmp_path / "audit" / "last_audit.json"
    result = run_audit(
        database, data_docs_dir=None, tables=["raw.survey_responses"], specs=raw_suites(settings), report_file=report
    )
    assert not result.success
    row_count = [
        f for f in result.failures if f.table == "raw.survey_responses" and "row_count" in f.expectation.lower()
    ]
    assert row_count, [(f.table, f.expectation) for f in result.failures]

    from marketing_kpi.publish import AuditNotPassed, check_audit

    with pytest.raises(AuditNotPassed):
        check_audit(report, database)


# ================================================================================================
# Row-level faults: one ingest + one dbt build for all of them
# ================================================================================================


@pytest.fixture(scope="module")
def build() -> DrillBuild:
    """The drills' build. A build that could not run at all (dbt exit 2: a parse or runtime error)
    fails every row-level test with dbt's output; one with a failing test still answers them."""
    build = drill_build()
    if build.build_returncode not in (0, 1):
        pytest.fail(f"the drills' dbt build did not run (exit {build.build_returncode}):\n{build.build_output[-3000:]}")
    return build


@pytest.fixture(scope="module")
def warehouse_copy(build: DrillBuild):
    con = build.connect()
    yield con
    con.close()


def _base_rows(con: duckdb.DuckDBPyConnection, model: str, record_key: str) -> list[tuple]:
    return con.execute(
        f"select record_status, quarantine_reason, quarantine_column from staging.{model} "
        "where record_key = ? order by 1, 2",
        [record_key],
    ).fetchall()


def _assert_quarantined(con, model: str, record_key: str, reason: str, column: str) -> None:  # noqa: ANN001
    rows = _base_rows(con, model, record_key)
    assert rows, f"{model}: no row with record_key {record_key!r}"
    assert all(r == ("quarantined", reason, column) for r in rows), rows
    source = model.split("__")[1]
    in_quarantine = con.execute(
        "select quarantine_reason from staging.stg_quarantine__rows where source_table = ? and record_key = ?",
        [source, record_key],
    ).fetchall()
    assert [r[0] for r in in_quarantine] == [reason] * len(rows)


def test_bad_input_build_passes_every_selected_test(build: DrillBuild) -> None:
    assert build.build_returncode == 0, build.build_output[-3000:]
    results = build.run_results()["results"]
    # the planted missing day makes the completeness check warn (test_bad_input_missing_day)
    failed = [
        r["unique_id"]
        for r in results
        if r["status"] not in ("success", "pass")
        and not r["unique_id"].endswith(".assert_no_day_without_ad_performance")
    ]
    assert not failed, failed
    ran = {r["unique_id"].rsplit(".", 1)[-1] for r in results}
    must_run = {p.stem for p in (paths.PROJECT_ROOT / "tests" / "reconciliation").glob("*.sql")}
    assert must_run | {"assert_raw_rows_conserved"} <= ran, sorted(must_run - ran)


def test_bad_input_rows_are_conserved_for_the_whole_build(build: DrillBuild, warehouse_copy) -> None:  # noqa: ANN001
    counts = {
        row[0]: row[1:]
        for row in warehouse_copy.execute(
            "select source_table, raw_rows, staged_rows, exact_duplicates_removed, superseded_rows, quarantined_rows "
            "from staging.stg_quarantine__row_counts"
        ).fetchall()
    }
    assert set(counts) == set(load_contract())
    for table, (raw, staged, duplicates, superseded, quarantined) in counts.items():
        assert raw == build.raw_file_rows[table], (
            f"{table}: {raw} rows loaded, the file has {build.raw_file_rows[table]}"
        )
        assert raw == staged + duplicates + superseded + quarantined, table


def test_bad_input_duplicate_keys(build: DrillBuild, warehouse_copy) -> None:  # noqa: ANN001
    key = build.planted.keys["duplicate_keys"]["record_key"]
    _assert_quarantined(warehouse_copy, "base_ads__ad_performance", key, "duplicate_key", "campaign_id, report_date")
    assert len(_base_rows(warehouse_copy, "base_ads__ad_performance", key)) == 2


def test_bad_input_null_keys(build: DrillBuild, warehouse_copy) -> None:  # noqa: ANN001
    rows = warehouse_copy.execute(
        "select record_status, quarantine_reason, quarantine_column from staging.base_billing__orders "
        "where record_key = '<null>' and amount_original = ?",
        [build.planted.keys["null_keys"]["amount"]],
    ).fetchall()
    assert rows == [("quarantined", "null_key", "order_id")]


def test_bad_input_unknown_channel(build: DrillBuild, warehouse_copy) -> None:  # noqa: ANN001
    key = build.planted.keys["unknown_channel"]["record_key"]
    _assert_quarantined(warehouse_copy, "base_web__web_sessions", key, "unknown_channel", "channel_id")


def test_bad_input_unknown_campaign(build: DrillBuild, warehouse_copy) -> None:  # noqa: ANN001
    key = build.planted.keys["unknown_campaign"]["record_key"]
    _assert_quarantined(warehouse_copy, "base_ads__ad_performance", key, "unknown_campaign", "campaign_id")


def test_bad_input_negative_spend(build: DrillBuild, warehouse_copy) -> None:  # noqa: ANN001
    key = build.planted.keys["negative_spend"]["record_key"]
    _assert_quarantined(warehouse_copy, "base_ads__ad_performance", key, "negative_spend", "spend")


def test_bad_input_clicks_above_impressions(build: DrillBuild, warehouse_copy) -> None:  # noqa: ANN001
    key = build.planted.keys["clicks_above_impressions"]["record_key"]
    _assert_quarantined(warehouse_copy, "base_ads__ad_performance", key, "clicks_exceed_impressions", "clicks")


def test_bad_input_dates_in_the_future(build: DrillBuild, warehouse_copy) -> None:  # noqa: ANN001
    key = build.planted.keys["dates_in_the_future"]["record_key"]
    _assert_quarantined(warehouse_copy, "base_ads__ad_performance", key, "future_dated", "report_date")


def test_bad_input_currency_without_fx_rate(build: DrillBuild, warehouse_copy) -> None:  # noqa: ANN001
    key = build.planted.keys["currency_without_fx_rate"]["record_key"]
    _assert_quarantined(warehouse_copy, "base_ads__ad_performance", key, "missing_fx_rate", "currency_code")


def test_bad_input_won_without_being_a_lead(build: DrillBuild, warehouse_copy) -> None:  # noqa: ANN001
    key = build.planted.keys["won_without_being_a_lead"]["record_key"]
    _assert_quarantined(warehouse_copy, "base_crm__lead_stage_events", key, "unknown_lead", "lead_id")


def test_bad_input_revenue_for_unknown_customer(build: DrillBuild, warehouse_copy) -> None:  # noqa: ANN001
    key = build.planted.keys["revenue_for_unknown_customer"]["record_key"]
    _assert_quarantined(warehouse_copy, "base_billing__orders", key, "unknown_customer", "customer_id")
    assert warehouse_copy.execute("select count(*) from marts.fct_orders where order_id = ?", [key]).fetchone() == (0,)


def test_bad_input_stage_events_out_of_order(build: DrillBuild, warehouse_copy) -> None:  # noqa: ANN001
    facts = build.planted.keys["stage_events_out_of_order"]
    statuses = warehouse_copy.execute(
        "select distinct record_status from staging.base_crm__lead_stage_events where lead_id = ?", [facts["lead_id"]]
    ).fetchall()
    assert statuses == [("valid",)]
    mql_at, sql_at, days_mql_to_sql = warehouse_copy.execute(
        "select mql_at, sql_at, days_mql_to_sql from intermediate.int_leads_lifecycle where lead_id = ?",
        [facts["lead_id"]],
    ).fetchone()
    assert mql_at <= sql_at
    assert mql_at == facts["earliest"]
    assert days_mql_to_sql >= 0


def test_bad_input_timezone_shifted_timestamps(build: DrillBuild, warehouse_copy) -> None:  # noqa: ANN001
    session = build.planted.keys["timezone_shifted_session"]
    started = warehouse_copy.execute(
        "select session_started_at from staging.stg_web__web_sessions where session_id = ?", [session["record_key"]]
    ).fetchone()[0]
    assert started == session["utc"], f"{session['as_exported']} staged as {started}"

    order = build.planted.keys["timezone_shifted_order"]
    ordered_at, order_month = warehouse_copy.execute(
        "select ordered_at, order_month from marts.fct_orders where order_id = ?", [order["record_key"]]
    ).fetchone()
    assert ordered_at == order["utc"], f"{order['as_exported']} staged as {ordered_at}"
    assert order_month == order["utc"].date().replace(day=1)


def test_bad_input_spend_outlier_100x_is_kept_and_flagged(build: DrillBuild, warehouse_copy) -> None:  # noqa: ANN001
    facts = build.planted.keys["spend_outlier_100x"]
    assert _base_rows(warehouse_copy, "base_ads__ad_performance", facts["record_key"]) == [("valid", None, None)]
    flagged = warehouse_copy.execute(
        "select is_anomaly, anomaly_direction, robust_z_score from kpi.kpi_anomalies__weekly "
        "where metric_id = 'spend' and channel_key = ? and period_start = ?",
        [facts["channel_id"], dt.date.fromisoformat(facts["week_start"])],
    ).fetchone()
    assert flagged is not None and flagged[0] and flagged[1] == "up", flagged


def test_bad_input_missing_day(build: DrillBuild, warehouse_copy) -> None:  # noqa: ANN001
    day = dt.date.fromisoformat(build.planted.keys["missing_day"]["date"])
    assert build.planted.keys["missing_day"]["rows_removed"] > 0
    staged = warehouse_copy.execute(
        "select count(*) from staging.stg_ads__ad_performance where report_date = ?", [day]
    ).fetchone()[0]
    mart_spend = warehouse_copy.execute(
        "select coalesce(sum(spend), 0), coalesce(sum(impressions), 0) "
        "from kpi.kpi_channel_performance__daily where date_day = ?",
        [day],
    ).fetchone()
    assert staged == 0
    assert mart_spend == (0, 0)
    neighbours = warehouse_copy.execute(
        "select count(distinct date_day) from kpi.kpi_channel_performance__daily "
        "where spend > 0 and date_day in (?, ?)",
        [day - dt.timedelta(days=1), day + dt.timedelta(days=1)],
    ).fetchone()[0]
    assert neighbours == 2
    completeness = [
        r for r in build.run_results()["results"] if r["unique_id"].endswith(".assert_no_day_without_ad_performance")
    ]
    assert [(r["status"], r["failures"]) for r in completeness] == [("warn", 1)]


def test_bad_input_late_rows_for_past_day(build: DrillBuild, warehouse_copy) -> None:  # noqa: ANN001
    facts = build.planted.keys["late_rows_for_past_day"]
    rows = warehouse_copy.execute(
        "select record_status, spend_original from staging.base_ads__ad_performance where record_key = ? order by 1",
        [facts["record_key"]],
    ).fetchall()
    assert rows == [("superseded", facts["old_spend"]), ("valid", facts["new_spend"])]
    campaign_id = facts["record_key"].split("|")[0]
    mart = warehouse_copy.execute(
        "select spend from kpi.kpi_channel_performance__daily where date_day = ? and campaign_id = ?",
        [dt.date.fromisoformat(facts["date"]), campaign_id],
    ).fetchone()
    assert mart is not None and Decimal(str(mart[0])).quantize(Decimal("0.01")) == facts["new_spend"]


def test_bad_input_email_in_free_text(build: DrillBuild, warehouse_copy) -> None:  # noqa: ANN001
    facts = build.planted.keys["email_in_free_text"]
    notes, redacted = warehouse_copy.execute(
        "select notes, has_redacted_contact_details from staging.stg_crm__leads where lead_id = ?",
        [facts["record_key"]],
    ).fetchone()
    assert "[redacted-email]" in notes and "@" not in notes and redacted
    text_columns = warehouse_copy.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema in ('intermediate', 'marts', 'kpi') and data_type = 'VARCHAR'"
    ).fetchall()
    leaks = [
        f"{schema}.{table}.{column}"
        for schema, table, column in text_columns
        if warehouse_copy.execute(
            f'select count(*) from "{schema}"."{table}" where "{column}" like ?', ["%jane.drill%"]
        ).fetchone()[0]
    ]
    assert not leaks


def test_bad_input_whole_table_duplicated(build: DrillBuild, warehouse_copy) -> None:  # noqa: ANN001
    facts = build.planted.keys["whole_table_duplicated"]
    raw, staged, duplicates, superseded, quarantined = warehouse_copy.execute(
        "select raw_rows, staged_rows, exact_duplicates_removed, superseded_rows, quarantined_rows "
        "from staging.stg_quarantine__row_counts where source_table = 'email_sends'"
    ).fetchone()
    original = facts["original_rows"]
    assert raw == 2 * original
    assert duplicates == original + facts["original_exact_duplicates"]
    assert staged + superseded + quarantined == original - facts["original_exact_duplicates"]
    assert warehouse_copy.execute(
        "select count(*) = count(distinct send_id) from staging.stg_email__email_sends"
    ).fetchone() == (True,)


def test_bad_input_every_scenario_has_a_test() -> None:
    names = {name.removeprefix("test_bad_input_") for name in globals() if name.startswith("test_bad_input_")}
    untested = [s for s in SCENARIOS if not any(n.startswith(s) for n in names)]
    assert not untested
    assert len(SCENARIOS) >= 25

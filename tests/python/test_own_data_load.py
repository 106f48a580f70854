"""Loading a company's own, partial export (src/marketing_kpi/ingest.py, reference_data.py, cli.py):
absent and header-only raw tables, the one required table, reference data per dataset with neutral
defaults, the as-of default, source time zones, and the embedded dataset loaded natively exactly
as `dbt seed` loads it."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from marketing_kpi import cli, paths, reference_data
from marketing_kpi.contract import load_contract
from marketing_kpi.dbt_runner import StepFailed, run_dbt
from marketing_kpi.ingest import ContractMismatch, check_contract, ingest, last_complete_day

CRM_TABLES = ("channels", "leads", "lead_stage_events")


def _crm_export(tmp_path: Path, header_only: tuple[str, ...] = ("orders",)) -> Path:
    """The embedded dataset's CRM tables, plus header-only files for `header_only`; nothing else."""
    data = tmp_path / "export"
    data.mkdir()
    for name in CRM_TABLES:
        shutil.copy2(paths.raw_seed_dir() / f"{name}.csv", data / f"{name}.csv")
    for name in header_only:
        (data / f"{name}.csv").write_text(",".join(load_contract()[name].column_names) + "\n")
    return data


def _query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_absent_and_header_only_tables_load_empty_with_every_contract_column(tmp_path: Path, scratch_env: Path):
    data = _crm_export(tmp_path)
    result = ingest(data, scratch_env)
    assert result.provided == list(CRM_TABLES)
    assert set(result.not_provided) == set(load_contract()) - set(CRM_TABLES)
    for name, table in load_contract().items():
        columns = [r[0] for r in _query(scratch_env, f"describe raw.{name}")]
        assert columns == table.column_names, name
        if name not in CRM_TABLES:
            assert result.rows[name] == 0 and _query(scratch_env, f"select count(*) from raw.{name}") == [(0,)]
    assert "sources not provided (7" in "\n".join(result.summary_lines())


def test_the_required_table_must_be_there_with_rows(tmp_path: Path) -> None:
    data = _crm_export(tmp_path)
    (data / "channels.csv").write_text(",".join(load_contract()["channels"].column_names) + "\n")
    with pytest.raises(ContractMismatch, match="channels: the file has no rows; this table is required"):
        check_contract(data)
    (data / "channels.csv").unlink()
    with pytest.raises(ContractMismatch, match="channels: no file .*required"):
        check_contract(data)


def test_no_reference_directory_gives_neutral_defaults(tmp_path: Path, scratch_env: Path) -> None:
    result = ingest(_crm_export(tmp_path), scratch_env)
    origins = {r.name: (r.origin, r.rows) for r in result.reference}
    for name in ("channel_budgets", "kpi_targets", "fx_rates", "holidays", "planted_anomalies"):
        assert origins[name] == ("empty default", 0), name
    assert origins["working_hours"][0] == reference_data.PROJECT_DEFAULT
    working_days = _query(scratch_env, "select count(*) from reference.working_hours where is_working_day")
    assert working_days == [(5,)]
    # the project's own governance tables always come from the checkout
    assert origins["kpi_registry"][0] == "seeds/reference" and origins["kpi_registry"][1] > 0
    # the demo's budgets never leak into an own-data build
    assert _query(scratch_env, "select count(*) from reference.channel_budgets") == [(0,)]


def test_reference_files_are_read_from_the_data_directory_typed(tmp_path: Path, scratch_env: Path) -> None:
    data = _crm_export(tmp_path)
    (data / "reference").mkdir()
    (data / "reference" / "channel_budgets.csv").write_text(
        "channel_id,budget_month,planned_spend_usd\ngoogle_search,2026-01-01,1200.50\n"
    )
    result = ingest(data, scratch_env)
    assert {r.name: r.rows for r in result.reference}["channel_budgets"] == 1
    rows = _query(scratch_env, "select budget_month, channel_id, planned_spend_usd from reference.channel_budgets")
    assert rows == [(dt.date(2026, 1, 1), "google_search", pytest.approx(1200.50))]
    types = dict(
        _query(
            scratch_env,
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'reference' and table_name = 'channel_budgets'",
        )
    )
    assert types == {"budget_month": "DATE", "channel_id": "VARCHAR", "planned_spend_usd": "DECIMAL(18,2)"}


def test_bad_reference_files_are_listed_in_one_message_and_nothing_loads(tmp_path: Path, scratch_env: Path):
    data = _crm_export(tmp_path)
    ref = data / "reference"
    ref.mkdir()
    (ref / "channel_budgets.csv").write_text(
        "budget_month,channel_id,planned_spend_usd\n2026-01-01,a,12\n2026-13-01,b,x\nsoon,c,1\n"
    )
    (ref / "kpi_targets.csv").write_text("kpi_id,period_start,target_value\n")
    (ref / "budgets_2025.csv").write_text("x\n")
    with pytest.raises(ContractMismatch) as exc:
        ingest(data, scratch_env)
    message = str(exc.value)
    assert "reference.channel_budgets" in message
    assert "budget_month: 2 value(s) are not date (e.g. '2026-13-01', 'soon')" in message
    assert "planned_spend_usd: 1 value(s) are not decimal(18,2) (e.g. 'x')" in message
    assert "reference.kpi_targets" in message and "missing columns: period_type, channel_id" in message
    assert "budgets_2025.csv: not a dataset reference table" in message
    assert not scratch_env.exists(), "nothing may be written when a reference file is wrong"


def test_the_embedded_dataset_loads_natively_exactly_as_dbt_seed_loads_it(tmp_path: Path) -> None:
    """Native load (the main job) and `dbt seed` give the same raw and reference tables: same
    columns, types and rows."""
    native, seeded = tmp_path / "native.duckdb", tmp_path / "seeded.duckdb"
    ingest(paths.raw_seed_dir(), native, embedded=True)
    env = {
        "MKPI_DUCKDB_PATH": str(seeded),
        "MKPI_DUCKDB_TEMP_DIR": str(tmp_path / "tmp"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    run_dbt(["seed", "--quiet"], env=env, capture=True)
    con = duckdb.connect(str(native))
    try:
        con.execute(f"attach '{seeded}' as seeded (read_only)")
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = 'seeded' and table_schema in ('raw', 'reference') order by 1, 2"
        ).fetchall()
        assert len(tables) == len(load_contract()) + len(reference_data.reference_tables())
        for schema, name in tables:
            ours = con.execute(f"select column_name, column_type from (describe {schema}.{name})").fetchall()
            theirs = con.execute(f"select column_name, column_type from (describe seeded.{schema}.{name})").fetchall()
            assert ours == theirs, f"{schema}.{name}: columns/types differ"
            for a, b in (
                (f"{schema}.{name}", f"seeded.{schema}.{name}"),
                (f"seeded.{schema}.{name}", f"{schema}.{name}"),
            ):
                extra = con.execute(f"select count(*) from (select * from {a} except all select * from {b})").fetchall()
                assert extra == [(0,)], f"{schema}.{name}: rows differ ({a} has rows {b} lacks)"
    finally:
        con.close()


def _write(data: Path, name: str, rows: list[dict[str, str]]) -> None:
    columns = load_contract()[name].column_names
    lines = [",".join(columns)] + [",".join(row.get(c, "") for c in columns) for row in rows]
    (data / f"{name}.csv").write_text("\n".join(lines) + "\n")


def test_as_of_default_is_the_last_complete_day(tmp_path: Path, scratch_env: Path) -> None:
    data = tmp_path / "export"
    data.mkdir()
    _write(data, "channels", [{"channel_id": "web", "channel_name": "Web", "channel_group": "direct"}])
    leads = [
        {"lead_id": "l1", "created_at": "2018-12-30 10:00:00", "channel_id": "web"},
        {"lead_id": "l2", "created_at": "2018-12-31 09:00:00", "channel_id": "web"},
        # future-dated dirt (after the machine's date) never moves the as-of date
        {"lead_id": "l3", "created_at": "2999-01-01 00:00:00", "channel_id": "web"},
    ]
    _write(data, "leads", leads)
    ingest(data, scratch_env)
    day, why = last_complete_day(scratch_env, today=dt.date(2026, 12, 4))
    assert day == dt.date(2018, 12, 30), why  # the latest day, 2018-12-31, may be cut off by the export
    assert "leads.created_at" in why
    # an export taken after the latest event day shows that day is complete
    leads[1]["exported_at"] = "2019-01-01 06:00:00"
    _write(data, "leads", leads)
    ingest(data, scratch_env)
    assert last_complete_day(scratch_env, today=dt.date(2026, 12, 4))[0] == dt.date(2018, 12, 31)


def test_source_timezone_settings_are_checked() -> None:
    assert cli.source_timezone_env(["America/Sao_Paulo", "orders=Europe/Berlin", "leads=UTC"]) == {
        "MKPI_SOURCE_TIMEZONE": "America/Sao_Paulo",
        "MKPI_SOURCE_TIMEZONES": "orders=Europe/Berlin,leads=UTC",
    }
    with pytest.raises(StepFailed, match="'CEST' is not an IANA time zone"):
        cli.source_timezone_env(["CEST"])
    with pytest.raises(StepFailed, match="'order' is not a raw table"):
        cli.source_timezone_env(["order=Europe/Berlin"])


def _show(tmp_path: Path, sql: str, **env: str) -> list[dict]:
    env = {
        "MKPI_DUCKDB_PATH": str(tmp_path / "scratch.duckdb"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        **env,
    }
    proc = run_dbt(["show", "--output", "json", "--inline", sql], env=env, capture=True)
    payload, _ = json.JSONDecoder().raw_decode(proc.stdout[proc.stdout.index("{") :])
    return payload["show"]


def test_naive_timestamps_are_read_in_the_source_time_zone(tmp_path: Path) -> None:
    values = {
        "naive_winter": "2025-01-15 10:00:00",  # Berlin UTC+1
        "naive_summer": "2025-07-15 10:00:00",  # Berlin UTC+2 (DST)
        "offset": "2025-07-15 10:00:00+05:00",  # an explicit offset is kept
        "zulu": "2025-07-15T10:00:00Z",
    }
    columns = ", ".join(
        f"cast({{{{ to_utc_timestamp(\"'{v}'\", 'leads') }}}} as varchar) as {k}" for k, v in values.items()
    )
    orders = "cast({{ to_utc_timestamp(\"'2025-07-15 10:00:00'\", 'orders') }} as varchar) as orders_naive"
    sql = f"select {columns}, {orders}"
    [utc] = _show(tmp_path, sql)
    assert utc["naive_winter"] == "2025-01-15 10:00:00" and utc["offset"] == "2025-07-15 05:00:00"
    [local] = _show(tmp_path, sql, MKPI_SOURCE_TIMEZONE="UTC", MKPI_SOURCE_TIMEZONES="leads=Europe/Berlin")
    assert local == {
        "naive_winter": "2025-01-15 09:00:00",
        "naive_summer": "2025-07-15 08:00:00",
        "offset": "2025-07-15 05:00:00",
        "zulu": "2025-07-15 10:00:00",
        "orders_naive": "2025-07-15 10:00:00",  # another table keeps the global zone
    }


def test_build_rejects_unknown_options_and_bad_dates(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["build", "--full-refres", "--select", "x"])
    assert exc.value.code == 2
    assert "unrecognized arguments: --full-refres --select x" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["build", "--as-of", "31/12/2018"])
    assert "'31/12/2018' is not a date (YYYY-MM-DD) or 'today'" in capsys.readouterr().err


def test_check_only_names_absent_and_header_only_sources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from marketing_kpi.ingest import main as ingest_main

    assert ingest_main([str(_crm_export(tmp_path, header_only=("orders",))), "--check-only"]) == 0
    out = capsys.readouterr().out
    assert "sources provided: channels, leads, lead_stage_events" in out
    assert "orders (header only)" in out and "survey_responses (no file)" in out

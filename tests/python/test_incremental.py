"""An incremental build after one new day gives the same KPI marts as a full rebuild.

A short synthetic dataset (seven months at scale 0.3, every kind of documented dirt) is split into a *base* (every
row whose event falls before the last day) and a *new* load: the full dataset plus late rows for
earlier days within the lookback window (var incremental_lookback_days, 3): a re-sent ad-platform
row that supersedes the old version, exact duplicates, a re-sent order with a changed amount (a
duplicate key: both versions are quarantined), a late stage event and a late web session.

database A: ingest base -> dbt run -> ingest new -> dbt run (incremental models run incrementally)
database B: ingest new -> dbt run --full-refresh

Every table of the kpi schema (and of staging, intermediate and marts, for a sharper diagnosis)
must have the same fingerprint (row count + order-independent hash, doubles to 9 significant digits)
in A and B. The reference seeds are copied from the built warehouse
(python3 tasks.py test builds it before pytest), so the test needs no `dbt seed`.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import duckdb

from marketing_kpi import benchmark as bench
from marketing_kpi.contract import load_contract
from marketing_kpi.dbt_runner import dbt_env, dbt_executable
from marketing_kpi.generator import main as generate
from marketing_kpi.ingest import ingest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
START, END = dt.date(2025, 4, 1), dt.date(2025, 10, 31)
EVENT_COLUMN = bench.EVENT_COLUMN  # the event-time column of each raw table (None: no event time)
INCREMENTAL_MODELS = ("base_ads__ad_performance", "base_web__web_sessions", "base_crm__lead_stage_events",
                      "base_crm__touchpoints", "base_billing__orders")  # fmt: skip
# every model the KPI marts depend on (the few others, e.g. the semantic layer's, add nothing here)
SELECT = ("--select", "+path:models/marts/kpi")
DBT_VARS = json.dumps({"as_of_date": END.isoformat(), "incremental_lookback_days": 3})


def _utc_date(column: str) -> str:
    """The event date of a raw text value, parsed like staging does (offsets normalised to UTC)."""
    return f"cast(timezone('UTC', try_cast({column} as timestamptz)) as date)"


def _day(offset: int) -> str:
    return (END - dt.timedelta(days=offset)).isoformat()


def _split(full_csv: Path, base: Path, new: Path) -> None:
    """base = rows before the last day; new = every row plus late rows for days within the lookback.

    Both are written as all-text Parquet (an exact round trip of the CSV values)."""
    base.mkdir()
    new.mkdir()
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    try:
        for name in load_contract():
            con.execute(
                f"create table {name} as select * from read_csv('{full_csv / name}.csv', header = true, "
                "all_varchar = true)"
            )
            if name == "orders":
                # the order the new load re-sends with another amount (below): a renewal two days
                # back, made from a real customer's renewal so it never depends on the generated
                # volume happening to bill someone on that day
                con.execute(
                    f"""insert into orders
                    select 'ord_late_0001' as order_id, customer_id, '{_day(2)} 12:00:00' as ordered_at, amount,
                        currency_code, order_type, order_status
                    from orders where order_type = 'renewal' and order_status = 'completed'
                        and {_utc_date("ordered_at")} < '{END}'
                    order by order_id limit 1"""
                )
            column = EVENT_COLUMN.get(name)
            where = f"where {column} is null or {_utc_date(column)} is null or {_utc_date(column)} < '{END}'"
            con.execute(f"copy (select * from {name} {where if column else ''}) to '{base / name}.parquet'")
        # late rows for earlier days, all within the 3-day lookback of the last base day (END - 1)
        late = {
            # a re-send of three ad rows two days back: later exported_at, 10 % more spend -> supersedes
            "ad_performance": f"""
                select campaign_id, report_date, cast(round(cast(spend as double) * 1.1, 2) as varchar) as spend,
                    currency_code, impressions, clicks, platform_conversions,
                    '{END} 10:00:00' as exported_at
                from ad_performance where report_date = '{_day(2)}' and try_cast(spend as double) > 1
                order by campaign_id limit 3""",
            # an exact duplicate of yesterday's first ad row
            "ad_performance ": f"""
                select * from ad_performance where report_date = '{_day(1)}' order by campaign_id limit 1""",
            # an order re-sent with another amount: both versions now share a key -> quarantined
            "orders": """
                select order_id, customer_id, ordered_at, cast(cast(amount as double) + 10 as varchar) as amount,
                    currency_code, order_type, order_status
                from orders where order_id = 'ord_late_0001'""",
            # an exact duplicate of a touchpoint three days back
            "touchpoints": f"""
                select * from touchpoints where {_utc_date("touched_at")} = '{_day(3)}'
                order by touchpoint_id limit 1""",
            # a late mql event and a late web session, two days back
            "lead_stage_events": f"""
                select 'sev_late_0001' as stage_event_id, lead_id, 'mql' as stage,
                    '{_day(2)} 11:00:00' as changed_at
                from lead_stage_events where stage = 'lead' and {_utc_date("changed_at")} < '{_day(10)}'
                order by lead_id limit 1""",
            "web_sessions": f"""
                select 'ses_late_0001' as session_id, visitor_id, '{_day(2)} 12:00:00' as session_started_at,
                    channel_id, campaign_id, landing_page, device, country_code, pageviews, engaged_seconds,
                    is_bounced, null as lead_id
                from web_sessions where lead_id is null order by session_id limit 1""",
        }
        extra: dict[str, list[str]] = {}
        for table, sql in late.items():
            extra.setdefault(table.strip(), []).append(sql)
        for name in load_contract():
            parts = [f"select * from {name}", *extra.get(name, [])]
            union = " union all ".join(f"({p})" for p in parts)
            con.execute(f"copy ({union}) to '{new / name}.parquet'")
            if name in extra:
                added = con.execute(f"select count(*) from ({union})").fetchall()[0][0]
                assert added > con.execute(f"select count(*) from {name}").fetchall()[0][0], f"no late {name} row"
    finally:
        con.close()


def _copy_reference(built: Path, database: Path) -> None:
    con = duckdb.connect(str(database))
    try:
        con.execute(f"attach '{built}' as built (read_only)")
        con.execute("create schema if not exists reference")
        tables = con.execute(
            "select table_name from duckdb_tables() where database_name = 'built' and schema_name = 'reference'"
        ).fetchall()
        assert tables, f"{built} has no reference seeds"
        for (table,) in tables:
            con.execute(f"create table reference.{table} as select * from built.reference.{table}")
    finally:
        con.close()


def _dbt(database: Path, target: Path, *args: str) -> subprocess.Popen[str]:
    """dbt in the database's folder with a relative database path: the profile is the same string
    for both databases, so one parse serves both (dbt re-parses when the profile changes)."""
    env = dbt_env({"MKPI_DUCKDB_PATH": database.name, "MKPI_DUCKDB_TEMP_DIR": "tmp"})
    cmd = [dbt_executable(), *args, "--project-dir", str(PROJECT_ROOT), "--profiles-dir",
           str(PROJECT_ROOT / "profiles"), "--vars", DBT_VARS, "--target-path", str(target), "--log-path",
           str(target)]  # fmt: skip
    return subprocess.Popen(cmd, cwd=database.parent, env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)  # fmt: skip


def _finish(proc: subprocess.Popen[str], what: str) -> None:
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, f"{what} failed:\n{out[-3000:]}"


def fingerprints(database: Path, schema: str = "kpi") -> dict[str, tuple[int, int]]:
    """Row count and order-independent hash of every table of `schema`, doubles to 9 significant digits."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        listed = con.execute("select table_name from duckdb_tables() where schema_name = ? order by 1", [schema])
        tables = [r[0] for r in listed.fetchall()]
        out = {}
        for table in tables:
            cols = con.execute(
                "select column_name, data_type from duckdb_columns() where schema_name = ? and table_name = ? "
                "order by column_index",
                [schema, table],
            ).fetchall()
            # doubles to 9 significant digits: sums of doubles vary in the last bits with the order
            # DuckDB adds them in, which is not a difference between the two builds
            exprs = [f"format('{{:.9g}}', \"{c}\")" if t in ("DOUBLE", "FLOAT") else f'"{c}"' for c, t in cols]
            row = con.execute(
                f"select count(*), coalesce(sum(hash({', '.join(exprs)})::hugeint), 0)::varchar from {schema}.{table}"
            ).fetchall()[0]
            out[table] = (int(row[0]), row[1])
        return out
    finally:
        con.close()


def test_incremental_run_after_a_new_day_equals_a_full_rebuild(built_database: Path, tmp_path: Path) -> None:
    full_csv = tmp_path / "generated"
    args = ["--seed", "5", "--start", START.isoformat(), "--end", END.isoformat(), "--scale", "0.3"]
    assert generate([*args, "--out-raw", str(full_csv), "--out-reference", str(tmp_path / "reference")]) == 0
    base, new = tmp_path / "base", tmp_path / "new"
    _split(full_csv, base, new)

    db_a, db_b = tmp_path / "a" / "build.duckdb", tmp_path / "b" / "build.duckdb"
    for db in (db_a, db_b):
        db.parent.mkdir()
        _copy_reference(built_database, db)
    # embedded=True: the embedded dataset's reference data (seeds/reference), as copied above
    ingest(base, db_a, embedded=True)
    ingest(new, db_b, embedded=True)
    # parse once; both databases' runs then reuse it (dbt's partial parsing)
    _finish(_dbt(db_a, tmp_path / "target_a", "parse"), "dbt parse")
    shutil.copytree(tmp_path / "target_a", tmp_path / "target_b")
    run_a = _dbt(db_a, tmp_path / "target_a", "run", *SELECT)
    run_b = _dbt(db_b, tmp_path / "target_b", "run", "--full-refresh", *SELECT)
    _finish(run_a, "dbt run (base)")
    _finish(run_b, "dbt run --full-refresh (new)")
    before = fingerprints(db_a)
    ingest(new, db_a, embedded=True)
    _finish(_dbt(db_a, tmp_path / "target_a", "run", *SELECT), "dbt run (incremental)")

    # the second run of A really was incremental: the five large base models compiled their filter
    compiled = tmp_path / "target_a" / "compiled" / "marketing_kpi" / "models" / "staging"
    filtered = [p.stem for p in compiled.rglob("base_*.sql") if "record_status = 'quarantined'" in p.read_text()]
    assert sorted(filtered) == sorted(INCREMENTAL_MODELS)

    for schema in ("staging", "intermediate", "marts", "kpi"):
        incremental, rebuilt = fingerprints(db_a, schema), fingerprints(db_b, schema)
        assert incremental, f"no {schema} tables were built"
        assert set(incremental) == set(rebuilt), schema
        differing = {t: (incremental[t], rebuilt[t]) for t in incremental if incremental[t] != rebuilt[t]}
        assert not differing, f"incremental != full rebuild for {schema}: {sorted(differing)}"
    after = fingerprints(db_a)
    assert any(before[t] != after[t] for t in after), "the new day changed no kpi table"

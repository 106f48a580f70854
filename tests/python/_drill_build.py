"""The shared, expensive part of the reliability drills: one mutated copy of the embedded raw
dataset with every row-level fault planted on its own keys, ingested and `dbt build`-ed ONCE per
test session into a temporary DuckDB file (its own target and log directories), then read by
test_bad_input.py and test_build_reliability.py.

A dbt build costs tens of seconds to minutes, so no scenario builds on its own: planting the faults
on disjoint keys lets one build answer all of them, and conservation is checked for the whole
build at once.
"""

from __future__ import annotations

import atexit
import csv
import datetime as dt
import functools
import json
import os
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from marketing_kpi import paths
from marketing_kpi.dbt_runner import run_dbt
from marketing_kpi.ingest import ingest

AS_OF_DATE = "2026-10-31"  # the embedded dataset's last day: reproducible as-of date
PII_SALT = "drills-salt-0123456789abcdef"

# The models the drills read, with everything upstream; tests run only when all their parents are
# built (cautious indirect selection), which includes tests/staging and tests/reconciliation.
DRILL_SELECTION = (
    "path:models/staging",
    "+kpi_channel_performance__daily",
    "+kpi_channel_performance__monthly",
    "+kpi_anomalies__weekly",
    "+fct_orders",
    "+kpi_customer_value__monthly",
    "+kpi_marketing_contribution__monthly",
)
# Generic and unit tests do not depend on the planted faults (every scenario test checks its own
# keys) and run in the main build on the embedded dataset; leaving them out here keeps the drill
# build to its models and singular tests (reconciliation, conservation, invariants).
DBT_SELECT_ARGS = ("--select", *DRILL_SELECTION, "--indirect-selection", "cautious")
DBT_EXCLUDE_ARGS = ("--exclude", "test_type:generic", "resource_type:unit_test")

Row = dict[str, str]


# ------------------------------------------------------------------------------------------------
# CSV helpers (everything stays text, column order and row order are kept)
# ------------------------------------------------------------------------------------------------


def read_rows(path: Path) -> tuple[list[str], list[Row]]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[Row]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def copy_raw_csvs(destination: Path) -> Path:
    """The embedded dataset's raw CSVs (only the contract tables) copied to `destination`."""
    destination.mkdir(parents=True, exist_ok=True)
    for src in sorted(paths.raw_seed_dir().glob("*.csv")):
        shutil.copy2(src, destination / src.name)
    return destination


def data_rows(path: Path) -> int:
    """Records in a CSV file (header excluded)."""
    with open(path, newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def _ts(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.strip())


def _is_int(value: str) -> bool:
    return value.strip().lstrip("-").isdigit()


def _is_decimal(value: str) -> bool:
    try:
        Decimal(value.strip())
    except ArithmeticError:
        return False
    return bool(value.strip())


# ------------------------------------------------------------------------------------------------
# The planted faults
# ------------------------------------------------------------------------------------------------


@dataclass
class Planted:
    """The mutated dataset and the keys of every planted fault (scenario -> facts about it)."""

    data_dir: Path
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)


def _clean_ad_rows(rows: list[Row], valid_campaigns: set[str]) -> list[int]:
    """Indexes of ad_performance rows that look clean: unique key, known campaign, USD, parseable,
    positive spend, clicks <= impressions, dated mid-2025 (well inside the data)."""
    key_counts = Counter((r["campaign_id"].strip(), r["report_date"].strip()) for r in rows)
    clean = []
    for i, r in enumerate(rows):
        key = (r["campaign_id"].strip(), r["report_date"].strip())
        if key_counts[key] != 1 or key[0] not in valid_campaigns:
            continue
        if r["currency_code"].strip() != "USD" or not key[1].startswith("2025-0"):
            continue
        if not (_is_decimal(r["spend"]) and _is_int(r["impressions"]) and _is_int(r["clicks"])):
            continue
        if Decimal(r["spend"]) <= 0 or int(r["clicks"]) > int(r["impressions"]) or int(r["impressions"]) <= 0:
            continue
        clean.append(i)
    return clean


def plant_row_faults(data_dir: Path) -> Planted:
    """Plant every row-level fault into the CSVs in `data_dir`, each on keys no other fault uses."""
    planted = Planted(data_dir)
    keys = planted.keys

    # -- reference facts ----------------------------------------------------------------------
    _, campaigns = read_rows(data_dir / "campaigns.csv")
    campaign_ids = Counter(c["campaign_id"].strip() for c in campaigns)
    channel_of = {c["campaign_id"].strip(): c["channel_id"].strip() for c in campaigns}
    # campaigns sent once with a plain id (re-sent / duplicated / dirty campaigns are avoided)
    valid_campaigns = {cid for cid, n in campaign_ids.items() if n == 1 and cid.startswith("cmp_00")}
    dirt = json.loads((paths.raw_seed_dir() / "_dirt_manifest.json").read_text())
    for entry in dirt["dirt"]:
        if entry["table"] == "campaigns":
            valid_campaigns -= {k for k in entry["keys"] if k.startswith("cmp_")}

    # -- ad_performance -----------------------------------------------------------------------
    header, ads = read_rows(data_dir / "ad_performance.csv")
    missing_day = "2025-08-13"
    keys["missing_day"] = {
        "date": missing_day,
        "rows_removed": sum(1 for r in ads if r["report_date"].strip() == missing_day),
    }
    ads = [r for r in ads if r["report_date"].strip() != missing_day]
    clean = _clean_ad_rows(ads, valid_campaigns)
    used_days: set[str] = {missing_day}

    def take(predicate=lambda r: True) -> int:  # noqa: ANN001 - a Row -> bool
        """The first clean row on a day no other scenario touched (disjoint days keep the
        per-day checks of each scenario independent)."""
        for i in clean:
            r = ads[i]
            if r["report_date"].strip() not in used_days and predicate(r):
                used_days.add(r["report_date"].strip())
                return i
        raise AssertionError("no clean ad_performance row left to plant a fault on")

    def key_of(r: Row) -> str:
        return f"{r['campaign_id'].strip()}|{r['report_date'].strip()}"

    i = take()
    ads[i]["spend"] = "-42.50"
    keys["negative_spend"] = {"record_key": key_of(ads[i])}

    i = take()
    ads[i]["clicks"] = str(int(ads[i]["impressions"]) + 5)
    keys["clicks_above_impressions"] = {"record_key": key_of(ads[i])}

    i = take()
    ads[i]["currency_code"] = "XTS"  # ISO 4217's code for testing: never in fx_rates
    keys["currency_without_fx_rate"] = {"record_key": key_of(ads[i])}

    i = take()
    duplicate = dict(ads[i], spend=str(Decimal(ads[i]["spend"]) + 1))
    ads.append(duplicate)  # same key, same exported_at, different values: ambiguous
    keys["duplicate_keys"] = {"record_key": key_of(ads[i])}

    i = take()
    late = dict(ads[i])
    late["spend"] = str(Decimal(ads[i]["spend"]) + Decimal("11.11"))
    late["exported_at"] = (_ts(ads[i]["exported_at"]) + dt.timedelta(days=30)).strftime("%Y-%m-%d %H:%M:%S")
    ads.append(late)  # a late re-send of a past day: the newer version wins
    keys["late_rows_for_past_day"] = {
        "record_key": key_of(ads[i]),
        "old_spend": Decimal(ads[i]["spend"]),
        "new_spend": Decimal(late["spend"]),
        "channel_id": channel_of[ads[i]["campaign_id"].strip()],
        "date": ads[i]["report_date"].strip(),
    }

    # the 100x outlier: the biggest clean spend of a July 2025 day, times 100
    july = [j for j in clean if ads[j]["report_date"].strip().startswith("2025-07")]
    i = max(july, key=lambda j: Decimal(ads[j]["spend"]))
    used_days.add(ads[i]["report_date"].strip())
    ads[i]["spend"] = str(Decimal(ads[i]["spend"]) * 100)
    day = dt.date.fromisoformat(ads[i]["report_date"].strip())
    keys["spend_outlier_100x"] = {
        "record_key": key_of(ads[i]),
        "channel_id": channel_of[ads[i]["campaign_id"].strip()],
        "week_start": (day - dt.timedelta(days=day.weekday())).isoformat(),
        "spend": Decimal(ads[i]["spend"]),
    }

    template = ads[take()]
    ads.append(dict(template, campaign_id="cmp_drill_404"))
    keys["unknown_campaign"] = {"record_key": f"cmp_drill_404|{template['report_date'].strip()}"}

    template = ads[take()]
    ads.append(dict(template, report_date="2026-12-15", exported_at="2026-12-16 03:00:00"))
    keys["dates_in_the_future"] = {"record_key": f"{template['campaign_id'].strip()}|2026-12-15"}
    write_rows(data_dir / "ad_performance.csv", header, ads)

    # -- web_sessions ---------------------------------------------------------------------------
    header, sessions = read_rows(data_dir / "web_sessions.csv")
    session_counts = Counter(s["session_id"].strip() for s in sessions)
    plain = [
        s
        for s in sessions
        if session_counts[s["session_id"].strip()] == 1
        and s["session_id"].startswith("ses_")
        and len(s["session_started_at"].strip()) == 19
        and s["session_started_at"].startswith("2025-0")
        and s["device"] in ("desktop", "mobile", "tablet")
    ]
    unknown = plain[100]
    unknown["channel_id"] = "myspace_ads"
    keys["unknown_channel"] = {"record_key": unknown["session_id"]}
    late_evening = next(s for s in plain[200:] if _ts(s["session_started_at"]).hour >= 20)
    utc = _ts(late_evening["session_started_at"])
    late_evening["session_started_at"] = (utc + dt.timedelta(hours=5)).strftime("%Y-%m-%d %H:%M:%S") + "+05:00"
    keys["timezone_shifted_session"] = {
        "record_key": late_evening["session_id"],
        "utc": utc,
        "as_exported": late_evening["session_started_at"],
    }
    write_rows(data_dir / "web_sessions.csv", header, sessions)

    # -- email_sends: the whole table exported twice --------------------------------------------
    header, sends = read_rows(data_dir / "email_sends.csv")
    exact_duplicates = len(sends) - len({tuple(s.values()) for s in sends})
    keys["whole_table_duplicated"] = {"original_rows": len(sends), "original_exact_duplicates": exact_duplicates}
    write_rows(data_dir / "email_sends.csv", header, sends + [dict(s) for s in sends])

    # -- leads: an email address in the free-text notes -----------------------------------------
    header, leads = read_rows(data_dir / "leads.csv")
    lead_counts = Counter(r["lead_id"].strip() for r in leads)
    plain_leads = [
        r
        for r in leads
        if lead_counts[r["lead_id"].strip()] == 1 and r["lead_id"].startswith("lead_") and not r["notes"].strip()
    ]
    noted = plain_leads[500]
    noted["notes"] = "Asked for a call back; writes from jane.drill@example.org, mobile +44 20 7946 0958"
    keys["email_in_free_text"] = {"record_key": noted["lead_id"], "email": "jane.drill@example.org"}
    write_rows(data_dir / "leads.csv", header, leads)
    clean_lead_ids = {r["lead_id"].strip() for r in plain_leads}

    # -- lead_stage_events -----------------------------------------------------------------------
    header, events = read_rows(data_dir / "lead_stage_events.csv")
    event_counts = Counter(e["stage_event_id"].strip() for e in events)
    by_lead: dict[str, dict[str, list[Row]]] = {}
    for e in events:
        by_lead.setdefault(e["lead_id"].strip(), {}).setdefault(e["stage"], []).append(e)
    swapped_lead = next(
        lead
        for lead, stages in sorted(by_lead.items())
        if lead in clean_lead_ids
        and lead != noted["lead_id"]
        and len(stages.get("mql", [])) == 1
        and len(stages.get("sql", [])) == 1
        and "won" not in stages
        and all(event_counts[e["stage_event_id"].strip()] == 1 for es in stages.values() for e in es)
        and all(len(e["changed_at"].strip()) == 19 for es in stages.values() for e in es)
    )
    mql, sql = by_lead[swapped_lead]["mql"][0], by_lead[swapped_lead]["sql"][0]
    mql["changed_at"], sql["changed_at"] = sql["changed_at"], mql["changed_at"]  # sql now before mql
    keys["stage_events_out_of_order"] = {"lead_id": swapped_lead, "earliest": _ts(sql["changed_at"])}
    events.append(
        {
            "stage_event_id": "sev_drill_0001",
            "lead_id": "lead_drill_ghost",
            "stage": "won",
            "changed_at": "2025-06-02 10:00:00",
        }
    )
    keys["won_without_being_a_lead"] = {"record_key": "sev_drill_0001"}
    write_rows(data_dir / "lead_stage_events.csv", header, events)

    # -- orders ------------------------------------------------------------------------------------
    header, orders = read_rows(data_dir / "orders.csv")
    order_counts = Counter(o["order_id"].strip() for o in orders)
    plain_orders = [
        o
        for o in orders
        if order_counts[o["order_id"].strip()] == 1
        and o["order_id"].startswith("ord_")
        and o["order_status"] == "completed"
        and o["currency_code"] == "USD"
        and len(o["ordered_at"].strip()) == 19
        and o["ordered_at"].startswith("2025-")
    ]
    early = next(o for o in plain_orders if _ts(o["ordered_at"]).hour < 5)
    utc = _ts(early["ordered_at"])
    early["ordered_at"] = (utc - dt.timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%S") + "-05:00"
    keys["timezone_shifted_order"] = {"record_key": early["order_id"], "utc": utc, "as_exported": early["ordered_at"]}
    template = plain_orders[50]
    orders.append(dict(template, order_id="", amount="4321.09"))
    keys["null_keys"] = {"record_key": "<null>", "amount": Decimal("4321.09")}
    orders.append(dict(template, order_id="ord_drill_0001", customer_id="cus_drill_404"))
    keys["revenue_for_unknown_customer"] = {"record_key": "ord_drill_0001"}
    write_rows(data_dir / "orders.csv", header, orders)
    return planted


# ------------------------------------------------------------------------------------------------
# The build
# ------------------------------------------------------------------------------------------------


@dataclass
class DrillBuild:
    """One ingested and built copy of the planted dataset."""

    planted: Planted
    root: Path
    database: Path
    target_dir: Path
    log_dir: Path
    env: dict[str, str]
    build_returncode: int
    build_output: str
    raw_file_rows: dict[str, int]
    seconds: float

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.database), read_only=True)

    def run_results(self) -> dict[str, Any]:
        return json.loads((self.target_dir / "run_results.json").read_text())

    def dbt_args(self, *args: str) -> list[str]:
        """`args` plus this build's target and log directories."""
        return [*args, "--target-path", str(self.target_dir), "--log-path", str(self.log_dir)]


def drill_env(root: Path) -> dict[str, str]:
    return {
        "MKPI_TARGET": "duckdb",  # the drills ingest into DuckDB, whatever target the shell selects
        "MKPI_DUCKDB_PATH": str(root / "build.duckdb"),
        "MKPI_DUCKDB_TEMP_DIR": str(root / "tmp"),
        "MKPI_AS_OF_DATE": AS_OF_DATE,
        "DBT_ENV_SECRET_PII_SALT": PII_SALT,
        "DBT_TARGET_PATH": str(root / "target"),
    }


@functools.lru_cache(maxsize=1)
def drill_build() -> DrillBuild:
    """Plant the faults, ingest and build once per test session (cached; removed at exit)."""
    started = time.perf_counter()
    keep = os.environ.get("MKPI_DRILL_DIR")  # debugging: build there and keep it
    root = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="mkpi-drills-"))
    if keep:
        shutil.rmtree(root, ignore_errors=True)
    else:
        atexit.register(shutil.rmtree, root, True)
    planted = plant_row_faults(copy_raw_csvs(root / "data"))
    raw_file_rows = {p.stem: data_rows(p) for p in sorted(planted.data_dir.glob("*.csv"))}
    env = drill_env(root)
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # ingest() reads the DuckDB settings from the environment
    try:
        ingest(planted.data_dir, root / "build.duckdb")
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    build = DrillBuild(
        planted=planted,
        root=root,
        database=root / "build.duckdb",
        target_dir=root / "target",
        log_dir=root / "logs",
        env=env,
        build_returncode=-1,
        build_output="",
        raw_file_rows=raw_file_rows,
        seconds=0.0,
    )
    proc = run_dbt(build.dbt_args("build", *DBT_SELECT_ARGS, *DBT_EXCLUDE_ARGS), env=env, capture=True, check=False)
    build.build_returncode = proc.returncode
    build.build_output = (proc.stdout or "") + (proc.stderr or "")
    build.seconds = time.perf_counter() - started
    return build


def public_mart_fingerprints(database: Path, manifest: Path) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent fingerprint (sum of row hashes) of every public mart the
    manifest describes and the database holds."""
    from marketing_kpi.publish import load_public_models

    models, _ = load_public_models(manifest)
    con = duckdb.connect(str(database), read_only=True)
    try:
        existing = {
            (s, t)
            for s, t in con.execute(
                "select schema_name, table_name from duckdb_tables() where database_name = current_database() "
                "union all select schema_name, view_name from duckdb_views() where database_name = current_database()"
            ).fetchall()
        }
        prints = {}
        for m in models:
            if (m.schema, m.identifier) not in existing:
                continue
            relation = f'"{m.schema}"."{m.identifier}"'
            rows, fingerprint = con.execute(
                f"select count(*), coalesce(sum(hash(t)::hugeint), 0) from {relation} as t"
            ).fetchone()
            prints[f"{m.schema}.{m.identifier}"] = (int(rows), int(fingerprint))
        return prints
    finally:
        con.close()

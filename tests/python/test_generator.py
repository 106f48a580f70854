"""Tests of the synthetic data generator (src/marketing_kpi/generator.py).

Every test runs the generator on a short date range into a temporary directory, so the suite stays
fast and never touches the committed seeds.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from marketing_kpi.contract import load_contract
from marketing_kpi.generator import main

START, END = "2025-09-01", "2025-12-31"
FX_CURRENCIES = {"USD", "EUR", "GBP"}
OFFSET_TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


def _run(out: Path, *extra: str, start: str = START, end: str = END) -> Path:
    args = ["--seed", "7", "--start", start, "--end", end, "--out-raw", str(out / "raw")]
    args += ["--out-reference", str(out / "reference"), *extra]
    assert main(args) == 0
    return out


def _read(out: Path, table: str, folder: str = "raw") -> list[dict[str, str]]:
    with (out / folder / f"{table}.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _manifest_counts(out: Path) -> dict[tuple[str, str], int]:
    manifest = json.loads((out / "raw" / "_dirt_manifest.json").read_text())
    return {(e["table"], e["kind"]): e["count"] for e in manifest["dirt"]}


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run(tmp_path_factory.mktemp("dirty"))


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run(tmp_path_factory.mktemp("clean"), "--no-dirt")


def test_same_seed_gives_byte_identical_output(dirty: Path, tmp_path: Path) -> None:
    again = _run(tmp_path)
    files = sorted(p.relative_to(dirty) for p in dirty.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for rel in files:
        assert (dirty / rel).read_bytes() == (again / rel).read_bytes(), rel


def test_other_seed_gives_other_data(dirty: Path, tmp_path: Path) -> None:
    args = ["--seed", "8", "--start", START, "--end", END, "--out-raw", str(tmp_path / "raw")]
    main([*args, "--out-reference", str(tmp_path / "reference")])
    assert (tmp_path / "raw" / "leads.csv").read_bytes() != (dirty / "raw" / "leads.csv").read_bytes()


def test_every_contract_table_has_exactly_the_contract_columns(dirty: Path) -> None:
    for name, table in load_contract().items():
        raw = (dirty / "raw" / f"{name}.csv").read_bytes()
        assert b"\r\n" not in raw
        header = raw.split(b"\n", 1)[0].decode()
        assert header.split(",") == table.column_names, name
        assert len(_read(dirty, name)) > 0, name


def test_reference_seeds(clean: Path) -> None:
    fx = _read(clean, "fx_rates", "reference")
    assert {r["currency_code"] for r in fx} == FX_CURRENCIES
    assert len(fx) == 3 * 122  # every day of Sep-Dec 2025
    assert all(r["rate_to_usd"] == "1.000000" for r in fx if r["currency_code"] == "USD")
    budgets = _read(clean, "channel_budgets", "reference")
    assert {r["budget_month"] for r in budgets} == {"2025-09-01", "2025-10-01", "2025-11-01", "2025-12-01"}
    assert len(_read(clean, "working_hours", "reference")) == 7
    holidays = {r["holiday_date"]: r["holiday_name"] for r in _read(clean, "holidays", "reference")}
    assert holidays["2025-12-25"] == "Christmas Day"


def test_manifest_counts_match_the_files(dirty: Path) -> None:
    counts = _manifest_counts(dirty)
    contract = load_contract()
    channels = {r["channel_id"] for r in _read(dirty, "channels")}
    for name, table in contract.items():
        rows = _read(dirty, name)
        keys = table.key_columns
        as_tuples = [tuple(r.values()) for r in rows]
        duplicates = len(as_tuples) - len(set(as_tuples))
        assert duplicates == counts.get((name, "exact_duplicate"), 0), name
        null_keys = sum(any(r[k] == "" for k in keys) for r in rows)
        assert null_keys == counts.get((name, "null_key"), 0), name
        if "channel_id" in table.column_names and name != "channels":
            unknown = sum(r["channel_id"] not in channels for r in rows)
            assert unknown == counts.get((name, "unknown_channel"), 0), name
        versioned = [c.name for c in table.columns if c.is_version]
        if versioned:
            distinct = {tuple(r.values()) for r in rows if all(r[k] for k in keys)}
            per_key = Counter(tuple(r[k] for k in keys) for r in (dict(zip(rows[0], d, strict=True)) for d in distinct))
            superseded = sum(n - 1 for n in per_key.values())
            assert superseded == counts.get((name, "resent_update"), 0), name
    ads = _read(dirty, "ad_performance")
    assert sum(float(r["spend"]) < 0 for r in ads) == counts[("ad_performance", "negative_spend")]
    assert (
        sum(int(r["clicks"]) > int(r["impressions"]) for r in ads)
        == counts[("ad_performance", "clicks_exceed_impressions")]
    )
    for name, column in (
        ("orders", "ordered_at"),
        ("touchpoints", "touched_at"),
        ("web_sessions", "session_started_at"),
    ):
        rows = _read(dirty, name)
        assert sum(bool(OFFSET_TS.match(r[column])) for r in rows) == counts[(name, "timezone_offset")]
        assert sum(int(r[column][:4]) >= 2035 for r in rows) == counts[(name, "future_dated")]
    for name in ("orders", "ad_performance"):
        rows = _read(dirty, name)
        assert sum(r["currency_code"] not in FX_CURRENCIES for r in rows) == counts[(name, "missing_fx_rate")]
    manifest = json.loads((dirty / "raw" / "_dirt_manifest.json").read_text())
    assert manifest["rows"]["leads"] == len(_read(dirty, "leads"))
    assert all(1 <= len(e["keys"]) <= 5 for e in manifest["dirt"])


def test_timezone_offsets_keep_the_true_instant(dirty: Path, clean: Path) -> None:
    from datetime import datetime, timezone

    dirty_rows = {r["order_id"]: r["ordered_at"] for r in _read(dirty, "orders")}
    clean_rows = {r["order_id"]: r["ordered_at"] for r in _read(clean, "orders")}
    shifted = [k for k, v in dirty_rows.items() if OFFSET_TS.match(v)]
    assert shifted
    for key in shifted:
        instant = datetime.fromisoformat(dirty_rows[key]).astimezone(timezone.utc).replace(tzinfo=None)
        assert instant == datetime.fromisoformat(clean_rows[key])


def test_clean_data_is_consistent(clean: Path) -> None:
    assert json.loads((clean / "raw" / "_dirt_manifest.json").read_text())["dirt"] == []
    ads = _read(clean, "ad_performance")
    assert all(0 <= int(r["clicks"]) <= int(r["impressions"]) and float(r["spend"]) > 0 for r in ads)
    for s in _read(clean, "email_sends"):
        sent, delivered = int(s["emails_sent"]), int(s["emails_delivered"])
        assert sent >= delivered >= int(s["emails_opened"]) >= int(s["emails_clicked"])
        assert int(s["emails_bounced"]) == sent - delivered
    leads = _read(clean, "leads")
    lead_ids = {r["lead_id"] for r in leads}
    events = _read(clean, "lead_stage_events")
    first_events = Counter(e["lead_id"] for e in events if e["stage"] == "lead")
    assert set(first_events) == lead_ids and set(first_events.values()) == {1}
    forms = {(t["lead_id"], t["touched_at"]) for t in _read(clean, "touchpoints") if t["touch_type"] == "form"}
    assert all((r["lead_id"], r["created_at"]) in forms for r in leads)
    creating = Counter(s["lead_id"] for s in _read(clean, "web_sessions") if s["lead_id"])
    assert set(creating) == lead_ids
    won = {e["lead_id"]: e["changed_at"] for e in events if e["stage"] == "won"}
    customers = {r["customer_id"]: r["lead_id"] for r in leads if r["customer_id"]}
    assert set(customers.values()) == set(won)
    orders = _read(clean, "orders")
    assert {o["customer_id"] for o in orders} <= set(customers)
    for o in orders:
        assert o["ordered_at"] >= won[customers[o["customer_id"]]]
        assert (float(o["amount"]) < 0) == (o["order_type"] == "refund")
    unpaid = {"organic_search", "organic_social", "referral", "direct"}
    assert all(r["campaign_id"] == "" for r in leads if r["channel_id"] in unpaid)
    assert not any(r["channel_id"] in unpaid for r in _read(clean, "campaigns"))


def test_scale_changes_volume_roughly_proportionally(clean: Path, tmp_path: Path) -> None:
    double = _run(tmp_path, "--no-dirt", "--scale", "2")
    for table in ("leads", "web_sessions", "touchpoints", "ad_performance", "campaigns"):
        ratio = len(_read(double, table)) / len(_read(clean, table))
        assert 1.5 < ratio < 2.6, (table, ratio)


def test_short_date_range_works(tmp_path: Path) -> None:
    out = _run(tmp_path, start="2025-06-01", end="2025-06-10")
    manifest = json.loads((out / "raw" / "_dirt_manifest.json").read_text())
    assert manifest["rows"]["leads"] > 0
    assert manifest["planted_anomalies"][0]["channel_id"] == "meta_ads"
    leads = _read(out, "leads")
    assert all("2025-06-01" <= r["created_at"][:10] <= "2025-06-10" for r in leads if "T" not in r["created_at"])


def test_planted_anomaly_in_default_window(tmp_path: Path) -> None:
    out = _run(tmp_path, "--no-dirt", start="2026-05-01", end="2026-07-31")
    anomaly = json.loads((out / "raw" / "_dirt_manifest.json").read_text())["planted_anomalies"][0]
    assert (anomaly["start_date"], anomaly["end_date"], anomaly["spend_multiplier"]) == (
        "2026-06-08",
        "2026-06-14",
        4.0,
    )
    meta = {r["campaign_id"] for r in _read(out, "campaigns") if r["channel_id"] == "meta_ads"}
    spend: Counter[str] = Counter()
    for r in _read(out, "ad_performance"):
        if r["campaign_id"] in meta:
            spend[r["report_date"]] += float(r["spend"])
    inside = sum(spend[f"2026-06-{d:02d}"] for d in range(8, 15))
    before = sum(spend[f"2026-06-{d:02d}"] for d in range(1, 8))
    assert inside > 2.5 * before


def test_parquet_format_is_typed(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = _run(tmp_path, "--format", "parquet", start="2025-06-01", end="2025-06-30")
    ads = pq.read_table(out / "raw" / "ad_performance.parquet")
    assert ads.column_names == load_contract()["ad_performance"].column_names
    assert str(ads.schema.field("spend").type) == "decimal128(18, 2)"
    assert str(ads.schema.field("report_date").type) == "date32[day]"
    manifest = json.loads((out / "raw" / "_dirt_manifest.json").read_text())
    assert [s["kind"] for s in manifest["skipped_dirt"]] == ["timezone_offset"]
    assert not any(e["kind"] == "timezone_offset" for e in manifest["dirt"])

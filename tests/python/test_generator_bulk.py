"""The large-scale generator (src/marketing_kpi/generator_bulk.py), on tiny markets so it stays fast."""

from __future__ import annotations

import io
import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from marketing_kpi import generator_bulk as bulk
from marketing_kpi.contract import load_contract
from marketing_kpi.generator import main as generator_main
from marketing_kpi.ingest import check_contract

TINY = bulk.ScaleSpec("T", markets=3, leads_per_market=400)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bulk")
    bulk.generate_bulk(TINY, out, progress=False, workers=1)
    return out


def _rows(folder: Path, table: str) -> list[tuple]:
    con = duckdb.connect()
    try:
        files = [folder / f"{table}.parquet"] if (folder / f"{table}.parquet").exists() else None
        source = f"'{files[0]}'" if files else f"'{folder / table}/*.parquet'"
        return sorted(con.execute(f"select * from read_parquet({source})").fetchall(), key=repr)
    finally:
        con.close()


def test_every_table_follows_the_contract(tiny: Path) -> None:
    files = check_contract(tiny)
    assert set(files) == set(load_contract())
    for name, table in load_contract().items():
        folder = tiny / name
        paths = [tiny / f"{name}.parquet"] if name == "channels" else sorted(folder.glob("*.parquet"))
        for path in paths:
            schema = pq.read_schema(path)
            assert schema.names == table.column_names, name


def test_output_depends_on_the_seed_only_not_on_workers(tiny: Path, tmp_path: Path) -> None:
    bulk.generate_bulk(TINY, tmp_path, progress=False, workers=2)
    assert len(list((tmp_path / "orders").glob("*.parquet"))) == 2
    for name in ("campaigns", "ad_performance", "leads", "orders", "touchpoints"):
        assert _rows(tiny, name) == _rows(tmp_path, name), name
    again = tmp_path / "again"
    bulk.generate_bulk(TINY, again, progress=False, workers=1)
    for name in load_contract():
        part = Path(name) / "part-000.parquet" if name != "channels" else Path("channels.parquet")
        assert (tiny / part).read_bytes() == (again / part).read_bytes(), name


def test_volumes_per_lead_and_relationships(tiny: Path) -> None:
    manifest = json.loads((tiny / "_dirt_manifest.json").read_text())
    rows = manifest["rows"]
    leads = rows["leads"]
    assert 8 <= rows["ad_performance"] / leads <= 12
    assert 8 <= rows["touchpoints"] / leads <= 13
    assert 3.5 <= rows["orders"] / leads <= 7
    con = duckdb.connect()
    try:

        def q(sql: str) -> int:
            return con.execute(sql.replace("{d}", str(tiny))).fetchall()[0][0]

        # one row per campaign per day, apart from the documented duplicates and re-sends
        dupes = q(
            "select count(*) - count(distinct (campaign_id, report_date)) "
            "from '{d}/ad_performance/*.parquet' where campaign_id is not null"
        )
        resent = sum(e["count"] for e in manifest["dirt"] if e["table"] == "ad_performance"
                     and e["kind"] in ("exact_duplicate", "resent_update"))  # fmt: skip
        assert dupes <= resent
        # children point at generated parents (dirt aside: unknown ids have one digit more)
        assert (
            q("""select count(*) from '{d}/touchpoints/*.parquet' t
                    where t.lead_id is not null and length(t.lead_id) = 14
                    and t.lead_id not in (select lead_id from '{d}/leads/*.parquet' where lead_id is not null)""")
            == 0
        )
        assert (
            q("""select count(*) from '{d}/orders/*.parquet' o where length(o.customer_id) = 13
                    and o.customer_id not in (select customer_id from '{d}/leads/*.parquet'
                                              where customer_id is not null)""")
            == 0
        )
        assert q("select count(distinct customer_id) from '{d}/leads/*.parquet'") > 0.1 * leads
    finally:
        con.close()
    kinds = {(e["table"], e["kind"]) for e in manifest["dirt"]}
    assert ("ad_performance", "resent_update") in kinds and ("orders", "exact_duplicate") in kinds
    assert {s["kind"] for s in manifest["skipped_dirt"]} == {"timezone_offset", "unknown_channel"}
    assert (tiny / "reference" / "channel_budgets.csv").exists()


def test_media_spend_is_about_a_year_of_revenue_as_in_the_embedded_dataset(tiny: Path) -> None:
    """The bulk scales keep the embedded dataset's economics (README, "The embedded dataset"): their
    extra won leads and product lines are offset by smaller plans (BULK_PRICE_FACTOR), so media
    spend per net revenue is ~1 here too (~0.16 with full-price plans)."""
    con = duckdb.connect()
    try:
        spend, revenue = con.execute(
            """
            with fx as (select * from read_csv('{d}/reference/fx_rates.csv'))
            select
                (select sum(a.spend * fx.rate_to_usd) from '{d}/ad_performance/*.parquet' as a
                 inner join fx on a.report_date = fx.rate_date and a.currency_code = fx.currency_code
                 where a.spend > 0),
                (select sum(o.amount * fx.rate_to_usd) from '{d}/orders/*.parquet' as o
                 inner join fx on cast(o.ordered_at as date) = fx.rate_date and o.currency_code = fx.currency_code
                 where o.order_status = 'completed')
            """.replace("{d}", str(tiny))
        ).fetchone()
    finally:
        con.close()
    assert 0.5 <= spend / revenue <= 2.0, f"media spend / net revenue = {spend / revenue:.3f}"


def test_progress_bar_goes_to_stderr() -> None:
    buffer = io.StringIO()
    bar = bulk.Progress(2, "generate T", stream=buffer)
    bar.update(1)
    bar.update(1)
    assert "generate T" in buffer.getvalue() and "2/2" in buffer.getvalue()


def test_generator_cli_routes_scale_names_and_refuses_seeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(bulk, "generate_bulk", lambda *a, **k: calls.append((a, k)) or bulk.BulkResult(a[1]))
    assert generator_main(["--scale-name", "L", "--out-raw", str(tmp_path)]) == 0
    assert calls and calls[0][0][0] == "L"
    with pytest.raises(SystemExit):
        generator_main(["--scale-name", "L"])

"""Attributed revenue is rounded once per published grain (issue 15): recomputed here exactly from the
per-customer shares (int_customer_days_attributed.exact_revenue, decimals summed exactly), every
published cell is its exact amount rounded to the cent, except for the fewest cells that must move
by one cent so that the cells of a partition add up to the partition's exact total rounded to the
cent (largest-remainder rounding; macros/largest_remainder_cents.sql).

Grains and partitions checked (the default attribution model where the mart reports one):
* int_revenue_attributed           day x model x channel x campaign, partition day x model
* kpi_channel_performance__daily   day x channel x campaign, partition day
* kpi_channel_performance__monthly month x channel x campaign, partition month
* kpi_attribution__monthly         month x model x channel, partition month x model
* kpi_campaign_roi                 campaign (lifetime), one partition: every campaign
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

import yaml

from marketing_kpi import paths

CENT = Decimal("0.01")


def _default_model() -> str:
    project = yaml.safe_load((paths.PROJECT_ROOT / "dbt_project.yml").read_text())
    return project["vars"].get("default_attribution_model", "position_based")


def _exact(warehouse, grain: list[str], where: str = "true") -> dict[tuple, Decimal]:
    """Exact sums of the shares per grain (DuckDB sums decimals exactly)."""
    columns = ", ".join(grain)
    rows = warehouse.sql(
        f"select {columns}, sum(exact_revenue) from intermediate.int_customer_days_attributed "
        f"where {where} group by {columns}"
    ).fetchall()
    return {tuple(r[:-1]): Decimal(r[-1]) for r in rows}


def _published(warehouse, relation: str, grain: list[str], where: str = "true") -> dict[tuple, Decimal]:
    columns = ", ".join(grain)
    rows = warehouse.sql(f"select {columns}, attributed_revenue from {relation} where {where}").fetchall()
    published = {}
    for r in rows:
        assert tuple(r[:-1]) not in published, f"{relation}: grain {grain} is not unique at {r[:-1]}"
        published[tuple(r[:-1])] = Decimal(r[-1])
    return published


def rounding_problems(
    exact: dict[tuple, Decimal], published: dict[tuple, Decimal], partition: int, label: str
) -> list[str]:
    """Checks published cents against exact amounts; the first `partition` key fields form the
    partition. Cells absent from `published` count as 0 (and so must be exactly 0)."""
    problems: list[str] = []
    extra = [k for k, v in published.items() if k not in exact and v != 0]
    if extra:
        problems.append(f"{label}: {len(extra)} published cells with revenue but no shares, e.g. {extra[:3]}")
    by_partition: dict[tuple, list[tuple]] = defaultdict(list)
    for key in exact:
        by_partition[key[:partition]].append(key)
    for part, keys in sorted(by_partition.items(), key=lambda kv: str(kv[0])):
        target = sum(exact[k] for k in keys).quantize(CENT, ROUND_HALF_UP)
        total = sum(published.get(k, Decimal(0)) for k in keys)
        if total != target:
            problems.append(f"{label} {part}: cents add up to {total}, exact total rounds to {target}")
        naive = {k: exact[k].quantize(CENT, ROUND_HALF_UP) for k in keys}
        needed = abs(target - sum(naive.values())) / CENT
        moved = 0
        for k in keys:
            value, floor = published.get(k, Decimal(0)), exact[k].quantize(CENT, ROUND_FLOOR)
            ceiling = floor if floor == exact[k] else floor + CENT
            if not floor <= value <= ceiling:
                problems.append(f"{label} {k}: published {value}, exact {exact[k]} (not within the cent)")
            # an exact half cent (e.g. a refund share of -4.645) rounds either way equally well: the
            # macro breaks such ties upwards, ROUND_HALF_UP away from zero; neither is a move
            is_half_cent_tie = exact[k] - floor == CENT / 2
            moved += value != naive[k] and not is_half_cent_tie
        if moved > needed:
            problems.append(
                f"{label} {part}: {moved} cells differ from their exact amount rounded, "
                f"only {needed} must to add up to {target}"
            )
    return problems


def test_rounding_problems_detects_drift_and_excess_moves() -> None:
    exact = {("d", "a"): Decimal("33.333333"), ("d", "b"): Decimal("33.333333"), ("d", "c"): Decimal("33.333334")}
    good = {("d", "a"): Decimal("33.34"), ("d", "b"): Decimal("33.33"), ("d", "c"): Decimal("33.33")}
    assert rounding_problems(exact, good, 1, "t") == []
    drifted = {("d", "a"): Decimal("33.35"), ("d", "b"): Decimal("33.32"), ("d", "c"): Decimal("33.33")}
    assert any("not within the cent" in p for p in rounding_problems(exact, drifted, 1, "t"))
    short = {("d", "a"): Decimal("33.33"), ("d", "b"): Decimal("33.33"), ("d", "c"): Decimal("33.33")}
    assert any("add up to" in p for p in rounding_problems(exact, short, 1, "t"))
    exact2 = {("d", "a"): Decimal("1.004"), ("d", "b"): Decimal("1.006")}
    swapped = {("d", "a"): Decimal("1.01"), ("d", "b"): Decimal("1.00")}
    assert any("only 0 must" in p for p in rounding_problems(exact2, swapped, 1, "t"))


def test_attributed_revenue_is_rounded_once_per_day(warehouse) -> None:
    model = _default_model()
    grain = ["order_date", "attribution_model", "channel_id", "coalesce(campaign_id, '(none)')"]
    problems = rounding_problems(
        _exact(warehouse, grain),
        _published(warehouse, "intermediate.int_revenue_attributed", grain),
        2,
        "int_revenue_attributed",
    )
    daily_grain = ["order_date", "channel_id", "coalesce(campaign_id, '(none)')"]
    published_daily = _published(
        warehouse,
        "kpi.kpi_channel_performance__daily",
        ["date_day", "channel_id", "campaign_key"],
    )
    problems += rounding_problems(
        _exact(warehouse, daily_grain, f"attribution_model = '{model}'"),
        published_daily,
        1,
        "kpi_channel_performance__daily",
    )
    assert not problems, "\n".join(problems[:20])


def test_attributed_revenue_is_rounded_once_per_channel_month(warehouse) -> None:
    model = _default_model()
    problems = rounding_problems(
        _exact(warehouse, ["order_month", "attribution_model", "channel_id"]),
        _published(warehouse, "kpi.kpi_attribution__monthly", ["date_month", "attribution_model", "channel_id"]),
        2,
        "kpi_attribution__monthly",
    )
    problems += rounding_problems(
        _exact(
            warehouse,
            ["order_month", "channel_id", "coalesce(campaign_id, '(none)')"],
            f"attribution_model = '{model}'",
        ),
        _published(warehouse, "kpi.kpi_channel_performance__monthly", ["date_month", "channel_id", "campaign_key"]),
        1,
        "kpi_channel_performance__monthly",
    )
    assert not problems, "\n".join(problems[:20])


def test_attributed_revenue_is_rounded_once_per_campaign_lifetime(warehouse) -> None:
    model = _default_model()
    exact = {
        ("all",) + k: v
        for k, v in _exact(
            warehouse, ["campaign_id"], f"attribution_model = '{model}' and campaign_id is not null"
        ).items()
    }
    published = {("all",) + k: v for k, v in _published(warehouse, "kpi.kpi_campaign_roi", ["campaign_id"]).items()}
    problems = rounding_problems(exact, published, 1, "kpi_campaign_roi")
    assert not problems, "\n".join(problems[:20])

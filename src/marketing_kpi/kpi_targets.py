"""How seeds/reference/kpi_targets.csv was made: plausible plan targets from the embedded data.

Policy (one rule for every KPI, so the targets are explainable):

* baseline for calendar year Y = the median of the KPI's monthly values in the 12 months before
  1 January of Y (the first 12 months of data when fewer than 6 such months exist); when that
  median is 0 because the KPI's events are too sparse for a monthly median (churn, expansion or
  cross-sell in a small customer base: most months have none), the pooled ratio of the same
  months instead, sum of numerators / sum of denominators (only for KPIs whose value is the plain
  ratio numerator / denominator);
* target for every month and quarter of Y = baseline improved by TARGET_IMPROVEMENT in the KPI's
  good direction (× 1.05 when higher is better, × 0.95 when lower is better), rounded to 3
  significant digits; a quarter's target equals its months' (every targeted KPI is a ratio);
* overall (all-channel) targets for every KPI of int_kpi_values__monthly except those that
  centre on zero or are two-sided (UNTARGETED), per-channel targets for CHANNEL_TARGETED_KPIS;
  only positive baselines give a target.

Run after a build: `python -m marketing_kpi.kpi_targets` (reads the built warehouse, rewrites the
CSV). The committed CSV is the plan; re-running it is a planning decision, not part of the build.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import duckdb

from marketing_kpi import paths
from marketing_kpi.governance import load_manifest, load_registry, relation_name

TARGET_IMPROVEMENT = 0.05
UNTARGETED = frozenset({"budget_variance", "budget_variance_rate", "budget_pacing_rate"})
CHANNEL_TARGETED_KPIS = (
    "click_through_rate",
    "cost_per_click",
    "cost_per_lead",
    "customer_acquisition_cost",
    "return_on_ad_spend",
    "lead_to_customer_rate",
)
HEADER = ("kpi_id", "period_type", "period_start", "channel_id", "target_value")


def _round(value: float, digits: int = 3) -> float:
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


Point = tuple[float, float | None, float | None]  # value, numerator, denominator


def _is_plain_ratio(points: list[Point]) -> bool:
    """Every point's value is numerator / denominator (so a pooled ratio is on the same scale)."""
    for value, num, den in points:
        if num is None or den is None or den == 0:
            return False
        if not math.isclose(value, num / den, rel_tol=1e-9, abs_tol=1e-12):
            return False
    return True


def _baseline(points: list[Point]) -> float:
    """The median monthly value; the pooled ratio when the median is 0 (see the module docstring)."""
    median = statistics.median(v for v, _, _ in points)
    if median == 0 and _is_plain_ratio(points):
        denominator = sum(d for _, _, d in points)
        return sum(n for _, n, _ in points) / denominator
    return median


def compute_targets(values: list[tuple], directions: dict[str, str]) -> list[tuple]:
    """Targets from monthly (period_start, kpi_id, channel_id, value[, numerator, denominator])
    rows; see the module docstring."""
    series: dict[tuple[str, str | None], dict[dt.date, Point]] = defaultdict(dict)
    for month, kpi_id, channel_id, value, *parts in values:
        if kpi_id in UNTARGETED or kpi_id not in directions or value is None:
            continue
        if channel_id is not None and kpi_id not in CHANNEL_TARGETED_KPIS:
            continue
        numerator, denominator = (None if x is None else float(x) for x in (parts + [None, None])[:2])
        series[(kpi_id, channel_id)][month] = (float(value), numerator, denominator)
    rows: list[tuple] = []
    for (kpi_id, channel_id), by_month in sorted(series.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        months = sorted(by_month)
        first_year = [by_month[m] for m in months[:12]]
        factor = 1 + TARGET_IMPROVEMENT if directions[kpi_id] == "higher_is_better" else 1 - TARGET_IMPROVEMENT
        quarters_done: set[dt.date] = set()
        for month in months:
            prior = [p for m, p in by_month.items() if dt.date(month.year - 1, 1, 1) <= m < dt.date(month.year, 1, 1)]
            baseline = _baseline(prior if len(prior) >= 6 else first_year)
            if baseline <= 0:
                continue
            target = _round(baseline * factor)
            rows.append((kpi_id, "month", month.isoformat(), channel_id or "", target))
            quarter = _quarter_start(month)
            if quarter not in quarters_done:
                quarters_done.add(quarter)
                rows.append((kpi_id, "quarter", quarter.isoformat(), channel_id or "", target))
    return rows


def main(argv: list[str] | None = None) -> int:
    out = paths.reference_seed_dir() / "kpi_targets.csv"
    relation = relation_name(load_manifest(), "int_kpi_values__monthly")
    directions = {k.kpi_id: k.direction for k in load_registry()}
    with duckdb.connect(str(paths.build_database()), read_only=True) as con:
        values = con.execute(
            f"select period_start, kpi_id, channel_id, value, numerator, denominator from {relation}"
        ).fetchall()
    rows = compute_targets(values, directions)
    write_targets(rows, out)
    print(f"wrote {len(rows)} targets to {out}")
    return 0


def write_targets(rows: list[tuple], out: Path) -> None:
    with out.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)


if __name__ == "__main__":
    sys.exit(main())

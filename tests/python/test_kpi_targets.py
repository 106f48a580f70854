"""How seeds/reference/kpi_targets.csv is derived (src/marketing_kpi/kpi_targets.py)."""

from __future__ import annotations

import csv
import datetime as dt

from marketing_kpi import paths
from marketing_kpi.governance import load_registry
from marketing_kpi.kpi_targets import compute_targets

DIRECTIONS = {"churn_rate": "lower_is_better", "cost_per_mille": "lower_is_better"}
MONTHS = [dt.date(2025, m, 1) for m in range(1, 13)]


def _targets(rows: list[tuple]) -> dict[str, float]:
    return {r[2]: r[4] for r in compute_targets(rows, DIRECTIONS) if r[0] == "churn_rate" and r[1] == "month"}


def test_a_kpi_with_a_positive_median_is_targeted_from_the_median() -> None:
    rows = [(m, "churn_rate", None, 0.02, 2.0, 100.0) for m in MONTHS]
    assert _targets(rows)["2025-01-01"] == 0.019  # 0.02 x 0.95


def test_sparse_events_are_targeted_from_the_pooled_ratio_when_the_median_is_zero() -> None:
    # a small customer base: most months nobody churns, so the monthly median is 0
    churned = [0, 0, 1, 0, 0, 2, 0, 0, 1, 0, 0, 0]
    rows = [(m, "churn_rate", None, c / 50, float(c), 50.0) for m, c in zip(MONTHS, churned, strict=True)]
    targets = _targets(rows)
    assert set(targets) == {m.isoformat() for m in MONTHS}
    assert targets["2025-06-01"] == round(4 / 600 * 0.95, 5)


def test_no_pooled_fallback_when_the_value_is_not_the_plain_ratio() -> None:
    # cost_per_mille = 1000 x spend / impressions: a pooled numerator / denominator is off by 1000
    rows = [(m, "cost_per_mille", None, 0.0, 0.0, 10.0) for m in MONTHS]
    rows[0] = (MONTHS[0], "cost_per_mille", None, 1000 * 1.0 / 10.0, 1.0, 10.0)
    assert not compute_targets(rows, DIRECTIONS)


def test_a_fraction_kpi_target_is_clamped_to_one() -> None:
    # retention at 0.99 improved by 5 % would ask for 1.04, which a share cannot reach
    rows = [(m, "retention_rate", None, 0.99, 99.0, 100.0) for m in MONTHS]
    rows += [(m, "net_revenue_retention_rate", None, 0.99, 99.0, 100.0) for m in MONTHS]
    directions = {"retention_rate": "higher_is_better", "net_revenue_retention_rate": "higher_is_better"}
    units = {"retention_rate": "fraction", "net_revenue_retention_rate": "multiple"}
    targets = {(r[0], r[1]): r[4] for r in compute_targets(rows, directions, units) if r[2] == "2025-06-01"}
    assert targets[("retention_rate", "month")] == 1.0
    # NRR is a multiple (above 1 when expansion outweighs churn): not clamped
    assert targets[("net_revenue_retention_rate", "month")] == 1.04


def test_every_committed_target_of_a_fraction_kpi_is_a_fraction() -> None:
    units = {k.kpi_id: k.unit for k in load_registry()}
    with (paths.reference_seed_dir() / "kpi_targets.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    fractions = [r for r in rows if units.get(r["kpi_id"]) == "fraction"]
    assert fractions, "no fraction KPI has a target: the check would prove nothing"
    outside = [
        (r["kpi_id"], r["period_start"], r["target_value"]) for r in fractions if not 0 <= float(r["target_value"]) <= 1
    ]
    assert not outside, f"kpi_targets.csv: fraction KPI targets outside [0, 1] ({len(outside)} rows): {outside[:5]}"


def test_a_month_without_a_value_yet_keeps_its_target() -> None:
    # the incomplete as-of month has no churn value (null until it is over): the plan still has it
    rows = [(m, "churn_rate", None, 0.02, 2.0, 100.0) for m in MONTHS]
    rows.append((dt.date(2026, 1, 1), "churn_rate", None, None, None, 100.0))
    assert _targets(rows)["2026-01-01"] == 0.019

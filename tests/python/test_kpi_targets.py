"""How seeds/reference/kpi_targets.csv is derived (src/marketing_kpi/kpi_targets.py)."""

from __future__ import annotations

import datetime as dt

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

"""The glossary's formula column is the formula macros' real arithmetic (issue 15): read back from
the generated table, each formula evaluates to what its macro (macros/kpi/kpi_formulas.sql)
computes in DuckDB on the same inputs, so a missing bracket (`attributed_revenue - spend / spend`),
a missing scale factor (NPS x 100, CPM x 1000) or a ratio printed for a difference (budget
variance) fails. Deviation-from-plan KPIs are documented as two-sided."""

from __future__ import annotations

import re

import duckdb
import pytest

from marketing_kpi import formulas, glossary, governance

_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def _formula_cells() -> dict[str, str]:
    """kpi_id -> the glossary's formula cell, backticks dropped."""
    cells = {}
    for line in glossary.readme_section().splitlines():
        match = re.match(r"\| \*\*.*?\*\* `(\w+)` \| .*? \| (.*?) \| (\w+) \| ", line)
        if match:
            cells[match.group(1)] = match.group(2).replace("`", "")
    return cells


def _values(names) -> dict[str, float]:
    # distinct, non-round inputs so that a wrong bracket or a lost factor changes the result
    return {name: 1.5 + 0.37 * i + 0.011 * i * i for i, name in enumerate(sorted(names), start=1)}


FORMULA_KPIS = [
    k for k in governance.load_registry() if formulas.macro_arguments(k.formula_macro, k.numerator, k.denominator)
]


@pytest.mark.parametrize("kpi", FORMULA_KPIS, ids=lambda k: k.kpi_id)
def test_glossary_formula_computes_what_the_macro_computes(kpi: governance.Kpi) -> None:
    text = _formula_cells()[kpi.kpi_id]
    arguments = formulas.macro_arguments(kpi.formula_macro, kpi.numerator, kpi.denominator)
    names = set(_NAME.findall(text))
    assert names == set(arguments), f"{kpi.kpi_id}: glossary formula {text!r} names {names}, macro takes {arguments}"
    values = _values(arguments)
    documented = eval(text.replace("×", "*"), {"__builtins__": {}}, dict(values))  # noqa: S307 - our own table
    sql = formulas.formula_sql(kpi.formula_macro, tuple(repr(values[a]) for a in arguments))
    computed = duckdb.connect().execute(f"select {sql}").fetchall()[0][0]
    assert documented == pytest.approx(float(computed), rel=1e-12), f"{kpi.kpi_id}: glossary {text!r}, macro SQL {sql}"


def test_known_formulas_are_bracketed_and_scaled() -> None:
    cells = _formula_cells()
    assert cells["return_on_investment"] == "(attributed_revenue - spend) / spend"
    assert cells["net_promoter_score"] == "100 × (promoters - detractors) / responses"
    assert cells["cost_per_mille"] == "1000 × spend / impressions"
    assert cells["budget_variance"] == "actual_spend - planned_spend"


def test_deviation_from_plan_kpis_are_two_sided() -> None:
    for line in glossary.readme_section().splitlines():
        for kpi_id in glossary.TWO_SIDED:
            if f"`{kpi_id}` |" in line:
                assert "two-sided" in line and "lower is better" not in line, line


def test_direction_on_target_is_accepted() -> None:
    [kpi] = [k for k in governance.load_registry() if k.kpi_id == "budget_pacing_rate"]
    fields = {**kpi.__dict__, "direction": "on_target"}
    text = glossary._direction(type(kpi)(**fields))
    assert text.startswith("↕ two-sided") and "registry direction" not in text

"""The analysts' KPI glossary, generated from the KPI registry (seeds/reference/kpi_registry.csv).

Two renderings of the same table:
* models/marts/kpi/_kpi_glossary.md: a `{% docs kpi_glossary %}` block shown in dbt docs (on the
  kpi_registry seed);
* the README's "KPI glossary" section (marketing_kpi.readme_sections, section "kpi-glossary").

`python -m marketing_kpi.glossary` rewrites the docs file; `--check` fails when it is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from marketing_kpi import formulas
from marketing_kpi.governance import Kpi, load_registry
from marketing_kpi.kpi_targets import UNTARGETED
from marketing_kpi.paths import PROJECT_ROOT

GLOSSARY_DOCS = PROJECT_ROOT / "models" / "marts" / "kpi" / "_kpi_glossary.md"
TIER_ORDER = {"strategic": 0, "tactical": 1, "operational": 2}
ARROW = {
    "higher_is_better": "↑ higher is better",
    "lower_is_better": "↓ lower is better",
    "on_target": "↕ two-sided: on plan is best",
}
# KPIs that measure a deviation from plan, with the value that means "on plan": over- and
# underspend are both off target, whatever the registry direction says. The registry records them
# as lower_is_better; they get no target (kpi_targets.UNTARGETED), so the scorecard never scores
# them. A registry direction `on_target` is accepted and drops the registry caveat.
TWO_SIDED = {"budget_variance": "0", "budget_variance_rate": "0", "budget_pacing_rate": "1"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _formula(kpi: Kpi) -> str:
    """The formula as the KPI's macro computes it (macros/kpi/kpi_formulas.sql), bracketed where
    precedence needs it and with its scale factor (`1000 × spend / impressions`); the registry's
    numerator and denominator for a KPI without a formula macro (a median)."""
    text = formulas.formula_text(kpi.formula_macro, kpi.numerator, kpi.denominator)
    if text is None:
        return f"`{kpi.numerator}` / `{kpi.denominator}`" if kpi.denominator else f"`{kpi.numerator}`"
    return f"`{text.replace(' * ', ' × ')}`"


def _direction(kpi: Kpi) -> str:
    if kpi.kpi_id not in TWO_SIDED and kpi.direction != "on_target":
        return ARROW[kpi.direction]
    on_plan = TWO_SIDED.get(kpi.kpi_id)
    text = ARROW["on_target"] + (f" ({on_plan} = on plan; over- and underspend are both off target)" if on_plan else "")
    if kpi.kpi_id in UNTARGETED:
        text += "; no target, not scored"
    if kpi.direction != "on_target":
        text += f" (registry direction `{kpi.direction}`)"
    return text


def _needs(kpi: Kpi) -> str:
    """The tables (and funnel stages) a KPI needs: without them it is not available."""
    tables = ", ".join(f"`{t}`" for t in kpi.required_sources.split("|") if t)
    stages = ", ".join(s for s in kpi.required_funnel_stages.split("|") if s)
    return tables + (f"; stages {stages}" if stages else "")


def glossary_table(registry: list[Kpi] | None = None) -> str:
    """A Markdown table of every registry KPI, strategic first, then by audience and name."""
    kpis = sorted(registry or load_registry(), key=lambda k: (TIER_ORDER[k.tier], k.audience, k.kpi_id))
    lines = [
        "| KPI | definition | formula | unit | direction | tier · cadence · audience | owner | bands (attainment) "
        "| needs | implemented in |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for k in kpis:
        bands = f"on track ≥ {k.on_track_threshold:g}, warning ≥ {k.warning_threshold:g}"
        where = f"`{k.mart_model}.{k.mart_column}` (macro `{k.formula_macro}`, metric `{k.metric_name}`)"
        lines.append(
            f"| **{_cell(k.display_name)}** `{k.kpi_id}` | {_cell(k.definition)} | {_formula(k)} | {k.unit} "
            f"| {_direction(k)} | {k.tier} · {k.review_cadence} · {k.audience} | {_cell(k.owner)} | {bands} "
            f"| {_needs(k)} | {where} |"
        )
    return "\n".join(lines) + "\n"


def glossary_intro(registry: list[Kpi] | None = None) -> str:
    kpis = registry or load_registry()
    return (
        f"{len(kpis)} governed KPIs, generated from `seeds/reference/kpi_registry.csv` "
        "(edit the CSV, then run `python -m marketing_kpi.glossary` and `python -m marketing_kpi.readme_sections`). "
        "Attainment is value / target when higher is better and target / value when lower is better; "
        "below the warning threshold a KPI is critical. Ratios are ratios of sums; a zero denominator gives null. "
        "A KPI whose needed tables were not provided (empty), or that counts a funnel stage the CRM does not track, "
        "is not available: null in every mart, never 0, and listed with the reason in `kpi_availability`. "
        "Formulas are rendered from the formula macros (`macros/kpi/kpi_formulas.sql`), "
        "in the unit of the unit column.\n"
    )


def readme_section() -> str:
    """The README's generated "kpi-glossary" section."""
    registry = load_registry()
    return glossary_intro(registry) + "\n" + glossary_table(registry)


def docs_block() -> str:
    """The dbt docs block `kpi_glossary`."""
    registry = load_registry()
    return (
        "{% docs kpi_glossary %}\n"
        "<!-- generated by python -m marketing_kpi.glossary from seeds/reference/kpi_registry.csv; do not edit -->\n"
        "## KPI glossary\n\n" + glossary_intro(registry) + "\n" + glossary_table(registry) + "{% enddocs %}\n"
    )


def main(argv: list[str] | None = None, path: Path = GLOSSARY_DOCS) -> int:
    args = sys.argv[1:] if argv is None else argv
    fresh = docs_block()
    if "--check" in args:
        if not path.exists() or path.read_text() != fresh:
            print(f"{path} is stale: run python -m marketing_kpi.glossary")
            return 1
        return 0
    path.write_text(fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Every published KPI ratio equals its formula over the published components of the same row
(issue 15): in every KPI mart, for every registry KPI (seeds/reference/kpi_registry.csv) whose
column is in the mart (named kpi_id, or mart_column in mart_model) together with every column its
formula macro is applied to (the registry numerator and denominator; marketing_kpi.formulas), the
published value equals the macro's SQL over the published columns, within 1e-9 relative, and is
null exactly when that is null. A ratio computed from unrounded components while the mart
publishes them rounded to the cent (cost per lead of a score band) fails here.

The same check also runs on every formula-macro call of a mart's SQL whose arguments are
published columns of that mart (e.g. the score band's customer_acquisition_cost('spend',
'customers'), whose denominator the registry names new_customers)."""

from __future__ import annotations

import re

import pytest

from marketing_kpi import formulas, governance, paths

RELATIVE_TOLERANCE = 1e-9


def _mart_columns(warehouse) -> dict[str, set[str]]:
    rows = warehouse.sql(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'kpi' and table_name like 'kpi\\_%' escape '\\'"
    ).fetchall()
    marts: dict[str, set[str]] = {}
    for table, column in rows:
        marts.setdefault(table, set()).add(column)
    return marts


def ratio_checks(marts: dict[str, set[str]], registry: list[governance.Kpi]) -> list[tuple[str, str, str, str]]:
    """(mart, kpi column, kpi_id, expected SQL) for every KPI column whose components are columns
    of the same mart."""
    checks = []
    for kpi in registry:
        arguments = formulas.macro_arguments(kpi.formula_macro, kpi.numerator, kpi.denominator)
        if arguments is None:
            continue
        for mart, columns in sorted(marts.items()):
            names = {kpi.kpi_id} | ({kpi.mart_column} if mart == kpi.mart_model else set())
            if not set(arguments) <= columns:
                continue
            for column in sorted(names & columns):
                quoted = tuple(f'"{a}"' for a in arguments)
                checks.append((mart, column, kpi.kpi_id, formulas.formula_sql(kpi.formula_macro, quoted)))
    return checks


# `cast({{ macro('a', 'b') }} as double) as column`, also inside the availability wrapper
# `cast({{ kpi_if_available('kpi_id', macro('a', 'b')) }} as double) as column`.
_MACRO_CALL = re.compile(
    r"cast\(\s*\{\{\s*(?:kpi_if_available\(\s*'\w+',\s*)?(\w+)\(([^}]*)\)\s*\}\}\s*"
    r"as\s+(?:double|bigint|decimal\(\d+,\s*\d+\))\s*\)\s*(?:as\s+)?(\w+)"
)


def source_checks(marts: dict[str, set[str]]) -> list[tuple[str, str, str, str]]:
    """(mart, column, macro, expected SQL) for every `cast({{ macro('a', 'b') }} as ...) as column`
    of a mart's SQL whose arguments (table prefixes dropped) are published columns of the mart."""
    checks = []
    for mart, columns in sorted(marts.items()):
        sql_file = paths.PROJECT_ROOT / "models" / "marts" / "kpi" / f"{mart}.sql"
        if not sql_file.exists():
            continue
        for macro, raw_arguments, column in _MACRO_CALL.findall(sql_file.read_text()):
            if macro not in formulas.formula_macros() or column not in columns:
                continue
            arguments = [a.split(".")[-1] for a in re.findall(r"'([^']*)'", raw_arguments)]
            if arguments and set(arguments) <= columns:
                quoted = tuple(f'"{a}"' for a in arguments)
                checks.append((mart, column, macro, formulas.formula_sql(macro, quoted)))
    return checks


def mismatches(warehouse, mart: str, column: str, expected_sql: str) -> tuple[int, list]:
    where = (
        f'("{column}" is null) != (expected is null) '
        f'or abs("{column}" - expected) > {RELATIVE_TOLERANCE} * greatest(abs("{column}"), abs(expected))'
    )
    relation = f'(select *, {expected_sql} as expected from kpi."{mart}")'
    count = warehouse.execute(f"select count(*) from {relation} where {where}").fetchall()[0][0]
    examples = warehouse.execute(f'select "{column}", expected from {relation} where {where} limit 3').fetchall()
    return count, examples


def test_ratio_checks_cover_the_registry_marts(warehouse) -> None:
    """The check is not vacuous: it covers the registry's own mart column of most KPIs and the
    score-band marts' cost ratios."""
    marts = _mart_columns(warehouse)
    registry = governance.load_registry()
    covered = {(mart, column) for mart, column, _, _ in ratio_checks(marts, registry)}
    own = {(k.mart_model, k.mart_column) for k in registry}
    assert len(own & covered) >= 30, sorted(own - covered)
    from_source = {(mart, column) for mart, column, _, _ in source_checks(marts)}
    for band_mart in ("kpi_lead_quality__score_band", "kpi_lead_quality__score_band_cohort"):
        assert (band_mart, "cost_per_lead") in covered
        assert (band_mart, "customer_acquisition_cost") in from_source


@pytest.fixture(scope="module")
def checks(warehouse) -> list[tuple[str, str, str, str]]:
    marts = _mart_columns(warehouse)
    unique = {}
    for check in ratio_checks(marts, governance.load_registry()) + source_checks(marts):
        unique.setdefault((check[0], check[1], check[3]), check)
    return list(unique.values())


def test_published_ratios_equal_published_components(warehouse, checks) -> None:
    problems = []
    for mart, column, kpi_id, expected_sql in checks:
        count, examples = mismatches(warehouse, mart, column, expected_sql)
        if count:
            problems.append(
                f"{mart}.{column} ({kpi_id}): {count} rows differ from {expected_sql} "
                f"over the published columns, e.g. (published, recomputed) {examples}"
            )
    assert not problems, "\n".join(problems)


def test_mismatches_detects_a_ratio_of_unrounded_components() -> None:
    import duckdb

    con = duckdb.connect()
    con.execute("create schema kpi")
    con.execute(
        "create table kpi.kpi_x as select cast(round(10.004, 2) as decimal(18, 2)) as spend, "
        "3 as leads, 10.004 / 3 as cost_per_lead union all select 0.00, 0, null"
    )
    registry = [k for k in governance.load_registry() if k.kpi_id == "cost_per_lead"]
    [(mart, column, _, sql)] = ratio_checks({"kpi_x": {"spend", "leads", "cost_per_lead"}}, registry)
    assert mismatches(con, mart, column, sql)[0] == 1
    con.execute("update kpi.kpi_x set cost_per_lead = cast(spend as double) / 3 where leads = 3")
    assert mismatches(con, mart, column, sql)[0] == 0

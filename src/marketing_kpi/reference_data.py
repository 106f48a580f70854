"""Reference data, loaded natively into the build database's `reference` schema (no `dbt seed`).

Two kinds of reference tables, both declared as dbt seeds in seeds/reference/*.yml (their
`column_types` are the contract the files are checked against):

- **project** tables: the governance the project itself ships (the KPI registry, scorecard weights,
  funnel health ranges, column exceptions). Always read from seeds/reference/.
- **dataset** tables (DATASET_TABLES): a company's own plan and lookups (budgets, targets, fx
  rates, working hours, holidays, lead-scoring weights) and the embedded demo's planted anomalies.
  For the embedded dataset they come from seeds/reference/; for your own data from
  `DIR/reference/<table>.csv` when present, else a neutral default that never invents the demo's
  channels, budgets or targets: an empty table (no budgets -> the budget KPIs are not available;
  no targets -> nothing is scored against a target; no fx rates -> only the reporting currency
  converts, at exactly 1), or the project's documented default (a Monday-Friday 9-17 working week;
  the generic lead-scoring model of seeds/reference/lead_score_weights.csv).

A file is checked before anything is loaded: exactly the declared columns (any order), and every
non-blank value casts to its declared type; every problem of every file is reported at once
(ReferenceMismatch). Blank values are null, as with `dbt seed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb
import yaml

from marketing_kpi import paths
from marketing_kpi.contract import column_set_problems

# Dataset reference tables and their default when a data directory does not provide them.
EMPTY = "empty"
PROJECT_DEFAULT = "project default"
DATASET_TABLES: dict[str, str] = {
    "channel_budgets": EMPTY,
    "kpi_targets": EMPTY,
    "fx_rates": EMPTY,
    "holidays": EMPTY,
    "planted_anomalies": EMPTY,
    "working_hours": PROJECT_DEFAULT,
    "lead_score_weights": PROJECT_DEFAULT,
}
REFERENCE_SUBDIR = "reference"
_EXAMPLES = 3


class ReferenceMismatch(ValueError):
    """Reference files do not follow their declared columns and types; the message lists every problem."""


@dataclass(frozen=True)
class ReferenceTable:
    name: str
    columns: dict[str, str]  # column -> declared type, in declared order
    is_dataset: bool


@dataclass(frozen=True)
class LoadedReference:
    name: str
    origin: str  # "seeds/reference", "<dir>/reference/x.csv", "empty default", "project default"
    rows: int


@lru_cache(maxsize=1)
def reference_tables() -> dict[str, ReferenceTable]:
    """Every seed declared in seeds/reference/*.yml with its column types (all must be declared)."""
    tables: dict[str, ReferenceTable] = {}
    for yml in sorted(paths.reference_seed_dir().glob("*.yml")):
        doc = yaml.safe_load(yml.read_text()) or {}
        for seed in doc.get("seeds") or []:
            types = (seed.get("config") or {}).get("column_types") or {}
            declared = [c["name"] for c in seed.get("columns") or []]
            untyped = [c for c in declared if c not in types]
            if untyped:
                raise ReferenceMismatch(
                    f"{yml.name}: seed {seed['name']} declares columns without a column_types entry: "
                    + ", ".join(untyped)
                )
            tables[seed["name"]] = ReferenceTable(seed["name"], dict(types), seed["name"] in DATASET_TABLES)
    missing = sorted(set(DATASET_TABLES) - set(tables))
    if missing:
        raise ReferenceMismatch(f"seeds/reference/*.yml does not declare the dataset tables {', '.join(missing)}")
    return tables


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _csv_reader(path: Path) -> str:
    return f"read_csv({_sql_string(path.as_posix())}, header = true, all_varchar = true)"


def _check_file(con: duckdb.DuckDBPyConnection, table: ReferenceTable, path: Path) -> list[str]:
    where = f"reference.{table.name} ({path})"
    try:
        actual = [row[0] for row in con.execute(f"describe select * from {_csv_reader(path)}").fetchall()]
    except duckdb.Error as exc:
        return [f"{where}: cannot read: {str(exc).splitlines()[0]}"]
    problems = column_set_problems(where, list(table.columns), actual)
    if problems:
        return problems
    for column, data_type in table.columns.items():
        value = f"nullif(trim(\"{column}\"), '')"
        bad, examples = con.execute(
            f"""
            select count(*), list(v)[1:{_EXAMPLES}]
            from (select {value} as v from {_csv_reader(path)})
            where v is not null and try_cast(v as {data_type}) is null
            """
        ).fetchall()[0]
        if bad:
            shown = ", ".join(repr(v) for v in examples)
            problems.append(f"{where}.{column}: {bad} value(s) are not {data_type} (e.g. {shown})")
    return problems


def plan_reference(data_dir: Path | None) -> dict[str, tuple[Path | None, str]]:
    """Where each reference table comes from: (file or None for an empty table, origin label).

    data_dir None = the embedded dataset: every table from seeds/reference/. Otherwise project
    tables from seeds/reference/, dataset tables from data_dir/reference/<table>.csv or their default.
    """
    seeds = paths.reference_seed_dir()
    plan: dict[str, tuple[Path | None, str]] = {}
    for name, table in reference_tables().items():
        shipped = seeds / f"{name}.csv"
        if data_dir is None or not table.is_dataset:
            plan[name] = (shipped, "seeds/reference")
            continue
        own = data_dir / REFERENCE_SUBDIR / f"{name}.csv"
        if own.exists():
            plan[name] = (own, str(own))
        elif DATASET_TABLES[name] == PROJECT_DEFAULT:
            plan[name] = (shipped, PROJECT_DEFAULT)
        else:
            plan[name] = (None, "empty default")
    return plan


def check_reference(con: duckdb.DuckDBPyConnection, data_dir: Path | None) -> dict[str, tuple[Path | None, str]]:
    """The load plan, after checking every file in it; raises ReferenceMismatch listing every problem."""
    plan = plan_reference(data_dir)
    problems: list[str] = []
    if data_dir is not None and (data_dir / REFERENCE_SUBDIR).is_dir():
        known = set(DATASET_TABLES)
        for stray in sorted((data_dir / REFERENCE_SUBDIR).iterdir()):
            if stray.stem not in known or stray.suffix != ".csv":
                problems.append(
                    f"{stray}: not a dataset reference table (expected one of "
                    f"{', '.join(sorted(f'{t}.csv' for t in known))})"
                )
    tables = reference_tables()
    for name, (path, _origin) in plan.items():
        if path is not None:
            problems.extend(_check_file(con, tables[name], path))
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise ReferenceMismatch(
            f"reference data does not follow its declared columns and types (seeds/reference/*.yml); "
            f"{len(problems)} problem(s):\n{lines}"
        )
    return plan


def load_reference(con: duckdb.DuckDBPyConnection, plan: dict[str, tuple[Path | None, str]]) -> list[LoadedReference]:
    """(Re)create every reference table of a checked plan in the `reference` schema, typed as declared.

    Runs inside the caller's transaction (the ingest loads raw and reference data as one)."""
    con.execute("create schema if not exists reference")
    loaded = []
    for name, (path, origin) in plan.items():
        table = reference_tables()[name]
        columns = ", ".join(f'"{c}" {t}' for c, t in table.columns.items())
        con.execute(f"create or replace table reference.{name} ({columns})")
        if path is not None:
            values = ", ".join(f"cast(nullif(trim(\"{c}\"), '') as {t})" for c, t in table.columns.items())
            con.execute(f"insert into reference.{name} select {values} from {_csv_reader(path)}")
        rows = con.execute(f"select count(*) from reference.{name}").fetchall()[0][0]
        loaded.append(LoadedReference(name, origin, rows))
    return loaded

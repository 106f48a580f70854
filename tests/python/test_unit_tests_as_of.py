"""The dbt unit tests pass whatever the as-of date (var as_of_date, env MKPI_AS_OF_DATE).

A user who builds their own historical data (MKPI_AS_OF_DATE=2018-12-31) or sets a date after
the embedded dataset runs the same unit tests as CI, whose fixture rows carry fixed dates. Every
unit test of a model that reads the as-of date (macro as_of_date()) therefore pins it in
`overrides: vars`; otherwise a historical as-of quarantines the fixtures as future_dated, or a
later one shifts the as-of month, lead maturity or the budget pacing.

`dbt test --select test_type:unit` runs once per as-of date below, on a copy of the built
warehouse (unit tests read the upstream relations' columns and create temporary tables, so they
need a read-write connection, which DuckDB refuses while this session holds a read-only one; the
copy also leaves the built warehouse untouched). The runs go in parallel: about 25 s of CPU each.
"""

from __future__ import annotations

import json
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from marketing_kpi.dbt_runner import run_dbt

#: A historical as-of (before every fixture row) and a future one (after every fixture row).
AS_OF_DATES = ("2018-12-31", "2031-06-30")
AS_OF_MACRO = "macro.marketing_kpi.as_of_date"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
READS_AS_OF_VAR = re.compile(r"""var\(\s*['"]as_of_date['"]""")
READS_THE_CLOCK = re.compile(r"\b(current_date|current_timestamp|now\s*\(|today\s*\()", re.IGNORECASE)
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class UnitTestRun:
    as_of_date: str
    returncode: int
    output: str
    results: list[dict[str, Any]]
    manifest: dict[str, Any]


def _copy_database(database: Path, directory: Path) -> Path:
    directory.mkdir(parents=True)
    copy = directory / database.name
    shutil.copy2(database, copy)
    wal = database.with_name(database.name + ".wal")
    if wal.exists():
        shutil.copy2(wal, copy.with_name(wal.name))
    return copy


def _run_unit_tests(as_of_date: str, built_database: Path, scratch: Path) -> UnitTestRun:
    """`dbt test --select test_type:unit` under one as-of date, on its own copy of the warehouse."""
    database = _copy_database(built_database, scratch / "database")
    target = scratch / "target"
    env = {
        "MKPI_AS_OF_DATE": as_of_date,
        "MKPI_DUCKDB_PATH": str(database),
        "MKPI_DUCKDB_TEMP_DIR": str(database.parent / "tmp"),
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(scratch / "logs"),
    }
    proc = run_dbt(["test", "--select", "test_type:unit"], env=env, capture=True, check=False)
    output = (proc.stdout or "") + (proc.stderr or "")
    results_file, manifest_file = target / "run_results.json", target / "manifest.json"
    if not results_file.exists() or not manifest_file.exists():
        raise RuntimeError(
            f"dbt test under as-of {as_of_date} wrote no results (exit {proc.returncode}):\n{output[-4000:]}"
        )
    return UnitTestRun(
        as_of_date=as_of_date,
        returncode=proc.returncode,
        output=output,
        results=json.loads(results_file.read_text())["results"],
        manifest=json.loads(manifest_file.read_text()),
    )


@pytest.fixture(scope="module")
def unit_test_runs(built_database: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, UnitTestRun]:
    """One unit-test run per as-of date, at the same time (each a dbt process on its own copy of the
    warehouse: DuckDB lets one process write a file), so the module costs about one run's time."""
    scratch = tmp_path_factory.mktemp("unit_tests_as_of")
    with ThreadPoolExecutor(max_workers=len(AS_OF_DATES)) as pool:
        futures = {d: pool.submit(_run_unit_tests, d, built_database, scratch / d) for d in AS_OF_DATES}
    try:
        return {as_of_date: future.result() for as_of_date, future in futures.items()}
    except RuntimeError as error:
        pytest.fail(str(error))


def _first_lines(message: str | None, lines: int = 12) -> str:
    text = ANSI_COLOUR.sub("", message or "").strip()
    return "\n    ".join(text.splitlines()[:lines])


@pytest.mark.parametrize("as_of_date", AS_OF_DATES)
def test_every_unit_test_passes_under_the_as_of_date(unit_test_runs: dict[str, UnitTestRun], as_of_date: str) -> None:
    run = unit_test_runs[as_of_date]
    unit_tests = set(run.manifest["unit_tests"])
    assert unit_tests, "the manifest has no unit tests: the selector test_type:unit matched nothing"
    ran = {r["unique_id"]: r for r in run.results if r["unique_id"].startswith("unit_test.")}
    not_run = sorted(unit_tests - set(ran))
    failing = sorted(uid for uid, r in ran.items() if r["status"] != "pass")
    report = [
        f"{uid.split('.', 2)[-1]} [{ran[uid]['status']}]\n    {_first_lines(ran[uid]['message'])}" for uid in failing
    ]
    report += [f"{uid.split('.', 2)[-1]} [not run]" for uid in not_run]
    assert not report, (
        f"{len(report)} of {len(unit_tests)} dbt unit tests fail with MKPI_AS_OF_DATE={as_of_date}: "
        "pin the dates a test depends on (overrides: vars: {as_of_date: 'YYYY-MM-DD'}):\n" + "\n".join(report)
    )
    assert run.returncode == 0, f"dbt test exited {run.returncode}:\n{run.output[-4000:]}"


def _macro_closure(manifest: dict[str, Any], macro_ids: list[str]) -> set[str]:
    seen: set[str] = set()
    stack = list(macro_ids)
    while stack:
        macro_id = stack.pop()
        if macro_id in seen or macro_id not in manifest["macros"]:
            continue
        seen.add(macro_id)
        stack.extend(manifest["macros"][macro_id]["depends_on"]["macros"])
    return seen


def test_unit_tests_of_models_that_read_the_as_of_date_pin_it(unit_test_runs: dict[str, UnitTestRun]) -> None:
    """A static guard beside the two runs: a test whose fixtures happen to pass under both dates
    today would still break on another date or fixture row, so the pin is required, not optional."""
    manifest = unit_test_runs[AS_OF_DATES[0]].manifest
    unpinned: list[str] = []
    checked = 0
    for unit_test in manifest["unit_tests"].values():
        model = next(n for n in unit_test["depends_on"]["nodes"] if n.split(".")[-1] == unit_test["model"])
        node = manifest["nodes"][model]
        reads_as_of = AS_OF_MACRO in _macro_closure(manifest, node["depends_on"]["macros"]) or bool(
            READS_AS_OF_VAR.search(node["raw_code"])
        )
        if not reads_as_of:
            continue
        checked += 1
        pinned = ((unit_test.get("overrides") or {}).get("vars") or {}).get("as_of_date")
        if not (isinstance(pinned, str) and ISO_DATE.match(pinned)):
            unpinned.append(f"{unit_test['name']} (model {unit_test['model']}): as_of_date override is {pinned!r}")
    assert checked, "no unit test covers a model that reads the as-of date: the dependency scan is broken"
    assert not unpinned, (
        "unit tests of models that read as_of_date() must pin it to a literal date "
        "(overrides: vars: {as_of_date: 'YYYY-MM-DD'}):\n" + "\n".join(unpinned)
    )


def test_only_the_as_of_date_macro_reads_the_clock(unit_test_runs: dict[str, UnitTestRun]) -> None:
    """Models and project macros reason about "today" only through as_of_date(), the one thing a
    unit test can pin; a direct current_date would make a test depend on the day it runs."""
    manifest = unit_test_runs[AS_OF_DATES[0]].manifest
    offenders = [
        f"{node['original_file_path']}: {match.group(0)}"
        for node in manifest["nodes"].values()
        if node["package_name"] == "marketing_kpi" and node["resource_type"] == "model"
        for match in [READS_THE_CLOCK.search(node["raw_code"])]
        if match
    ]
    offenders += [
        f"{macro['original_file_path']}: {match.group(0)}"
        for macro_id, macro in manifest["macros"].items()
        if macro["package_name"] == "marketing_kpi" and macro_id != AS_OF_MACRO
        for match in [READS_THE_CLOCK.search(macro["macro_sql"])]
        if match
    ]
    assert not offenders, "read the date through as_of_date() instead:\n" + "\n".join(offenders)

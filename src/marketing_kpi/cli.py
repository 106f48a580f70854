"""`marketing-kpi`: the project's command line. Thin wrappers around plain functions.

marketing-kpi build        the main job: load, dbt build, audit, publish, dashboard, docs
marketing-kpi generate     regenerate the synthetic dataset (see generator.py)
marketing-kpi shapes       write a test dataset shaped like a real export (see export_shapes.py)
marketing-kpi ingest DIR   check your own exports against the raw data contract and load them
marketing-kpi audit        Great Expectations audit of the build database
marketing-kpi publish      publish the public marts to the read-only serving file and Parquet
marketing-kpi dashboard    build the static KPI dashboard from the serving file
marketing-kpi bench        the benchmark at a named scale (see benchmark.py and docs/BENCHMARK.md)
marketing-kpi spark        build the project on a local Spark session (see spark.py and docs/SPARK.md)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from marketing_kpi import ingest as ingest_module
from marketing_kpi import paths
from marketing_kpi.dbt_runner import StepFailed, run_dbt
from marketing_kpi.ingest import ContractMismatch
from marketing_kpi.publish import NO_AUDIT_HELP

EMBEDDED_AS_OF = "2026-10-31"  # the embedded dataset's last day (dbt_project.yml's default as_of_date)


class _Steps:
    """Prints "==> [k/n] step" and each step's time, so a long run shows where it is."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.started = total, 0, time.perf_counter()

    def __call__(self, name: str, fn: Callable[[], object]) -> object:
        self.done += 1
        began = time.perf_counter()
        print(f"==> [{self.done}/{self.total}] {name}", flush=True)
        result = fn()
        elapsed = time.perf_counter() - began
        print(f"    {name}: done in {elapsed:.1f}s (total {time.perf_counter() - self.started:.0f}s)", flush=True)
        return result


def _run_main(step: str, entry: Callable[[list[str]], int], argv: list[str]) -> None:
    code = entry(argv)
    if code != 0:
        raise StepFailed(f"{step} failed (exit {code}); see its report above")


def source_timezone_env(settings: Sequence[str]) -> dict[str, str]:
    """MKPI_SOURCE_TIMEZONE / MKPI_SOURCE_TIMEZONES from --source-timezone values: `ZONE` (every table)
    or `TABLE=ZONE` (one raw table). Zones are checked against the IANA database, tables against the
    contract, so a typo is an error here rather than a wrong hour in every KPI."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from marketing_kpi.contract import load_contract

    zone, per_table = None, []
    for setting in settings:
        table, _, name = setting.rpartition("=")
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise StepFailed(
                f"--source-timezone {setting}: {name!r} is not an IANA time zone (e.g. Europe/Berlin)"
            ) from None
        if not table:
            zone = name
        elif table not in load_contract():
            raise StepFailed(f"--source-timezone {setting}: {table!r} is not a raw table of the contract")
        else:
            per_table.append(f"{table}={name}")
    env = {}
    if zone:
        env["MKPI_SOURCE_TIMEZONE"] = zone
    if per_table:
        env["MKPI_SOURCE_TIMEZONES"] = ",".join(per_table)
    return env


def _valid_as_of(value: str) -> str:
    if value.lower() == "today":
        return "today"
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD) or 'today'") from None


def build(
    *,
    data_dir: Path | None = None,
    as_of: str | None = None,
    source_timezone: Sequence[str] = (),
    full_refresh: bool = False,
    docs: bool = True,
    audit: bool = True,
    publish: bool = True,
    unit_tests: bool = False,
) -> None:
    """The main job, write-audit-publish: load the raw data (the embedded dataset, or your files) and
    its reference data into the build database, build and test every model, audit it with Great
    Expectations, and only then replace what readers see (the serving file and Parquet), then the
    dashboard and dbt docs. Any failure stops before publishing.

    The as-of date ("today" for the KPIs): `as_of`, else $MKPI_AS_OF_DATE, else for your own data the
    last complete day in it (ingest.last_complete_day) and for the embedded dataset its last day."""
    os.environ.update(source_timezone_env(source_timezone))
    refresh = ["--full-refresh"] if full_refresh else []
    total = 2 + int(data_dir is not None) + int(audit) + 2 * int(audit and publish) + int(docs)
    step = _Steps(total)
    if data_dir is None:
        step("load the embedded dataset + reference data", lambda: _ingest(paths.raw_seed_dir(), embedded=True))
        as_of = as_of or os.environ.get("MKPI_AS_OF_DATE")
        why = "given" if as_of else "the embedded dataset's last day"
        as_of = as_of or EMBEDDED_AS_OF
        print(f"    as-of date: {as_of} ({why})", flush=True)
    else:
        prepared = step(f"check {data_dir} (contract, as-of date, preflight)", lambda: _prepare(data_dir, as_of))
        as_of = prepared.as_of
        step(f"load {data_dir} + reference data", lambda: _ingest(data_dir, checked=prepared.files))
    os.environ["MKPI_AS_OF_DATE"] = as_of
    # Models and every data test, those of the reference tables (loaded above, not seeded) included;
    # unit tests test the SQL, not the data: CI runs them (--unit-tests), a production build need not.
    resource_types = ["--resource-type", "model", "--resource-type", "test"]
    if unit_tests:
        resource_types += ["--resource-type", "unit_test"]
    step(
        "dbt build (models, data tests" + (", unit tests)" if unit_tests else ")"),
        lambda: run_dbt(["build", *resource_types, *refresh]),
    )
    if audit:
        from marketing_kpi.quality import audit as gx_audit

        audit_args = ["--as-of-date", as_of]
        if data_dir is not None:
            audit_args.append("--no-volume-bands")
        step("audit (Great Expectations)", lambda: _run_main("audit", gx_audit.main, audit_args))
    if audit and publish:
        from marketing_kpi import publish as publisher

        step("publish (serving file + Parquet)", lambda: _run_main("publish", publisher.main, ["--require-audit-file"]))
        from marketing_kpi import dashboard

        serving = paths.serving_dir()
        step(
            "dashboard (static HTML from the published file)",
            lambda: dashboard.build_dashboard(serving / "marketing_kpi.duckdb", serving / "dashboard"),
        )
    if not audit and publish:
        from marketing_kpi import publish as publisher

        notice_args = ["--as-of-date", as_of] + (["--no-volume-bands"] if data_dir is not None else [])
        print(publisher.not_published_notice(paths.serving_dir(), notice_args), flush=True)
    if docs:
        step("dbt docs generate", lambda: run_dbt(["docs", "generate"]))


def _prepare(data_dir: Path, as_of: str | None) -> ingest_module.Prepared:
    prepared = ingest_module.prepare(data_dir, as_of)
    explain = "" if prepared.as_of_reason == "given" else " (pass --as-of DATE|today to choose another)"
    print(f"    as-of date: {prepared.as_of}: {prepared.as_of_reason}{explain}", flush=True)
    for line in ingest_module.preflight.format_findings(prepared.findings):
        print(f"    {line}", flush=True)
    ingest_module.raise_on_preflight_errors(prepared, data_dir)
    return prepared


def _ingest(
    data_dir: Path, *, embedded: bool = False, checked: dict[str, ingest_module.TableFile] | None = None
) -> ingest_module.IngestResult:
    result = ingest_module.ingest(data_dir, paths.build_database(), embedded=embedded, checked=checked)
    print(f"    loaded {result.total_rows:,} raw rows from {len(result.provided)} tables", flush=True)
    for line in result.summary_lines():
        print(f"    {line}", flush=True)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="marketing-kpi", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p_build = sub.add_parser(
        "build",
        allow_abbrev=False,  # --full-refres is a typo, not --full-refresh
        help="the main job: load, dbt build, audit, publish, dashboard, docs",
        description="The main job, write-audit-publish: load the embedded dataset (or --data-dir) and its "
        "reference data, dbt build every model and data test, audit with Great Expectations, publish the "
        "public marts to the read-only serving file and Parquet, write the dashboard and dbt docs. Any "
        "failure stops before publishing; what readers see is never half-replaced.",
    )
    p_build.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ["MKPI_DATA_DIR"]) if os.environ.get("MKPI_DATA_DIR") else None,
        help="a directory of your own CSV/Parquet exports in the raw data contract, optionally with reference "
        "data in DIR/reference/ (default: $MKPI_DATA_DIR, else the embedded dataset)",
    )
    p_build.add_argument(
        "--as-of",
        type=_valid_as_of,
        default=None,
        metavar="DATE|today",
        help="the project's 'today': rows after it are future-dated, periods after it incomplete, freshness "
        "is judged against it (default: $MKPI_AS_OF_DATE; else for --data-dir the last complete day in the "
        f"data, for the embedded dataset {EMBEDDED_AS_OF}); a live daily deployment passes 'today'",
    )
    p_build.add_argument(
        "--source-timezone",
        action="append",
        default=[],
        metavar="ZONE|TABLE=ZONE",
        help="time zone of timestamps written without an offset, for every table (ZONE) or one raw table "
        "(TABLE=ZONE); repeatable; default UTC ($MKPI_SOURCE_TIMEZONE, $MKPI_SOURCE_TIMEZONES)",
    )
    p_build.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")
    p_build.add_argument("--no-docs", action="store_true", help="skip dbt docs generate")
    p_build.add_argument("--no-audit", action="store_true", help=NO_AUDIT_HELP)
    p_build.add_argument("--no-publish", action="store_true", help="build and audit, but do not publish")
    p_build.add_argument(
        "--unit-tests",
        action="store_true",
        help="also run dbt's unit tests (CI runs them; they test the SQL logic, not your data)",
    )

    sub.add_parser("generate", help="regenerate the synthetic dataset", add_help=False)
    sub.add_parser(
        "shapes", help="write a test dataset shaped like a real export (CRM-only, ads-only, ...)", add_help=False
    )
    sub.add_parser("ingest", help="check and load a directory of your own exports into raw", add_help=False)
    sub.add_parser("audit", help="Great Expectations audit of raw inputs and KPI marts", add_help=False)
    sub.add_parser("dashboard", help="build the static KPI dashboard from the serving file", add_help=False)
    sub.add_parser("publish", help="publish the public marts for BI (read-only serving file + Parquet)", add_help=False)
    sub.add_parser("bench", help="benchmark ingest, build, incremental, audit and publish at a scale", add_help=False)
    sub.add_parser("spark", help="build the project on a local Spark session (dbt-spark)", add_help=False)

    args, rest = parser.parse_known_args(argv)
    if args.command == "build" and rest:
        p_build.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        if args.command == "build":
            build(
                data_dir=args.data_dir,
                as_of=args.as_of,
                source_timezone=args.source_timezone,
                full_refresh=args.full_refresh,
                docs=not args.no_docs,
                audit=not args.no_audit,
                publish=not args.no_publish,
                unit_tests=args.unit_tests,
            )
            print(f"Build database: {paths.build_database()}")
        elif args.command == "generate":
            from marketing_kpi import generator

            return generator.main(rest) or 0
        elif args.command == "shapes":
            from marketing_kpi import export_shapes

            return export_shapes.main(rest)
        elif args.command == "audit":
            from marketing_kpi.quality import audit

            return audit.main(rest)
        elif args.command == "dashboard":
            from marketing_kpi import dashboard

            return dashboard.main(rest)
        elif args.command == "publish":
            from marketing_kpi import publish

            return publish.main(rest)
        elif args.command == "ingest":
            from marketing_kpi import ingest

            return ingest.main(rest)
        elif args.command == "bench":
            from marketing_kpi import benchmark

            return benchmark.main(rest)
        elif args.command == "spark":
            from marketing_kpi import spark

            return spark.main(rest)
    except (StepFailed, ContractMismatch) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

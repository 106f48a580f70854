"""`marketing-kpi`: the project's command line. Thin wrappers around plain functions.

marketing-kpi build        the main job: seed, dbt build, audit, publish, docs
marketing-kpi generate     regenerate the synthetic dataset (see generator.py)
marketing-kpi ingest DIR   check your own exports against the raw data contract and load them
marketing-kpi audit        Great Expectations audit of the build database
marketing-kpi publish      publish the public marts to the read-only serving file and Parquet
marketing-kpi dashboard    build the static KPI dashboard from the serving file
marketing-kpi bench        the benchmark at a named scale (see benchmark.py and docs/BENCHMARK.md)
marketing-kpi spark        build the project on a local Spark session (see spark.py and docs/SPARK.md)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from marketing_kpi import paths
from marketing_kpi.dbt_runner import StepFailed, run_dbt
from marketing_kpi.ingest import ContractMismatch


def _step(name: str, fn: Callable[[], object]) -> None:
    started = time.perf_counter()
    print(f"==> {name}", flush=True)
    fn()
    print(f"    {name}: done in {time.perf_counter() - started:.1f}s", flush=True)


def _run_main(step: str, entry: Callable[[list[str]], int], argv: list[str]) -> None:
    code = entry(argv)
    if code != 0:
        raise StepFailed(f"{step} failed (exit {code}); see its report above")


def build(
    *,
    data_dir: Path | None = None,
    full_refresh: bool = False,
    docs: bool = True,
    audit: bool = True,
    publish: bool = True,
) -> None:
    """The main job, write-audit-publish: load the raw data (the embedded dataset, or your files) into
    the build database, build and test every model, audit it with Great Expectations, and only then
    replace what readers see (the serving file and Parquet). Any failure stops before publishing."""
    refresh = ["--full-refresh"] if full_refresh else []
    audit_args: list[str] = []
    if data_dir is None:
        _step("dbt seed (embedded dataset + reference data)", lambda: run_dbt(["seed", *refresh]))
    else:
        # Your own data is as of today unless you say otherwise (the default is the embedded dataset's end).
        os.environ.setdefault("MKPI_AS_OF_DATE", "today")
        audit_args = ["--as-of-date", os.environ["MKPI_AS_OF_DATE"], "--no-volume-bands"]
        _step(f"ingest {data_dir}", lambda: _ingest(data_dir))
        _step("dbt seed (reference data)", lambda: run_dbt(["seed", "--select", "path:seeds/reference", *refresh]))
    _step(
        "dbt build (models, data tests, unit tests)",
        lambda: run_dbt(["build", "--exclude", "resource_type:seed", *refresh]),
    )
    if audit:
        from marketing_kpi.quality import audit as gx_audit

        _step("audit (Great Expectations)", lambda: _run_main("audit", gx_audit.main, audit_args))
    if audit and publish:
        from marketing_kpi import publish as publisher

        _step(
            "publish (serving file + Parquet)", lambda: _run_main("publish", publisher.main, ["--require-audit-file"])
        )
    if audit and publish:
        from marketing_kpi import dashboard

        serving = paths.serving_dir()
        _step(
            "dashboard (static HTML from the published file)",
            lambda: dashboard.build_dashboard(serving / "marketing_kpi.duckdb", serving / "dashboard"),
        )
    if docs:
        _step("dbt docs generate", lambda: run_dbt(["docs", "generate"]))


def _ingest(data_dir: Path) -> None:
    from marketing_kpi.ingest import ingest

    counts = ingest(data_dir, paths.build_database())
    print(f"    loaded {sum(counts.values()):,} raw rows from {len(counts)} tables", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="marketing-kpi", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p_build = sub.add_parser("build", help="seed the embedded dataset and dbt build it (the main job)")
    p_build.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ["MKPI_DATA_DIR"]) if os.environ.get("MKPI_DATA_DIR") else None,
        help="a directory of CSV/Parquet files in the raw data contract (default: $MKPI_DATA_DIR, else the "
        "embedded dataset)",
    )
    p_build.add_argument("--full-refresh", action="store_true", help="rebuild incremental models")
    p_build.add_argument("--no-docs", action="store_true", help="skip dbt docs generate")
    p_build.add_argument("--no-audit", action="store_true", help="skip the GX audit (and therefore publishing)")
    p_build.add_argument("--no-publish", action="store_true", help="build and audit, but do not publish")

    sub.add_parser("generate", help="regenerate the synthetic dataset", add_help=False)
    sub.add_parser("ingest", help="check and load a directory of your own exports into raw", add_help=False)
    sub.add_parser("audit", help="Great Expectations audit of raw inputs and KPI marts", add_help=False)
    sub.add_parser("dashboard", help="build the static KPI dashboard from the serving file", add_help=False)
    sub.add_parser("publish", help="publish the public marts for BI (read-only serving file + Parquet)", add_help=False)
    sub.add_parser("bench", help="benchmark ingest, build, incremental, audit and publish at a scale", add_help=False)
    sub.add_parser("spark", help="build the project on a local Spark session (dbt-spark)", add_help=False)

    args, rest = parser.parse_known_args(argv)
    try:
        if args.command == "build":
            build(
                data_dir=args.data_dir,
                full_refresh=args.full_refresh,
                docs=not args.no_docs,
                audit=not args.no_audit,
                publish=not args.no_publish,
            )
            print(f"Build database: {paths.build_database()}")
        elif args.command == "generate":
            from marketing_kpi import generator

            return generator.main(rest) or 0
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

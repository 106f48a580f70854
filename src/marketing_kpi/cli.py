"""`marketing-kpi`: the project's command line. Thin wrappers around plain functions.

    marketing-kpi build        seed the embedded dataset and `dbt build` it (the main job)
    marketing-kpi generate     regenerate the synthetic dataset (see generator.py)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence

from marketing_kpi import paths
from marketing_kpi.dbt_runner import StepFailed, run_dbt


def _step(name: str, fn: Callable[[], object]) -> None:
    started = time.perf_counter()
    print(f"==> {name}", flush=True)
    fn()
    print(f"    {name}: done in {time.perf_counter() - started:.1f}s", flush=True)


def build(*, full_refresh: bool = False, docs: bool = True) -> None:
    """The main job: load the embedded dataset, build and test every model."""
    refresh = ["--full-refresh"] if full_refresh else []
    _step("dbt seed", lambda: run_dbt(["seed", *refresh]))
    _step("dbt build", lambda: run_dbt(["build", "--exclude", "resource_type:seed", *refresh]))
    if docs:
        _step("dbt docs generate", lambda: run_dbt(["docs", "generate"]))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="marketing-kpi", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p_build = sub.add_parser("build", help="seed the embedded dataset and dbt build it (the main job)")
    p_build.add_argument("--full-refresh", action="store_true", help="rebuild incremental models")
    p_build.add_argument("--no-docs", action="store_true", help="skip dbt docs generate")

    sub.add_parser("generate", help="regenerate the synthetic dataset", add_help=False)

    args, rest = parser.parse_known_args(argv)
    try:
        if args.command == "build":
            build(full_refresh=args.full_refresh, docs=not args.no_docs)
            print(f"Build database: {paths.build_database()}")
        elif args.command == "generate":
            from marketing_kpi import generator

            return generator.main(rest) or 0
    except StepFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

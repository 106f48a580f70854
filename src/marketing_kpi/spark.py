"""The same dbt project on Apache Spark (dbt-spark, `method: session`, a local Spark in this machine).

Nothing in the models changes: the profile's `spark` target (profiles/profiles.yml) points dbt at a
local Spark session, the raw sources become external Spark tables over Parquet files (the
`register_raw_parquet` macro, run as an on-run-start hook when ``MKPI_RAW_PARQUET_DIR`` is set) and
the reference seeds load with ``dbt seed`` as on DuckDB. See docs/SPARK.md.

    write_raw_parquet(source_dir, out_dir)      raw CSV or Parquet files -> <out_dir>/<table>/*.parquet
    export_raw_parquet(duckdb_path, out_dir)    the raw schema of a DuckDB build -> the same layout
    build_on_spark(raw_parquet_dir, work_dir)   dbt build on local Spark; returns timings in seconds

Everything Spark writes (warehouse, Derby metastore, dbt target and logs) lives under ``work_dir``.
Needs ``pip install -e ".[spark]"`` and Java 17+ (``java`` on PATH or ``JAVA_HOME``).

    python -m marketing_kpi.spark --raw-dir seeds/raw --work-dir warehouse/spark
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb

from marketing_kpi import paths
from marketing_kpi.contract import load_contract
from marketing_kpi.dbt_runner import StepFailed, dbt_env, dbt_executable

SPARK_TARGET = "spark"


def java_available() -> bool:
    """True when a Java runtime Spark can start is on PATH or in JAVA_HOME."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return True
    return shutil.which("java") is not None


def spark_available() -> bool:
    """True when dbt-spark's session method can run here (pyspark, dbt-spark and Java installed)."""
    try:
        import dbt.adapters.spark  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return java_available()


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _table_sources(source_dir: Path, name: str) -> tuple[list[Path], str] | None:
    """The files of raw table `name` in `source_dir` (<name>.parquet | <name>.csv | <name>/*) and their format."""
    for suffix in ("parquet", "csv"):
        single = source_dir / f"{name}.{suffix}"
        if single.is_file():
            return [single], suffix
    folder = source_dir / name
    if folder.is_dir():
        for suffix in ("parquet", "csv"):
            files = sorted(folder.glob(f"*.{suffix}"))
            if files:
                return files, suffix
    return None


def write_raw_parquet(source_dir: Path, out_dir: Path) -> dict[str, Path]:
    """Lay out every raw table of the contract as <out_dir>/<table>/*.parquet, the layout
    `register_raw_parquet` reads. CSV files are converted with DuckDB, every column as text (like
    the embedded seeds: staging types and quarantines values); Parquet files are linked (or copied)
    unchanged. Returns the folder of each table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    folders: dict[str, Path] = {}
    missing: list[str] = []
    con = duckdb.connect()
    try:
        for name in load_contract():
            found = _table_sources(source_dir, name)
            if found is None:
                missing.append(name)
                continue
            files, fmt = found
            folder = out_dir / name
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            if fmt == "parquet":
                for i, file in enumerate(files):
                    target = folder / f"part-{i:05d}.parquet"
                    try:
                        os.link(file, target)
                    except OSError:
                        shutil.copyfile(file, target)
            else:
                listing = ", ".join(_sql_string(f.as_posix()) for f in files)
                target = (folder / "part-00000.parquet").as_posix()
                con.execute(
                    f"copy (select * from read_csv([{listing}], header = true, all_varchar = true)) "
                    f"to {_sql_string(target)} (format parquet)"
                )
            folders[name] = folder
    finally:
        con.close()
    if missing:
        raise StepFailed(f"no raw file for {', '.join(missing)} in {source_dir}")
    return folders


def export_raw_parquet(duckdb_path: Path, out_dir: Path) -> dict[str, Path]:
    """Write the raw schema of a DuckDB build (what `dbt seed` or `marketing-kpi ingest` loaded) as
    <out_dir>/<table>/part-00000.parquet, so a Spark build reads exactly the rows DuckDB read."""
    out_dir.mkdir(parents=True, exist_ok=True)
    folders: dict[str, Path] = {}
    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        for name in load_contract():
            folder = out_dir / name
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            target = (folder / "part-00000.parquet").as_posix()
            con.execute(f"copy (select * from raw.{name}) to {_sql_string(target)} (format parquet)")
            folders[name] = folder
    finally:
        con.close()
    return folders


def spark_env(
    work_dir: Path, raw_parquet_dir: Path | None = None, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment of a dbt run on the profile's local `spark` target, everything under work_dir."""
    work_dir = work_dir.resolve()
    env = {
        "MKPI_TARGET": SPARK_TARGET,
        "MKPI_SPARK_DIR": str(work_dir),
        "PYSPARK_PYTHON": sys.executable,
        # pyspark's own launcher messages and the JVM's default log level stay quiet.
        "SPARK_LOCAL_IP": os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"),
    }
    if raw_parquet_dir is not None:
        env["MKPI_RAW_PARQUET_DIR"] = str(raw_parquet_dir.resolve())
    env.update(extra or {})
    return dbt_env(env)


def run_dbt_on_spark(
    args: Sequence[str], *, work_dir: Path, raw_parquet_dir: Path | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`dbt <args>` on the local Spark target with target and log paths under work_dir."""
    work_dir.mkdir(parents=True, exist_ok=True)
    full_env = spark_env(work_dir, raw_parquet_dir, env)
    cmd = [
        dbt_executable(),
        *args,
        "--target-path",
        str(work_dir.resolve() / "target"),
        "--log-path",
        str(work_dir.resolve() / "logs"),
    ]
    proc = subprocess.run(cmd, cwd=paths.PROJECT_ROOT, env=full_env, text=True, capture_output=True)
    (work_dir / "dbt_output.log").write_text(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        raise StepFailed(f"`dbt {' '.join(args)}` on Spark failed (exit {proc.returncode}): {proc.stdout[-4000:]}")
    return proc


def _node_seconds(run_results: Path) -> dict[str, float]:
    """Seconds spent per resource type (seed, model, test, unit_test) from dbt's run_results.json."""
    totals: dict[str, float] = {}
    for result in json.loads(run_results.read_text())["results"]:
        kind = result["unique_id"].split(".", 1)[0]
        totals[kind] = totals.get(kind, 0.0) + float(result.get("execution_time") or 0.0)
    return {f"{kind}_seconds": round(seconds, 3) for kind, seconds in sorted(totals.items())}


def build_on_spark(
    raw_parquet_dir: Path,
    work_dir: Path,
    *,
    with_tests: bool = True,
    select: Sequence[str] = (),
    fresh: bool = True,
) -> dict[str, float]:
    """Build the whole project (reference seeds, every model, and with_tests every data and unit
    test: `dbt build`) on a local Spark session over the raw Parquet files in raw_parquet_dir
    (<table>/*.parquet, see write_raw_parquet). Returns wall-clock seconds (`wall_seconds`, including
    the JVM start) and dbt's per-node execution seconds summed by resource type. fresh=True starts
    from an empty Spark warehouse and metastore in work_dir."""
    work_dir = work_dir.resolve()
    if fresh:
        for leftover in ("warehouse", "metastore_db", "target"):
            shutil.rmtree(work_dir / leftover, ignore_errors=True)
    args = ["build"] if with_tests else ["build", "--exclude", "resource_type:test", "resource_type:unit_test"]
    if select:
        args += ["--select", *select]
    started = time.perf_counter()
    run_dbt_on_spark(args, work_dir=work_dir, raw_parquet_dir=raw_parquet_dir)
    timings = {"wall_seconds": round(time.perf_counter() - started, 3)}
    timings.update(_node_seconds(work_dir / "target" / "run_results.json"))
    return timings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raw-dir", type=Path, default=paths.raw_seed_dir(), help="raw CSV/Parquet files")
    parser.add_argument("--work-dir", type=Path, default=paths.PROJECT_ROOT / "warehouse" / "spark")
    parser.add_argument("--no-tests", action="store_true", help="seeds and models only (no data or unit tests)")
    parser.add_argument(
        "--as-of", default=None, metavar="DATE|today", help="as-of date (default: $MKPI_AS_OF_DATE, else 2026-10-31)"
    )
    args = parser.parse_args(argv)
    if args.as_of:
        os.environ["MKPI_AS_OF_DATE"] = args.as_of
    if not spark_available():
        print("Spark is not available: pip install -e '.[spark]' and install Java 17+", file=sys.stderr)
        return 2
    raw_parquet = args.work_dir / "raw_parquet"
    write_raw_parquet(args.raw_dir, raw_parquet)
    timings = build_on_spark(raw_parquet, args.work_dir, with_tests=not args.no_tests)
    print(json.dumps(timings, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

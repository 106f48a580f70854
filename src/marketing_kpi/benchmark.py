"""Benchmark: how fast and how lean the warehouse builds at a named scale (wired as `marketing-kpi bench`).

``python -m marketing_kpi.benchmark --scale-name L --repeats 3`` generates (or reuses) the scale's
dataset, then measures, as subprocesses with their wall time and peak memory (the child's own
``ru_maxrss`` from ``os.wait4``):

* **ingest** of the Parquet files (``marketing_kpi.ingest``), against DuckDB's bare
  ``create table as select * from read_parquet(...)`` of the same files;
* the **full build** (``dbt build``, every model, data test and unit test, like ``marketing-kpi
  build``) on the dataset minus its last day;
* the **incremental build** after that last day (with the late rows it carries) is ingested;
* the **GX audit** (``marketing_kpi.quality.audit``) and **publish** (``marketing_kpi.publish``)
  when those modules exist;
* the **dbt overhead**: ``dbt run`` (models only) against executing the same compiled model SQL
  from ``manifest.json`` in topological order in one DuckDB connection, without dbt;
* a **pandas peer**: the channel-performance, funnel-conversion and CAC numbers computed with
  pandas from the staged tables, checked against our marts (to the cent, rates to 1e-9) and timed
  against the DuckDB execution of the models that produce them.

With ``--skip-xl`` unset it then builds the XL dataset once with a 4 GB DuckDB memory limit
(spilling to disk) and compares that time with the scale's full build. It prints a table and
writes the results (machine, versions, every run, medians, ratios, targets met or missed) to
``--output`` (default ``warehouse/bench/benchmark.json``). Everything it writes lives under
``--work-dir`` (default ``warehouse/bench``, git-ignored).

This is a command, not a test: run it on an otherwise idle machine; the JSON records the load
average before and after each measurement so a noisy run can be recognised.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from marketing_kpi import paths
from marketing_kpi.contract import EVENT_COLUMN, load_contract

# Targets from the issue (seconds / ratios / bytes).
TARGETS = {
    "full_build_seconds": 60.0,
    "full_build_seconds_stretch": 30.0,
    "incremental_share_of_full": 0.15,
    "ingest_vs_bare_read": 1.5,
    "dbt_overhead": 1.5,
    "pandas_slowdown_min": 5.0,
    "peak_memory_bytes": 4 * 1024**3,
    "xl_vs_l_full_build": 12.0,
    "own_data_build_seconds": 60.0,
}
# The small own-data section: a dataset of ~25k raw rows from the generator (four months at the
# default volume), built end to end with `marketing-kpi build --data-dir` as a user would. Clean
# data (--no-dirt): at this size the generator's dirt shares break the GX audit's `mostly`
# thresholds (one blank order id in 81 orders is 1.2%), and a failed audit stops the build before
# publishing, so the end-to-end time would not be measured.
SMALL_OWN_DATA = {"start": "2026-07-01", "end": "2026-10-31", "scale": 1.0, "seed": 42, "dirt_enabled": False}
OWN_DATA_TARGET_LABEL = "own-data build of ~25k rows end to end (s)"
KPI_MARTS_FOR_PANDAS = (
    "kpi_channel_performance__daily",
    "kpi_funnel_conversion__monthly",
    "kpi_customer_acquisition_payback__channel",
)


# ---------------------------------------------------------------------------------------------
# Measuring a subprocess
# ---------------------------------------------------------------------------------------------


@dataclass
class Run:
    """One measured subprocess."""

    seconds: float
    peak_rss_bytes: int
    exit_code: int
    load_before: float
    load_after: float
    log: str


@dataclass
class Measurement:
    name: str
    runs: list[Run] = field(default_factory=list)
    note: str = ""

    @property
    def ok_runs(self) -> list[Run]:
        return [r for r in self.runs if r.exit_code == 0] or self.runs

    @property
    def median_seconds(self) -> float | None:
        runs = self.ok_runs
        return statistics.median(r.seconds for r in runs) if runs else None

    @property
    def peak_rss_bytes(self) -> int | None:
        return max((r.peak_rss_bytes for r in self.runs), default=None)

    @property
    def all_ok(self) -> bool:
        return bool(self.runs) and all(r.exit_code == 0 for r in self.runs)

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "median_seconds": _round(self.median_seconds),
            "peak_rss_bytes": self.peak_rss_bytes,
            "all_runs_succeeded": self.all_ok,
            "note": self.note,
            "runs": [asdict(r) for r in self.runs],
        }


def _round(x: float | None, digits: int = 3) -> float | None:
    return None if x is None else round(x, digits)


def run_measured(cmd: Sequence[str], *, env: dict[str, str], log: Path, cwd: Path | None = None) -> Run:
    """Run `cmd`, wait for it with os.wait4 (its own rusage, not a running max over all
    children), and return wall time, peak RSS and exit code. Output goes to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(list(cmd), cwd=cwd or paths.PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in kilobytes on Linux (bytes on macOS)
    rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return Run(round(seconds, 3), int(rss), proc.returncode, load_before, os.getloadavg()[0], str(log))


# ---------------------------------------------------------------------------------------------
# Machine
# ---------------------------------------------------------------------------------------------


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine_info() -> dict:
    """Cores, memory, CPU model, OS and the versions that matter for the figures."""
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or platform.machine())  # fmt: skip
    mem_kb = next((int(line.split()[1]) for line in _read("/proc/meminfo").splitlines()
                   if line.startswith("MemTotal:")), 0)  # fmt: skip
    versions = {"python": platform.python_version()}
    for dist in ("duckdb", "dbt-core", "dbt-duckdb", "pandas", "pyarrow", "numpy", "great-expectations"):
        try:
            from importlib.metadata import version

            versions[dist] = version(dist)
        except Exception:  # noqa: BLE001 - a missing optional package is just not reported
            versions[dist] = None
    return {
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "memory_bytes": mem_kb * 1024,
        "os": f"{platform.system()} {platform.release()}",
        "versions": versions,
        "duckdb_threads": os.environ.get("MKPI_DUCKDB_THREADS", "2"),
        "duckdb_memory_limit": os.environ.get("MKPI_DUCKDB_MEMORY_LIMIT", "4GB"),
        "dbt_threads": os.environ.get("MKPI_DBT_THREADS", "4"),
        "load_average_at_start": os.getloadavg(),
    }


# ---------------------------------------------------------------------------------------------
# Data preparation
# ---------------------------------------------------------------------------------------------


def ensure_dataset(scale_name: str, data_dir: Path, *, seed: int, workers: int | None, echo: Callable) -> dict:
    """Generate the named scale into data_dir unless a manifest of the same scale and seed is there."""
    manifest_file = data_dir / "_dirt_manifest.json"
    if manifest_file.exists():
        manifest = json.loads(manifest_file.read_text())
        if manifest.get("scale_name") == scale_name and manifest.get("seed") == seed:
            echo(f"reusing {scale_name} dataset in {data_dir} ({sum(manifest['rows'].values()):,} rows)")
            return manifest
    from marketing_kpi.generator_bulk import generate_bulk

    echo(f"generating {scale_name} dataset into {data_dir} ...")
    generate_bulk(scale_name, data_dir, seed=seed, workers=workers)
    return json.loads(manifest_file.read_text())


def _table_files(data_dir: Path, name: str) -> list[Path]:
    single = data_dir / f"{name}.parquet"
    return [single] if single.exists() else sorted((data_dir / name).glob("*.parquet"))


def _parquet_list(files: Sequence[Path]) -> str:
    return "[" + ", ".join("'" + f.as_posix().replace("'", "''") + "'" for f in files) + "]"


def split_base(data_dir: Path, base_dir: Path, last_day: dt.date, echo: Callable) -> None:
    """Write the dataset without its last day into base_dir: every table filtered on its event
    column (< last_day; rows with a null event time stay in the base). The full files are the
    "new day": that day's rows plus whatever the export re-sent late."""
    stamp = base_dir / "_base_of.json"
    wanted = {"data_dir": str(data_dir.resolve()), "last_day": last_day.isoformat()}
    if stamp.exists() and json.loads(stamp.read_text()) == wanted:
        return
    from marketing_kpi.ingest import connect

    echo(f"writing the base dataset (without {last_day}) into {base_dir} ...")
    if base_dir.exists():
        shutil.rmtree(base_dir)
    base_dir.mkdir(parents=True)
    con = connect(":memory:")
    try:
        for name in load_contract():
            column = EVENT_COLUMN[name]
            where = f"where {column} is null or cast({column} as date) < date '{last_day}'" if column else ""
            source = f"read_parquet({_parquet_list(_table_files(data_dir, name))})"
            target = (base_dir / f"{name}.parquet").as_posix()
            con.execute(f"copy (select * from {source} {where}) to '{target}' (format parquet, compression zstd)")
    finally:
        con.close()
    stamp.write_text(json.dumps(wanted))


# ---------------------------------------------------------------------------------------------
# The benchmark
# ---------------------------------------------------------------------------------------------


@dataclass
class Context:
    work: Path
    data_dir: Path
    base_dir: Path
    env: dict[str, str]
    python: str
    dbt: str
    echo: Callable[[str], None]

    def path(self, *parts: str) -> Path:
        p = self.work.joinpath(*parts)
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def env_for(self, database: Path, target: str, **extra: str) -> dict[str, str]:
        env = dict(self.env)
        env["MKPI_DUCKDB_PATH"] = str(database)
        env["MKPI_DUCKDB_TEMP_DIR"] = str(self.work / "tmp")
        env["DBT_TARGET_PATH"] = str(self.work / target)
        env["DBT_LOG_PATH"] = str(self.work / "logs" / target)
        env.update(extra)
        return env

    def dbt_args(self, target: str) -> list[str]:
        return ["--target-path", str(self.work / target), "--log-path", str(self.work / "logs" / target)]


def _fresh(db: Path) -> None:
    for f in (db, db.with_name(db.name + ".wal")):
        f.unlink(missing_ok=True)


def _copy_db(src: Path, dst: Path) -> None:
    _fresh(dst)
    shutil.copyfile(src, dst)


def _module_exists(module: str) -> bool:
    from importlib.util import find_spec

    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def prepare_template(ctx: Context) -> Path:
    """A database with the reference seeds (the dataset's own channel budgets) and the base raw
    tables: the starting point of every build run (copied, never built in place)."""
    template = ctx.path("db", "template.duckdb")
    _fresh(template)
    env = ctx.env_for(template, "target_template")
    ctx.echo("preparing the template database (reference seeds + base raw tables) ...")
    seed = run_measured([ctx.dbt, "seed", "--select", "path:seeds/reference", *ctx.dbt_args("target_template")],
                        env=env, log=ctx.path("logs", "template_seed.log"))  # fmt: skip
    if seed.exit_code != 0:
        raise RuntimeError(f"dbt seed failed; see {seed.log}")
    budgets = ctx.data_dir / "reference" / "channel_budgets.csv"
    if budgets.exists():
        import duckdb

        con = duckdb.connect(str(template))
        try:
            con.execute("delete from reference.channel_budgets")
            con.execute(f"insert into reference.channel_budgets select * from read_csv('{budgets.as_posix()}')")
        finally:
            con.close()
    load = run_measured([ctx.python, "-m", "marketing_kpi.ingest", str(ctx.base_dir), "--database", str(template)],
                        env=env, log=ctx.path("logs", "template_ingest.log"))  # fmt: skip
    if load.exit_code != 0:
        raise RuntimeError(f"ingest of the base dataset failed; see {load.log}")
    return template


def measure_bare_read(ctx: Context, repeat: int) -> Run:
    db = ctx.path("db", "bare.duckdb")
    _fresh(db)
    cmd = [ctx.python, "-m", "marketing_kpi.benchmark", "_bare-read", str(ctx.data_dir), str(db)]
    run = run_measured(cmd, env=ctx.env_for(db, "target_bare"), log=ctx.path("logs", f"bare_read_{repeat}.log"))
    _fresh(db)
    return run


def measure_ingest(ctx: Context, repeat: int) -> Run:
    db = ctx.path("db", "ingest.duckdb")
    _fresh(db)
    cmd = [ctx.python, "-m", "marketing_kpi.ingest", str(ctx.data_dir), "--database", str(db)]
    run = run_measured(cmd, env=ctx.env_for(db, "target_ingest"), log=ctx.path("logs", f"ingest_{repeat}.log"))
    _fresh(db)
    return run


def bare_read(data_dir: Path, database: Path) -> None:
    """DuckDB's bare load of the same files: create table as select * from read_parquet(...)."""
    from marketing_kpi.ingest import connect

    con = connect(database)
    try:
        con.execute("create schema if not exists raw")
        for name in load_contract():
            files = _table_files(data_dir, name)
            con.execute(f"create table raw.{name} as select * from read_parquet({_parquet_list(files)})")
    finally:
        con.close()


def run_direct_sql(manifest_file: Path, database: Path, timings_file: Path) -> None:
    """Execute every model's compiled SQL from manifest.json in topological order in one DuckDB
    connection (`create or replace table|view ... as <compiled sql>`), without dbt, recording
    each model's seconds in timings_file."""
    from marketing_kpi.ingest import connect

    manifest = json.loads(manifest_file.read_text())
    nodes = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    order = _topological(nodes)
    con = connect(database)
    salt = os.environ.get("DBT_ENV_SECRET_PII_SALT", "")
    con.execute("set variable pii_salt = ?", [salt])
    timings: dict[str, float] = {}
    try:
        for uid in order:
            node = nodes[uid]
            materialized = node["config"]["materialized"]
            if materialized == "ephemeral":
                continue
            sql = node.get("compiled_code")
            if not sql:
                raise RuntimeError(f"{uid} has no compiled_code in {manifest_file}: run dbt build/compile first")
            relation = f'"{node["schema"]}"."{node.get("alias") or node["name"]}"'
            kind = "view" if materialized == "view" else "table"
            started = time.perf_counter()
            con.execute(f'create schema if not exists "{node["schema"]}"')
            con.execute(f"drop view if exists {relation}")
            con.execute(f"drop table if exists {relation}")
            con.execute(f"create {kind} {relation} as {sql}")
            timings[node["name"]] = time.perf_counter() - started
    finally:
        con.close()
    timings_file.write_text(json.dumps(timings, indent=2))


def _topological(nodes: dict[str, dict]) -> list[str]:
    done: set[str] = set()
    order: list[str] = []

    def visit(uid: str, stack: tuple[str, ...] = ()) -> None:
        if uid in done:
            return
        if uid in stack:
            raise RuntimeError(f"cycle at {uid}")
        for dep in nodes[uid]["depends_on"]["nodes"]:
            if dep in nodes:
                visit(dep, (*stack, uid))
        done.add(uid)
        order.append(uid)

    for uid in sorted(nodes):
        visit(uid)
    return order


def lineage_between_staging_and(manifest_file: Path, marts: Sequence[str]) -> list[str]:
    """Names of the non-staging models the given marts depend on (themselves included)."""
    manifest = json.loads(manifest_file.read_text())
    nodes = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    by_name = {n["name"]: uid for uid, n in nodes.items()}
    seen: set[str] = set()
    stack = [by_name[m] for m in marts if m in by_name]
    while stack:
        uid = stack.pop()
        if uid in seen or uid not in nodes or "/staging/" in "/" + nodes[uid]["original_file_path"]:
            continue
        seen.add(uid)
        stack.extend(nodes[uid]["depends_on"]["nodes"])
    return sorted(nodes[uid]["name"] for uid in seen)


def slowest_models(run_results: Path, top: int = 12) -> list[dict]:
    if not run_results.exists():
        return []
    results = json.loads(run_results.read_text())["results"]
    rows = [
        {"node": r["unique_id"], "seconds": round(r["execution_time"], 3), "status": r["status"]}
        for r in results
        if r["unique_id"].startswith(("model.", "test.", "unit_test."))
    ]
    return sorted(rows, key=lambda r: -r["seconds"])[:top]


def effective_comparison_repeats(args: argparse.Namespace) -> int:
    """How many of the repeats also run the comparisons (bare read, direct SQL, pandas): all unless
    --comparison-repeats asks for fewer."""
    return min(getattr(args, "comparison_repeats", None) or args.repeats, args.repeats)


def run_scale(args: argparse.Namespace, ctx: Context, manifest: dict) -> dict:
    """Every measurement of one scale, `args.repeats` times each."""

    m: dict[str, Measurement] = {
        k: Measurement(k)
        for k in (
            "bare_read",
            "ingest",
            "full_build",
            "incremental_build",
            "audit",
            "publish",
            "dbt_run",
            "direct_sql",
            "pandas_peer",
        )  # fmt: skip
    }
    template = prepare_template(ctx)
    build_db = ctx.path("db", "build.duckdb")
    have_audit = _module_exists("marketing_kpi.quality.audit")
    have_publish = _module_exists("marketing_kpi.publish")
    pandas_checks: list[dict] = []
    our_model_seconds: list[float] = []
    slowest: dict[str, list[dict]] = {}
    comparison_repeats = effective_comparison_repeats(args)
    for r in range(args.repeats):
        ctx.echo(f"-- repeat {r + 1}/{args.repeats}")
        compare = r < comparison_repeats
        m["bare_read"].runs.append(measure_bare_read(ctx, r))
        m["ingest"].runs.append(measure_ingest(ctx, r))
        ctx.echo(f"   ingest {m['ingest'].runs[-1].seconds:.1f}s, bare read {m['bare_read'].runs[-1].seconds:.1f}s")
        # full build of the base dataset, then the new day and an incremental build
        _copy_db(template, build_db)
        env = ctx.env_for(build_db, "target_full")
        build = [ctx.dbt, "build", "--exclude", "resource_type:seed", *args.extra_excludes]
        m["full_build"].runs.append(
            run_measured([*build, *ctx.dbt_args("target_full")], env=env, log=ctx.path("logs", f"full_build_{r}.log"))
        )
        ctx.echo(f"   full build {m['full_build'].runs[-1].seconds:.1f}s (exit {m['full_build'].runs[-1].exit_code})")
        slowest["full_build"] = slowest_models(ctx.work / "target_full" / "run_results.json")
        new_day = run_measured([ctx.python, "-m", "marketing_kpi.ingest", str(ctx.data_dir), "--database",
                                str(build_db)], env=env, log=ctx.path("logs", f"new_day_ingest_{r}.log"))  # fmt: skip
        if new_day.exit_code != 0:
            raise RuntimeError(f"ingest of the new day failed; see {new_day.log}")
        env_inc = ctx.env_for(build_db, "target_incremental")
        m["incremental_build"].runs.append(
            run_measured(
                [*build, *ctx.dbt_args("target_incremental")],
                env=env_inc,
                log=ctx.path("logs", f"incremental_build_{r}.log"),
            )  # fmt: skip
        )
        ctx.echo(f"   incremental build {m['incremental_build'].runs[-1].seconds:.1f}s")
        slowest["incremental_build"] = slowest_models(ctx.work / "target_incremental" / "run_results.json")
        manifest_file = ctx.work / "target_incremental" / "manifest.json"
        if have_audit:
            cmd = [ctx.python, "-m", "marketing_kpi.quality.audit", "--database", str(build_db), "--manifest",
                   str(manifest_file), "--no-data-docs", "--report", str(ctx.path("audit", f"audit_{r}.json")),
                   "--as-of-date", "data_end", "--no-volume-bands"]  # fmt: skip
            m["audit"].runs.append(run_measured(cmd, env=env_inc, log=ctx.path("logs", f"audit_{r}.log")))
            ctx.echo(f"   audit {m['audit'].runs[-1].seconds:.1f}s (exit {m['audit'].runs[-1].exit_code})")
        if have_publish:
            serving = ctx.work / "serving"
            cmd = [ctx.python, "-m", "marketing_kpi.publish", "--build-db", str(build_db), "--serving-dir",
                   str(serving), "--manifest", str(manifest_file)]  # fmt: skip
            m["publish"].runs.append(run_measured(cmd, env=env_inc, log=ctx.path("logs", f"publish_{r}.log")))
            ctx.echo(f"   publish {m['publish'].runs[-1].seconds:.1f}s (exit {m['publish'].runs[-1].exit_code})")
        if compare and not args.skip_pandas:
            out = ctx.path("pandas", f"pandas_{r}.json")
            cmd = [ctx.python, "-m", "marketing_kpi.benchmark_pandas", str(build_db), str(out)]
            m["pandas_peer"].runs.append(run_measured(cmd, env=env_inc, log=ctx.path("logs", f"pandas_{r}.log")))
            if out.exists():
                pandas_checks.append(json.loads(out.read_text()))
            ctx.echo(f"   pandas peer {m['pandas_peer'].runs[-1].seconds:.1f}s")
        # dbt overhead: dbt run (models only) vs the same compiled SQL executed directly
        if not compare:
            continue
        _copy_db(template, build_db)
        env_run = ctx.env_for(build_db, "target_run")
        m["dbt_run"].runs.append(
            run_measured(
                [ctx.dbt, "run", "--exclude", "resource_type:seed", *ctx.dbt_args("target_run")],
                env=env_run,
                log=ctx.path("logs", f"dbt_run_{r}.log"),
            )  # fmt: skip
        )
        _copy_db(template, build_db)
        timings = ctx.path("direct", f"direct_{r}.json")
        cmd = [ctx.python, "-m", "marketing_kpi.benchmark", "_direct-sql",
               str(ctx.work / "target_run" / "manifest.json"), str(build_db), str(timings)]  # fmt: skip
        m["direct_sql"].runs.append(run_measured(cmd, env=env_run, log=ctx.path("logs", f"direct_sql_{r}.log")))
        ctx.echo(f"   dbt run {m['dbt_run'].runs[-1].seconds:.1f}s, direct SQL {m['direct_sql'].runs[-1].seconds:.1f}s")
        if timings.exists():
            per_model = json.loads(timings.read_text())
            lineage = lineage_between_staging_and(ctx.work / "target_run" / "manifest.json", KPI_MARTS_FOR_PANDAS)
            our_model_seconds.append(sum(per_model.get(name, 0.0) for name in lineage))
    _fresh(build_db)
    m["audit"].note = "" if have_audit else "marketing_kpi.quality.audit not present"
    m["publish"].note = "" if have_publish else "marketing_kpi.publish not present"
    m["dbt_run"].note = "models only (no tests), on the base dataset"
    m["direct_sql"].note = "compiled SQL of the dbt run's manifest, topological order, one DuckDB connection"
    return {
        "measurements": {k: v.as_json() for k, v in m.items() if v.runs or v.note},
        "pandas": _pandas_summary(pandas_checks, our_model_seconds, m["pandas_peer"]),
        "slowest_nodes": slowest,
        "ratios": _ratios(m),
        "_m": m,
    }


def _pandas_summary(checks: list[dict], ours: list[float], peer: Measurement) -> dict:
    if not checks:
        return {"note": "not run"}
    compute = statistics.median(c["compute_seconds"] for c in checks)
    read = statistics.median(c["read_seconds"] for c in checks)
    our = statistics.median(ours) if ours else None
    equal = [c["duckdb_sql_equivalent_seconds"] for c in checks if c.get("duckdb_sql_equivalent_seconds")]
    sql_equivalent = statistics.median(equal) if equal else None
    return {
        "marts": list(KPI_MARTS_FOR_PANDAS),
        "pandas_read_seconds": round(read, 3),
        "pandas_compute_seconds": round(compute, 3),
        "pandas_process_seconds": _round(peer.median_seconds),
        "pandas_peak_rss_bytes": peer.peak_rss_bytes,
        "our_models_seconds": _round(our),
        "our_models_note": "DuckDB execution of the non-staging models the three marts depend on (direct SQL timings)",
        "slowdown_read_plus_compute": _round((read + compute) / our) if our else None,
        "slowdown_compute_only": _round(compute / our) if our else None,
        "duckdb_sql_equivalent_seconds": _round(sql_equivalent),
        "duckdb_sql_equivalent_note": "the peer's exact computation as DuckDB SQL on the same staged tables",
        "slowdown_equal_work": _round((read + compute) / sql_equivalent) if sql_equivalent else None,
        "slowdown_equal_work_compute_only": _round(compute / sql_equivalent) if sql_equivalent else None,
        "agreement": checks[-1].get("agreement"),
        "all_agree": all(c.get("all_agree") for c in checks),
    }


def _ratios(m: dict[str, Measurement]) -> dict:
    def ratio(a: str, b: str) -> float | None:
        x, y = m[a].median_seconds, m[b].median_seconds
        return _round(x / y) if x is not None and y else None

    return {
        "ingest_vs_bare_read": ratio("ingest", "bare_read"),
        "incremental_share_of_full": ratio("incremental_build", "full_build"),
        "dbt_run_vs_direct_sql": ratio("dbt_run", "direct_sql"),
        "full_build_vs_direct_sql": ratio("full_build", "direct_sql"),
    }


#: Measurements of code that is not the project's pipeline (left out of the peak-memory target).
NOT_OURS = ("pandas_peer",)


def evaluate_targets(result: dict, xl: dict | None) -> list[dict]:
    """Each target with the measured value and met / missed."""
    m: dict[str, Measurement] = result["_m"]
    ratios = result["ratios"]
    rows = []

    def add(name: str, value: float | None, target: float, better: str, unit: str = "") -> None:
        met = None if value is None else (value <= target if better == "<=" else value >= target)
        rows.append({"target": name, "value": value, "limit": f"{better} {target}{unit}", "met": met})

    full = m["full_build"].median_seconds
    add("full build (s)", _round(full, 1), TARGETS["full_build_seconds"], "<=")
    add("full build, stretch (s)", _round(full, 1), TARGETS["full_build_seconds_stretch"], "<=")
    add("incremental / full", ratios["incremental_share_of_full"], TARGETS["incremental_share_of_full"], "<=")
    add("ingest / bare read_parquet", ratios["ingest_vs_bare_read"], TARGETS["ingest_vs_bare_read"], "<=")
    add("dbt run / direct SQL", ratios["dbt_run_vs_direct_sql"], TARGETS["dbt_overhead"], "<=")
    add("pandas / our models", result["pandas"].get("slowdown_read_plus_compute"), TARGETS["pandas_slowdown_min"],
        ">=")  # fmt: skip
    # the project's own steps: the pandas peer is the comparison, not part of the pipeline (its peak is
    # in its own measurement)
    peak = max((x.peak_rss_bytes or 0) for name, x in m.items() if name not in NOT_OURS)
    add("peak memory (GiB)", round(peak / 1024**3, 2), TARGETS["peak_memory_bytes"] / 1024**3, "<=")
    if xl is not None:
        add("XL full build / L full build", xl.get("ratio_to_full_build"), TARGETS["xl_vs_l_full_build"], "<=")
    return rows


def run_xl(args: argparse.Namespace, base_ctx: Context, full_build_seconds: float | None) -> dict:
    """Generate XL, ingest it and run one full build with a 4 GB memory limit (spilling)."""
    data_dir = args.xl_data_dir or (base_ctx.work / "data" / "XL")
    manifest = ensure_dataset("XL", data_dir, seed=args.seed, workers=args.workers, echo=base_ctx.echo)
    work = base_ctx.work / "xl"
    env = dict(base_ctx.env)
    env["MKPI_DUCKDB_MEMORY_LIMIT"] = args.xl_memory_limit
    if args.xl_dbt_threads:
        # Models built at once share the memory limit: fewer at once spill less.
        env["MKPI_DBT_THREADS"] = str(args.xl_dbt_threads)
    ctx = Context(work, data_dir, data_dir, env, base_ctx.python, base_ctx.dbt, base_ctx.echo)
    db = ctx.path("db", "build.duckdb")
    _fresh(db)
    env_db = ctx.env_for(db, "target_xl")
    seed = run_measured([ctx.dbt, "seed", "--select", "path:seeds/reference", *ctx.dbt_args("target_xl")],
                        env=env_db, log=ctx.path("logs", "xl_seed.log"))  # fmt: skip
    ingest = run_measured([ctx.python, "-m", "marketing_kpi.ingest", str(data_dir), "--database", str(db)],
                          env=env_db, log=ctx.path("logs", "xl_ingest.log"))  # fmt: skip
    base_ctx.echo(f"XL ingest {ingest.seconds:.0f}s (exit {ingest.exit_code})")
    build = run_measured([ctx.dbt, "build", "--exclude", "resource_type:seed", *args.extra_excludes,
                          *ctx.dbt_args("target_xl")],
                         env=env_db, log=ctx.path("logs", "xl_full_build.log"))  # fmt: skip
    base_ctx.echo(f"XL full build {build.seconds:.0f}s (exit {build.exit_code})")
    spill = work / "tmp"
    result = {
        "rows": sum(manifest["rows"].values()),
        "memory_limit": args.xl_memory_limit,
        "dbt_threads": env.get("MKPI_DBT_THREADS", "4"),
        "duckdb_threads": env.get("MKPI_DUCKDB_THREADS", "2"),
        "seed_exit_code": seed.exit_code,
        "ingest": asdict(ingest),
        "full_build": asdict(build),
        "ratio_to_full_build": _round(build.seconds / full_build_seconds) if full_build_seconds else None,
        "spill_dir": str(spill),
        "slowest_nodes": slowest_models(work / "target_xl" / "run_results.json"),
        "database_bytes": db.stat().st_size if db.exists() else None,
    }
    if not args.keep_xl_database:
        _fresh(db)
    return result


def run_spark(args: argparse.Namespace, ctx: Context, dbt_run_seconds: float | None) -> dict:
    """The same models-only build as `dbt_run` (the scale's base dataset, every model, no tests) on
    a local Spark session (dbt-spark `method: session`, marketing_kpi.spark), once. The raw tables
    are exported from the template database, so Spark reads exactly the rows DuckDB built from."""
    from marketing_kpi import spark

    if not spark.spark_available():
        return {"note": "Spark not available (pip install -e '.[spark]' and Java 17+)"}
    work = ctx.work / "spark"
    export = work / "raw_export"
    ctx.echo("exporting the base raw tables for Spark ...")
    spark.export_raw_parquet(ctx.work / "db" / "template.duckdb", export)
    env = dict(ctx.env)
    env["MKPI_SPARK_DRIVER_MEMORY"] = args.spark_driver_memory
    env.setdefault("MKPI_SPARK_SHUFFLE_PARTITIONS", str(max(2, 2 * (os.cpu_count() or 1))))
    cmd = [ctx.python, "-m", "marketing_kpi.spark", "--raw-dir", str(export), "--work-dir", str(work), "--no-tests"]
    run = run_measured(cmd, env=env, log=ctx.path("logs", "spark_build.log"))
    ctx.echo(f"   Spark build (models only) {run.seconds:.1f}s (exit {run.exit_code})")
    result = {
        "build": asdict(run),
        "what": "dbt build of every seed and model, no tests, on local Spark (MKPI_SPARK_MASTER, default local[2]) "
        "over the base raw tables; reference seeds are the embedded ones",
        "driver_memory": args.spark_driver_memory,
        "duckdb_dbt_run_seconds": _round(dbt_run_seconds),
        "ratio_to_duckdb_dbt_run": (
            _round(run.seconds / dbt_run_seconds) if dbt_run_seconds and run.exit_code == 0 else None
        ),
        "slowest_nodes": slowest_models(work / "target" / "run_results.json"),
        "peak_rss_note": "of the measured process tree as the kernel reports it to wait4 (JVM included)",
    }
    if not args.keep_spark_warehouse:
        for leftover in ("warehouse", "raw_parquet", "raw_export", "metastore_db"):
            shutil.rmtree(work / leftover, ignore_errors=True)
    return result


# ---------------------------------------------------------------------------------------------
# Small own-data section: `marketing-kpi build --data-dir DIR` end to end on ~25k raw rows
# ---------------------------------------------------------------------------------------------


def ensure_small_own_data(python: str, data_dir: Path, echo: Callable[[str], None]) -> dict:
    """Generate the small own-data directory (`data_dir/raw`: CSV, with its reference data in
    `raw/reference/`) unless the one there was made with the same parameters; returns the
    generator's manifest."""
    manifest_file = data_dir / "raw" / "_dirt_manifest.json"
    wanted = SMALL_OWN_DATA
    if manifest_file.exists():
        manifest = json.loads(manifest_file.read_text())
        if all(str(manifest.get(k)) == str(v) for k, v in wanted.items()):
            return manifest
    shutil.rmtree(data_dir, ignore_errors=True)
    echo(f"generating the small own-data directory {data_dir} ({wanted['start']}..{wanted['end']})")
    cmd = [python, "-m", "marketing_kpi.generator", "--seed", str(wanted["seed"]), "--start", wanted["start"],
           "--end", wanted["end"], "--scale", str(wanted["scale"]), "--format", "csv",
           "--out-raw", str(data_dir / "raw"), "--out-reference", str(data_dir / "raw" / "reference"),
           *([] if wanted["dirt_enabled"] else ["--no-dirt"])]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(manifest_file.read_text())


_STEP_DONE = re.compile(r"^    (?P<step>.+): done in (?P<seconds>[0-9.]+)s(?: \(total [0-9.]+s\))?$", re.M)


def build_step_seconds(log_text: str) -> dict[str, float]:
    """The `marketing-kpi build` steps and their seconds, from its '    <step>: done in <s>s' lines
    (with or without the running '(total <s>s)')."""
    return {m["step"]: float(m["seconds"]) for m in _STEP_DONE.finditer(log_text)}


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_DBT_NODE = re.compile(
    r"\d+ of \d+ (?:OK created sql \w+ model (?P<model>\S+)|(?:PASS|FAIL|WARN|ERROR) (?P<test>\S+))"
    r".*\[\w+ in (?P<seconds>[0-9.]+)s\]$",
    re.M,
)
_DBT_FINISHED = re.compile(r"Finished running .* \((?P<seconds>[0-9.]+)s\)\.")


def dbt_build_breakdown(log_text: str, top: int = 8) -> dict:
    """Where `dbt build`'s time goes, from the node lines dbt prints (`marketing-kpi build` runs
    `dbt docs generate` after the build, which overwrites target/run_results.json): node seconds
    of models by schema and of data tests (summed over dbt's threads), dbt's own wall time for
    running the nodes, and the slowest nodes."""
    text = _ANSI.sub("", log_text)
    by_schema: dict[str, float] = {}
    tests = 0.0
    nodes: list[tuple[float, str]] = []
    for m in _DBT_NODE.finditer(text):
        seconds = float(m["seconds"])
        if m["model"]:
            schema = m["model"].split(".", 1)[0]
            by_schema[schema] = round(by_schema.get(schema, 0.0) + seconds, 2)
            nodes.append((seconds, f"model {m['model']}"))
        else:
            tests += seconds
            nodes.append((seconds, f"test {m['test']}"))
    finished = _DBT_FINISHED.search(text)
    return {
        "model_seconds_by_schema": by_schema,
        "data_test_seconds": round(tests, 2),
        "nodes": len(nodes),
        "node_run_wall_seconds": float(finished["seconds"]) if finished else None,
        "slowest_nodes": [{"node": n, "seconds": s} for s, n in sorted(nodes, reverse=True)[:top]],
    }


def small_own_data_section(
    measurement: Measurement,
    manifest: dict,
    steps: list[dict[str, float]],
    dbt_breakdown: dict,
) -> dict:
    """The JSON section of the own-data build: dataset, runs, median, per-step medians (where the
    time goes) and the target."""
    names = list(dict.fromkeys(name for run in steps for name in run))
    step_medians = {n: _round(statistics.median(run[n] for run in steps if n in run), 1) for n in names}
    median = measurement.median_seconds
    ok = measurement.all_ok
    limit = TARGETS["own_data_build_seconds"]
    raw_rows = {name: n for name, n in manifest["rows"].items() if not name.startswith("reference.")}
    return {
        "command": ["marketing-kpi", "build", "--data-dir", "DIR"],
        "dataset": {
            "rows": raw_rows,
            "total_rows": sum(raw_rows.values()),
            "reference_rows": {name: n for name, n in manifest["rows"].items() if name not in raw_rows},
            "range": [manifest["start"], manifest["end"]],
            "scale": manifest.get("scale"),
            "format": manifest.get("format"),
        },
        "build": measurement.as_json(),
        "median_seconds": _round(median, 1),
        "step_median_seconds": step_medians,
        "unaccounted_seconds": _round(median - sum(step_medians.values()), 1) if median and step_medians else None,
        "dbt_build_last_run": dbt_breakdown,
        "target": {
            "target": OWN_DATA_TARGET_LABEL,
            "value": _round(median, 1) if ok else None,
            "limit": f"<= {limit}",
            "met": (median <= limit) if ok and median is not None else None,
        },
    }


def run_small_own_data(repeats: int, work: Path, env: dict[str, str], python: str, echo: Callable[[str], None]) -> dict:
    """Time `marketing-kpi build --data-dir DIR` end to end (ingest, reference seeds, dbt build,
    audit, publish, dashboard, docs) as subprocesses, each on a fresh build database."""
    small = work / "own_small"
    data_dir = work / "data" / "own-small"
    manifest = ensure_small_own_data(python, data_dir, echo)
    db = small / "db" / "build.duckdb"
    as_of = (dt.date.fromisoformat(manifest["end"]) + dt.timedelta(days=1)).isoformat()
    run_env = dict(env)
    run_env.update({
        "MKPI_DUCKDB_PATH": str(db),
        "MKPI_DUCKDB_TEMP_DIR": str(small / "db" / "tmp"),
        "MKPI_SERVING_DIR": str(small / "serving"),
        "DBT_TARGET_PATH": str(small / "target"),
        "DBT_LOG_PATH": str(small / "logs" / "dbt"),
        # the day after the data ends, when its exports were taken: the last day's ad rows are
        # exported then, and the audit allows exports up to one day past the as-of date
        "MKPI_AS_OF_DATE": as_of,
    })  # fmt: skip
    measurement = Measurement("own_data_build", note=f"marketing-kpi build --data-dir (as of {as_of})")
    steps: list[dict[str, float]] = []
    for r in range(repeats):
        shutil.rmtree(db.parent, ignore_errors=True)
        log = small / "logs" / f"own_data_build_{r}.log"
        run = run_measured([python, "-m", "marketing_kpi.cli", "build", "--data-dir", str(data_dir / "raw")],
                           env=run_env, log=log)  # fmt: skip
        measurement.runs.append(run)
        steps.append(build_step_seconds(log.read_text()))
        echo(f"   own-data build {run.seconds:.1f}s (exit {run.exit_code})")
    last_log = Path(measurement.runs[-1].log).read_text() if measurement.runs else ""
    return small_own_data_section(measurement, manifest, steps, dbt_build_breakdown(last_log))


def with_small_own_data(report: dict, section: dict) -> dict:
    """`report` (a benchmark JSON) with the own-data section and its target replaced."""
    updated = dict(report)
    updated["small_own_data"] = section
    targets = [t for t in report.get("targets", []) if t.get("target") != OWN_DATA_TARGET_LABEL]
    updated["targets"] = [*targets, section["target"]]
    return updated


def format_small_own_data(section: dict) -> str:
    dataset = section["dataset"]
    t = section["target"]
    met = "-" if t["met"] is None else ("yes" if t["met"] else "MISSED")
    lines = [
        f"own-data build ({dataset['total_rows']:,} raw rows, {dataset['range'][0]}..{dataset['range'][1]}): "
        f"median {section['median_seconds']}s of {len(section['build']['runs'])} run(s); target {t['limit']}: {met}"
    ]
    for step, seconds in section["step_median_seconds"].items():
        lines.append(f"  {step:<50} {seconds:>7.1f}s")
    return "\n".join(lines)


def _small_only(args: argparse.Namespace) -> int:
    """Only the own-data section; added to --output when that JSON exists, else a new JSON."""
    from marketing_kpi.dbt_runner import dbt_env

    work = args.work_dir.resolve()
    output = args.output or work / "benchmark.json"
    env = dbt_env()
    env["MKPI_NO_PROGRESS"] = "1"
    section = run_small_own_data(args.repeats, work, env, sys.executable, lambda m: print(m, flush=True))
    section["measured_at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    section["project_commit"] = project_commit()
    section["machine"] = machine_info()
    report = json.loads(output.read_text()) if output.exists() else {"benchmark": "marketing-kpi", "targets": []}
    text = json.dumps(with_small_own_data(report, section), indent=2, default=str) + "\n"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    if args.docs_copy:
        args.docs_copy.parent.mkdir(parents=True, exist_ok=True)
        args.docs_copy.write_text(text)
    print(format_small_own_data(section))
    print(f"\nwrote {output}")
    return 0 if section["build"]["all_runs_succeeded"] else 1


def format_table(result: dict, targets: list[dict], scale_name: str) -> str:
    m: dict[str, Measurement] = result["_m"]
    lines = [f"scale {scale_name}: median of {max((len(x.runs) for x in m.values()), default=0)} run(s)", ""]
    lines.append(f"{'step':<22} {'median s':>10} {'peak MiB':>10}  ok")
    for name, meas in m.items():
        if not meas.runs:
            if meas.note:
                lines.append(f"{name:<22} {'-':>10} {'-':>10}  ({meas.note})")
            continue
        peak = (meas.peak_rss_bytes or 0) / 1024**2
        lines.append(f"{name:<22} {meas.median_seconds:>10.1f} {peak:>10.0f}  {'yes' if meas.all_ok else 'NO'}")
    lines += ["", f"{'target':<30} {'value':>10} {'limit':>12}  met"]
    for t in targets:
        met = "-" if t["met"] is None else ("yes" if t["met"] else "MISSED")
        value = "-" if t["value"] is None else f"{t['value']}"
        lines.append(f"{t['target']:<30} {value:>10} {t['limit']:>12}  {met}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "_bare-read":  # internal: the measured bare load
        bare_read(Path(argv[1]), Path(argv[2]))
        return 0
    if argv and argv[0] == "_direct-sql":  # internal: the measured dbt-less execution
        run_direct_sql(Path(argv[1]), Path(argv[2]), Path(argv[3]))
        return 0
    parser = argparse.ArgumentParser(prog="marketing-kpi bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale-name", choices=("S", "M", "L", "XL"), default="L", help="named scale (default L)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument("--skip-xl", action="store_true", help="skip the XL build under a 4 GB memory limit")
    parser.add_argument("--output", type=Path, default=None, help="JSON file (default <work-dir>/benchmark.json)")
    parser.add_argument("--work-dir", type=Path, default=paths.PROJECT_ROOT / "warehouse" / "bench")
    parser.add_argument("--data-dir", type=Path, default=None, help="dataset (default <work-dir>/data/<scale>)")
    parser.add_argument("--xl-data-dir", type=Path, default=None, help="XL dataset (default <work-dir>/data/XL)")
    parser.add_argument("--xl-memory-limit", default="4GB", help="DuckDB memory limit of the XL build")
    parser.add_argument(
        "--xl-dbt-threads", type=int, default=None, help="dbt threads of the XL build (default: as the L build)"
    )
    parser.add_argument("--keep-xl-database", action="store_true", help="keep the XL build database")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", type=int, default=None, help="generator processes")
    parser.add_argument("--skip-pandas", action="store_true", help="skip the pandas peer comparison")
    parser.add_argument(
        "--comparison-repeats",
        type=int,
        default=None,
        help="run the comparisons (pandas peer, dbt run vs direct SQL) in only the first N repeats (default: all)",
    )
    parser.add_argument(
        "--carry-from",
        type=Path,
        default=None,
        metavar="BENCHMARK_JSON",
        help="take the Spark and XL sections this run does not measure from an earlier JSON (marked as carried, "
        "with that run's date and commit; the XL ratio is recomputed against this run's full build)",
    )
    parser.add_argument("--docs-copy", type=Path, default=None, help="also write the JSON here")
    parser.add_argument("--spark", action="store_true", help="also build the scale on a local Spark session")
    parser.add_argument("--spark-driver-memory", default="8g", help="Spark driver memory of the --spark build")
    parser.add_argument("--keep-spark-warehouse", action="store_true", help="keep the Spark build's tables")
    parser.add_argument(
        "--exclude-unit-tests",
        action="store_const",
        dest="extra_excludes",
        const=["resource_type:unit_test"],
        default=[],
        help="leave dbt unit tests (fixture-only, volume-independent) out of the measured builds",
    )
    parser.add_argument(
        "--xl-only",
        type=Path,
        default=None,
        metavar="BENCHMARK_JSON",
        help="only the XL build, compared with the full build of an earlier run's JSON; updates that JSON",
    )
    parser.add_argument(
        "--small-only",
        action="store_true",
        help="only the own-data section (marketing-kpi build --data-dir on ~25k generated rows); added to "
        "--output when that JSON exists",
    )
    parser.add_argument("--skip-small", action="store_true", help="skip the own-data section")
    args = parser.parse_args(argv)
    if args.xl_only:
        return _xl_only(args)
    if args.small_only:
        return _small_only(args)

    work = args.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    data_dir = (args.data_dir or work / "data" / args.scale_name).resolve()
    output = args.output or work / "benchmark.json"

    def echo(msg: str) -> None:
        print(msg, flush=True)

    from marketing_kpi.dbt_runner import dbt_env, dbt_executable

    env = dbt_env({"MKPI_DUCKDB_PATH": str(work / "db" / "build.duckdb")})
    env["DBT_PROFILES_DIR"] = str(paths.PROJECT_ROOT / "profiles")
    env["MKPI_NO_PROGRESS"] = "1"
    machine = machine_info()
    manifest = ensure_dataset(args.scale_name, data_dir, seed=args.seed, workers=args.workers, echo=echo)
    last_day = dt.date.fromisoformat(manifest["end"])
    base_dir = work / "data" / f"{args.scale_name}-base"
    split_base(data_dir, base_dir, last_day, echo)
    ctx = Context(work, data_dir, base_dir, env, sys.executable, dbt_executable(), echo)
    started = time.perf_counter()
    result = run_scale(args, ctx, manifest)
    spark_result = None
    if args.spark:
        spark_result = run_spark(args, ctx, result["_m"]["dbt_run"].median_seconds)
    xl = None
    if not args.skip_xl and args.scale_name != "XL":
        xl = run_xl(args, ctx, result["_m"]["full_build"].median_seconds)
    if args.carry_from:
        spark_result, xl = carry_forward(
            json.loads(args.carry_from.read_text()), spark_result, xl, result["_m"]["full_build"].median_seconds
        )
    small = None
    if not args.skip_small:
        small = run_small_own_data(args.repeats, work, env, sys.executable, echo)
    targets = evaluate_targets(result, xl)
    if small:
        targets.append(small["target"])
    measurements: dict[str, Measurement] = result.pop("_m")
    report = {
        "benchmark": "marketing-kpi",
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "project_commit": project_commit(),
        "scale_name": args.scale_name,
        "repeats": args.repeats,
        "comparison_repeats": effective_comparison_repeats(args),
        "build_command": ["dbt", "build", "--exclude", "resource_type:seed", *args.extra_excludes],
        "dataset": {
            "rows": manifest["rows"],
            "total_rows": sum(manifest["rows"].values()),
            "bytes": manifest.get("bytes"),
            "generator_seconds": manifest.get("seconds"),
            "range": [manifest["start"], manifest["end"]],
            "new_day": last_day.isoformat(),
        },  # fmt: skip
        "machine": machine,
        "load_average_at_end": os.getloadavg(),
        "wall_seconds": round(time.perf_counter() - started, 1),
        "targets": targets,
        **result,
        "spark": spark_result,
        "xl": xl,
        "small_own_data": small,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2, default=str) + "\n"
    output.write_text(text)
    if args.docs_copy:
        args.docs_copy.parent.mkdir(parents=True, exist_ok=True)
        args.docs_copy.write_text(text)
    result["_m"] = measurements
    print(format_table(result, targets, args.scale_name))
    if spark_result and "build" in spark_result:
        build = spark_result["build"]
        print(f"\nSpark (models only): {build['seconds']:.1f}s, exit {build['exit_code']}, "
              f"{spark_result['ratio_to_duckdb_dbt_run']}x DuckDB's dbt run")  # fmt: skip
    if small:
        print("\n" + format_small_own_data(small))
    print(f"\nwrote {output}")
    return 0


def project_commit() -> str | None:
    """The project's git commit (None outside a git checkout)."""
    try:
        out = subprocess.run(["git", "-C", str(paths.PROJECT_ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10, check=False)  # fmt: skip
    except OSError:
        return None
    return out.stdout.strip() or None


def carry_forward(
    earlier: dict, spark: dict | None, xl: dict | None, full_build_seconds: float | None
) -> tuple[dict | None, dict | None]:
    """The Spark and XL sections of an earlier benchmark JSON for a run that did not measure them,
    each marked `carried_from` (that run's date and commit). The XL ratio is recomputed against
    this run's full build, so the target compares the XL build with the current L median."""
    origin = {"created_at": earlier.get("created_at"), "project_commit": earlier.get("project_commit")}
    if spark is None and earlier.get("spark"):
        # a section the earlier run had itself carried keeps the run that measured it
        spark = {**earlier["spark"], "carried_from": earlier["spark"].get("carried_from") or origin}
    if xl is None and earlier.get("xl"):
        xl = dict(earlier["xl"])
        xl["carried_from"] = xl.get("carried_from") or {
            "created_at": xl.get("measured_at") or origin["created_at"],
            "project_commit": xl.get("project_commit") or origin["project_commit"],
        }
        seconds = (xl.get("full_build") or {}).get("seconds")
        ok = (xl.get("full_build") or {}).get("exit_code") == 0
        xl["ratio_to_full_build"] = (
            _round(seconds / full_build_seconds) if seconds and ok and full_build_seconds else None
        )
    return spark, xl


def _xl_only(args: argparse.Namespace) -> int:
    """Run the XL build alone and add it (and its target) to an earlier benchmark JSON."""
    from marketing_kpi.dbt_runner import dbt_env, dbt_executable

    report = json.loads(args.xl_only.read_text())
    full = report["measurements"]["full_build"]["median_seconds"]
    work = args.work_dir.resolve()
    env = dbt_env({"MKPI_DUCKDB_PATH": str(work / "db" / "build.duckdb")})
    env["DBT_PROFILES_DIR"] = str(paths.PROJECT_ROOT / "profiles")
    env["MKPI_NO_PROGRESS"] = "1"

    def echo(msg: str) -> None:
        print(msg, flush=True)

    ctx = Context(work, work, work, env, sys.executable, dbt_executable(), echo)
    xl = run_xl(args, ctx, full)
    xl["project_commit"] = project_commit()
    xl["measured_at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    report["xl"] = xl
    ratio, limit = xl.get("ratio_to_full_build"), TARGETS["xl_vs_l_full_build"]
    met = None if ratio is None or xl["full_build"]["exit_code"] != 0 else ratio <= limit
    report["targets"] = [t for t in report["targets"] if not t["target"].startswith("XL")]
    report["targets"].append({"target": "XL full build / L full build", "value": ratio, "limit": f"<= {limit}",
                              "met": met})  # fmt: skip
    text = json.dumps(report, indent=2, default=str) + "\n"
    args.xl_only.write_text(text)
    if args.docs_copy:
        args.docs_copy.write_text(text)
    echo(f"XL full build {xl['full_build']['seconds']:.0f}s (exit {xl['full_build']['exit_code']}), "
         f"{ratio}x the {report['scale_name']} full build; wrote {args.xl_only}")  # fmt: skip
    return 0 if xl["full_build"]["exit_code"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

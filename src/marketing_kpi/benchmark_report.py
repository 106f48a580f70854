"""The latest benchmark figures as Markdown, for the README (a generated section, see readme_sections).

The figures come from ``docs/benchmark-latest.json``, the JSON ``marketing-kpi bench --docs-copy``
writes; nothing here measures anything. Without that file the section says no run is recorded.
"""

from __future__ import annotations

import json
from pathlib import Path

from marketing_kpi.paths import PROJECT_ROOT

LATEST = PROJECT_ROOT / "docs" / "benchmark-latest.json"

STEPS = (
    ("bare_read", "DuckDB bare `read_parquet` of the files (reference for ingest)"),
    ("ingest", "ingest: contract check + load of the Parquet files"),
    ("full_build", "full `dbt build` (every model, data test and unit test)"),
    ("incremental_build", "incremental `dbt build` after one new day (with late rows)"),
    ("audit", "Great Expectations audit"),
    ("publish", "publish (serving file + Parquet)"),
    ("dbt_run", "`dbt run` (models only)"),
    ("direct_sql", "the same compiled model SQL run directly in DuckDB"),
    ("pandas_peer", "pandas peer (3 KPI marts, read + compute)"),
)


def _gib(n: int | None) -> str:
    return "—" if not n else f"{n / 1024**3:.2f} GiB"


def _s(x: float | None) -> str:
    return "—" if x is None else f"{x:,.1f} s"


def _carried(section: dict) -> str:
    origin = section.get("carried_from")
    if not origin:
        return ""
    commit = f" at {origin['project_commit']}" if origin.get("project_commit") else ""
    return f", measured {str(origin.get('created_at'))[:10]}{commit} (earlier run)"


def markdown(report: dict) -> str:
    """Machine, steps (median seconds, peak memory), targets met/missed, Spark and XL lines."""
    machine = report["machine"]
    versions = machine.get("versions", {})
    dataset = report["dataset"]
    measurements = report["measurements"]
    runs = max((len(m.get("runs", [])) for m in measurements.values()), default=0)
    compared = report.get("comparison_repeats")
    of_runs = f"median of {runs} run(s)" + (f" (comparisons: {compared})" if compared and compared != runs else "")
    out = [
        f"Scale **{report['scale_name']}** ({dataset['total_rows']:,} raw rows, {dataset['range'][0]} to "
        f"{dataset['range'][1]}), {of_runs}, measured {report['created_at'][:10]} on "
        f"{machine['cpu_model']}, {machine['cores']} cores, {machine['memory_bytes'] / 1024**3:.0f} GiB, "
        f"{machine['os']}; DuckDB {versions.get('duckdb')}, dbt-core {versions.get('dbt-core')}, "
        f"dbt-duckdb {versions.get('dbt-duckdb')}; DuckDB threads {machine.get('duckdb_threads')}, memory "
        f"limit {machine.get('duckdb_memory_limit', '4GB')}, dbt threads {machine.get('dbt_threads')}. "
        f"Load average at start {machine['load_average_at_start'][0]:.2f}.",
        "",
        "| step | median | peak memory |",
        "|---|---:|---:|",
    ]
    for key, label in STEPS:
        m = measurements.get(key)
        if not m or not m.get("runs"):
            continue
        ok = "" if m.get("all_runs_succeeded") else " (a run failed)"
        out.append(f"| {label}{ok} | {_s(m.get('median_seconds'))} | {_gib(m.get('peak_rss_bytes'))} |")
    spark = report.get("spark") or {}
    if spark.get("build"):
        build = spark["build"]
        status = "" if build["exit_code"] == 0 else f" (failed, exit {build['exit_code']})"
        out.append(
            f"| the same models-only build on local Spark{status}{_carried(spark)} | {_s(build['seconds'])} | "
            f"{_gib(build.get('peak_rss_bytes'))} |"
        )
    xl = report.get("xl") or {}
    if xl.get("full_build"):
        build = xl["full_build"]
        status = "" if build["exit_code"] == 0 else f" (failed, exit {build['exit_code']})"
        threads = f", {xl['dbt_threads']} dbt threads" if xl.get("dbt_threads") else ""
        out.append(
            f"| XL ({xl['rows']:,} raw rows) full build, memory limit {xl['memory_limit']}{threads}{status}"
            f"{_carried(xl)} | "
            f"{_s(build['seconds'])} | {_gib(build.get('peak_rss_bytes'))} |"
        )
    small = report.get("small_own_data") or {}
    if small.get("build", {}).get("runs"):
        build = small["build"]
        status = "" if build.get("all_runs_succeeded") else " (a run failed)"
        when = f", measured {str(small['measured_at'])[:10]}" if small.get("measured_at") else ""
        out.append(
            f"| own data: `marketing-kpi build --data-dir` end to end ({small['dataset']['total_rows']:,} raw rows, "
            f"CSV){status}{when} | {_s(build.get('median_seconds'))} | {_gib(build.get('peak_rss_bytes'))} |"
        )
    out += ["", "| target | measured | limit | met |", "|---|---:|---:|---|"]
    for t in report["targets"]:
        met = "—" if t["met"] is None else ("yes" if t["met"] else "**missed**")
        value = "—" if t["value"] is None else f"{t['value']}"
        out.append(f"| {t['target']} | {value} | {t['limit']} | {met} |")
    if spark.get("ratio_to_duckdb_dbt_run") is not None:
        ratio = spark["ratio_to_duckdb_dbt_run"]
        out.append(f"| Spark models-only build / DuckDB `dbt run` | {ratio} | (reported) | — |")
    pandas = report.get("pandas") or {}
    if pandas.get("all_agree") is not None:
        agree = "agree" if pandas["all_agree"] else "**disagree**"
        out += [
            "",
            f"The pandas peer's numbers {agree} with our marts (money to the cent, rates to 1e-9).",
        ]
    out += ["", "Every run, ratio and the slowest nodes: [docs/benchmark-latest.json](docs/benchmark-latest.json)."]
    return "\n".join(out) + "\n"


def readme_section(path: Path = LATEST) -> str:
    if not path.exists():
        return "No benchmark run is recorded yet: run `marketing-kpi bench --docs-copy docs/benchmark-latest.json`.\n"
    return markdown(json.loads(path.read_text()))

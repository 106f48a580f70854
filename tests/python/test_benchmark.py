"""The benchmark's building blocks (src/marketing_kpi/benchmark.py). The benchmark itself is a
command, not a test: these check its measuring, ordering and bookkeeping on tiny inputs."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import duckdb
import pytest

from marketing_kpi import benchmark as bench
from marketing_kpi import generator_bulk as bulk
from marketing_kpi.contract import load_contract


def test_run_measured_reports_time_peak_memory_and_exit_code(tmp_path: Path) -> None:
    code = "import sys; x = bytearray(60 * 1024 * 1024); sys.exit(3)"
    run = bench.run_measured([sys.executable, "-c", code], env={}, log=tmp_path / "log.txt")
    assert run.exit_code == 3
    assert run.peak_rss_bytes >= 60 * 1024 * 1024
    assert run.seconds > 0 and Path(run.log).exists()


def test_measurement_median_ignores_failed_runs_when_some_succeed() -> None:
    m = bench.Measurement("x")
    for seconds, code in ((10.0, 0), (1.0, 1), (30.0, 0), (20.0, 0)):
        m.runs.append(bench.Run(seconds, 100, code, 0.0, 0.0, ""))
    assert m.median_seconds == 20.0
    assert not m.all_ok
    assert m.peak_rss_bytes == 100


def _manifest(tmp_path: Path) -> Path:
    def node(name: str, deps: list[str], path: str, materialized: str = "table") -> dict:
        return {
            "resource_type": "model",
            "name": name,
            "schema": "s",
            "alias": name,
            "config": {"materialized": materialized},
            "original_file_path": path,
            "depends_on": {"nodes": [f"model.p.{d}" for d in deps]},
            "compiled_code": f"select 1 as {name}",
        }

    nodes = {
        "model.p.kpi_a": node("kpi_a", ["int_b", "stg_c"], "models/marts/kpi/kpi_a.sql"),
        "model.p.int_b": node("int_b", ["stg_c"], "models/intermediate/int_b.sql"),
        "model.p.stg_c": node("stg_c", ["base_d"], "models/staging/x/stg_c.sql", "view"),
        "model.p.base_d": node("base_d", [], "models/staging/x/base/base_d.sql"),
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"nodes": nodes}))
    return path


def test_topological_order_and_lineage(tmp_path: Path) -> None:
    manifest = json.loads(_manifest(tmp_path).read_text())["nodes"]
    order = bench._topological(manifest)
    assert order.index("model.p.base_d") < order.index("model.p.stg_c") < order.index("model.p.int_b")
    assert order.index("model.p.int_b") < order.index("model.p.kpi_a")
    assert bench.lineage_between_staging_and(_manifest(tmp_path), ["kpi_a"]) == ["int_b", "kpi_a"]


def test_direct_sql_runs_every_model_in_one_connection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MKPI_DUCKDB_TEMP_DIR", str(tmp_path / "tmp"))
    db, timings = tmp_path / "d.duckdb", tmp_path / "t.json"
    bench.run_direct_sql(_manifest(tmp_path), db, timings)
    assert set(json.loads(timings.read_text())) == {"kpi_a", "int_b", "stg_c", "base_d"}
    con = duckdb.connect(str(db), read_only=True)
    try:
        kinds = dict(con.execute("select table_name, table_type from information_schema.tables").fetchall())
    finally:
        con.close()
    assert kinds["stg_c"] == "VIEW" and kinds["kpi_a"] == "BASE TABLE"


def test_split_base_drops_the_last_day_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MKPI_DUCKDB_TEMP_DIR", str(tmp_path / "tmp"))
    data = tmp_path / "data"
    start, end = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
    bulk.generate_bulk(bulk.ScaleSpec("T", 1, 300), data, start=start, end=end, progress=False, workers=1)
    base = tmp_path / "base"
    bench.split_base(data, base, end, echo=lambda _: None)
    con = duckdb.connect()
    try:
        for name, column in bench.EVENT_COLUMN.items():
            full = con.execute(
                f"select count(*) from read_parquet({bench._parquet_list(bench._table_files(data, name))})"
            )
            n_full = full.fetchall()[0][0]
            n_base = con.execute(f"select count(*) from '{base / name}.parquet'").fetchall()[0][0]
            if column is None:
                assert n_base == n_full
                continue
            late = con.execute(f"select count(*) from '{base / name}.parquet' where cast({column} as date) >= '{end}'")
            assert late.fetchall()[0][0] == 0, name
            assert n_base <= n_full, name
        assert set(load_contract()) == {p.stem for p in base.glob("*.parquet")}
    finally:
        con.close()


def test_targets_and_table(tmp_path: Path) -> None:
    m = {k: bench.Measurement(k) for k in ("bare_read", "ingest", "full_build", "incremental_build", "audit",
                                           "publish", "dbt_run", "direct_sql", "pandas_peer")}  # fmt: skip
    for name, seconds in (("bare_read", 10), ("ingest", 12), ("full_build", 50), ("incremental_build", 5),
                          ("dbt_run", 40), ("direct_sql", 30)):  # fmt: skip
        m[name].runs.append(bench.Run(seconds, 2 * 1024**3, 0, 0.0, 0.0, ""))
    m["pandas_peer"].runs.append(bench.Run(60, 13 * 1024**3, 0, 0.0, 0.0, ""))  # the peer's peak is not ours
    result = {"_m": m, "ratios": bench._ratios(m), "pandas": {"slowdown_read_plus_compute": 6.0}}
    targets = {t["target"]: t["met"] for t in bench.evaluate_targets(result, {"ratio_to_full_build": 13.0})}
    assert targets["peak memory (GiB)"] is True
    m["audit"].runs.append(bench.Run(60, 5 * 1024**3, 0, 0.0, 0.0, ""))
    assert {t["target"]: t["value"] for t in bench.evaluate_targets(result, None)}["peak memory (GiB)"] == 5.0
    assert targets["full build (s)"] is True and targets["full build, stretch (s)"] is False
    assert targets["incremental / full"] is True and targets["ingest / bare read_parquet"] is True
    assert targets["dbt run / direct SQL"] is True and targets["pandas / our models"] is True
    assert targets["XL full build / L full build"] is False
    table = bench.format_table(result, bench.evaluate_targets(result, None), "L")
    assert "full_build" in table and "MISSED" in table


def test_report_markdown_shows_medians_targets_spark_and_xl(tmp_path: Path) -> None:
    from marketing_kpi import benchmark_report

    m = {k: bench.Measurement(k) for k in ("bare_read", "ingest", "full_build", "incremental_build", "audit",
                                           "publish", "dbt_run", "direct_sql", "pandas_peer")}  # fmt: skip
    for name, seconds in (("bare_read", 10), ("ingest", 12), ("full_build", 95), ("dbt_run", 40), ("direct_sql", 30)):
        for extra in (0.0, 2.0, 1.0):
            m[name].runs.append(bench.Run(seconds + extra, 3 * 1024**3, 0, 0.0, 0.0, ""))
    result = {"_m": m, "ratios": bench._ratios(m), "pandas": {"slowdown_read_plus_compute": 2.0, "all_agree": True}}
    xl = {"rows": 1000, "memory_limit": "4GB", "full_build": {"seconds": 900.0, "exit_code": 0, "peak_rss_bytes": 1},
          "ratio_to_full_build": 9.2}  # fmt: skip
    report = {
        "scale_name": "L",
        "created_at": "2026-11-21T03:00:00+00:00",
        "dataset": {"total_rows": 36_769_929, "range": ["2024-11-01", "2026-10-31"]},
        "machine": bench.machine_info(),
        "measurements": {k: v.as_json() for k, v in m.items()},
        "targets": bench.evaluate_targets(result, xl),
        "pandas": result["pandas"],
        "spark": {
            "build": {"seconds": 400.0, "exit_code": 0, "peak_rss_bytes": 5 * 1024**3},
            "ratio_to_duckdb_dbt_run": 10.0,
        },  # fmt: skip
        "xl": xl,
    }
    text = benchmark_report.markdown(report)
    assert "36,769,929 raw rows" in text and "median of 3 run(s)" in text
    assert "| full `dbt build` (every model, data test and unit test) | 96.0 s | 3.00 GiB |" in text
    assert "| full build (s) | 96.0 | <= 60.0 | **missed** |" in text
    assert "| XL full build / L full build | 9.2 | <= 12.0 | yes |" in text
    assert "local Spark | 400.0 s" in text and "| 10.0 |" in text
    assert "agree with our marts" in text
    assert "No benchmark run is recorded" in benchmark_report.readme_section(tmp_path / "missing.json")
    # sections carried over from an earlier run say so, and fewer comparison runs are stated
    report["comparison_repeats"] = 1
    report["xl"] = {**xl, "carried_from": {"created_at": "2026-11-21T07:10:00+00:00", "project_commit": "4cd56d0"}}
    text = benchmark_report.markdown(report)
    assert "median of 3 run(s) (comparisons: 1)" in text
    assert "memory limit 4GB, measured 2026-11-21 at 4cd56d0 (earlier run) | 900.0 s" in text
    report["xl"] = {**xl, "dbt_threads": "2"}
    assert "memory limit 4GB, 2 dbt threads | 900.0 s" in benchmark_report.markdown(report)


def test_xl_build_runs_with_its_own_dbt_threads_and_records_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dict[str, str]] = []

    def fake_run(cmd, *, env, log, cwd=None):  # noqa: ANN001, ANN202 - stands in for run_measured
        seen.append(dict(env))
        return bench.Run(1.0, 1, 0, 0.0, 0.0, "")

    monkeypatch.setattr(bench, "run_measured", fake_run)
    monkeypatch.setattr(bench, "ensure_dataset", lambda *a, **k: {"rows": {"leads": 5}})
    monkeypatch.delenv("MKPI_DBT_THREADS", raising=False)
    ctx = bench.Context(tmp_path, tmp_path, tmp_path, {"MKPI_DBT_THREADS": "4"}, "python", "dbt", print)
    args = argparse.Namespace(xl_data_dir=tmp_path, seed=1, workers=None, xl_memory_limit="4GB",
                              xl_dbt_threads=2, extra_excludes=[], keep_xl_database=False)  # fmt: skip
    xl = bench.run_xl(args, ctx, full_build_seconds=2.0)
    assert [env["MKPI_DBT_THREADS"] for env in seen] == ["2", "2", "2"]
    assert [env["MKPI_DUCKDB_MEMORY_LIMIT"] for env in seen] == ["4GB"] * 3
    assert xl["dbt_threads"] == "2" and xl["ratio_to_full_build"] == 0.5
    # without the option the XL build keeps the L build's threads
    seen.clear()
    xl = bench.run_xl(argparse.Namespace(**{**vars(args), "xl_dbt_threads": None}), ctx, full_build_seconds=2.0)
    assert {env["MKPI_DBT_THREADS"] for env in seen} == {"4"} and xl["dbt_threads"] == "4"


def test_carry_forward_marks_its_origin_and_recomputes_the_xl_ratio() -> None:
    earlier = {
        "created_at": "2026-11-21T04:59:26+00:00",
        "project_commit": "c2af953",
        "spark": {"build": {"seconds": 1445.0, "exit_code": 0}},
        "xl": {
            "full_build": {"seconds": 3000.0, "exit_code": 0},
            "ratio_to_full_build": 9.87,
            "project_commit": "4cd56d0",
            "measured_at": "2026-11-21T07:10:00+00:00",
        },
    }
    spark, xl = bench.carry_forward(earlier, None, None, full_build_seconds=250.0)
    spark_once, xl_once = spark, xl
    assert spark["carried_from"] == {"created_at": "2026-11-21T04:59:26+00:00", "project_commit": "c2af953"}
    assert xl["carried_from"] == {"created_at": "2026-11-21T07:10:00+00:00", "project_commit": "4cd56d0"}
    assert xl["ratio_to_full_build"] == 12.0
    assert earlier["xl"]["ratio_to_full_build"] == 9.87  # the earlier report is not modified
    # what this run measured itself is never replaced, and a failed XL build has no ratio
    own = {"build": {"seconds": 1.0}}
    earlier["xl"]["full_build"]["exit_code"] = 1
    spark, xl = bench.carry_forward(earlier, own, None, full_build_seconds=250.0)
    assert spark is own and xl["ratio_to_full_build"] is None
    # carried twice: the sections still name the run that measured them
    later = {"created_at": "2026-11-22T01:00:00+00:00", "project_commit": "fffffff"}
    spark, xl = bench.carry_forward({**later, "spark": spark_once, "xl": xl_once}, None, None, 100.0)
    assert spark["carried_from"] == spark_once["carried_from"] and xl["carried_from"] == xl_once["carried_from"]


def test_comparison_repeats_default_to_every_repeat_and_never_exceed_them() -> None:
    def ns(**kw: int | None) -> argparse.Namespace:
        return argparse.Namespace(**kw)

    assert bench.effective_comparison_repeats(ns(repeats=3, comparison_repeats=None)) == 3
    assert bench.effective_comparison_repeats(ns(repeats=3, comparison_repeats=1)) == 1
    assert bench.effective_comparison_repeats(ns(repeats=2, comparison_repeats=5)) == 2


# ---- small own-data section -------------------------------------------------------------------

_CLI_LOG = """==> [1/5] load /data/raw + reference data
    loaded 23,428 raw rows from 10 tables
    load /data/raw + reference data: done in 13.6s (total 14s)
==> [2/5] dbt build (models, data tests)
    dbt build (models, data tests): done in 80.2s (total 94s)
==> dbt docs generate
    dbt docs generate: done in 9.5s
"""


def test_build_step_seconds_reads_the_cli_step_lines() -> None:
    assert bench.build_step_seconds(_CLI_LOG) == {
        "load /data/raw + reference data": 13.6,
        "dbt build (models, data tests)": 80.2,
        "dbt docs generate": 9.5,
    }
    assert bench.build_step_seconds("no steps here\n") == {}


def _small_section(seconds: list[float], codes: list[int]) -> dict:
    m = bench.Measurement("own_data_build")
    for s, code in zip(seconds, codes, strict=True):
        m.runs.append(bench.Run(s, 1, code, 0.0, 0.0, ""))
    steps = [{"ingest": 4.0 + i, "dbt build": s - 20.0} for i, s in enumerate(seconds)]
    manifest = {
        "rows": {"channels": 12, "leads": 988, "reference.fx_rates": 369},
        "start": "2026-07-01",
        "end": "2026-10-31",
        "scale": 1.0,
    }
    return bench.small_own_data_section(m, manifest, steps, {"data_test_seconds": 30.0})


def test_small_section_median_steps_and_target() -> None:
    section = _small_section([70.0, 50.0, 90.0], [0, 0, 0])
    assert section["median_seconds"] == 70.0
    assert section["dataset"]["total_rows"] == 1000  # raw rows only, not the reference rows
    assert section["dataset"]["reference_rows"] == {"reference.fx_rates": 369}
    assert section["step_median_seconds"] == {"ingest": 5.0, "dbt build": 50.0}
    assert section["unaccounted_seconds"] == 15.0
    assert section["target"] == {
        "target": bench.OWN_DATA_TARGET_LABEL,
        "value": 70.0,
        "limit": f"<= {bench.TARGETS['own_data_build_seconds']}",
        "met": False,
    }
    assert _small_section([40.0, 50.0, 45.0], [0, 0, 0])["target"]["met"] is True
    # a failed run leaves the target unmeasured, never met
    failed = _small_section([40.0, 50.0, 45.0], [0, 1, 0])["target"]
    assert (failed["value"], failed["met"]) == (None, None)
    text = bench.format_small_own_data(section)
    assert "1,000 raw rows" in text and "median 70.0s of 3 run(s)" in text and "MISSED" in text


def test_small_section_replaces_its_target_in_an_earlier_report() -> None:
    earlier = {
        "scale_name": "L",
        "targets": [
            {"target": "full build (s)", "value": 300, "limit": "<= 60.0", "met": False},
            {"target": bench.OWN_DATA_TARGET_LABEL, "value": 99.0, "limit": "<= 60.0", "met": False},
        ],
    }
    section = _small_section([40.0], [0])
    updated = bench.with_small_own_data(earlier, section)
    assert updated["scale_name"] == "L" and updated["small_own_data"] is section
    assert [t["target"] for t in updated["targets"]] == ["full build (s)", bench.OWN_DATA_TARGET_LABEL]
    assert updated["targets"][-1]["value"] == 40.0
    assert earlier["targets"][-1]["value"] == 99.0  # the earlier report is not modified


def test_small_own_data_is_reused_when_generated_with_the_same_parameters(tmp_path: Path) -> None:
    raw = tmp_path / "own" / "raw"
    raw.mkdir(parents=True)
    manifest = {**bench.SMALL_OWN_DATA, "rows": {"channels": 12}}
    (raw / "_dirt_manifest.json").write_text(json.dumps(manifest))
    # a python that cannot run proves nothing is regenerated
    assert bench.ensure_small_own_data("/nonexistent/python", tmp_path / "own", print) == manifest
    (raw / "_dirt_manifest.json").write_text(json.dumps({**manifest, "end": "2026-09-30"}))
    with pytest.raises(FileNotFoundError):
        bench.ensure_small_own_data("/nonexistent/python", tmp_path / "own", print)


def test_dbt_build_breakdown_reads_the_node_lines_of_the_build_log() -> None:
    log = "\n".join(
        [
            "\x1b[0m19:21:52  1 of 4 START sql table model staging.base_ads__channels ........ [RUN]",
            "\x1b[0m19:21:52  1 of 4 OK created sql table model staging.base_ads__channels "
            "... [\x1b[32mOK\x1b[0m in 1.90s]",
            "19:22:01  2 of 4 OK created sql view model staging.stg_ads__channels .......... [OK in 0.30s]",
            "19:22:05  3 of 4 OK created sql table model marts.fct_orders .................. [OK in 2.50s]",
            "19:22:06  4 of 4 PASS not_null_fct_orders_customer_id .......................... [PASS in 0.25s]",
            "19:23:12  Finished running 3 table models, 1 data test in 0 hours 1 minutes and 24.40 seconds (84.40s).",
        ]
    )
    breakdown = bench.dbt_build_breakdown(log, top=2)
    assert breakdown["model_seconds_by_schema"] == {"staging": 2.2, "marts": 2.5}
    assert breakdown["data_test_seconds"] == 0.25
    assert (breakdown["nodes"], breakdown["node_run_wall_seconds"]) == (4, 84.4)
    assert breakdown["slowest_nodes"] == [
        {"node": "model marts.fct_orders", "seconds": 2.5},
        {"node": "model staging.base_ads__channels", "seconds": 1.9},
    ]
    assert bench.dbt_build_breakdown("")["node_run_wall_seconds"] is None


def test_report_markdown_shows_the_small_own_data_section() -> None:
    from marketing_kpi import benchmark_report

    section = {**_small_section([70.0, 50.0, 90.0], [0, 0, 0]), "measured_at": "2026-12-04T19:10:00+00:00"}
    report = bench.with_small_own_data(
        {
            "scale_name": "L",
            "created_at": "2026-11-21T03:00:00+00:00",
            "dataset": {"total_rows": 36_769_929, "range": ["2024-11-01", "2026-10-31"]},
            "machine": bench.machine_info(),
            "measurements": {},
            "targets": [],
        },
        section,
    )
    text = benchmark_report.markdown(report)
    assert (
        "| own data: `marketing-kpi build --data-dir` end to end (1,000 raw rows, CSV), measured 2026-12-04 | 70.0 s |"
        in text
    )
    assert f"| {bench.OWN_DATA_TARGET_LABEL} | 70.0 | <= 60.0 | **missed** |" in text

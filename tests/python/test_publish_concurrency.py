"""Readers never see an error, a lock or a mix of two builds while publishes replace the served
files: a separate reader process queries the serving DuckDB file and the Parquet datasets in a
loop (a new read-only connection each time) while publishes alternate between two datasets."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
from _publish_testkit import dataset_total, make_fixture, real_build

from marketing_kpi import publish as pub

READER = textwrap.dedent(
    """
    import json, os, sys, time
    import duckdb

    serving, out_path, stop_path, sql, parquet_table = sys.argv[1:6]
    served = os.path.join(serving, "marketing_kpi.duckdb")
    parquet = os.path.join(serving, "parquet")
    deadline = time.monotonic() + 120
    with open(out_path, "w") as out:
        while not os.path.exists(stop_path) and time.monotonic() < deadline:
            record = {}
            try:
                con = duckdb.connect(served, read_only=True)
                try:
                    record["duckdb"] = list(con.execute(sql).fetchone())
                finally:
                    con.close()
                # Parquet, one version: resolve `current` once, read two datasets from it.
                version = os.path.realpath(os.path.join(parquet, "current"))
                con = duckdb.connect()
                record["parquet"] = list(con.execute(
                    f"select (select count(*) from read_parquet('{version}/{parquet_table}/*.parquet')), "
                    f"(select build_id from read_parquet('{version}/meta/build_info/*.parquet'))"
                ).fetchone())
                # Parquet, the stable path of one dataset.
                record["stable"] = con.execute(
                    f"select count(*) from read_parquet('{parquet}/{parquet_table}/*.parquet')"
                ).fetchone()[0]
                con.close()
            except Exception as exc:
                record["error"] = f"{type(exc).__name__}: {exc}"
            out.write(json.dumps(record, default=str) + "\\n")
            out.flush()
    """
)


def _run_reader_during(
    tmp_path: Path, serving: Path, sql: str, parquet_table: str, publish_steps: list
) -> tuple[list[dict], list]:
    """Start the reader, run each publish step (a callable returning a PublishResult), stop the
    reader; return its records and the publish results."""
    script = tmp_path / "reader.py"
    script.write_text(READER)
    out, stop = tmp_path / "reads.jsonl", tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, str(script), str(serving), str(out), str(stop), sql, parquet_table])
    results = []
    try:
        time.sleep(0.5)
        for step in publish_steps:
            results.append(step())
        time.sleep(0.3)
    finally:
        stop.touch()
        try:
            reader.wait(timeout=30)
        finally:
            if reader.poll() is None:
                reader.kill()
    assert reader.returncode == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    return records, results


def _check(records: list[dict], values: dict[str, int], rows: dict[str, int], first_build: str) -> None:
    """Every read succeeded and saw one build: the DuckDB query's value equals `values[build_id]`,
    the Parquet version's row count equals `rows[build_id]` of the build_id stored beside it."""
    errors = [r["error"] for r in records if "error" in r]
    assert not errors, f"{len(errors)} of {len(records)} reads failed, e.g. {errors[:3]}"
    assert len(records) >= 20, f"only {len(records)} reads: the reader did not run during the publishes"
    for record in records:
        value, build_id = record["duckdb"]
        assert build_id in values, f"unknown build {build_id}"
        assert value == values[build_id], f"a read mixed builds: {value} with build {build_id}"
        parquet_rows, parquet_build = record["parquet"]
        assert parquet_rows == rows[parquet_build], f"Parquet mixed builds: {parquet_rows} rows, {parquet_build}"
        assert record["stable"] in set(rows.values())
    seen = {r["duckdb"][1] for r in records}
    assert len(seen - {first_build}) >= 1, "the reader never saw a new build"


def test_readers_see_one_consistent_build_while_publishes_alternate(tmp_path):
    fx = make_fixture(tmp_path)
    first = pub.publish(fx.build_a, fx.serving, fx.manifest)
    builds = {"A": fx.build_a, "B": fx.build_b}
    order = ["B", "A", "B", "A", "B", "A"]
    sql = "select (select sum(clicks) from kpi.kpi_channel_spend__daily), (select build_id from meta.build_info)"

    def step(dataset: str):
        return lambda: (dataset, pub.publish(builds[dataset], fx.serving, fx.manifest))

    started = time.monotonic()
    records, results = _run_reader_during(
        tmp_path, fx.serving, sql, "kpi/kpi_channel_spend__daily", [step(d) for d in order]
    )
    assert time.monotonic() - started < 60

    table = "kpi.kpi_channel_spend__daily"
    totals = {first.build_id: dataset_total("A")}
    rows = {first.build_id: first.row_counts[table]}
    for dataset, result in results:
        totals[result.build_id] = dataset_total(dataset)
        rows[result.build_id] = result.row_counts[table]
    assert len(set(totals.values())) == 2
    _check(records, totals, rows, first.build_id)


def test_real_project_publishes_alternating_builds_under_concurrent_reads(tmp_path):
    """The real build and a variant of it with half the rows of its largest public table, published
    alternately; readers check that row count against the build id they see."""
    build, manifest = real_build()
    models, _ = pub.load_public_models(manifest)
    con = duckdb.connect(str(build), read_only=True)
    counts = [
        (con.execute(f'select count(*) from "{m.schema}"."{m.identifier}"').fetchone()[0], m.unique_id, m)
        for m in models
    ]
    con.close()
    largest = max(counts)[2]
    table = f'"{largest.schema}"."{largest.identifier}"'

    variant = tmp_path / "variant" / build.name
    variant.parent.mkdir()
    shutil.copyfile(build, variant)
    con = duckdb.connect(str(variant))
    con.execute(f"delete from {table} where rowid % 2 = 0")
    con.close()
    serving = tmp_path / "serving"
    first = pub.publish(build, serving, manifest)
    builds = {"real": build, "variant": variant}
    sql = f"select (select count(*) from {table}), (select build_id from meta.build_info)"

    def step(which: str):
        return lambda: pub.publish(builds[which], serving, manifest)

    records, results = _run_reader_during(
        tmp_path,
        serving,
        sql,
        f"{largest.schema}/{largest.identifier}",
        [step(w) for w in ["variant", "real", "variant"]],
    )
    expected = {r.build_id: r.row_counts[f"{largest.schema}.{largest.identifier}"] for r in [first, *results]}
    assert len(set(expected.values())) == 2
    _check(records, expected, expected, first.build_id)

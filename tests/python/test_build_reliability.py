"""Idempotency, crashes and write-audit-publish, on the drills' build (tests/python/_drill_build.py).

* Two builds of the same input give identical public marts (order-independent fingerprints).
* A build SIGKILLed while its models run leaves the published data intact (publishing happens only
  after a passing audit, never during a build), and the next build succeeds on the same database
  (no stale lock, no corrupt file; DuckDB replays or discards its WAL).
* A failing audit leaves the previously published data untouched: the publish gate refuses.

The build after the kill is the second build of the idempotency check, so one extra `dbt run`
answers both.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
from _drill_build import DBT_SELECT_ARGS, DrillBuild, drill_build, public_mart_fingerprints

from marketing_kpi import paths
from marketing_kpi.dbt_runner import dbt_env, dbt_executable, run_dbt
from marketing_kpi.publish import SERVING_FILE_NAME, publish
from marketing_kpi.publish import main as publish_main
from marketing_kpi.quality.audit import run_audit

MODELS_DONE_BEFORE_KILL = 3
KILL_DEADLINE_S = 900


def _trimmed_manifest(build: DrillBuild) -> Path:
    """The build's manifest without the public models this (selected) build did not create, so the
    publish gate, which refuses a manifest model missing from the database, can run on it."""
    manifest = json.loads((build.target_dir / "manifest.json").read_text())
    con = build.connect()
    try:
        existing_names = {
            row[0]
            for row in con.execute(
                "select schema_name || '.' || table_name from duckdb_tables() "
                "union all select schema_name || '.' || view_name from duckdb_views()"
            ).fetchall()
        }
    finally:
        con.close()
    manifest["nodes"] = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node.get("resource_type") != "model"
        or f"{node['schema']}.{node.get('alias') or node['name']}" in existing_names
    }
    out = build.root / "publish_manifest" / "manifest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(manifest))
    shutil.copy2(build.target_dir / "run_results.json", out.with_name("run_results.json"))
    return out


def _served(serving_dir: Path) -> dict:
    """What BI sees: the served file's bytes hash, its build_id and per-table fingerprints."""
    served = serving_dir / SERVING_FILE_NAME
    con = duckdb.connect(str(served), read_only=True)
    try:
        build_id = con.execute("select build_id from meta.build_info").fetchone()[0]
        tables = dict(
            con.execute("select schema_name || '.' || table_name, fingerprint from meta.publish_log").fetchall()
        )
    finally:
        con.close()
    return {"sha256": hashlib.sha256(served.read_bytes()).hexdigest(), "build_id": build_id, "tables": tables}


@pytest.fixture(scope="module")
def drills() -> DrillBuild:
    build = drill_build()
    assert build.build_returncode == 0, build.build_output[-3000:]
    return build


@pytest.fixture(scope="module")
def crash_then_rebuild(drills: DrillBuild) -> dict:
    """Publish build 1; start build 2 and SIGKILL it mid-way; run build 3 on the same database."""
    manifest = _trimmed_manifest(drills)
    first = public_mart_fingerprints(drills.database, manifest)
    serving = drills.root / "serving"
    publish(drills.database, serving, manifest, scan_contact_details=False)
    published = _served(serving)

    env = dbt_env(drills.env)
    cmd = [dbt_executable(), *drills.dbt_args("run", *DBT_SELECT_ARGS[:-2])]
    proc = subprocess.Popen(
        cmd,
        cwd=paths.PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    done, killed_during = 0, ""
    deadline = time.monotonic() + KILL_DEADLINE_S
    assert proc.stdout is not None
    for line in proc.stdout:
        if " OK created " in line:
            done += 1
        if done >= MODELS_DONE_BEFORE_KILL:
            killed_during = line.strip()
            os.killpg(proc.pid, signal.SIGKILL)
            break
        if time.monotonic() > deadline:
            break
    proc.wait(timeout=60)
    after_kill = _served(serving)

    started = time.perf_counter()
    rebuild = run_dbt(drills.dbt_args("run", *DBT_SELECT_ARGS[:-2]), env=drills.env, capture=True, check=False)
    return {
        "manifest": manifest,
        "serving": serving,
        "first": first,
        "published": published,
        "killed_returncode": proc.returncode,
        "killed_during": killed_during,
        "after_kill": after_kill,
        "rebuild": rebuild,
        "rebuild_seconds": time.perf_counter() - started,
        "second": public_mart_fingerprints(drills.database, manifest) if rebuild.returncode == 0 else {},
    }


def test_the_build_is_killed_while_models_run(crash_then_rebuild: dict) -> None:
    assert crash_then_rebuild["killed_returncode"] == -signal.SIGKILL, crash_then_rebuild["killed_during"]


def test_a_killed_build_leaves_the_published_data_intact(crash_then_rebuild: dict) -> None:
    assert crash_then_rebuild["after_kill"] == crash_then_rebuild["published"]


def test_the_build_after_a_killed_build_succeeds(crash_then_rebuild: dict) -> None:
    rebuild = crash_then_rebuild["rebuild"]
    assert rebuild.returncode == 0, (rebuild.stdout or "")[-3000:]


def test_two_builds_of_the_same_input_give_identical_public_marts(crash_then_rebuild: dict) -> None:
    first, second = crash_then_rebuild["first"], crash_then_rebuild["second"]
    assert len(first) >= 5, sorted(first)
    differing = sorted(name for name in first if first[name] != second.get(name))
    assert not differing, differing


def test_a_failing_audit_leaves_the_published_data_untouched(drills: DrillBuild, crash_then_rebuild: dict) -> None:
    serving = crash_then_rebuild["serving"]
    before = _served(serving)
    # Write: a bad value lands in a built copy of the warehouse (the shared build stays clean).
    bad = drills.root / "bad" / "build.duckdb"
    bad.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(drills.database, bad)
    con = duckdb.connect(str(bad))
    con.execute(
        "update kpi.kpi_channel_performance__daily set spend = -1000 "
        "where rowid = (select min(rowid) from kpi.kpi_channel_performance__daily where spend > 0)"
    )
    con.close()
    # Audit: the expectation on spend fails and the verdict says so.
    report = bad.parent / "audit" / "last_audit.json"
    result = run_audit(
        bad,
        data_docs_dir=None,
        tables=["kpi_channel_performance__daily"],
        manifest=crash_then_rebuild["manifest"],
        report_file=report,
    )
    assert not result.success
    assert any(f.column == "spend" for f in result.failures), [(f.expectation, f.column) for f in result.failures]
    # Publish: refused; what BI reads is exactly what it was.
    code = publish_main(
        [
            "--build-db",
            str(bad),
            "--serving-dir",
            str(serving),
            "--manifest",
            str(crash_then_rebuild["manifest"]),
            "--require-audit-file",
            str(report),
        ]
    )
    assert code == 1
    assert _served(serving) == before

"""Publishing the public marts to the serving area: what is published, the layout, atomicity under
failure (an exception part-way, a SIGKILL part-way), version pruning and the audit gate."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from _publish_testkit import (
    FIXTURE_MODELS,
    PUBLIC_FIXTURE_TABLES,
    dataset_total,
    make_build_db,
    make_fixture,
    make_manifest,
)

from marketing_kpi import publish as pub


def _tables(db: Path) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("select schema_name || '.' || table_name from duckdb_tables()").fetchall()
    finally:
        con.close()
    return {r[0] for r in rows}


def _query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _snapshot(serving: Path) -> dict[str, str]:
    """Content hash of every served file (following the Parquet symlinks) plus link targets."""
    state = {}
    served = serving / pub.SERVING_FILE_NAME
    state["duckdb"] = hashlib.sha256(served.read_bytes()).hexdigest()
    state["duckdb_inode"] = str(served.stat().st_ino)
    parquet = serving / pub.PARQUET_DIR_NAME
    state["current"] = os.readlink(parquet / pub.CURRENT_LINK_NAME)
    for file in sorted((parquet / pub.CURRENT_LINK_NAME).rglob("*.parquet")):
        state[str(file.relative_to(parquet))] = hashlib.sha256(file.read_bytes()).hexdigest()
    versions = (parquet / pub.VERSIONS_DIR_NAME).iterdir()
    state["versions"] = ",".join(sorted(p.name for p in versions if not p.name.startswith(".tmp-")))
    return state


def test_publishes_exactly_the_public_marts_without_pii(tmp_path, caplog):
    fx = make_fixture(tmp_path)
    with caplog.at_level(logging.INFO, logger="marketing_kpi.publish"):
        result = pub.publish(fx.build_a, fx.serving, fx.manifest)

    served = fx.serving / "marketing_kpi.duckdb"
    assert result.serving_file == served
    assert _tables(served) == {
        *PUBLIC_FIXTURE_TABLES,
        "meta.build_info",
        "meta.publish_log",
        "meta.build_sources",
        "meta.audit_skipped_expectations",
    }
    assert "model.marketing_kpi.stg_crm__leads" in result.excluded_models
    assert "not publishing model.marketing_kpi.stg_crm__leads" in caplog.text

    columns = {name for (name,) in _query(served, "select column_name from duckdb_columns()")}
    assert {"contact_email", "contact_phone", "email_hash"}.isdisjoint(columns)
    assert {"lead_id", "country_code", "created_at"} <= columns
    assert "contact_email, contact_phone, email_hash" in caplog.text  # the log says what was dropped
    leads = next(t for t in result.tables if t.name == "dim_leads")
    assert leads.dropped_columns == ("contact_email", "contact_phone", "email_hash")

    # Data equals the build's; the view-backed model is published as a table.
    assert _query(served, "select sum(clicks) from kpi.kpi_channel_spend__daily") == [(dataset_total("A"),)]
    assert _query(served, "select count(*) from marts.dim_channels") == [(7,)]
    # Descriptions travel with the tables.
    assert _query(served, "select comment from duckdb_tables() where table_name = 'fct_orders'") == [
        ("Test model fct_orders. One row per thing.",)
    ]

    build_info = _query(served, "select build_id, dbt_invocation_id, tables_published from meta.build_info")
    assert build_info == [(result.build_id, "build-invocation", 4)]
    log_rows = _query(served, "select schema_name, table_name, row_count, fingerprint from meta.publish_log")
    assert {(s, t, n, f) for s, t, n, f in log_rows} == {
        (t.schema, t.name, t.rows, t.fingerprint) for t in result.tables
    }
    assert result.row_counts["kpi.kpi_channel_spend__daily"] == 20_000


def test_parquet_layout_has_stable_paths(tmp_path):
    fx = make_fixture(tmp_path)
    result = pub.publish(fx.build_a, fx.serving, fx.manifest)
    parquet = fx.serving / "parquet"

    assert os.readlink(parquet / "current") == f".versions/{result.build_id}"
    assert result.parquet_dir == parquet / "current"
    con = duckdb.connect()
    for qualified in PUBLIC_FIXTURE_TABLES:
        schema, name = qualified.split(".")
        stable_glob = parquet / schema / name / "*.parquet"  # parquet/<schema> -> current/<schema>
        rows = con.execute(f"select count(*) from read_parquet('{stable_glob}')").fetchone()[0]
        assert rows == result.row_counts[qualified]
    glob = parquet / "current" / "meta" / "build_info" / "*.parquet"
    assert con.execute(f"select build_id from read_parquet('{glob}')").fetchone()[0] == result.build_id
    leads_columns = {d[0] for d in con.execute(f"select * from '{parquet}/marts/dim_leads/*.parquet'").description}
    assert "contact_email" not in leads_columns and "email_hash" not in leads_columns

    history = [json.loads(line) for line in (fx.serving / "publish_log.jsonl").read_text().splitlines()]
    assert [h["build_id"] for h in history] == [result.build_id]


def test_tables_come_from_the_manifest_not_from_code(tmp_path):
    """Add a public model to the manifest and it is published; make one protected and it is not."""
    build = make_build_db(tmp_path / "build.duckdb")
    con = duckdb.connect(str(build))
    con.execute("create table kpi.kpi_new_subject__monthly as select 1 as x")
    con.close()
    models = dict(FIXTURE_MODELS)
    models["kpi_new_subject__monthly"] = ("marts/kpi/kpi_new_subject__monthly.sql", "kpi", "public", {"x": {}})
    path, schema, _, cols = models["fct_orders"]
    models["fct_orders"] = (path, schema, "protected", cols)
    manifest = make_manifest(tmp_path / "target" / "manifest.json", models=models)

    result = pub.publish(build, tmp_path / "serving", manifest)
    published = {f"{t.schema}.{t.name}" for t in result.tables}
    assert "kpi.kpi_new_subject__monthly" in published
    assert "marts.fct_orders" not in published


def test_a_public_model_missing_from_the_build_refuses_the_publish(tmp_path):
    fx = make_fixture(tmp_path)
    models = dict(FIXTURE_MODELS)
    models["kpi_not_built"] = ("marts/kpi/kpi_not_built.sql", "kpi", "public", {})
    manifest = make_manifest(tmp_path / "target2" / "manifest.json", models=models)
    with pytest.raises(pub.PublishError, match="not in the build database"):
        pub.publish(fx.build_a, fx.serving, manifest)
    assert not (fx.serving / "marketing_kpi.duckdb").exists()
    assert not list((fx.serving / "parquet" / ".versions").iterdir())


def test_unmarked_contact_details_stop_the_publish(tmp_path):
    """A text column holding email addresses that nobody marked as PII is caught by the scan."""
    fx = make_fixture(tmp_path)
    models = dict(FIXTURE_MODELS)
    path, schema, access, cols = models["dim_leads"]
    models["dim_leads"] = (path, schema, access, {**cols, "contact_email": {}})  # PII flag forgotten
    manifest = make_manifest(tmp_path / "target2" / "manifest.json", models=models)
    with pytest.raises(pub.PublishError, match="contact_email"):
        pub.publish(fx.build_a, fx.serving, manifest)
    assert not (fx.serving / "marketing_kpi.duckdb").exists()


def test_exception_half_way_leaves_the_published_files_untouched(tmp_path):
    fx = make_fixture(tmp_path)
    first = pub.publish(fx.build_a, fx.serving, fx.manifest)
    before = _snapshot(fx.serving)

    staged: list[str] = []

    def fail_after_half(table: pub.PublishedTable) -> None:
        staged.append(table.name)
        if len(staged) == len(PUBLIC_FIXTURE_TABLES) // 2:
            raise RuntimeError("injected failure")

    with pytest.raises(RuntimeError, match="injected failure"):
        pub.publish(fx.build_b, fx.serving, fx.manifest, on_table=fail_after_half)

    assert _snapshot(fx.serving) == before
    assert _query(fx.serving / "marketing_kpi.duckdb", "select build_id from meta.build_info") == [(first.build_id,)]
    leftovers = [p.name for p in fx.serving.iterdir() if p.name.startswith(".marketing_kpi.duckdb")]
    assert leftovers == []


def test_sigkill_half_way_leaves_the_served_file_intact_and_the_next_publish_succeeds(tmp_path):
    fx = make_fixture(tmp_path)
    first = pub.publish(fx.build_a, fx.serving, fx.manifest)
    before = _snapshot(fx.serving)
    marker = tmp_path / "half_way"
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from marketing_kpi.publish import publish

        staged = []
        def stall(table):
            staged.append(table)
            if len(staged) == 2:
                Path({str(marker)!r}).touch()
                time.sleep(60)

        publish(Path({str(fx.build_b)!r}), Path({str(fx.serving)!r}), Path({str(fx.manifest)!r}), on_table=stall)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert proc.poll() is None, "the publish process ended before reaching half way"
            assert time.monotonic() < deadline, "the publish process never reached half way"
            time.sleep(0.05)
        assert any(p.name.startswith(".marketing_kpi.duckdb.tmp-") for p in fx.serving.iterdir())
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL

    assert _snapshot(fx.serving) == before
    served = fx.serving / "marketing_kpi.duckdb"
    assert _query(served, "select build_id from meta.build_info") == [(first.build_id,)]

    second = pub.publish(fx.build_b, fx.serving, fx.manifest)
    assert _query(served, "select build_id from meta.build_info") == [(second.build_id,)]
    assert _query(served, "select sum(clicks) from kpi.kpi_channel_spend__daily") == [(dataset_total("B"),)]
    leftovers = [p.name for p in fx.serving.iterdir() if ".tmp-" in p.name]
    assert leftovers == [], "the next publish removes the killed publish's temporary files"
    assert not list((fx.serving / "parquet" / ".versions").glob(".tmp-*"))


def test_only_the_last_two_parquet_versions_are_kept(tmp_path):
    fx = make_fixture(tmp_path)
    results = [pub.publish(fx.build_a, fx.serving, fx.manifest) for _ in range(4)]
    versions = sorted(p.name for p in (fx.serving / "parquet" / ".versions").iterdir())
    assert versions == [results[-2].build_id, results[-1].build_id]
    assert os.readlink(fx.serving / "parquet" / "current") == f".versions/{results[-1].build_id}"
    assert len((fx.serving / "publish_log.jsonl").read_text().splitlines()) == 4


def test_the_served_file_is_read_only_and_the_build_db_is_unchanged(tmp_path):
    fx = make_fixture(tmp_path)
    digest = hashlib.sha256(fx.build_a.read_bytes()).hexdigest()
    pub.publish(fx.build_a, fx.serving, fx.manifest)
    assert hashlib.sha256(fx.build_a.read_bytes()).hexdigest() == digest
    assert (fx.serving / "marketing_kpi.duckdb").stat().st_mode & 0o222 == 0


@pytest.mark.parametrize(
    ("content", "passes"),
    [
        ({"success": True, "checks": 12}, True),
        ({"success": False}, False),
        ({"success": "true"}, False),
        ({"checks": 12}, False),
        ([True], False),
        (None, False),  # no file
    ],
)
def test_audit_gate(tmp_path, content, passes):
    audit = tmp_path / "audit" / "last_audit.json"
    if content is not None:
        audit.parent.mkdir()
        audit.write_text(json.dumps(content))
    if passes:
        assert pub.check_audit(audit)["success"] is True
    else:
        with pytest.raises(pub.AuditNotPassed):
            pub.check_audit(audit)


def test_command_line_refuses_without_a_passed_audit_and_publishes_with_one(tmp_path, capsys):
    fx = make_fixture(tmp_path)
    audit = tmp_path / "last_audit.json"
    audit.write_text(json.dumps({"success": False}))
    argv = [
        "--build-db",
        str(fx.build_a),
        "--serving-dir",
        str(fx.serving),
        "--manifest",
        str(fx.manifest),
        "--require-audit-file",
        str(audit),
    ]
    assert pub.main(argv) == 1
    assert "audit did not pass" in capsys.readouterr().err
    assert not (fx.serving / "marketing_kpi.duckdb").exists()

    audit.write_text(json.dumps({"success": True}))
    assert pub.main(argv) == 0
    assert "Published build" in capsys.readouterr().out
    assert (fx.serving / "marketing_kpi.duckdb").exists()

    # Without a PATH the gate reads audit/last_audit.json beside the build database.
    assert pub.main([*argv[:-1]]) == 1
    assert "audit file not found" in capsys.readouterr().err
    (fx.build_a.parent / "audit").mkdir()
    (fx.build_a.parent / "audit" / "last_audit.json").write_text(json.dumps({"success": True}))
    assert pub.main([*argv[:-1]]) == 0


def test_a_locked_build_database_is_reported_clearly(tmp_path):
    fx = make_fixture(tmp_path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(fx.build_a)!r}); print('ready', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(pub.PublishError, match="read-only"):
            pub.publish(fx.build_a, fx.serving, fx.manifest)
    finally:
        holder.kill()
        holder.wait(timeout=10)

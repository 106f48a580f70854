"""Publish the public marts from the build database to a read-only serving area for BI tools.

DuckDB allows one writing process *or* many reading ones per file: a BI client holding the build
database would block `dbt build`, and a build would block the BI client. So BI never reads the
build database; it reads what this module publishes:

    <serving_dir>/marketing_kpi.duckdb            one DuckDB file, schemas kpi, marts and meta,
                                                  written in the DuckDB 1.x storage format
    <serving_dir>/parquet/current                 symlink to the current version's directory
    <serving_dir>/parquet/<schema>/<model>/       stable path of one dataset (part-0.parquet);
                                                  <schema> is a fixed symlink to current/<schema>
    <serving_dir>/parquet/.versions/<build_id>/   the last two published versions
    <serving_dir>/publish_log.jsonl               one JSON line per publish (operators' history)

What gets published is read from the dbt manifest, never hard-coded: every model with
`access: public` (the kpi_* marts and the dim_/fct_ marts), minus any column the manifest marks as
PII (`meta: {pii: true}` or a `pii` tag) and any column whose name ends in `_hash`. Staging, raw,
intermediate and quarantine models are refused even if someone marks them public.

How a publish stays safe for readers:

* The build database is opened read-only; nothing in it changes.
* A complete new DuckDB file is written aside (same directory, temporary name), checked (row count
  and an order-independent fingerprint per table equal the build's), fsync'ed and then moved over
  the served file with `os.replace`. On POSIX that rename is atomic: a reader that has the old file
  open keeps reading the old, complete snapshot; a reader that opens the path afterwards gets the
  new file; nobody sees a half-written file or meets a lock, because nothing ever writes to the
  served path.
* Parquet is written to a new version directory; the `current` symlink is then swapped atomically
  (a new symlink renamed over the old one). Each dataset is a single file, so even a reader that
  globs the stable path sees one version of a table. To read several tables of *one* version,
  resolve `current` once (os.path.realpath) and read from the resolved directory.
* Both outputs are prepared completely before either is switched, so a publish that fails (or is
  killed) part-way leaves the previously published file and Parquet untouched. Leftover temporary
  files are removed by the next publish. Publishes are serialised by a lock file.

Audit gate: `publish()` itself does not judge data quality; the pipeline calls it only after the
dbt tests and the Great Expectations audit passed. `--require-audit-file [PATH]` makes the command
refuse to publish unless PATH (default audit/last_audit.json beside the build database, i.e.
warehouse/audit/last_audit.json, where marketing_kpi.quality.audit writes its report) is a JSON
object whose top-level `success` is the boolean `true`, and whose raw row counts (`sources`) are
those of the build being published (an audit of another build does not pass).

What the build was made of travels with it, in the `meta` schema (docs/ANALYSTS.md):
`meta.build_info.audit_status` ('passed', or 'not audited' when published without
`--require-audit-file`), `meta.build_sources` (every raw table of the contract: provided or not,
row count) and `meta.audit_skipped_expectations` (the audit's expectations skipped or relaxed for
partial data, with their reasons).

`marketing-kpi build --no-audit` does not publish: the pipeline's gate is fail-closed, as in any
write-audit-publish setup, so unaudited data never replaces what BI reads by accident.
`not_published_notice()` is what it prints instead, with the two ways to publish (audit, then
`publish --require-audit-file`; or `publish` on purpose, recorded as 'not audited').
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import secrets
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from marketing_kpi import paths
from marketing_kpi.contract import load_contract

try:  # POSIX: the publish lock and the atomic-rename guarantees this module relies on.
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock; os.replace fails while a reader has the file
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

SERVING_FILE_NAME = "marketing_kpi.duckdb"
PARQUET_DIR_NAME = "parquet"
VERSIONS_DIR_NAME = ".versions"
CURRENT_LINK_NAME = "current"
PARQUET_FILE_NAME = "part-0.parquet"
LOCK_FILE_NAME = ".publish.lock"
HISTORY_FILE_NAME = "publish_log.jsonl"
META_SCHEMA = "meta"
META_TABLES = ("build_info", "publish_log", "build_sources", "audit_skipped_expectations")
AUDIT_PASSED = "passed"
NOT_AUDITED = "not audited"
RAW_SCHEMA = "raw"

#: Help text of `marketing-kpi build --no-audit` (cli.py).
NO_AUDIT_HELP = (
    "skip the GX audit; the build is then NOT published (only an audited build replaces what BI reads): "
    "publish it afterwards with `marketing-kpi audit && marketing-kpi publish --require-audit-file`, "
    "or unaudited on purpose with `marketing-kpi publish` (meta.build_info.audit_status = 'not audited')"
)
TMP_PREFIX = ".tmp-"

# DuckDB storage format of the served file. 'v1.0.0' (storage version 64) is readable by every
# DuckDB client from 1.0 to 2.x; 'v1.2.0' and later are not readable by 1.0/1.1 clients. Checked by
# opening files written with each option under duckdb 1.0.0, 1.1.3 and 1.4.1.
SERVING_STORAGE_VERSION = "v1.0.0"
KEEP_VERSIONS = 2

# Models in these layers never leave the warehouse, whatever their `access` says.
FORBIDDEN_SCHEMAS = frozenset({"raw", "reference", "staging", "intermediate", "quarantine", META_SCHEMA})
FORBIDDEN_NAME_PREFIXES = ("stg_", "base_", "int_", "raw_")
HASH_SUFFIX = "_hash"

# Contact-detail patterns, the same ones macros/redact_contact_details.sql redacts, but anchored so
# that a match must stand alone (not be digits inside a longer identifier such as a UUID).
EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
PHONE_PATTERN = (
    r"(^|[^0-9A-Za-z_-])(\+|00)?\(?[0-9]{1,4}\)?[ .-]?\(?[0-9]{2,4}\)?[ .-]?[0-9]{3,4}[ .-]?[0-9]{3,4}"
    r"($|[^0-9A-Za-z_-])"
)
TEXT_TYPES = ("VARCHAR", "TEXT", "STRING", "CHAR", "BPCHAR")


class PublishError(RuntimeError):
    """The publish was refused or failed; the served files were left as they were."""


class AuditNotPassed(PublishError):
    """--require-audit-file was given and the audit file does not say the audit passed."""


@dataclass(frozen=True)
class PublicModel:
    """One public dbt model as the manifest describes it."""

    unique_id: str
    name: str
    database: str
    schema: str
    identifier: str
    description: str
    column_descriptions: dict[str, str]
    pii_columns: frozenset[str]


@dataclass(frozen=True)
class PublishedTable:
    """One table as published: where it is, what it holds and what was left out."""

    unique_id: str
    schema: str
    name: str
    rows: int
    fingerprint: str
    columns: tuple[str, ...]
    dropped_columns: tuple[str, ...]
    parquet_path: str


@dataclass(frozen=True)
class SourceRow:
    """One raw table of the contract in the published build: provided (at least one row) or not."""

    table: str  # raw.orders
    rows: int
    provided: bool
    required: bool


@dataclass(frozen=True)
class PublishResult:
    """What a publish produced."""

    build_id: str
    published_at: str
    serving_file: Path
    parquet_dir: Path
    parquet_version_dir: Path
    tables: tuple[PublishedTable, ...]
    excluded_models: tuple[str, ...] = field(default_factory=tuple)
    dbt_invocation_id: str | None = None
    seconds: float = 0.0
    audit_status: str = NOT_AUDITED
    sources: tuple[SourceRow, ...] = field(default_factory=tuple)
    skipped_expectations: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    @property
    def row_counts(self) -> dict[str, int]:
        return {f"{t.schema}.{t.name}": t.rows for t in self.tables}


# --------------------------------------------------------------------------------------------
# Reading the manifest and the audit file
# --------------------------------------------------------------------------------------------


def default_target_dir() -> Path:
    """dbt's target directory: DBT_TARGET_PATH (which dbt itself honours) or <project>/target."""
    value = os.environ.get("DBT_TARGET_PATH")
    if not value:
        return paths.PROJECT_ROOT / "target"
    target = Path(value).expanduser()
    return target if target.is_absolute() else paths.PROJECT_ROOT / target


def default_manifest() -> Path:
    return default_target_dir() / "manifest.json"


def default_audit_file() -> Path:
    """Where the quality audit (marketing_kpi.quality.audit) writes its verdict, a JSON object with a
    boolean `success`: audit/last_audit.json beside the build database (warehouse/ by default)."""
    return paths.build_database().parent / "audit" / "last_audit.json"


def _is_pii(column: dict[str, Any]) -> bool:
    config = column.get("config") or {}
    metas = (column.get("meta") or {}, config.get("meta") or {})
    tags = [*(column.get("tags") or []), *(config.get("tags") or [])]
    return any(bool(meta.get("pii")) for meta in metas) or "pii" in {str(t).lower() for t in tags}


def _refusal_reason(node: dict[str, Any]) -> str | None:
    schema = str(node.get("schema", "")).lower()
    name = str(node.get("name", "")).lower()
    path = str(node.get("original_file_path") or node.get("path") or "").lower().replace("\\", "/")
    if schema in FORBIDDEN_SCHEMAS:
        return f"schema {schema!r} is never published"
    if name.startswith(FORBIDDEN_NAME_PREFIXES) or "quarantine" in name:
        return "staging/intermediate/quarantine models are never published"
    if any(f"/{layer}/" in f"/{path}" for layer in ("staging", "intermediate", "raw")):
        return f"model file {path!r} is not in a mart folder"
    return None


def load_public_models(manifest: Path) -> tuple[list[PublicModel], list[str]]:
    """The manifest's public models (sorted by schema and name), and the ids of public models that
    were refused because they belong to a layer that is never published."""
    try:
        data = json.loads(Path(manifest).read_text())
    except FileNotFoundError as exc:
        raise PublishError(f"dbt manifest not found: {manifest} (run dbt build/parse first)") from exc
    models: list[PublicModel] = []
    refused: list[str] = []
    for unique_id, node in (data.get("nodes") or {}).items():
        if node.get("resource_type") != "model":
            continue
        config = node.get("config") or {}
        access = node.get("access") or config.get("access")
        if access != "public" or config.get("materialized") == "ephemeral":
            continue
        if config.get("enabled") is False:
            continue
        reason = _refusal_reason(node)
        if reason:
            log.warning("not publishing %s: %s", unique_id, reason)
            refused.append(unique_id)
            continue
        columns = node.get("columns") or {}
        models.append(
            PublicModel(
                unique_id=unique_id,
                name=node["name"],
                database=str(node.get("database") or ""),
                schema=node["schema"],
                identifier=node.get("alias") or node["name"],
                description=str(node.get("description") or ""),
                column_descriptions={name.lower(): str(col.get("description") or "") for name, col in columns.items()},
                pii_columns=frozenset(name.lower() for name, col in columns.items() if _is_pii(col)),
            )
        )
    models.sort(key=lambda m: (m.schema, m.identifier))
    return models, refused


def _dbt_metadata(manifest: Path, run_results: Path | None) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):
        manifest_meta = json.loads(Path(manifest).read_text()).get("metadata") or {}
        meta["manifest_invocation_id"] = manifest_meta.get("invocation_id")
        meta["manifest_generated_at"] = manifest_meta.get("generated_at")
        meta["dbt_version"] = manifest_meta.get("dbt_version")
    if run_results is not None:
        with contextlib.suppress(OSError, ValueError):
            rr_meta = json.loads(Path(run_results).read_text()).get("metadata") or {}
            meta["run_results_invocation_id"] = rr_meta.get("invocation_id")
            meta["run_results_generated_at"] = rr_meta.get("generated_at")
    meta["dbt_invocation_id"] = meta.get("run_results_invocation_id") or meta.get("manifest_invocation_id")
    return meta


def check_audit(audit_file: Path, build_db: Path | None = None) -> dict[str, Any]:
    """Raise AuditNotPassed unless `audit_file` is a JSON object with `"success": true`.

    Only the boolean `true` passes (not "true", not 1). If the build database is newer than the
    audit file, a warning is logged: the audit may describe an earlier build."""
    try:
        verdict = json.loads(Path(audit_file).read_text())
    except FileNotFoundError as exc:
        raise AuditNotPassed(f"audit file not found: {audit_file} (run the quality audit first)") from exc
    except ValueError as exc:
        raise AuditNotPassed(f"audit file is not valid JSON: {audit_file}: {exc}") from exc
    if not isinstance(verdict, dict) or verdict.get("success") is not True:
        shown = verdict.get("success") if isinstance(verdict, dict) else verdict
        raise AuditNotPassed(f"audit did not pass ({audit_file}: success={shown!r}); not publishing")
    build_db_mtime = Path(build_db).stat().st_mtime if build_db and Path(build_db).exists() else 0.0
    if build_db_mtime > Path(audit_file).stat().st_mtime + 1:
        log.warning("the build database is newer than the audit file %s: was it audited?", audit_file)
    return verdict


# --------------------------------------------------------------------------------------------
# Filesystem helpers
# --------------------------------------------------------------------------------------------


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def _publish_lock(serving_dir: Path, timeout_s: float) -> Iterator[None]:
    """One publisher at a time per serving directory (released by the kernel if we are killed)."""
    lock_path = serving_dir / LOCK_FILE_NAME
    if fcntl is None:
        yield
        return
    with open(lock_path, "a+") as handle:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError as exc:
                if time.monotonic() > deadline:
                    raise PublishError(f"another publish holds {lock_path}") from exc
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _clean_leftovers(serving_dir: Path, versions_dir: Path) -> None:
    """Remove temporary files of publishes that were killed (called under the publish lock)."""
    for leftover in [*serving_dir.glob(f".{SERVING_FILE_NAME}{TMP_PREFIX}*"), *versions_dir.glob(f"{TMP_PREFIX}*")]:
        log.info("removing leftover of an interrupted publish: %s", leftover)
        _remove(leftover)
    parquet_dir = versions_dir.parent
    for leftover in parquet_dir.glob(f".{CURRENT_LINK_NAME}{TMP_PREFIX}*"):
        _remove(leftover)


def _swap_symlink(link: Path, target: str) -> None:
    """Point `link` at `target` atomically (rename a new symlink over the old one)."""
    tmp = link.with_name(f".{link.name}{TMP_PREFIX}{secrets.token_hex(4)}")
    os.symlink(target, tmp)
    if link.exists() and not link.is_symlink():
        tmp.unlink()
        raise PublishError(f"{link} exists and is not a symlink; move it away")
    os.replace(tmp, link)


def _prune_versions(versions_dir: Path, keep: int, current: str) -> list[str]:
    done = sorted(p.name for p in versions_dir.iterdir() if not p.name.startswith(TMP_PREFIX))
    pruned = [name for name in done[: max(len(done) - keep, 0)] if name != current]
    for name in pruned:
        shutil.rmtree(versions_dir / name, ignore_errors=True)
    return pruned


def _new_build_id() -> str:
    now = dt.datetime.now(dt.timezone.utc)
    return f"{now:%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}"


# --------------------------------------------------------------------------------------------
# SQL helpers
# --------------------------------------------------------------------------------------------


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _rows_and_fingerprint(con: duckdb.DuckDBPyConnection, select_sql: str) -> tuple[int, str]:
    """Row count and an order-independent fingerprint of a query's rows (sum of row hashes)."""
    rows, hash_sum = con.execute(
        f"select count(*), coalesce(sum(hash(fingerprinted)::hugeint), 0) from ({select_sql}) as fingerprinted"
    ).fetchone()
    digest = hashlib.sha256(f"{rows}:{hash_sum}".encode()).hexdigest()[:16]
    return int(rows), digest


def _text_columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> list[str]:
    rows = con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = ? and schema_name = ? and table_name = ? order by column_index",
        [catalog, schema, table],
    ).fetchall()
    return [name for name, dtype in rows if str(dtype).upper().startswith(TEXT_TYPES)]


def find_contact_details(con: duckdb.DuckDBPyConnection, relation_sql: str, columns: Sequence[str]) -> list[str]:
    """The text columns of `relation_sql` (a table name or `read_parquet(...)`) holding a value that
    looks like an email address or a phone number."""
    found = []
    for column in columns:
        hit = con.execute(
            f"select {_q(column)} from {relation_sql} "
            f"where regexp_matches({_q(column)}, ?) or regexp_matches({_q(column)}, ?) limit 1",
            [EMAIL_PATTERN, PHONE_PATTERN],
        ).fetchone()
        if hit is not None:
            found.append(column)
    return found


def _connect(serving_dir: Path) -> duckdb.DuckDBPyConnection:
    config = {
        "threads": os.environ.get("MKPI_DUCKDB_THREADS", "2"),
        "memory_limit": os.environ.get("MKPI_DUCKDB_MEMORY_LIMIT", "4GB"),
        "temp_directory": os.environ.get("MKPI_DUCKDB_TEMP_DIR") or str(serving_dir / ".duckdb_tmp"),
    }
    return duckdb.connect(":memory:", config=config)


# --------------------------------------------------------------------------------------------
# Publish
# --------------------------------------------------------------------------------------------


def publish(
    build_db: Path,
    serving_dir: Path,
    manifest: Path,
    *,
    audit: dict[str, Any] | None = None,
    run_results: Path | None = None,
    keep_versions: int = KEEP_VERSIONS,
    scan_contact_details: bool = True,
    lock_timeout_s: float = 600.0,
    on_table: Callable[[PublishedTable], None] | None = None,
) -> PublishResult:
    """Publish the manifest's public models from `build_db` into `serving_dir` (see module doc).

    `run_results` defaults to run_results.json beside the manifest (for the dbt invocation id).
    With `scan_contact_details`, a table with a text value that looks like an email address or a
    phone number stops the publish. `on_table` is called after each table is staged (progress
    reporting; tests use it to fail a publish part-way). `audit` is the passed audit's report
    (check_audit): its skipped expectations go to meta.audit_skipped_expectations and
    meta.build_info.audit_status says 'passed'; without it, 'not audited'. Raises PublishError; on
    any error the previously published files are untouched."""
    started = time.perf_counter()
    build_db, serving_dir, manifest = Path(build_db), Path(serving_dir), Path(manifest)
    if run_results is None:
        run_results = manifest.with_name("run_results.json")
    if not build_db.exists():
        raise PublishError(f"build database not found: {build_db} (run `marketing-kpi build` first)")
    models, refused = load_public_models(manifest)
    if not models:
        raise PublishError(f"the manifest {manifest} has no public models to publish")

    serving_dir.mkdir(parents=True, exist_ok=True)
    parquet_dir = serving_dir / PARQUET_DIR_NAME
    versions_dir = parquet_dir / VERSIONS_DIR_NAME
    versions_dir.mkdir(parents=True, exist_ok=True)
    served_file = serving_dir / SERVING_FILE_NAME

    with _publish_lock(serving_dir, lock_timeout_s):
        _clean_leftovers(serving_dir, versions_dir)
        build_id = _new_build_id()
        published_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        tmp_file = serving_dir / f".{SERVING_FILE_NAME}{TMP_PREFIX}{build_id}"
        tmp_version = versions_dir / f"{TMP_PREFIX}{build_id}"
        final_version = versions_dir / build_id
        current_link = parquet_dir / CURRENT_LINK_NAME
        previous_target = os.readlink(current_link) if current_link.is_symlink() else None
        swapped = False
        try:
            tables, dbt_meta, sources = _stage(
                build_db=build_db,
                tmp_file=tmp_file,
                tmp_version=tmp_version,
                models=models,
                manifest=manifest,
                run_results=run_results,
                build_id=build_id,
                published_at=published_at,
                scan_contact_details=scan_contact_details,
                on_table=on_table,
                serving_dir=serving_dir,
                audit=audit,
            )
            # Both outputs are complete and durable; now switch them into place.
            os.rename(tmp_version, final_version)
            _fsync_path(versions_dir)
            os.chmod(tmp_file, 0o444)
            _swap_symlink(current_link, f"{VERSIONS_DIR_NAME}/{build_id}")
            swapped = True
            os.replace(tmp_file, served_file)
        except BaseException:
            if swapped and previous_target is not None:
                _swap_symlink(current_link, previous_target)  # put the old Parquet version back
            _remove(tmp_file)
            _remove(tmp_file.with_name(tmp_file.name + ".wal"))
            _remove(tmp_version)
            if not swapped or previous_target is not None:
                _remove(final_version)
            raise
        _fsync_path(parquet_dir)
        _fsync_path(serving_dir)
        schemas = sorted({t.schema for t in tables} | {META_SCHEMA})
        _link_schema_dirs(parquet_dir, schemas)
        pruned = _prune_versions(versions_dir, keep_versions, build_id)
        if pruned:
            log.info("pruned old Parquet versions: %s", ", ".join(pruned))
        result = PublishResult(
            build_id=build_id,
            published_at=published_at.isoformat() + "Z",
            serving_file=served_file,
            parquet_dir=current_link,
            parquet_version_dir=final_version,
            tables=tuple(tables),
            excluded_models=tuple(refused),
            dbt_invocation_id=dbt_meta.get("dbt_invocation_id"),
            seconds=round(time.perf_counter() - started, 3),
            audit_status=AUDIT_PASSED if audit is not None else NOT_AUDITED,
            sources=tuple(sources),
            skipped_expectations=tuple(_skipped_rows(audit)),
        )
        _append_history(serving_dir, result)
    log.info(
        "published build %s: %d tables, %d rows in %.1fs -> %s",
        build_id,
        len(tables),
        sum(t.rows for t in tables),
        result.seconds,
        served_file,
    )
    return result


def _stage(
    *,
    build_db: Path,
    tmp_file: Path,
    tmp_version: Path,
    models: Sequence[PublicModel],
    manifest: Path,
    run_results: Path | None,
    build_id: str,
    published_at: dt.datetime,
    scan_contact_details: bool,
    on_table: Callable[[PublishedTable], None] | None,
    serving_dir: Path,
    audit: dict[str, Any] | None = None,
) -> tuple[list[PublishedTable], dict[str, Any], list[SourceRow]]:
    """Write the new DuckDB file and Parquet version aside; verify them; fsync them."""
    # Attach the build database under the catalog name dbt gave it, so that views which name their
    # catalog explicitly still resolve.
    databases = {m.database for m in models if m.database}
    src = databases.pop() if len(databases) == 1 else build_db.stem
    out = "mkpi_publish_out" if src != "mkpi_publish_out" else "mkpi_publish_out2"
    dbt_meta = _dbt_metadata(manifest, run_results)
    tmp_version.mkdir(parents=True)
    con = _connect(serving_dir)
    try:
        try:
            con.execute(f"attach {_lit(str(build_db))} as {_q(src)} (read_only)")
        except duckdb.Error as exc:
            raise PublishError(
                f"cannot open the build database {build_db} read-only (is dbt still writing it?): {exc}"
            ) from exc
        sources = measure_sources(con, src)
        if audit is not None:
            _check_audit_matches_build(audit, sources)
        con.execute(f"attach {_lit(str(tmp_file))} as {_q(out)} (storage_version {_lit(SERVING_STORAGE_VERSION)})")
        # One transaction for the whole file: one commit (and fsync) instead of one per statement.
        con.execute("begin transaction")
        tables: list[PublishedTable] = []
        for schema in sorted({m.schema for m in models} | {META_SCHEMA}):
            con.execute(f"create schema {_q(out)}.{_q(schema)}")
        for model in models:
            table = _stage_table(con, src, out, model, tmp_version, scan_contact_details)
            tables.append(table)
            if on_table is not None:
                on_table(table)
        _write_meta(con, out, tmp_version, tables, build_id, published_at, dbt_meta, build_db, audit, sources)
        con.execute("commit")
        con.execute(f"detach {_q(out)}")
    finally:
        con.close()
    _fsync_path(tmp_file)
    for path in sorted(tmp_version.rglob("*"), reverse=True):
        _fsync_path(path)
    _fsync_path(tmp_version)
    return tables, dbt_meta, sources


def measure_sources(con: duckdb.DuckDBPyConnection, catalog: str) -> list[SourceRow]:
    """Every raw table of the contract in `catalog` (the attached build database): its row count
    and whether it was provided (at least one row; a table that is absent counts as 0 rows)."""
    present = {
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where database_name = ? and schema_name = ?",
            [catalog, RAW_SCHEMA],
        ).fetchall()
    }
    rows = []
    for table in load_contract().values():
        count = 0
        if table.name in present:
            relation = f"{_q(catalog)}.{_q(RAW_SCHEMA)}.{_q(table.name)}"
            count = int(con.execute(f"select count(*) from {relation}").fetchone()[0])
        rows.append(SourceRow(f"{RAW_SCHEMA}.{table.name}", count, count > 0, table.is_required))
    return rows


def _check_audit_matches_build(audit: dict[str, Any], sources: Sequence[SourceRow]) -> None:
    """Refuse an audit report whose raw row counts are not this build's: it audited other data."""
    audited = {s.get("table"): s.get("rows") for s in audit.get("sources") or [] if isinstance(s, dict)}
    differing = [
        f"{s.table}: {audited[s.table]} rows audited, {s.rows} in the build"
        for s in sources
        if s.table in audited and audited[s.table] != s.rows
    ]
    if differing:
        raise AuditNotPassed(
            "the audit report describes other data than the build being published ("
            + "; ".join(differing)
            + "): re-run `marketing-kpi audit`, then publish"
        )


_SKIPPED_FIELDS = ("suite", "table", "column", "expectation", "action", "reason", "detail")


def _skipped_rows(audit: dict[str, Any] | None) -> list[dict[str, Any]]:
    rows = []
    for skip in (audit or {}).get("skipped") or []:
        if isinstance(skip, dict):
            rows.append({k: skip.get(k) for k in _SKIPPED_FIELDS})
    return rows


def _stage_table(
    con: duckdb.DuckDBPyConnection,
    src: str,
    out: str,
    model: PublicModel,
    tmp_version: Path,
    scan_contact_details: bool,
) -> PublishedTable:
    source_columns = [
        row[0]
        for row in con.execute(
            "select column_name from duckdb_columns() "
            "where database_name = ? and schema_name = ? and table_name = ? order by column_index",
            [src, model.schema, model.identifier],
        ).fetchall()
    ]
    if not source_columns:
        raise PublishError(
            f"{model.unique_id} is public in the manifest but {model.schema}.{model.identifier} "
            "is not in the build database (did its dbt build fail?)"
        )
    dropped = [c for c in source_columns if c.lower() in model.pii_columns or c.lower().endswith(HASH_SUFFIX)]
    kept = [c for c in source_columns if c not in dropped]
    if dropped:
        log.warning("%s.%s: not publishing PII/hash column(s) %s", model.schema, model.identifier, ", ".join(dropped))
    if not kept:
        raise PublishError(f"{model.unique_id}: every column is PII; nothing to publish")
    column_list = ", ".join(_q(c) for c in kept)
    source_sql = f"select {column_list} from {_q(src)}.{_q(model.schema)}.{_q(model.identifier)}"
    target = f"{_q(out)}.{_q(model.schema)}.{_q(model.identifier)}"
    con.execute(f"create table {target} as {source_sql}")

    rows, fingerprint = _rows_and_fingerprint(con, source_sql)
    copied_rows, copied_fingerprint = _rows_and_fingerprint(con, f"select {column_list} from {target}")
    if (rows, fingerprint) != (copied_rows, copied_fingerprint):
        raise PublishError(f"{model.unique_id}: the copy does not match the build ({rows} vs {copied_rows} rows)")

    if scan_contact_details:
        flagged = find_contact_details(con, target, _text_columns(con, out, model.schema, model.identifier))
        if flagged:
            raise PublishError(
                f"{model.unique_id}: column(s) {', '.join(flagged)} hold values that look like an email "
                "address or phone number; mark them `meta: {pii: true}` or fix the model"
            )

    if model.description:
        con.execute(f"comment on table {target} is {_lit(model.description)}")
    for column in kept:
        description = model.column_descriptions.get(column.lower())
        if description:
            con.execute(f"comment on column {target}.{_q(column)} is {_lit(description)}")

    parquet_rel = Path(model.schema) / model.identifier / PARQUET_FILE_NAME
    _write_parquet(con, target, tmp_version / parquet_rel, rows)
    return PublishedTable(
        unique_id=model.unique_id,
        schema=model.schema,
        name=model.identifier,
        rows=rows,
        fingerprint=fingerprint,
        columns=tuple(kept),
        dropped_columns=tuple(dropped),
        parquet_path=str(Path(PARQUET_DIR_NAME) / parquet_rel),
    )


def _write_parquet(con: duckdb.DuckDBPyConnection, relation: str, file: Path, expected_rows: int) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"copy (select * from {relation}) to {_lit(str(file))} (format parquet)")
    written = con.execute(f"select count(*) from read_parquet({_lit(str(file))})").fetchone()[0]
    if written != expected_rows:
        raise PublishError(f"{file}: wrote {written} rows, expected {expected_rows}")


def _write_meta(
    con: duckdb.DuckDBPyConnection,
    out: str,
    tmp_version: Path,
    tables: Sequence[PublishedTable],
    build_id: str,
    published_at: dt.datetime,
    dbt_meta: dict[str, Any],
    build_db: Path,
    audit: dict[str, Any] | None = None,
    sources: Sequence[SourceRow] = (),
) -> None:
    meta = f"{_q(out)}.{_q(META_SCHEMA)}"
    skipped = _skipped_rows(audit)
    con.execute(
        f"""
        create table {meta}.build_info as select
            ?::varchar as build_id,
            ?::timestamp as published_at,
            ?::varchar as dbt_invocation_id,
            ?::varchar as manifest_invocation_id,
            ?::varchar as dbt_version,
            ?::varchar as manifest_generated_at,
            ?::varchar as run_results_generated_at,
            ?::varchar as build_database_name,
            ?::varchar as storage_version,
            ?::integer as tables_published,
            ?::bigint as rows_published,
            ?::varchar as audit_status,
            ?::date as audit_as_of_date,
            ?::integer as audit_expectations,
            ?::integer as audit_expectations_passed,
            ?::integer as audit_expectations_skipped,
            ?::integer as audit_expectations_relaxed,
            ?::varchar as sources_provided,
            ?::varchar as sources_not_provided
        """,
        [
            build_id,
            published_at,
            dbt_meta.get("dbt_invocation_id"),
            dbt_meta.get("manifest_invocation_id"),
            dbt_meta.get("dbt_version"),
            dbt_meta.get("manifest_generated_at"),
            dbt_meta.get("run_results_generated_at"),
            build_db.name,
            SERVING_STORAGE_VERSION,
            len(tables),
            sum(t.rows for t in tables),
            AUDIT_PASSED if audit is not None else NOT_AUDITED,
            (audit or {}).get("as_of_date"),
            (audit or {}).get("expectations"),
            (audit or {}).get("passed"),
            sum(s["action"] == "skipped" for s in skipped) if audit is not None else None,
            sum(s["action"] == "relaxed" for s in skipped) if audit is not None else None,
            ", ".join(s.table for s in sources if s.provided),
            ", ".join(s.table for s in sources if not s.provided),
        ],
    )
    con.execute(
        f"""
        create table {meta}.build_sources (
            build_id varchar, source_table varchar, is_provided boolean, is_required boolean, row_count bigint
        )
        """
    )
    for source in sources:
        con.execute(
            f"insert into {meta}.build_sources values (?, ?, ?, ?, ?)",
            [build_id, source.table, source.provided, source.required, source.rows],
        )
    con.execute(
        f"""
        create table {meta}.audit_skipped_expectations (
            build_id varchar, suite_name varchar, table_name varchar, column_name varchar,
            expectation_type varchar, action varchar, reason varchar, detail varchar
        )
        """
    )
    for skip in skipped:
        con.execute(
            f"insert into {meta}.audit_skipped_expectations values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                build_id,
                skip["suite"],
                skip["table"],
                skip["column"],
                skip["expectation"],
                skip["action"],
                skip["reason"],
                skip["detail"] or None,
            ],
        )
    con.execute(
        f"""
        create table {meta}.publish_log (
            build_id varchar, published_at timestamp, schema_name varchar, table_name varchar,
            dbt_unique_id varchar, row_count bigint, fingerprint varchar, columns_published varchar,
            columns_dropped varchar, parquet_path varchar
        )
        """
    )
    for t in tables:
        con.execute(
            f"insert into {meta}.publish_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                build_id,
                published_at,
                t.schema,
                t.name,
                t.unique_id,
                t.rows,
                t.fingerprint,
                ", ".join(t.columns),
                ", ".join(t.dropped_columns),
                t.parquet_path,
            ],
        )
    con.execute(f"comment on table {meta}.build_info is 'One row: the build this file was published from.'")
    con.execute(f"comment on table {meta}.publish_log is 'One row per published table of this build.'")
    con.execute(
        f"comment on table {meta}.build_sources is 'One row per raw table of the data contract: whether this "
        "build was made from it (is_provided: at least one row) and how many rows it had.'"
    )
    con.execute(
        f"comment on table {meta}.audit_skipped_expectations is 'One row per audit expectation skipped or relaxed "
        "for this build (partial data), with the reason. Empty when the build was not audited (see build_info).'"
    )
    con.execute(
        f"comment on column {meta}.build_info.audit_status is 'passed: the quality audit passed for this build; "
        "not audited: published without an audit.'"
    )
    for name in META_TABLES:
        _write_parquet(
            con,
            f"{meta}.{name}",
            tmp_version / META_SCHEMA / name / PARQUET_FILE_NAME,
            con.execute(f"select count(*) from {meta}.{name}").fetchone()[0],
        )


def _link_schema_dirs(parquet_dir: Path, schemas: Sequence[str]) -> None:
    """Keep parquet/<schema> -> current/<schema> symlinks (stable paths that follow `current`)."""
    for schema in schemas:
        link = parquet_dir / schema
        if not link.is_symlink() and not link.exists():
            os.symlink(f"{CURRENT_LINK_NAME}/{schema}", link)
    for entry in parquet_dir.iterdir():
        follows_current = entry.is_symlink() and os.readlink(entry).startswith(f"{CURRENT_LINK_NAME}/")
        if follows_current and entry.name not in schemas:
            entry.unlink()


def _append_history(serving_dir: Path, result: PublishResult) -> None:
    record = {
        "build_id": result.build_id,
        "published_at": result.published_at,
        "dbt_invocation_id": result.dbt_invocation_id,
        "seconds": result.seconds,
        "tables": {
            f"{t.schema}.{t.name}": {"rows": t.rows, "fingerprint": t.fingerprint, "dropped": list(t.dropped_columns)}
            for t in result.tables
        },
        "excluded_models": list(result.excluded_models),
        "audit_status": result.audit_status,
        "sources_not_provided": [s.table for s in result.sources if not s.provided],
        "skipped_expectations": len(result.skipped_expectations),
    }
    with open(serving_dir / HISTORY_FILE_NAME, "a") as handle:
        handle.write(json.dumps(record, sort_keys=True) + "\n")


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def not_published_notice(serving_dir: Path | None = None, audit_args: Sequence[str] = ()) -> str:
    """What `marketing-kpi build --no-audit` prints instead of publishing: that nothing was published,
    which build BI still reads, and the two ways to publish this one (`audit_args`: the arguments
    the build would have given the audit, e.g. ``--as-of-date today --no-volume-bands``)."""
    served = (serving_dir or paths.serving_dir()) / SERVING_FILE_NAME
    current = "nothing has been published yet"
    if served.exists():
        with contextlib.suppress(duckdb.Error, TypeError):
            con = duckdb.connect(str(served), read_only=True)
            try:
                build_id, published_at = con.execute("select build_id, published_at from meta.build_info").fetchone()
                current = f"BI still reads build {build_id} (published {published_at:%Y-%m-%d %H:%M} UTC)"
            finally:
                con.close()
    return (
        f"NOT PUBLISHED: the audit was skipped (--no-audit), and only an audited build is published; {current}.\n"
        f"  To publish this build: marketing-kpi audit{''.join(' ' + a for a in audit_args)} "
        "&& marketing-kpi publish --require-audit-file\n"
        "  To publish it without an audit, on purpose: marketing-kpi publish"
        f"  (recorded as meta.build_info.audit_status = '{NOT_AUDITED}')"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """`marketing-kpi publish`: publish the public marts for BI tools (see the module doc)."""
    parser = argparse.ArgumentParser(
        prog="marketing-kpi publish",
        description="Publish the public marts to the read-only serving DuckDB file and Parquet.",
    )
    parser.add_argument("--build-db", type=Path, default=None, help="build database (default: MKPI_DUCKDB_PATH)")
    parser.add_argument("--serving-dir", type=Path, default=None, help="serving directory (default: MKPI_SERVING_DIR)")
    parser.add_argument(
        "--manifest", type=Path, default=None, help="dbt manifest (default: $DBT_TARGET_PATH or target/)"
    )
    parser.add_argument("--run-results", type=Path, default=None, help="default: beside the manifest")
    parser.add_argument(
        "--require-audit-file",
        nargs="?",
        const="",
        default=None,
        metavar="PATH",
        help='refuse unless PATH (default: audit/last_audit.json beside the build database) has "success": true '
        "and audited this build's raw data; without this option the build is published as 'not audited'",
    )
    parser.add_argument("--keep-versions", type=int, default=KEEP_VERSIONS, help="Parquet versions kept")
    parser.add_argument(
        "--no-contact-scan", action="store_true", help="skip the email/phone pattern scan of text columns"
    )
    args = parser.parse_args(argv)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s", stream=sys.stdout)

    build_db = args.build_db or paths.build_database()
    serving_dir = args.serving_dir or paths.serving_dir()
    try:
        verdict = None
        if args.require_audit_file is not None:
            audit_file = Path(args.require_audit_file or build_db.parent / "audit" / "last_audit.json")
            verdict = check_audit(audit_file, build_db)
        result = publish(
            build_db,
            serving_dir,
            args.manifest or default_manifest(),
            audit=verdict,
            run_results=args.run_results,
            keep_versions=max(args.keep_versions, 1),
            scan_contact_details=not args.no_contact_scan,
        )
    except PublishError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Published build {result.build_id} ({len(result.tables)} tables) in {result.seconds:.1f}s")
    print(f"  audit:   {result.audit_status}" + ("" if verdict is not None else " (no --require-audit-file)"))
    not_provided = [s.table for s in result.sources if not s.provided]
    if not_provided:
        print(f"  partial data: not provided: {', '.join(not_provided)}")
    if result.skipped_expectations:
        print(
            f"  {len(result.skipped_expectations)} audit expectation(s) skipped or relaxed for partial data: "
            f"see meta.audit_skipped_expectations"
        )
    print(f"  DuckDB:  {result.serving_file}  (open read-only)")
    print(f"  Parquet: {result.parquet_dir}/<schema>/<model>/{PARQUET_FILE_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

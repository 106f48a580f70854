"""Runs dbt as a subprocess with the project's profile, paths and secrets set the one right way."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from marketing_kpi import paths

SALT_ENV = "DBT_ENV_SECRET_PII_SALT"


class StepFailed(RuntimeError):
    """A pipeline step failed; the message says which and why."""


def salt_file() -> Path:
    """The per-checkout PII salt, next to the build database (git-ignored)."""
    return paths.build_database().parent / ".pii_salt"


def ensure_pii_salt(env: dict[str, str]) -> None:
    """Put the PII salt in `env`: the environment's if set, else a per-checkout random salt kept in
    warehouse/.pii_salt (mode 600, git-ignored) so hashes stay stable across local builds."""
    if env.get(SALT_ENV):
        return
    path = salt_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    env[SALT_ENV] = path.read_text().strip()


def dbt_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra or {})
    db = Path(env.get("MKPI_DUCKDB_PATH") or paths.build_database())
    env["MKPI_DUCKDB_PATH"] = str(db)
    env.setdefault("MKPI_DUCKDB_TEMP_DIR", str(db.parent / "tmp"))
    db.parent.mkdir(parents=True, exist_ok=True)
    ensure_pii_salt(env)
    env.setdefault("DBT_PROFILES_DIR", str(paths.PROJECT_ROOT / "profiles"))
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    # Piped logs (CI, `| tee`) get plain text: dbt colours its output only on a terminal.
    if not sys.stdout.isatty():
        env.setdefault("DBT_USE_COLORS", "false")
    return env


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("dbt")
    if not found:
        raise StepFailed("dbt is not installed in this environment (pip install -e .)")
    return found


def run_dbt(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    capture: bool = False,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run `dbt <args>` in the project root. Raises StepFailed (with dbt's output) on failure."""
    full_env = dbt_env(env)
    cmd = [dbt_executable(), *args]
    proc = subprocess.run(
        cmd,
        cwd=paths.PROJECT_ROOT,
        env=full_env,
        text=True,
        capture_output=capture,
    )
    if check and proc.returncode != 0:
        detail = (proc.stdout or "")[-4000:] if capture else "see dbt's output above"
        raise StepFailed(f"`dbt {' '.join(args)}` failed (exit {proc.returncode}): {detail}")
    return proc

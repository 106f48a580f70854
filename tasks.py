#!/usr/bin/env python3
"""Set-up and entry points that need nothing but Python and pip.

    python3 tasks.py run    create .venv, install the project, run the main job on the embedded data
    python3 tasks.py test   create .venv, install the project, run every check CI runs

Both are idempotent: a second call reuses .venv and reinstalls only when pyproject.toml changed (or
`test` needs extras that `run` did not install).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def sh(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    printable = " ".join(str(c) for c in cmd)
    print(f"$ {printable}", flush=True)
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env)
    if result.returncode != 0:
        sys.exit(f"FAILED (exit {result.returncode}): {printable}")


def ensure_venv(extras: str = "") -> None:
    """Create .venv and install the project (with `extras`, e.g. "dev,semantic,spark"), once per
    pyproject change: `run` needs only the core, `test` adds the dev tools, the semantic layer and
    Spark. pip prints its progress (the first install downloads a few hundred MB)."""
    stamp = VENV / ".installed"
    wanted = set(filter(None, extras.split(",")))
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists():
        installed_digest, _, installed_extras = stamp.read_text().partition("\n")
        if installed_digest == digest and wanted <= set(filter(None, installed_extras.split(","))):
            return
    if not PY.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    sh(PY, "-m", "pip", "install", "--upgrade", "--progress-bar", "on", "pip")
    target = f".[{','.join(sorted(wanted))}]" if wanted else "."
    print(f"installing the project ({target}) into {VENV}", flush=True)
    sh(PY, "-m", "pip", "install", "--progress-bar", "on", "-e", target)
    stamp.write_text(f"{digest}\n{','.join(sorted(wanted))}")


def project_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def run() -> None:
    ensure_venv()  # the core only: the main job needs neither Spark, the semantic layer nor dev tools
    sh(BIN / "marketing-kpi", "build", env=project_env())


def test() -> None:
    ensure_venv("dev,semantic,spark")
    ci_db = ROOT / "warehouse" / "ci" / "build.duckdb"
    env = project_env(
        MKPI_DUCKDB_PATH=str(ci_db),
        MKPI_DUCKDB_TEMP_DIR=str(ci_db.parent / "tmp"),
        MKPI_SERVING_DIR=str(ci_db.parent / "serving"),
    )
    sh(BIN / "ruff", "check", "src", "tests", "tasks.py", env=env)
    sh(BIN / "ruff", "format", "--check", "src", "tests", "tasks.py", env=env)
    # A fresh database: CI must prove the project builds from nothing (build, audit, publish).
    for leftover in (ci_db, ci_db.with_suffix(".duckdb.wal")):
        leftover.unlink(missing_ok=True)
    sh(BIN / "marketing-kpi", "build", "--no-docs", "--unit-tests", env=env)
    # sqlfluff's dbt templater opens the profile, whose plugin needs the salt the build created.
    env.setdefault("DBT_ENV_SECRET_PII_SALT", (ci_db.parent / ".pii_salt").read_text().strip())
    sh(BIN / "sqlfluff", "lint", "models", "tests", env=env)
    # Headless Chromium for the dashboard's browser test (Debian packages; installs when missing).
    sh(PY, "-m", "marketing_kpi.browser", env=env)
    # The DuckDB-vs-Spark parity test needs Java (17+) for the local Spark session: with Java present
    # a missing Spark fails the run instead of skipping.
    if shutil.which("java") or os.environ.get("JAVA_HOME"):
        env["MKPI_REQUIRE_SPARK"] = "1"
    else:
        print("WARNING: no Java found: the Spark parity test will be skipped", flush=True)
    sh(PY, "-m", "pytest", env={**env, "MKPI_REQUIRE_BUILD": "1"})


if __name__ == "__main__":
    commands = {"run": run, "test": test}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: python3 {Path(__file__).name} {{{'|'.join(commands)}}}")
    commands[sys.argv[1]]()

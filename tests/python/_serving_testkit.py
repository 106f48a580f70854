"""The published serving file for tests that read what analysts and the dashboard read.

The test command builds, audits and publishes before pytest, so MKPI_SERVING_DIR normally holds a
published marketing_kpi.duckdb. Without one, the real build (MKPI_DUCKDB_PATH + the dbt manifest)
is published once per test session into a temporary directory; without a real build either, the
tests skip (fail under MKPI_REQUIRE_BUILD=1), as the publish tests do."""

from __future__ import annotations

from pathlib import Path

import pytest
from _publish_testkit import real_build

from marketing_kpi import paths
from marketing_kpi.publish import SERVING_FILE_NAME, publish

_published: dict[str, Path] = {}


def serving_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The published serving file: MKPI_SERVING_DIR's, else one published from the real build."""
    served = paths.serving_dir() / SERVING_FILE_NAME
    if served.exists():
        return served
    if "tmp" not in _published:
        build_db, manifest = real_build()  # skips (or fails) when there is no real build
        serving_dir = tmp_path_factory.mktemp("serving")
        _published["tmp"] = publish(build_db, serving_dir, manifest).serving_file
    return _published["tmp"]

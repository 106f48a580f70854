"""The same dbt project on Spark gives the same KPIs as on DuckDB (docs/SPARK.md).

Builds the embedded dataset twice, from the same raw rows: on DuckDB (dbt seed + every model, into
a temporary database) and on a local Spark session (dbt-spark `method: session`, local[2], two
shuffle partitions; the raw tables are external Spark tables over Parquet files exported from the
DuckDB build's raw schema, the reference seeds load with dbt seed; `dbt build`, so every data test
and unit test must pass on Spark as well). Then every KPI mart
(models/marts/kpi, from the manifest) must hold the same rows on both engines: text, dates,
integers, booleans and money (decimal, to the cent) exactly equal, doubles (rates, averages,
scores) within 1e-9 (relative for large values).

Slow (the Spark build takes minutes on two cores): skipped when dbt-spark / pyspark or Java are
missing, unless MKPI_REQUIRE_SPARK=1 (the test command sets it), which turns the skip into a failure.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from marketing_kpi import paths, spark
from marketing_kpi.dbt_runner import dbt_env, dbt_executable

REL_TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def spark_required() -> None:
    if not spark.spark_available():
        message = "Spark parity needs dbt-spark[session] (pip install -e '.[spark]') and Java 17+"
        if os.environ.get("MKPI_REQUIRE_SPARK") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def builds(spark_required: None, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Build the embedded dataset on DuckDB and on Spark; return the DuckDB file, the Spark
    warehouse directory and the DuckDB build's manifest."""
    work = tmp_path_factory.mktemp("spark_parity")
    database = work / "duckdb" / "build.duckdb"
    duck_target = work / "duckdb" / "target"
    env = dbt_env(
        {
            "MKPI_TARGET": "duckdb",
            "MKPI_DUCKDB_PATH": str(database),
            "MKPI_DUCKDB_TEMP_DIR": str(work / "duckdb" / "tmp"),
        }
    )
    common = ["--target-path", str(duck_target), "--log-path", str(work / "duckdb" / "logs")]
    for args in (["seed"], ["run"]):
        proc = subprocess.run(
            [dbt_executable(), *args, *common],
            cwd=paths.PROJECT_ROOT,
            env=env,
            text=True,
            capture_output=True,
        )
        assert proc.returncode == 0, f"dbt {args[0]} on DuckDB failed:\n{proc.stdout[-4000:]}"

    raw_parquet = work / "raw_parquet"
    spark.export_raw_parquet(database, raw_parquet)
    spark_work = work / "spark"
    # dbt_env gives both builds the same salt (the environment's, else warehouse/.pii_salt).
    # `dbt build`: every seed, model, data test and unit test must pass on Spark too.
    timings = spark.build_on_spark(raw_parquet, spark_work, with_tests=True)
    print(f"Spark build: {json.dumps(timings)}")
    return {
        "duckdb": database,
        "spark_warehouse": spark_work / "warehouse",
        "manifest": duck_target / "manifest.json",
        "salt": env["DBT_ENV_SECRET_PII_SALT"],
    }


def kpi_marts(manifest_file: Path) -> list[str]:
    manifest = json.loads(manifest_file.read_text())
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1:3] == ["marts", "kpi"] and node["config"]["enabled"]
    )


def _sort_key(row: tuple) -> tuple:
    # None first, then by value; doubles rounded so tiny engine differences do not reorder rows.
    return tuple((0, "") if v is None else (1, round(v, 6) if isinstance(v, float) else v) for v in row)


def _doubles_close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= REL_TOLERANCE * max(1.0, abs(a), abs(b))


def _spark_table_dir(warehouse: Path, schema: str, table: str) -> Path:
    return warehouse / f"{schema}.db" / table


def test_every_kpi_mart_matches_between_duckdb_and_spark(builds: dict) -> None:
    marts = kpi_marts(builds["manifest"])
    assert len(marts) >= 20, marts
    con = duckdb.connect(str(builds["duckdb"]), read_only=True)
    problems: list[str] = []
    try:
        for mart in marts:
            folder = _spark_table_dir(builds["spark_warehouse"], "kpi", mart)
            if not folder.is_dir():
                problems.append(f"{mart}: not built on Spark")
                continue
            columns = [
                (name, dtype)
                for name, dtype in con.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_schema = 'kpi' and table_name = ? order by ordinal_position",
                    [mart],
                ).fetchall()
            ]
            names = [name for name, _ in columns]
            select = ", ".join(f'"{name}"' for name in names)
            duck_rows = con.execute(f"select {select} from kpi.{mart}").fetchall()
            spark_rows = con.execute(f"select {select} from read_parquet('{folder.as_posix()}/*.parquet')").fetchall()
            if len(duck_rows) != len(spark_rows):
                problems.append(f"{mart}: {len(duck_rows)} rows on DuckDB, {len(spark_rows)} on Spark")
                continue
            mismatches = 0
            first: str | None = None
            for duck_row, spark_row in zip(
                sorted(duck_rows, key=_sort_key), sorted(spark_rows, key=_sort_key), strict=True
            ):
                for (name, dtype), a, b in zip(columns, duck_row, spark_row, strict=True):
                    if dtype in ("DOUBLE", "FLOAT", "REAL"):
                        same = _doubles_close(a, b)
                    elif isinstance(a, Decimal) or isinstance(b, Decimal):
                        same = a == b or (a is not None and b is not None and Decimal(a) == Decimal(b))
                    else:
                        same = a == b
                    if not same:
                        mismatches += 1
                        first = first or f"{name}: DuckDB {a!r} vs Spark {b!r} in row {duck_row!r}"
            if mismatches:
                problems.append(f"{mart}: {mismatches} differing values; first {first}")
    finally:
        con.close()
    assert not problems, "KPI marts differ between DuckDB and Spark:\n" + "\n".join(problems)


def test_spark_build_keeps_the_pii_salt_out_of_compiled_sql_and_logs(builds: dict) -> None:
    salt = builds["salt"]
    spark_work = builds["spark_warehouse"].parent
    leaked = [
        str(path)
        for folder in (spark_work / "target", spark_work / "logs")
        for path in folder.rglob("*")
        if path.is_file() and salt in path.read_text(errors="ignore")
    ]
    assert not leaked, f"the PII salt appears in {leaked}"

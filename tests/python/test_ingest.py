"""Bring your own data (src/marketing_kpi/ingest.py): the contract check and the load.

The inputs are a short synthetic dataset from the generator, written once per session as CSV and
as Parquet into temporary directories; each test copies and edits what it needs, so the suite
stays fast and never touches the committed seeds or the build database.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from marketing_kpi import ingest as ingest_module
from marketing_kpi.contract import load_contract
from marketing_kpi.generator import main as generate
from marketing_kpi.ingest import ContractMismatch, check_contract, ingest

START, END = "2025-10-01", "2025-10-31"


def _generate(out: Path, fmt: str) -> Path:
    args = ["--seed", "11", "--start", START, "--end", END, "--scale", "0.5", "--format", fmt]
    assert generate([*args, "--out-raw", str(out / "raw"), "--out-reference", str(out / "reference")]) == 0
    return out / "raw"


@pytest.fixture(scope="session")
def csv_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("csv"), "csv")


@pytest.fixture(scope="session")
def parquet_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("parquet"), "parquet")


def _copy(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "data"
    shutil.copytree(src, dst)
    return dst


def _expected_rows(data_dir: Path) -> dict[str, int]:
    manifest = json.loads((data_dir / "_dirt_manifest.json").read_text())
    return {name: manifest["rows"][name] for name in load_contract()}


def _raw_counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {name: con.execute(f"select count(*) from raw.{name}").fetchone()[0] for name in load_contract()}
    finally:
        con.close()


def _problem_lines(exc: pytest.ExceptionInfo[ContractMismatch]) -> list[str]:
    return [line.strip()[2:] for line in str(exc.value).splitlines() if line.strip().startswith("- ")]


def _rewrite_parquet(path: Path, change) -> None:  # noqa: ANN001 - a callable pa.Table -> pa.Table
    pq.write_table(change(pq.read_table(path)), path)


def test_csv_directory_loads_every_row(csv_dir: Path, scratch_env: Path) -> None:
    counts = ingest(csv_dir, scratch_env).rows
    assert counts == _expected_rows(csv_dir)
    assert _raw_counts(scratch_env) == counts


def test_parquet_directory_loads_every_row_with_contract_columns(parquet_dir: Path, scratch_env: Path) -> None:
    counts = ingest(parquet_dir, scratch_env).rows
    assert counts == _expected_rows(parquet_dir)
    con = duckdb.connect(str(scratch_env), read_only=True)
    try:
        for name, table in load_contract().items():
            columns = [r[0] for r in con.execute(f"describe raw.{name}").fetchall()]
            assert columns == table.column_names, name
        # raw holds text whatever the file types (like the seeds); values survive the round trip
        types = con.execute(
            "select distinct data_type from information_schema.columns where table_schema = 'raw'"
        ).fetchall()
        assert types == [("VARCHAR",)]
        spend = con.execute("select max(cast(spend as decimal(18, 2))) from raw.ad_performance").fetchall()[0][0]
        assert spend is not None and spend > 0
        stamp = con.execute("select min(exported_at) from raw.ad_performance").fetchall()[0][0]
        assert len(stamp) == 19 and stamp[10] == " "  # 'YYYY-MM-DD HH:MM:SS', parsed by staging
    finally:
        con.close()


def test_folder_of_parts_loads_all_files_matched_by_column_name(parquet_dir: Path, tmp_path: Path) -> None:
    data = _copy(parquet_dir, tmp_path)
    table = pq.read_table(data / "touchpoints.parquet")
    (data / "touchpoints.parquet").unlink()
    (data / "touchpoints").mkdir()
    half = table.num_rows // 2
    pq.write_table(table.slice(0, half), data / "touchpoints" / "part-0.parquet")
    reordered = table.slice(half).select(list(reversed(table.column_names)))
    pq.write_table(reordered, data / "touchpoints" / "part-1.parquet")
    db = tmp_path / "build.duckdb"
    counts = ingest(data, db).rows
    assert counts["touchpoints"] == table.num_rows
    con = duckdb.connect(str(db), read_only=True)
    try:
        loaded = con.execute("select count(*) from raw.touchpoints where touchpoint_id like 'tch_%'").fetchone()[0]
        assert loaded == table.num_rows - table.column("touchpoint_id").null_count
    finally:
        con.close()


def test_every_problem_kind_is_listed_in_one_message(csv_dir: Path, tmp_path: Path) -> None:
    data = _copy(csv_dir, tmp_path)
    con = duckdb.connect()
    try:
        # leads: a missing column; orders: an extra one; ad_performance: a column of non-numbers
        con.execute(
            f"copy (select * exclude (phone) from read_csv('{data}/leads.csv', all_varchar = true)) "
            f"to '{data}/leads.csv' (header)"
        )
        con.execute(
            f"copy (select *, 'x' as internal_note from read_csv('{data}/orders.csv', all_varchar = true)) "
            f"to '{data}/orders.csv' (header)"
        )
        con.execute(
            f"copy (select * replace ('n/a' as impressions) from read_csv('{data}/ad_performance.csv', "
            f"all_varchar = true)) to '{data}/ad_performance.csv' (header)"
        )
    finally:
        con.close()
    (data / "channels.csv").unlink()
    with pytest.raises(ContractMismatch) as exc:
        check_contract(data)
    problems = _problem_lines(exc)
    assert "leads: missing columns: phone" in problems
    assert "orders: extra columns: internal_note" in problems
    assert any(p.startswith("ad_performance.impressions: mistyped: expected bigint") for p in problems)
    assert any(p.startswith("channels: no file") and "required" in p for p in problems)
    assert len(problems) == 4, problems
    assert "4 problem(s)" in str(exc.value)


def test_parquet_physical_type_mismatch_names_table_column_and_types(parquet_dir: Path, tmp_path: Path) -> None:
    data = _copy(parquet_dir, tmp_path)
    _rewrite_parquet(
        data / "web_sessions.parquet",
        lambda t: t.set_column(
            t.column_names.index("pageviews"), "pageviews", t.column("pageviews").cast(pa.float64())
        ),
    )
    _rewrite_parquet(
        data / "email_sends.parquet",
        lambda t: t.set_column(t.column_names.index("sent_at"), "sent_at", t.column("sent_at").cast(pa.int64())),
    )
    with pytest.raises(ContractMismatch) as exc:
        check_contract(data)
    problems = _problem_lines(exc)
    assert "web_sessions.pageviews: mistyped: expected integer, file has DOUBLE" in problems
    assert "email_sends.sent_at: mistyped: expected timestamp, file has BIGINT" in problems
    assert len(problems) == 2, problems


def test_problem_in_one_part_names_the_file(parquet_dir: Path, tmp_path: Path) -> None:
    data = _copy(parquet_dir, tmp_path)
    table = pq.read_table(data / "orders.parquet")
    (data / "orders.parquet").unlink()
    (data / "orders").mkdir()
    pq.write_table(table.slice(0, 10), data / "orders" / "part-0.parquet")
    pq.write_table(table.slice(10).drop_columns(["currency_code"]), data / "orders" / "part-1.parquet")
    with pytest.raises(ContractMismatch) as exc:
        check_contract(data)
    assert _problem_lines(exc) == ["orders: missing columns: currency_code (in orders/part-1.parquet)"]


def test_ambiguous_and_mixed_layouts_are_problems(csv_dir: Path, tmp_path: Path) -> None:
    data = _copy(csv_dir, tmp_path)
    pq.write_table(_csv_as_arrow(data / "channels.csv"), data / "channels.parquet")
    (data / "campaigns").mkdir()
    shutil.move(data / "campaigns.csv", data / "campaigns" / "part-0.csv")
    pq.write_table(_csv_as_arrow(data / "campaigns" / "part-0.csv"), data / "campaigns" / "part-1.parquet")
    with pytest.raises(ContractMismatch) as exc:
        check_contract(data)
    problems = _problem_lines(exc)
    assert "channels: more than one file: channels.parquet, channels.csv" in problems
    assert "campaigns: folder campaigns/ mixes .parquet and .csv files; use one format" in problems
    assert len(problems) == 2, problems


def _csv_as_arrow(path: Path) -> pa.Table:
    con = duckdb.connect()
    try:
        return con.sql(f"select * from read_csv('{path}', all_varchar = true)").to_arrow_table()
    finally:
        con.close()


def test_nothing_is_loaded_when_the_check_fails(csv_dir: Path, tmp_path: Path, scratch_env: Path) -> None:
    before = ingest(csv_dir, scratch_env).rows
    data = _copy(csv_dir, tmp_path)
    (data / "touchpoints.csv").write_text("touchpoint_id\ntch_1\n")
    # a good table that would otherwise be loaded first must keep its previous contents too
    (data / "channels.csv").write_text((data / "channels.csv").read_text().splitlines()[0] + "\n")
    with pytest.raises(ContractMismatch) as exc:
        ingest(data, scratch_env)
    assert "touchpoints: missing columns: lead_id, visitor_id" in str(exc.value)
    assert _raw_counts(scratch_env) == before


def test_nothing_is_loaded_into_a_new_database_when_the_check_fails(csv_dir: Path, tmp_path: Path) -> None:
    data = _copy(csv_dir, tmp_path)
    (data / "channels.csv").unlink()
    db = tmp_path / "fresh.duckdb"
    with pytest.raises(ContractMismatch):
        ingest(data, db)
    assert not db.exists()


def test_cli_check_only_and_exit_codes(csv_dir: Path, tmp_path: Path, scratch_env: Path, capsys) -> None:  # noqa: ANN001
    assert ingest_module.main([str(csv_dir), "--check-only"]) == 0
    assert "follows the raw data contract" in capsys.readouterr().out
    assert not scratch_env.exists(), "--check-only must not create the database"
    data = _copy(csv_dir, tmp_path)
    (data / "channels.csv").unlink()
    assert ingest_module.main([str(data)]) == 2
    err = capsys.readouterr().err
    assert "channels: no file" in err and "1 problem(s)" in err
    assert ingest_module.main([str(csv_dir)]) == 0
    assert "ingested" in capsys.readouterr().out
    assert _raw_counts(scratch_env) == _expected_rows(csv_dir)


def test_missing_directory_is_a_contract_mismatch(tmp_path: Path) -> None:
    with pytest.raises(ContractMismatch, match="does not exist"):
        check_contract(tmp_path / "nowhere")


def test_paths_with_quotes_are_read(csv_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "it's data"
    shutil.copytree(csv_dir, data)
    assert set(check_contract(data)) == set(load_contract())

"""The export-shaped test datasets (src/marketing_kpi/export_shapes.py) are what they claim: each
shape has exactly its tables, stages and time zone, and the historical shift moves every date
and timestamp by the same number of days. Checked against a fresh generator run and the contract,
with plain Python and pandas (no build)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from marketing_kpi import export_shapes
from marketing_kpi.contract import load_contract
from marketing_kpi.export_shapes import SHAPES

CONTRACT = load_contract()


def _types(table: str) -> dict[str, str]:
    return {c.name: c.data_type.split("(")[0].lower() for c in CONTRACT[table].columns}


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        return next(reader), list(reader)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("shapes")
    for name in SHAPES:
        export_shapes.write_shape(name, root / name)
    return {name: root / name for name in SHAPES}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The clean generator run the shapes are cut from, written independently of any shape."""
    return export_shapes.generate_base(tmp_path_factory.mktemp("base"))


def test_every_requested_shape_exists() -> None:
    assert set(SHAPES) == {"crm_only", "ads_only", "no_billing", "historical", "naive_local_time"}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shape_has_exactly_its_tables(name: str, written: dict[str, Path]) -> None:
    out = written[name]
    shape = SHAPES[name]
    manifest = export_shapes.read_manifest(out)
    files = {p.stem for p in out.glob("*.csv")}
    assert files == set(shape.tables) | set(shape.header_only)
    assert set(manifest["tables"]) == set(shape.tables)
    assert set(manifest["absent"]) == set(CONTRACT) - files
    assert "channels" in shape.tables, "channels is the one table every dataset must provide"
    for table in CONTRACT:
        path = out / f"{table}.csv"
        if table in shape.header_only:
            header, rows = _read(path)
            assert header == CONTRACT[table].column_names and rows == [], f"{table} should be header-only"
        elif table in shape.tables:
            header, rows = _read(path)
            assert header == CONTRACT[table].column_names
            assert len(rows) == manifest["tables"][table]
        else:
            assert not path.exists()
    assert {p.stem for p in (out / "reference").glob("*.csv")} == set(shape.reference)
    assert manifest["tables"]["channels"] > 0
    assert 500 <= sum(manifest["tables"].values()) <= 30_000, "keep shapes small (one build ~ a minute)"


def test_partial_shapes_absent_tables_mix_no_file_and_header_only() -> None:
    crm = SHAPES["crm_only"]
    assert set(crm.tables) == {"channels", "leads", "lead_stage_events"}
    assert crm.header_only and crm.absent, "absent tables should be both missing files and header-only files"
    assert set(SHAPES["ads_only"].tables) == {"channels", "campaigns", "ad_performance"}
    assert set(SHAPES["no_billing"].tables) == set(CONTRACT) - {"orders", "survey_responses"}
    assert SHAPES["historical"].tables == tuple(CONTRACT) == SHAPES["naive_local_time"].tables


def test_crm_only_keeps_only_mql_and_won_events(written: dict[str, Path], base: tuple[Path, Path]) -> None:
    events = pd.read_csv(written["crm_only"] / "lead_stage_events.csv", dtype=str)
    assert set(events["stage"]) == {"mql", "won"}
    base_events = pd.read_csv(base[0] / "lead_stage_events.csv", dtype=str)
    kept = base_events[base_events["stage"].isin(["mql", "won"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(events, kept)
    assert (base_events["stage"] == "lead").any() and (base_events["stage"] == "sql").any()
    assert not (written["crm_only"] / "reference").exists()


@pytest.mark.parametrize("name", ["crm_only", "ads_only", "no_billing"])
def test_unshifted_shapes_copy_the_generator_rows(name: str, written: dict[str, Path], base: tuple[Path, Path]) -> None:
    for table in SHAPES[name].tables:
        if table == "lead_stage_events" and SHAPES[name].stages is not None:
            continue
        assert (written[name] / f"{table}.csv").read_bytes() == (base[0] / f"{table}.csv").read_bytes(), table


def test_historical_shifts_every_date_and_timestamp_by_the_same_days(
    written: dict[str, Path], base: tuple[Path, Path]
) -> None:
    days = export_shapes.SHIFT_DAYS
    assert days < 0 and days % 7 == 0
    moved = 0
    for table in CONTRACT:
        header, shifted = _read(written["historical"] / f"{table}.csv")
        _, original = _read(base[0] / f"{table}.csv")
        assert len(shifted) == len(original), table
        types = _types(table)
        for new_row, old_row in zip(shifted, original, strict=True):
            for column, new, old in zip(header, new_row, old_row, strict=True):
                if types[column] not in ("date", "timestamp") or old == "":
                    assert new == old, (table, column)
                    continue
                parse = dt.date.fromisoformat if types[column] == "date" else dt.datetime.fromisoformat
                delta = parse(new) - parse(old)
                assert delta == dt.timedelta(days=days), (table, column, old, new)
                assert parse(new).weekday() == parse(old).weekday()
                moved += 1
    assert moved > 20_000
    ads = pd.read_csv(written["historical"] / "ad_performance.csv", dtype=str)
    assert ads["report_date"].max() == "2018-12-31" == export_shapes.HISTORICAL_END.isoformat()
    leads = pd.read_csv(written["historical"] / "leads.csv", dtype=str)
    assert "2018-09-04" <= leads["created_at"].min() <= leads["created_at"].max() < "2019-01-01"


def test_historical_reference_moves_with_the_data(written: dict[str, Path], base: tuple[Path, Path]) -> None:
    fx = pd.read_csv(written["historical"] / "reference" / "fx_rates.csv", dtype=str)
    fx_base = pd.read_csv(base[1] / "fx_rates.csv", dtype=str)
    shifted = (pd.to_datetime(fx_base["rate_date"]) + pd.Timedelta(days=export_shapes.SHIFT_DAYS)).dt.strftime(
        "%Y-%m-%d"
    )
    assert fx["rate_date"].tolist() == shifted.tolist()
    assert fx["rate_to_usd"].tolist() == fx_base["rate_to_usd"].tolist()
    holidays = pd.read_csv(written["historical"] / "reference" / "holidays.csv", dtype=str)
    assert "2018-12-25" in holidays["holiday_date"].tolist()  # the shifted years' holidays, not moved ones
    assert holidays["holiday_date"].between("2018-09-04", "2018-12-31").all()


def test_naive_local_time_is_the_historical_data_in_sao_paulo_wall_clock(written: dict[str, Path]) -> None:
    zone = export_shapes.SOURCE_TIMEZONE
    assert zone == "America/Sao_Paulo"
    assert SHAPES["naive_local_time"].build_args == ["--source-timezone", zone]
    checked = 0
    for table in CONTRACT:
        local = pd.read_csv(written["naive_local_time"] / f"{table}.csv", dtype=str, keep_default_na=False)
        utc = pd.read_csv(written["historical"] / f"{table}.csv", dtype=str, keep_default_na=False)
        for column, data_type in _types(table).items():
            if data_type != "timestamp":
                assert local[column].tolist() == utc[column].tolist(), (table, column)
                continue
            assert not local[column].str.contains(r"[+Z]|T", regex=True).any(), "no offsets written"
            present = local[column] != ""
            assert (present == (utc[column] != "")).all()
            back = (
                pd.to_datetime(local.loc[present, column])
                .dt.tz_localize(zone, ambiguous="raise", nonexistent="raise")
                .dt.tz_convert("UTC")
                .dt.strftime("%Y-%m-%d %H:%M:%S")
            )
            assert back.tolist() == utc.loc[present, column].tolist(), (table, column)
            checked += int(present.sum())
    assert checked > 10_000
    leads = pd.read_csv(written["naive_local_time"] / "leads.csv", dtype=str)
    offsets = (
        pd.to_datetime(leads["created_at"]).dt.tz_localize(zone).map(lambda t: t.utcoffset().total_seconds() / 3600)
    )
    assert set(offsets) == {-3.0, -2.0}, "the window must contain Sao Paulo's DST start (2018-11-04)"
    created = pd.to_datetime(leads["created_at"])
    assert (created.dt.date == dt.date(2018, 11, 4)).any()
    in_the_skipped_hour = (created >= "2018-11-04 00:00:00") & (created < "2018-11-04 01:00:00")
    assert not in_the_skipped_hour.any(), "no wall-clock time in the hour DST skips"


def test_shapes_are_deterministic(tmp_path: Path, written: dict[str, Path]) -> None:
    export_shapes.write_shape("crm_only", tmp_path / "again")
    for path in sorted(written["crm_only"].rglob("*.*")):
        assert (tmp_path / "again" / path.relative_to(written["crm_only"])).read_bytes() == path.read_bytes()


def test_refuses_non_empty_directory_and_unknown_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "leads.csv").write_text("old\n")
    assert export_shapes.main(["--shape", "crm_only", "--out", str(tmp_path)]) == 2
    assert "is not empty" in capsys.readouterr().err
    assert (tmp_path / "leads.csv").read_text() == "old\n"
    with pytest.raises(ValueError, match="unknown shape 'sales_only'"):
        export_shapes.write_shape("sales_only", tmp_path / "new")


def test_cli_writes_the_shape_and_prints_the_build_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert export_shapes.main(["--shape", "naive_local_time", "--out", str(tmp_path / "d")]) == 0
    printed = capsys.readouterr().out
    assert "--source-timezone America/Sao_Paulo" in printed
    assert export_shapes.read_manifest(tmp_path / "d")["source_timezone"] == "America/Sao_Paulo"

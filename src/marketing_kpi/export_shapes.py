"""Test datasets shaped like a real company's exports: partial, historical or in local time.

``marketing-kpi shapes --shape NAME --out DIR`` (or ``python -m marketing_kpi.export_shapes``) writes one dataset in the
bring-your-own-data layout (docs/BRING_YOUR_OWN_DATA.md): ``DIR/<table>.csv`` per raw table of
the contract, ``DIR/reference/<name>.csv`` for the dataset's reference data, and
``DIR/_shape.json`` describing what was written (ingest ignores files it does not know). Build it
with ``marketing-kpi build --data-dir DIR`` plus the shape's ``build_args`` (in the manifest).

Every shape is cut from one clean run of the project's own generator (generator.py, ``dirt``
off) over a four-month window, BASE_START..BASE_END (at most ~30 k raw rows), so a test can recompute its
KPIs independently from the files without modelling quarantine. The shapes:

==================  ===============================================================================
shape               what it looks like
==================  ===============================================================================
crm_only            channels, leads and lead_stage_events whose only stages are mql and won (a CRM
                    that tracks no lead/sql/opportunity stage); every other table is absent, some
                    as no file, some as a header-only file; no reference data at all
ads_only            channels, campaigns and ad_performance (an ad-platform export); fx rates and
                    channel budgets as reference data
no_billing          everything except orders (no file) and survey_responses (header only)
historical          every table shifted by SHIFT_DAYS so the data ends on HISTORICAL_END
                    (2018-12-31); every date and timestamp moves by the same whole number of weeks
                    (weekdays kept, so working hours still apply); fx rates move with the data,
                    holidays are those of the shifted years
naive_local_time    the historical data with every timestamp written without an offset in
                    SOURCE_TIMEZONE (America/Sao_Paulo, which observed DST until 2019: the window
                    contains the DST start of 2018-11-04); build it with
                    ``--source-timezone America/Sao_Paulo``. Dates (report_date, campaign dates,
                    fx rate dates) are calendar days and do not change
==================  ===============================================================================

The same arguments always give byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
import tempfile
import types
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from marketing_kpi import generator
from marketing_kpi.contract import load_contract

BASE_START = dt.date(2025, 9, 2)
BASE_END = dt.date(2025, 12, 29)  # a Monday
HISTORICAL_END = dt.date(2018, 12, 31)  # a Monday too: the shift is a whole number of weeks
SHIFT_DAYS = (HISTORICAL_END - BASE_END).days
SOURCE_TIMEZONE = "America/Sao_Paulo"
DEFAULT_SEED = 42

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
MANIFEST_NAME = "_shape.json"
# Reference data the generator writes for its window (the others fall back to the build's defaults).
GENERATED_REFERENCE = ("fx_rates", "channel_budgets", "working_hours", "holidays")

if SHIFT_DAYS % 7:
    raise AssertionError("BASE_END and HISTORICAL_END must be the same weekday")


@dataclass(frozen=True)
class Shape:
    """What one shape writes. Contract tables in neither `tables` nor `header_only` get no file."""

    name: str
    description: str
    tables: tuple[str, ...]  # written with their rows
    header_only: tuple[str, ...] = ()  # written as a header row and nothing else
    reference: tuple[str, ...] = ()  # DIR/reference/<name>.csv written
    stages: tuple[str, ...] | None = None  # lead_stage_events stages kept (None: every stage)
    shift_days: int = 0  # every date and timestamp moved by this many days
    source_timezone: str | None = None  # timestamps written as naive local time in this zone

    @property
    def absent(self) -> tuple[str, ...]:
        """Contract tables written as no file at all."""
        given = set(self.tables) | set(self.header_only)
        return tuple(t for t in load_contract() if t not in given)

    @property
    def build_args(self) -> list[str]:
        """Arguments `marketing-kpi build --data-dir DIR` needs for this shape."""
        return ["--source-timezone", self.source_timezone] if self.source_timezone else []

    @property
    def window(self) -> tuple[dt.date, dt.date]:
        """First and last day of the shape's data (UTC)."""
        delta = dt.timedelta(days=self.shift_days)
        return BASE_START + delta, BASE_END + delta


_ALL_TABLES = tuple(load_contract())

SHAPES: dict[str, Shape] = {
    s.name: s
    for s in (
        Shape(
            name="crm_only",
            description="CRM export only: channels, leads and the mql and won stage changes",
            tables=("channels", "leads", "lead_stage_events"),
            header_only=("campaigns", "touchpoints", "orders"),
            stages=("mql", "won"),
        ),
        Shape(
            name="ads_only",
            description="ad-platform export only: channels, campaigns and daily ad performance",
            tables=("channels", "campaigns", "ad_performance"),
            header_only=("leads", "lead_stage_events"),
            reference=("fx_rates", "channel_budgets"),
        ),
        Shape(
            name="no_billing",
            description="every source except billing (orders) and the NPS survey",
            tables=tuple(t for t in _ALL_TABLES if t not in ("orders", "survey_responses")),
            header_only=("survey_responses",),
            reference=GENERATED_REFERENCE,
        ),
        Shape(
            name="historical",
            description=f"every source, shifted to end on {HISTORICAL_END} ({SHIFT_DAYS} days)",
            tables=_ALL_TABLES,
            reference=("fx_rates", "working_hours", "holidays"),
            shift_days=SHIFT_DAYS,
        ),
        Shape(
            name="naive_local_time",
            description=f"the historical data, timestamps without an offset in {SOURCE_TIMEZONE} local time",
            tables=_ALL_TABLES,
            reference=("fx_rates", "working_hours", "holidays"),
            shift_days=SHIFT_DAYS,
            source_timezone=SOURCE_TIMEZONE,
        ),
    )
}


# ---------------------------------------------------------------------------------------------
# Value transforms
# ---------------------------------------------------------------------------------------------


def shift_date(value: str, days: int) -> str:
    """An ISO date moved by `days` ('' stays '')."""
    if value == "" or days == 0:
        return value
    return (dt.date.fromisoformat(value) + dt.timedelta(days=days)).isoformat()


def shift_timestamp(value: str, days: int) -> str:
    """A 'YYYY-MM-DD HH:MM:SS' timestamp moved by `days` ('' stays '')."""
    if value == "" or days == 0:
        return value
    return (dt.datetime.strptime(value, TIMESTAMP_FORMAT) + dt.timedelta(days=days)).strftime(TIMESTAMP_FORMAT)


def utc_to_local(value: str, zone: str) -> str:
    """A naive UTC timestamp written as the naive wall-clock time of `zone` ('' stays '')."""
    if value == "":
        return value
    utc = dt.datetime.strptime(value, TIMESTAMP_FORMAT).replace(tzinfo=dt.UTC)
    return utc.astimezone(ZoneInfo(zone)).strftime(TIMESTAMP_FORMAT)


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        return header, [row for row in reader]


def _transform_rows(
    header: Sequence[str], rows: list[list[str]], types_by_column: dict[str, str], shape: Shape
) -> list[list[str]]:
    """Rows with every date/timestamp column shifted and (for local-time shapes) converted."""
    date_cols = [i for i, c in enumerate(header) if types_by_column.get(c) == "date"]
    ts_cols = [i for i, c in enumerate(header) if types_by_column.get(c) == "timestamp"]
    if not shape.shift_days and not shape.source_timezone:
        return rows
    out = []
    for row in rows:
        new = list(row)
        for i in date_cols:
            new[i] = shift_date(new[i], shape.shift_days)
        for i in ts_cols:
            new[i] = shift_timestamp(new[i], shape.shift_days)
            if shape.source_timezone:
                new[i] = utc_to_local(new[i], shape.source_timezone)
        out.append(new)
    return out


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


# ---------------------------------------------------------------------------------------------
# Writing a shape
# ---------------------------------------------------------------------------------------------


def generate_base(out: Path, seed: int = DEFAULT_SEED) -> tuple[Path, Path]:
    """The clean generator run every shape is cut from: (raw dir, reference dir) under `out`."""
    cfg = generator.Config(seed=seed, start=BASE_START, end=BASE_END, dirt=False)
    raw, reference = out / "raw", out / "reference"
    generator.generate(cfg, raw, reference)
    return raw, reference


def _reference_rows(name: str, base_reference: Path, shape: Shape, seed: int) -> tuple[list[str], list[list[str]]]:
    header, rows = _read_csv(base_reference / f"{name}.csv")
    if not shape.shift_days:
        return header, rows
    if name == "fx_rates":
        # The rates belong to the data's days: they move with it, so every amount converts as before.
        return header, [[shift_date(r[0], shape.shift_days), *r[1:]] for r in rows]
    if name == "holidays":
        # Holidays are calendar facts: those of the shifted window, from the generator's own rule.
        start, end = shape.window
        world = types.SimpleNamespace(cfg=generator.Config(seed=seed, start=start, end=end, dirt=False))
        return generator.holidays_reference(world)  # type: ignore[arg-type]
    if name == "working_hours":
        return header, rows  # by weekday; the shift is a whole number of weeks
    raise ValueError(f"reference {name!r} cannot be shifted (its periods are calendar months)")


def write_shape(name: str, out: Path, *, seed: int = DEFAULT_SEED) -> dict:
    """Write shape `name` into `out` (created; must be empty) and return its manifest."""
    if name not in SHAPES:
        raise ValueError(f"unknown shape {name!r}; choose one of {', '.join(SHAPES)}")
    shape = SHAPES[name]
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty: write a shape into a new or empty directory")
    out.mkdir(parents=True, exist_ok=True)
    contract = load_contract()
    tables: dict[str, int] = {}
    reference: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="mkpi-shape-base-") as tmp:
        base_raw, base_reference = generate_base(Path(tmp), seed)
        for table in contract.values():
            if table.name in shape.header_only:
                _write_csv(out / f"{table.name}.csv", table.column_names, [])
                continue
            if table.name not in shape.tables:
                continue
            header, rows = _read_csv(base_raw / f"{table.name}.csv")
            if header != table.column_names:
                raise AssertionError(f"{table.name}: generator header {header} != contract {table.column_names}")
            if table.name == "lead_stage_events" and shape.stages is not None:
                stage = header.index("stage")
                rows = [r for r in rows if r[stage] in shape.stages]
            types_by_column = {c.name: c.data_type.split("(")[0].lower() for c in table.columns}
            rows = _transform_rows(header, rows, types_by_column, shape)
            _write_csv(out / f"{table.name}.csv", header, rows)
            tables[table.name] = len(rows)
        for ref in shape.reference:
            header, rows = _reference_rows(ref, base_reference, shape, seed)
            _write_csv(out / "reference" / f"{ref}.csv", header, rows)
            reference[ref] = len(rows)
    start, end = shape.window
    manifest = {
        "shape": shape.name,
        "description": shape.description,
        "seed": seed,
        "base_window": [BASE_START.isoformat(), BASE_END.isoformat()],
        "window": [start.isoformat(), end.isoformat()],
        "shift_days": shape.shift_days,
        "source_timezone": shape.source_timezone,
        "stages": list(shape.stages) if shape.stages is not None else None,
        "build_args": shape.build_args,
        "tables": tables,
        "header_only": list(shape.header_only),
        "absent": list(shape.absent),
        "reference": reference,
    }
    (out / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def read_manifest(out: Path) -> dict:
    """The manifest write_shape left in `out`."""
    return json.loads((Path(out) / MANIFEST_NAME).read_text(encoding="utf-8"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="marketing-kpi shapes", description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=sorted(SHAPES), help="the shape to write")
    parser.add_argument("--out", type=Path, help="directory to write it into (new or empty)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"generator seed (default {DEFAULT_SEED})")
    parser.add_argument("--list", action="store_true", help="list the shapes and exit")
    args = parser.parse_args(argv)
    if args.list:
        for shape in SHAPES.values():
            print(f"{shape.name:<18} {shape.description}")
        return 0
    if not args.shape or not args.out:
        parser.error("--shape and --out are required (or --list)")
    try:
        manifest = write_shape(args.shape, args.out, seed=args.seed)
    except FileExistsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Wrote shape {manifest['shape']} ({manifest['window'][0]}..{manifest['window'][1]}) -> {args.out}")
    for table, n in manifest["tables"].items():
        print(f"  {table:<18} {n:>7,} rows")
    for table in manifest["header_only"]:
        print(f"  {table:<18}  header only")
    for table in manifest["absent"]:
        print(f"  {table:<18}  no file")
    for ref, n in manifest["reference"].items():
        print(f"  reference/{ref:<8} {n:>7,} rows")
    build = " ".join(["marketing-kpi build --data-dir", str(args.out), *manifest["build_args"]])
    print(f"Build it with: {build}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

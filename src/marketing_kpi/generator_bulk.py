"""Large synthetic datasets at named scales, for benchmarks and capacity tests.

``python -m marketing_kpi.generator --scale-name L --out-raw DIR`` (or
``python -m marketing_kpi.generator_bulk L DIR``) writes one typed Parquet file per raw table of
the contract into DIR, plus ``_dirt_manifest.json`` and the reference seeds of the same range in
``DIR/reference``. The embedded dataset (``seeds/raw``) is not made here: it comes from
``generator.py`` and stays byte-identical.

Named scales (2-year default range, 2024-11-01..2026-10-31)
==========================================================

=====  =========  ===============  ============  ===========  ==========  =====================
scale  leads      ad_performance   touchpoints   orders       all rows    size (Parquet)
=====  =========  ===============  ============  ===========  ==========  =====================
S      ~10 k      ~100 k           ~100 k        ~50 k        ~0.35 M     ~10 MB
M      ~100 k     ~1 M             ~1 M          ~0.5 M       ~3.5 M      ~0.1 GB
L      ~1 M       ~10 M            ~10 M         ~5 M         ~35 M       ~1 GB
XL     ~10 M      ~100 M           ~100 M        ~50 M        ~350 M      ~10 GB
=====  =========  ===============  ============  ===========  ==========  =====================

(measured figures: docs/BRING_YOUR_OWN_DATA.md and docs/BENCHMARK.md.)

How the volume is reached while keeping the contract
----------------------------------------------------
* ``ad_performance`` stays one row per campaign per day. Ten million rows over two years need
  ~14 k campaigns live on an average day, so a bulk dataset is a company running many small
  campaigns (think one campaign per ad group and market): ~50 k campaigns at L, each with a
  daily budget sized so that the paid channels' cost per lead stays at the channel's CPL.
* The data is generated in independent *markets* (tiles) of ~10 k leads each (100 at L, 1000 at
  XL): every market has its own campaigns, leads, customers, orders and journeys; ids are global
  and sequential. A market is simulated with vectorised numpy, converted to Arrow and appended to
  each table's Parquet file as one row group, then dropped: memory stays bounded (~200 MB) at
  any scale, and market k's rows depend only on (seed, k), never on the other markets.
* To reach ~5 orders per lead, the bulk scales model a sales-assisted, product-led motion: the
  funnel's step rates are higher than the embedded dataset's (~17 % of leads win instead of
  ~3 %) and an account is billed per product line (1 + Poisson(2.8) lines) every month until it
  churns. Expansions and cross-sells are one-off orders (the embedded dataset also raises the
  line's later renewals). Touchpoints per lead (~10) and web sessions per lead (~5) are higher
  for the same reason.
* Economics: the same list prices, costs per lead, CPCs and churn as the embedded dataset (read
  from generator.py, never copied). Because more leads win and accounts carry more lines, plans
  are smaller (prices x BULK_PRICE_FACTOR), so CAC payback (~15 months), LTV:CAC (~4.5) and
  media spend per net revenue (~1.3) match the embedded dataset's; session-to-lead (~20 %) and
  MQL->SQL (~70 %) do not, since rows per lead are what the benchmark scales are sized by.
* Dirt: the same kinds and rates as the embedded dataset except ``timezone_offset`` (cannot be
  stored in typed Parquet) and ``unknown_channel`` (not generated at bulk scales); the manifest
  records counts per (table, kind) and the first five keys of each.

Progress is drawn on stderr (one bar over the markets). A 2-core machine writes L in about two
minutes; XL streams in about ten times that.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import sys
import time
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from marketing_kpi import generator as g
from marketing_kpi.contract import Table, load_contract

SECONDS_PER_DAY = g.SECONDS_PER_DAY
NULL_TS = g.NULL_TS
MONTH_SECONDS = int(30.44 * SECONDS_PER_DAY)


@dataclass(frozen=True)
class ScaleSpec:
    """A named volume: how many markets of `leads_per_market` leads each."""

    name: str
    markets: int
    leads_per_market: int = 10_000
    description: str = ""

    @property
    def leads(self) -> int:
        return self.markets * self.leads_per_market


SCALES: dict[str, ScaleSpec] = {
    "S": ScaleSpec("S", 1, description="~10k leads, ~0.35M rows: smoke tests"),
    "M": ScaleSpec("M", 10, description="~100k leads, ~3.5M rows"),
    "L": ScaleSpec("L", 100, description="~1M leads, ~10M ad_performance rows, ~35M rows"),
    "XL": ScaleSpec("XL", 1000, description="~10M leads, ~100M ad_performance rows, ~350M rows"),
}

# Volumes per lead of a market (calibration targets; see the module docstring).
AD_ROWS_PER_LEAD = 10.0
PAID_LEAD_SHARE = 0.65
UNPAID_LEAD_SHARE = 0.30  # the rest (~5 %) come from email
SESSIONS_PER_LEAD = 4.0  # non-converting sessions (plus one creating session per lead)
EMAIL_CAMPAIGNS_PER_MARKET = 8
BULK_STEP_RATES = (0.62, 0.70, 0.75, 0.50)
EXTRA_LINES_MEAN = 2.8
# The higher win rate and the extra product lines above are volume devices (rows per lead), not a
# richer business: without an offset every bulk customer would cost the same media spend as an
# embedded lead while bringing ~10x the embedded dataset's revenue per won lead (CAC payback ~2
# months, LTV:CAC ~40). Bulk accounts therefore buy smaller plans: list prices (generator.MRR_BY_SIZE,
# the same table as the embedded dataset) x BULK_PRICE_FACTOR, about (embedded lead-to-customer rate
# ~3.4 % / bulk ~17 %) x (embedded revenue lines per account ~1.2 / bulk ~2.1) ~ 0.11, which brings
# CAC payback, LTV:CAC and spend per revenue to the embedded dataset's (README, "The embedded dataset").
BULK_PRICE_FACTOR = 0.11
PAID_CHANNELS = tuple(i for i, c in enumerate(g.CHANNELS) if c.has_ads)
UNPAID_CHANNELS = tuple(i for i, c in enumerate(g.CHANNELS) if not c.is_paid and not c.has_campaigns)
# Currencies a row may carry: the three real ones, then the two without fx rates (missing_fx_rate dirt).
CURRENCY_CODES = (*g.CURRENCIES, "JPY", "CHF")

# ---------------------------------------------------------------------------------------------
# Columns: integer-coded numpy data plus how to turn it into Arrow (and to dirty it)
# ---------------------------------------------------------------------------------------------


@dataclass
class Col:
    """One column of a market's table.

    kind: 'id' (int number, -1 = null; prefix and width format it), 'enum' (index into values,
    -1 = null; dirt may add noisy spellings), 'ts' (epoch seconds, NULL_TS = null), 'date'
    (epoch days), 'money' (cents, NULL_TS = null), 'int', 'bool', or 'arrow' (a ready pa.Array).
    """

    kind: str
    data: np.ndarray | pa.Array
    prefix: str = ""
    width: int = 0
    values: tuple[str, ...] = ()

    def take(self, idx: np.ndarray) -> Col:
        data = self.data.take(pa.array(idx)) if self.kind == "arrow" else self.data[idx]
        return dataclasses.replace(self, data=data)

    def concat(self, other: Col) -> Col:
        if self.kind == "arrow":
            data = pa.concat_arrays([self.data, other.data])
        else:
            data = np.concatenate([self.data, other.data])
        return dataclasses.replace(self, data=data)


@dataclass
class MarketTable:
    """A raw table of one market, integer-coded, in contract column order."""

    name: str
    cols: dict[str, Col]
    frozen: np.ndarray | None = None  # rows no dirt may touch (planted anomaly)
    protected: np.ndarray | None = None  # rows quarantine-type dirt may not touch

    @property
    def n(self) -> int:
        c = next(iter(self.cols.values()))
        return len(c.data)

    def append(self, rows: dict[str, Col]) -> None:
        added = len(next(iter(rows.values())).data)
        for name, col in rows.items():
            self.cols[name] = self.cols[name].concat(col)
        for attr in ("frozen", "protected"):
            flags = getattr(self, attr)
            if flags is not None:
                setattr(self, attr, np.concatenate([flags, np.ones(added, dtype=bool)]))

    def copy_rows(self, idx: np.ndarray) -> dict[str, Col]:
        return {name: col.take(idx) for name, col in self.cols.items()}


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    numbers = np.asarray(numbers, dtype=np.int64)
    mask = numbers < 0
    text = pc.utf8_lpad(pa.array(np.where(mask, 0, numbers)).cast(pa.string()), width, "0")
    out = pc.binary_join_element_wise(prefix, text, "")
    if mask.any():
        out = pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), out)
    return out


def _noisy_spellings(value: str) -> tuple[str, ...]:
    """Case/whitespace variants that trim + lower map back to `value` (enum_noise dirt)."""
    return (value.upper(), value.title(), " " + value.title(), value.upper() + " ", value + "  ")


def _enum_values(values: Sequence[str]) -> list[str]:
    """The dictionary of an enum column: the values, then each value's noisy spellings."""
    out = list(values)
    for v in values:
        out += _noisy_spellings(v)
    return out


def _decimal_from_cents(cents: np.ndarray) -> pa.Array:
    cents = np.asarray(cents, dtype=np.int64)
    mask = cents == NULL_TS
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = np.where(mask, 0, cents)
    words[:, 1] = words[:, 0] >> 63
    validity = pa.py_buffer(np.packbits(~mask, bitorder="little")) if mask.any() else None
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(cents), [validity, pa.py_buffer(words)])


def to_arrow(col: Col, arrow_type: pa.DataType) -> pa.Array:
    """A column as the contract's Arrow type."""
    d = col.data
    if col.kind == "arrow":
        return d.cast(arrow_type)
    if col.kind == "id":
        return _ids(col.prefix, d, col.width)
    if col.kind == "enum":
        idx = np.asarray(d, dtype=np.int64)
        mask = idx < 0
        dictionary = pa.array(_enum_values(col.values), pa.string())
        return dictionary.take(pa.array(np.where(mask, 0, idx), mask=mask))
    if col.kind == "ts":
        ts = np.asarray(d, dtype=np.int64)
        return pa.array(ts, pa.timestamp("s"), mask=ts == NULL_TS)
    if col.kind == "date":
        return pa.array(np.asarray(d, dtype=np.int32), pa.date32())
    if col.kind == "money":
        return _decimal_from_cents(d)
    if col.kind in ("int", "bool"):
        return pa.array(d).cast(arrow_type)
    raise ValueError(f"unknown column kind {col.kind}")


def to_record_batch(table: MarketTable, contract_table: Table, schema: pa.Schema) -> pa.RecordBatch:
    arrays = [to_arrow(table.cols[c.name], schema.field(c.name).type) for c in contract_table.columns]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def arrow_schema(contract_table: Table) -> pa.Schema:
    return pa.schema([pa.field(c.name, g._arrow_type(c.data_type)) for c in contract_table.columns])


# ---------------------------------------------------------------------------------------------
# One market
# ---------------------------------------------------------------------------------------------


# Ids are <prefix><market number, 4 digits><number within the market, ID_DIGITS digits>, so a
# market's rows never depend on another market (markets can be generated in parallel and in any
# order). Dirt's unknown ids have one digit more and so can never collide with a generated id.
MARKET_DIGITS = 4
ID_DIGITS = {"campaign": 4, "lead": 5, "customer": 5, "visitor": 6, "session": 6, "send": 4, "stage_event": 6,
             "touchpoint": 6, "order": 6, "response": 5}  # fmt: skip
ID_PREFIX = {
    "campaign": "cmp_",
    "lead": "lead_",
    "customer": "cus_",
    "visitor": "vis_",
    "session": "ses_",
    "send": "snd_",
    "stage_event": "sev_",
    "touchpoint": "tch_",
    "order": "ord_",
    "response": "srv_",
}


def id_col(entity: str, market: int, local: np.ndarray) -> Col:
    """An id column from 0-based numbers within the market (-1 = null)."""
    local = np.asarray(local, dtype=np.int64)
    digits = ID_DIGITS[entity]
    if len(local) and local.max() >= 10**digits - 1:
        raise ValueError(f"a market has more than {10**digits - 1:,} {entity} ids; lower leads_per_market")
    numbers = np.where(local < 0, -1, market * 10**digits + local + 1)
    return Col("id", numbers, ID_PREFIX[entity], MARKET_DIGITS + digits)


def unknown_ids(entity: str, market: int, start: int, count: int) -> np.ndarray:
    """Ids no generated row has (dirt): one digit longer than generated ids."""
    digits = ID_DIGITS[entity]
    return 10 ** (MARKET_DIGITS + digits) + market * 10**digits + start + np.arange(count)


@dataclass
class MarketContext:
    cfg: g.Config  # cfg.seed is the market's own seed
    spec: ScaleSpec
    market: int
    day_numbers: np.ndarray
    fx: dict[str, np.ndarray]
    anomaly_week: dt.date | None

    @property
    def first_day(self) -> int:
        return int(self.day_numbers[0])

    @property
    def last_day(self) -> int:
        return int(self.day_numbers[-1])

    def rng(self, name: str) -> np.random.Generator:
        return g.stream(self.cfg.seed, f"bulk:{name}")

    def fx_at_days(self, currency_idx: np.ndarray, days: np.ndarray) -> np.ndarray:
        """rate_to_usd of CURRENCY_CODES[currency_idx] on each epoch day (clipped to the range)."""
        d = np.clip(np.asarray(days) - self.first_day, 0, len(self.day_numbers) - 1)
        rate = np.ones(len(d))
        for k, code in enumerate(g.CURRENCIES):
            rate = np.where(currency_idx == k, self.fx[code][d], rate)
        return rate


@dataclass
class MarketCampaigns:
    channel: np.ndarray
    start_day: np.ndarray
    end_day: np.ndarray  # inclusive; far future when open-ended
    open_ended: np.ndarray
    report_currency: np.ndarray  # index into CURRENCY_CODES
    budget_currency: np.ndarray
    daily_usd: np.ndarray
    cpl_mult: np.ndarray
    ctr_mult: np.ndarray
    exported_at: np.ndarray
    names: list[str]
    objective: np.ndarray  # index into OBJECTIVES

    @property
    def n(self) -> int:
        return len(self.channel)


OBJECTIVES = ("awareness", "lead_generation", "conversion", "retention")


def plan_market_campaigns(ctx: MarketContext) -> MarketCampaigns:
    """Paid campaigns until their in-range days reach the market's ad-row target, then a few email
    campaigns. 15 % always-on (open-ended, started before the range), the others run 45-360 days
    (a fifth open-ended)."""
    rng = ctx.rng("campaigns")
    first, last = ctx.first_day, ctx.last_day
    n_days = last - first + 1
    target_rows = AD_ROWS_PER_LEAD * ctx.spec.leads_per_market * n_days / 730.0
    weights = np.array([g.CHANNELS[i].n_campaigns for i in PAID_CHANNELS], dtype=float)
    batch = int(target_rows / 150) + 50
    parts: list[dict[str, np.ndarray]] = []
    total = 0.0
    while total < target_rows:
        always = rng.random(batch) < 0.15
        start = np.where(
            always, first - rng.integers(0, 200, batch), first + rng.integers(0, max(1, n_days - 14), batch)
        )
        open_ended = always | (rng.random(batch) < 0.2)
        end = np.where(open_ended, last + 3650, start + rng.integers(45, 361, batch))
        days_in_range = np.maximum(0, np.minimum(end, last) - np.maximum(start, first) + 1)
        cum = total + np.cumsum(days_in_range)
        take = int(np.searchsorted(cum, target_rows, side="left")) + 1
        take = min(take, batch)
        channel = np.array(PAID_CHANNELS)[rng.choice(len(PAID_CHANNELS), batch, p=weights / weights.sum())]
        parts.append({"start": start[:take], "end": end[:take], "open": open_ended[:take], "channel": channel[:take]})
        total = float(cum[take - 1])
    start = np.concatenate([p["start"] for p in parts])
    end = np.concatenate([p["end"] for p in parts])
    open_ended = np.concatenate([p["open"] for p in parts])
    channel = np.concatenate([p["channel"] for p in parts])
    # email campaigns (no ad rows): two newsletters always on, the others 45-180 days
    k = EMAIL_CAMPAIGNS_PER_MARKET
    e_always = np.arange(k) < 2
    e_start = np.where(e_always, first - rng.integers(0, 200, k), first + rng.integers(0, max(1, n_days - 14), k))
    e_end = np.where(e_always, last + 3650, e_start + rng.integers(45, 181, k))
    start = np.concatenate([start, e_start])
    end = np.concatenate([end, e_end])
    open_ended = np.concatenate([open_ended, e_always])
    channel = np.concatenate([channel, np.full(k, g.EMAIL)])
    n = len(start)
    order = np.lexsort((channel, start))
    start, end, open_ended, channel = start[order], end[order], open_ended[order], channel[order]
    cur_draw = rng.random(n)
    budget_currency = np.where(cur_draw < 0.7, 0, np.where(cur_draw < 0.88, 1, 2))
    swap = rng.random(n) < 0.08
    report_currency = np.where(swap, np.where(budget_currency == 1, 2, 1), budget_currency)
    # daily budget: the channel's CPL x the paid leads an ad row should bring, x a campaign weight
    paid_leads_per_row = PAID_LEAD_SHARE / AD_ROWS_PER_LEAD
    cpl = np.array([c.cpl_usd for c in g.CHANNELS])[channel]
    cpl_mult = rng.lognormal(0.0, 0.25, n)
    daily = cpl * paid_leads_per_row * rng.lognormal(-0.125, 0.5, n) * cpl_mult
    ctr_mult = rng.lognormal(0.0, 0.2, n)
    export_delay = rng.integers(1, 6, n) * SECONDS_PER_DAY - rng.integers(3600, 40_000, n)
    exported_at = np.maximum(start, first - 400) * SECONDS_PER_DAY - export_delay
    theme_draw = rng.random(n)
    geo = rng.integers(0, len(g.GEOS), n)
    names, objective = [], np.empty(n, dtype=np.int64)
    for i in range(n):
        ch = g.CHANNELS[int(channel[i])]
        themes = g.CAMPAIGN_THEMES[ch.channel_group]
        theme, obj = themes[int(theme_draw[i] * len(themes))]
        sd = dt.date(1970, 1, 1) + dt.timedelta(days=int(max(start[i], first)))
        quarter = f"{sd.year}Q{(sd.month - 1) // 3 + 1}"
        names.append(f"{ch.prefix} | {theme} | {g.GEOS[int(geo[i])]} | {quarter} | {ctx.market}-{i + 1}")
        objective[i] = OBJECTIVES.index(obj)
    return MarketCampaigns(channel, start, end, open_ended, report_currency, budget_currency, daily, cpl_mult,
                           ctr_mult, exported_at, names, objective)  # fmt: skip


@dataclass
class MarketAds:
    campaign: np.ndarray  # local campaign index
    day: np.ndarray
    spend_usd_base: np.ndarray
    spend_cents: np.ndarray  # report currency
    impressions: np.ndarray
    clicks: np.ndarray
    conversions: np.ndarray
    exported_at: np.ndarray
    anomaly: np.ndarray


def simulate_market_ads(ctx: MarketContext, camp: MarketCampaigns) -> MarketAds:
    """One row per paid campaign per day it is live in the range (see generator.simulate_ads)."""
    rng = ctx.rng("ad_performance")
    paid = np.flatnonzero(camp.channel != g.EMAIL)
    lo = np.maximum(camp.start_day[paid], ctx.first_day)
    hi = np.minimum(camp.end_day[paid], ctx.last_day)
    lens = np.maximum(0, hi - lo + 1)
    c = np.repeat(paid, lens)
    starts = np.repeat(lo, lens)
    offsets = np.repeat(np.cumsum(lens) - lens, lens)
    day = starts + (np.arange(len(c)) - offsets)
    ch = camp.channel[c]
    demand = np.ones(len(c))
    for ci in PAID_CHANNELS:
        m = ch == ci
        demand[m] = g.demand_index(day[m], ctx.cfg, g.CHANNELS[ci].weekend_factor)
    base = np.round(camp.daily_usd[c] * demand * rng.lognormal(0.0, 0.15, len(c)), 2)
    base = np.maximum(base, 0.5)
    anomaly = np.zeros(len(c), dtype=bool)
    if ctx.anomaly_week is not None:
        wk = g._epoch_day(ctx.anomaly_week)
        anomaly = (ch == g.CHANNEL_INDEX[g.ANOMALY_CHANNEL]) & (day >= wk) & (day <= wk + 6)
    usd = np.where(anomaly, base * g.ANOMALY_MULTIPLIER, base)
    cpc = np.array([x.cpc_usd for x in g.CHANNELS])[ch]
    ctr_ch = np.array([x.ctr for x in g.CHANNELS])[ch]
    cvr = np.array([x.platform_cvr for x in g.CHANNELS])[ch]
    cpm = cpc * ctr_ch * 1000.0
    impressions = np.maximum(1, np.round(base / cpm * 1000.0 * rng.lognormal(0.0, 0.12, len(c)))).astype(np.int64)
    impressions = np.where(anomaly, np.round(impressions * 1.1), impressions).astype(np.int64)
    ctr = np.clip(ctr_ch * camp.ctr_mult[c] * rng.lognormal(0.0, 0.15, len(c)), 0.0001, 0.5)
    clicks = rng.binomial(impressions, ctr)
    conversions = rng.binomial(clicks, cvr)
    rate = ctx.fx_at_days(camp.report_currency[c], day)
    spend_cents = np.round(usd / rate * 100).astype(np.int64)
    exported = (day + 1) * SECONDS_PER_DAY + rng.integers(3600, 9 * 3600, len(c))
    order = np.lexsort((c, day))
    return MarketAds(c[order], day[order], base[order], spend_cents[order], impressions[order], clicks[order],
                     conversions[order], exported[order], anomaly[order])  # fmt: skip


class CampaignPicker:
    """Picks, for (channel, day) queries, a campaign of that channel live that day (-1 if none)."""

    def __init__(self, ctx: MarketContext, camp: MarketCampaigns, ads: MarketAds) -> None:
        email = np.flatnonzero(camp.channel == g.EMAIL)
        lo = np.maximum(camp.start_day[email], ctx.first_day)
        hi = np.minimum(camp.end_day[email], ctx.last_day)
        lens = np.maximum(0, hi - lo + 1)
        e_c = np.repeat(email, lens)
        e_day = np.repeat(lo, lens) + (np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens))
        campaign = np.concatenate([ads.campaign, e_c])
        day = np.concatenate([ads.day, e_day])
        key = camp.channel[campaign] * 1_000_000 + (day - ctx.first_day)
        order = np.argsort(key, kind="stable")
        self.keys = key[order]
        self.campaigns = campaign[order]
        self.first_day = ctx.first_day

    def pick(self, channel: np.ndarray, ts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        q = channel * 1_000_000 + (ts // SECONDS_PER_DAY - self.first_day)
        lo = np.searchsorted(self.keys, q, side="left")
        hi = np.searchsorted(self.keys, q, side="right")
        j = lo + (rng.random(len(q)) * (hi - lo)).astype(np.int64)
        found = hi > lo
        return np.where(found, self.campaigns[np.minimum(j, len(self.campaigns) - 1)], -1)


@dataclass
class MarketSends:
    campaign: np.ndarray
    sent_at: np.ndarray
    sent: np.ndarray
    delivered: np.ndarray
    opened: np.ndarray
    clicked: np.ndarray
    unsubscribed: np.ndarray


def simulate_market_sends(ctx: MarketContext, camp: MarketCampaigns) -> MarketSends:
    """Each email campaign sends every 7-14 days (working days) while live; list sizes grow."""
    rng = ctx.rng("email_sends")
    rows: list[tuple[int, int, int]] = []
    for c in np.flatnonzero(camp.channel == g.EMAIL).tolist():
        lo, hi = max(ctx.first_day, int(camp.start_day[c])), min(ctx.last_day, int(camp.end_day[c]))
        day = lo + int(rng.integers(0, 7))
        base_list = int(rng.integers(2_000, 12_000))
        while day <= hi:
            wd = (day + 3) % 7
            if wd >= 5:
                day += 7 - wd + 1
                continue
            ts = day * SECONDS_PER_DAY + int(rng.integers(9, 16)) * 3600 + int(rng.integers(0, 4)) * 900
            growth = 1.0 + 0.3 * (day - ctx.first_day) / 365.25
            rows.append((ts, c, int(base_list * growth * rng.uniform(0.95, 1.05))))
            day += int(rng.integers(7, 15))
    rows.sort()
    sent_at = np.array([r[0] for r in rows], dtype=np.int64)
    campaign = np.array([r[1] for r in rows], dtype=np.int64)
    sent = np.array([r[2] for r in rows], dtype=np.int64)
    n = len(rows)
    delivered = sent - rng.binomial(sent, rng.uniform(0.005, 0.03, n))
    opened = rng.binomial(delivered, rng.uniform(0.18, 0.35, n))
    clicked = rng.binomial(opened, rng.uniform(0.08, 0.20, n))
    unsub = rng.binomial(delivered, rng.uniform(0.001, 0.005, n))
    return MarketSends(campaign, sent_at, sent, delivered, opened, clicked, unsub)


def simulate_market_leads(ctx: MarketContext, camp: MarketCampaigns, ads: MarketAds, sends: MarketSends) -> g.Leads:
    """Paid leads ~ Poisson(baseline spend / (channel CPL x campaign efficiency)) per ad row, email
    leads per send, unpaid leads per channel and day; firmographics, fit and routing as in
    generator.simulate_leads."""
    cfg = ctx.cfg
    rng = ctx.rng("leads")
    cpl = np.array([c.cpl_usd for c in g.CHANNELS])[camp.channel[ads.campaign]] * camp.cpl_mult[ads.campaign]
    counts = rng.poisson(ads.spend_usd_base / cpl)
    paid_days = np.repeat(ads.day, counts)
    paid_created = g.random_times_in_days(paid_days, rng)
    paid_campaign = np.repeat(ads.campaign, counts)
    paid_channel = camp.channel[paid_campaign]
    # email: enough to be ~5 % of the market's leads
    email_rate = (1 - PAID_LEAD_SHARE - UNPAID_LEAD_SHARE) * ctx.spec.leads_per_market / max(1, sends.clicked.sum())
    e_counts = rng.poisson(sends.clicked * email_rate)
    e_created = np.repeat(sends.sent_at, e_counts) + (rng.exponential(1.2, e_counts.sum()) * SECONDS_PER_DAY).astype(
        np.int64
    )
    e_campaign = np.repeat(sends.campaign, e_counts)
    # unpaid
    per_day = UNPAID_LEAD_SHARE * ctx.spec.leads_per_market / 730.0
    total_rate = sum(g.CHANNELS[i].leads_per_day for i in UNPAID_CHANNELS)
    u_created, u_channel = [], []
    for ci in UNPAID_CHANNELS:
        ch = g.CHANNELS[ci]
        lam = per_day * ch.leads_per_day / total_rate * g.demand_index(ctx.day_numbers, cfg, ch.weekend_factor)
        days = np.repeat(ctx.day_numbers, rng.poisson(lam))
        u_created.append(g.random_times_in_days(days, rng))
        u_channel.append(np.full(len(days), ci, dtype=np.int64))
    created = np.concatenate([paid_created, e_created, *u_created])
    channel = np.concatenate([paid_channel, np.full(len(e_created), g.EMAIL), *u_channel])
    campaign = np.concatenate([paid_campaign, e_campaign, np.full(sum(len(x) for x in u_created), -1)])
    keep = (created >= cfg.start_ts) & (created < cfg.as_of_ts)
    created, channel, campaign = created[keep], channel[keep], campaign[keep]
    order = np.lexsort((channel, created))
    created, channel, campaign = created[order], channel[order], campaign[order]
    n = len(created)

    seniority = np.empty(n, dtype=np.int64)
    size = np.empty(n, dtype=np.int64)
    u_sen, u_size = rng.random(n), rng.random(n)
    for ci, ch in enumerate(g.CHANNELS):
        m = channel == ci
        seniority[m] = np.searchsorted(np.cumsum(ch.seniority_weights) / sum(ch.seniority_weights), u_sen[m], "right")
        size[m] = np.searchsorted(np.cumsum(ch.size_weights) / sum(ch.size_weights), u_size[m], side="right")
    seniority, size = np.minimum(seniority, 4), np.minimum(size, 4)
    budget = np.array(g.BUDGET_MEDIAN_BY_SIZE)[size] * rng.lognormal(0.0, 0.6, n)
    budget = np.round(budget / 500) * 500 + 500
    budget = np.where(rng.random(n) < 0.25, np.nan, budget)
    country = rng.choice(len(g.COUNTRIES), size=n, p=g.COUNTRY_WEIGHTS / g.COUNTRY_WEIGHTS.sum())
    mobile = np.array([c.mobile_share for c in g.CHANNELS])[channel]
    u_dev = rng.random(n)
    device = np.where(u_dev < 1 - mobile - 0.05, 0, np.where(u_dev < 0.95, 1, 2))
    sen_pts = np.array([1.0, 0.9, 0.7, 0.4, 0.0])[seniority]
    size_pts = np.array([0.0, 0.3, 0.7, 0.9, 1.0])[size]
    budget_pts = np.where(
        np.isnan(budget), 0.3, np.clip((np.log10(np.nan_to_num(budget, nan=1000.0)) - 3.0) / 2.0, 0, 1)
    )
    fit = (sen_pts + size_pts + budget_pts) / 3.0
    owner = rng.integers(0, len(g.SALES_REPS), n)
    slow = rng.random(n) < 0.07
    assign_delay = rng.lognormal(np.log(25 * 60), 0.8, n).astype(np.int64)
    assigned = g.to_business_hours(created, rng) + assign_delay
    assigned = assigned + np.where(slow, rng.integers(1, 5, n) * SECONDS_PER_DAY, 0)
    resp_draw = rng.random(n)
    fast = rng.lognormal(np.log(2.5 * 3600), 0.9, n).astype(np.int64)
    late = rng.integers(1, 6, n) * SECONDS_PER_DAY + rng.integers(0, 8 * 3600, n)
    responded = g.to_business_hours(assigned + np.where(resp_draw < 0.8, fast, late), rng)
    responded = np.where(resp_draw >= 0.95, NULL_TS, responded)
    assigned = np.where(assigned >= cfg.as_of_ts, NULL_TS, assigned)
    responded = np.where((responded >= cfg.as_of_ts) | (assigned == NULL_TS), NULL_TS, responded)
    return g.Leads(created, channel, campaign, seniority, size, budget, country, device, fit,
                   np.zeros(n, dtype=np.int64), owner, assigned, responded)  # fmt: skip


def simulate_market_orders(ctx: MarketContext, cust: g.Customers, leads: g.Leads) -> g.Orders:
    """Vectorised billing: a 'new' order 0-3 days after the win (all lines), then one 'renewal'
    invoice per product line and month until churn; one-off 'expansion' (3 % of account-months)
    and 'cross_sell' (2 %) orders; ~2 % of completed orders refunded 3-30 days later."""
    cfg = ctx.cfg
    rng = ctx.rng("orders")
    k = len(cust.lead)
    if k == 0:
        empty = np.zeros(0, dtype=np.int64)
        return g.Orders(empty, empty, np.zeros(0), [], empty, empty)
    size = leads.company_size[cust.lead]
    lo = np.array([m[0] for m in g.MRR_BY_SIZE])[size]
    hi = np.array([m[1] for m in g.MRR_BY_SIZE])[size]
    cur_idx = np.array([g.CURRENCIES.index(c) for c in cust.currency])
    rate = ctx.fx_at_days(cur_idx, cust.won_at // SECONDS_PER_DAY)
    main = np.exp(rng.uniform(np.log(lo), np.log(hi))) / rate * BULK_PRICE_FACTOR
    n_lines = 1 + rng.poisson(EXTRA_LINES_MEAN, k)
    line_owner = np.repeat(np.arange(k), n_lines)
    first_line = np.repeat(np.cumsum(n_lines) - n_lines, n_lines)
    is_main = np.arange(len(line_owner)) == first_line
    line_amount = g.price_points(main[line_owner] * np.where(is_main, 1.0, rng.uniform(0.2, 0.6, len(line_owner))))
    end = np.where(cust.churned_at != NULL_TS, cust.churned_at, cfg.as_of_ts)
    end = np.minimum(end, cfg.as_of_ts)
    t0 = cust.won_at + rng.integers(0, 3 * SECONDS_PER_DAY, k)
    ok = t0 < cfg.as_of_ts
    # 'new': one order with every line
    new_amount = np.bincount(line_owner, weights=line_amount, minlength=k)
    # renewals: months m = 1..n_months per account, one row per line
    n_months = np.where(ok, np.maximum(0, (end - 3601 - t0) // MONTH_SECONDS), 0)
    acc_month = np.repeat(np.arange(k), n_months)
    month_no = 1 + np.arange(len(acc_month)) - np.repeat(np.cumsum(n_months) - n_months, n_months)
    month_ts = t0[acc_month] + month_no * MONTH_SECONDS + rng.integers(-3600, 3600, len(acc_month))
    lines_per = n_lines[acc_month]
    ren_month = np.repeat(np.arange(len(acc_month)), lines_per)
    ren_line = np.repeat(np.cumsum(n_lines)[acc_month] - lines_per, lines_per) + (
        np.arange(len(ren_month)) - np.repeat(np.cumsum(lines_per) - lines_per, lines_per)
    )
    ren_ts = month_ts[ren_month] + rng.integers(0, 600, len(ren_month))
    ren_cust = acc_month[ren_month]
    ren_amount = line_amount[ren_line]
    # expansions and cross-sells (one-off)
    exp_m = np.flatnonzero(rng.random(len(acc_month)) < 0.03)
    exp_ts = month_ts[exp_m] + rng.integers(1, 20, len(exp_m)) * SECONDS_PER_DAY
    exp_amount = g.expansion_amounts(main[acc_month[exp_m]] * rng.uniform(0.1, 0.4, len(exp_m)))
    cx_m = np.flatnonzero(rng.random(len(acc_month)) < 0.02)
    cx_ts = month_ts[cx_m] + rng.integers(1, 25, len(cx_m)) * SECONDS_PER_DAY
    cx_amount = g.price_points(main[acc_month[cx_m]] * rng.uniform(0.2, 0.6, len(cx_m)))
    ts = np.concatenate([t0[ok], ren_ts, exp_ts, cx_ts])
    customer = np.concatenate([np.flatnonzero(ok), ren_cust, acc_month[exp_m], acc_month[cx_m]])
    amount = np.concatenate([new_amount[ok], ren_amount, exp_amount, cx_amount])
    otype = np.concatenate([np.zeros(int(ok.sum()), np.int64), np.ones(len(ren_ts), np.int64),
                            np.full(len(exp_ts), 2), np.full(len(cx_ts), 3)])  # fmt: skip
    keep = (ts < end[customer]) | (otype == 0)
    keep &= ts < cfg.as_of_ts
    ts, customer, amount, otype = ts[keep], customer[keep], amount[keep], otype[keep]
    n = len(ts)
    u = rng.random(n)
    status = np.where(u < 0.96, 0, np.where(u < 0.98, 2, 1))
    recent = ts >= cfg.as_of_ts - 5 * SECONDS_PER_DAY
    status = np.where(recent & (rng.random(n) < 0.5), 1, status)
    refund = (status == 0) & (rng.random(n) < 0.02)
    r_ts = ts[refund] + rng.integers(3, 31, int(refund.sum())) * SECONDS_PER_DAY
    r_amount = -np.round(amount[refund] * rng.uniform(0.3, 1.0, int(refund.sum())), 2)
    r_ok = r_ts < cfg.as_of_ts
    ts = np.concatenate([ts, r_ts[r_ok]])
    customer = np.concatenate([customer, customer[refund][r_ok]])
    amount = np.concatenate([amount, r_amount[r_ok]])
    otype = np.concatenate([otype, np.full(int(r_ok.sum()), 4)])
    status = np.concatenate([status, np.zeros(int(r_ok.sum()), dtype=np.int64)])
    order = np.lexsort((otype, customer, ts))
    customer = customer[order]
    return g.Orders(customer + 1, ts[order], amount[order], cur_idx[customer].tolist(), otype[order], status[order])


def simulate_market_sessions(
    ctx: MarketContext, leads: g.Leads, picker: CampaignPicker, visitors: np.ndarray
) -> dict[str, np.ndarray]:
    """A creating session per lead plus non-converting sessions per channel and day."""
    cfg = ctx.cfg
    rng = ctx.rng("web_sessions")
    n_leads = leads.n
    start = np.maximum(cfg.start_ts, leads.created_at - rng.integers(90, 1200, n_leads))
    l_pv = 2 + rng.geometric(0.35, n_leads)
    l_eng = (rng.lognormal(np.log(240), 0.6, n_leads) + 45).astype(np.int64)
    per_day = SESSIONS_PER_LEAD * ctx.spec.leads_per_market / 730.0
    total_rate = sum(c.sessions_per_day for c in g.CHANNELS)
    starts, chans = [], []
    for ci, ch in enumerate(g.CHANNELS):
        lam = per_day * ch.sessions_per_day / total_rate * g.demand_index(ctx.day_numbers, cfg, ch.weekend_factor)
        days = np.repeat(ctx.day_numbers, rng.poisson(lam))
        starts.append(g.random_times_in_days(days, rng))
        chans.append(np.full(len(days), ci, dtype=np.int64))
    s_start, s_chan = np.concatenate(starts), np.concatenate(chans)
    m = len(s_start)
    has_campaigns = np.array([c.has_campaigns for c in g.CHANNELS])
    s_camp = np.where(has_campaigns[s_chan], picker.pick(s_chan, s_start, rng), -1)
    n_anon = len(visitors) - n_leads
    s_visitor = visitors[n_leads + rng.integers(0, max(1, n_anon), m)]
    pv = np.where(rng.random(m) < 0.45, 1, 1 + rng.geometric(0.4, m))
    eng = np.where(pv == 1, np.where(rng.random(m) < 0.7, rng.integers(0, 10, m), rng.integers(10, 180, m)),
                   (rng.lognormal(np.log(45), 0.8, m) * pv).astype(np.int64))  # fmt: skip
    mobile = np.array([c.mobile_share for c in g.CHANNELS])
    u_dev = rng.random(m)
    s_dev = np.where(u_dev < 1 - mobile[s_chan] - 0.05, 0, np.where(u_dev < 0.95, 1, 2))
    s_country = rng.choice(len(g.COUNTRIES), size=m, p=g.COUNTRY_WEIGHTS / g.COUNTRY_WEIGHTS.sum())
    kinds = list(g.LANDING_PAGES)
    page_offset = np.cumsum([0] + [len(g.LANDING_PAGES[k]) for k in kinds])
    kind_of_channel = np.array([
        kinds.index("email" if ci == g.EMAIL else "webinar" if c.channel_group == "events_webinars"
                    else "paid" if c.is_paid else "direct" if ci == g.DIRECT else "organic")
        for ci, c in enumerate(g.CHANNELS)
    ])  # fmt: skip
    s_kind = kind_of_channel[s_chan]
    n_pages = np.diff(page_offset)
    s_page = page_offset[s_kind] + (rng.random(m) * n_pages[s_kind]).astype(np.int64)
    convert = kinds.index("convert")
    l_page = page_offset[convert] + rng.integers(0, n_pages[convert], n_leads)
    all_start = np.concatenate([start, s_start])
    lead_of = np.concatenate([np.arange(n_leads), np.full(m, -1)])
    order = np.lexsort((lead_of, all_start))
    pageviews = np.concatenate([l_pv, pv])[order]
    engaged = np.concatenate([l_eng, eng])[order]
    return {
        "visitor": np.concatenate([leads.visitor, s_visitor])[order],
        "started_at": all_start[order],
        "channel": np.concatenate([leads.channel, s_chan])[order],
        "campaign": np.concatenate([leads.campaign, s_camp])[order],
        "page": np.concatenate([l_page, s_page])[order],
        "device": np.concatenate([leads.device, s_dev])[order],
        "country": np.concatenate([leads.country, s_country])[order],
        "pageviews": pageviews,
        "engaged": engaged,
        "bounced": (pageviews == 1) & (engaged < 10),
        "lead": lead_of[order],
    }


LANDING_PAGE_VALUES = tuple(p for k in g.LANDING_PAGES for p in g.LANDING_PAGES[k])


def simulate_market_touchpoints(
    ctx: MarketContext, leads: g.Leads, picker: CampaignPicker, visitors: np.ndarray
) -> dict[str, np.ndarray]:
    """Journeys as in generator.touchpoints_table, with more touches per lead (~10)."""
    cfg = ctx.cfg
    rng = ctx.rng("touchpoints")
    n = leads.n
    disc_w = np.array([c.discovery_weight for c in g.CHANNELS])
    disc_p = disc_w / disc_w.sum()
    touch_type = g._touch_type_of(np.arange(len(g.CHANNELS)))
    parts: list[tuple[np.ndarray, ...]] = []

    def add(
        lead: np.ndarray, vis: np.ndarray, ts: np.ndarray, ch: np.ndarray, typ: np.ndarray, camp: int | np.ndarray
    ) -> None:  # noqa: E501
        parts.append((lead, vis, ts, ch, typ, np.broadcast_to(np.asarray(camp, dtype=np.int64), lead.shape).copy()))

    who = np.repeat(np.arange(n), rng.poisson(2.5, n))
    ts = leads.created_at[who] - (rng.exponential(12.0, len(who)) * SECONDS_PER_DAY + 1800).astype(np.int64)
    ch = rng.choice(len(g.CHANNELS), size=len(who), p=disc_p)
    add(np.full(len(who), -1), leads.visitor[who], ts, ch, touch_type[ch], -1)
    entry = np.maximum(cfg.start_ts, leads.created_at - rng.integers(90, 1200, n))
    fixed_campaign = np.where(leads.campaign < 0, -3, leads.campaign)
    add(np.full(n, -1), leads.visitor, entry, leads.channel, touch_type[leads.channel], fixed_campaign)
    add(np.arange(n), leads.visitor, leads.created_at, leads.channel, np.full(n, 2), fixed_campaign)
    horizon = np.where(leads.closed_at != NULL_TS, leads.closed_at, leads.created_at + 90 * SECONDS_PER_DAY)
    span = np.maximum(horizon - leads.created_at, 3600)
    retarget = np.array([g.CHANNEL_INDEX[x] for x in ("meta_ads", "display_network", "linkedin_ads")])
    for kind, rate in (("email", 1.2), ("webinars", 0.3), ("revisit", 1.0), ("retarget", 0.6)):
        who = np.repeat(np.arange(n), rng.poisson(rate, n))
        t = leads.created_at[who] + (rng.random(len(who)) * span[who]).astype(np.int64)
        if kind == "email":
            c = np.full(len(who), g.EMAIL)
        elif kind == "webinars":
            c = np.full(len(who), g.CHANNEL_INDEX["webinars"])
        elif kind == "revisit":
            c = np.where(rng.random(len(who)) < 0.6, g.DIRECT, g.CHANNEL_INDEX["organic_search"])
        else:
            c = retarget[rng.integers(0, len(retarget), len(who))]
        add(who, leads.visitor[who], t, c, touch_type[c], -1)
    mql = np.flatnonzero(leads.mql_at != NULL_TS)
    who = np.repeat(mql, 1 + rng.poisson(0.6, len(mql)))
    sales_end = np.where(
        leads.closed_at[who] != NULL_TS, leads.closed_at[who], leads.mql_at[who] + 60 * SECONDS_PER_DAY
    )
    offset = (rng.random(len(who)) * (sales_end - leads.mql_at[who])).astype(np.int64)
    t = np.minimum(g.to_business_hours(leads.mql_at[who] + offset, rng), sales_end)
    add(who, np.full(len(who), -1), t, np.full(len(who), g.DIRECT), np.full(len(who), 5), -3)
    n_anon = len(visitors) - n
    if n_anon > 0:
        n_j = n
        vis = visitors[n + rng.integers(0, n_anon, n_j)]
        who = np.repeat(np.arange(n_j), 1 + rng.poisson(1.0, n_j))
        first = cfg.start_ts + (rng.random(n_j) * (cfg.as_of_ts - cfg.start_ts)).astype(np.int64)
        t = first[who] + (rng.exponential(5.0, len(who)) * SECONDS_PER_DAY).astype(np.int64)
        c = rng.choice(len(g.CHANNELS), size=len(who), p=disc_p)
        add(np.full(len(who), -1), vis[who], t, c, touch_type[c], -1)
    lead_of, visitor, touched, chan, ttype, camp = (np.concatenate([p[i] for p in parts]) for i in range(6))
    keep = (touched >= cfg.start_ts) & (touched < cfg.as_of_ts)
    lead_of, visitor, touched, chan, ttype, camp = (a[keep] for a in (lead_of, visitor, touched, chan, ttype, camp))
    has_campaigns = np.array([c.has_campaigns for c in g.CHANNELS])
    pick = (camp == -1) & has_campaigns[chan]
    camp[pick] = picker.pick(chan[pick], touched[pick], rng)
    camp = np.where(camp < 0, -1, camp)
    order = np.lexsort((ttype, lead_of, touched))
    return {
        "lead": lead_of[order],
        "visitor": visitor[order],
        "touched_at": touched[order],
        "channel": chan[order],
        "campaign": camp[order],
        "type": ttype[order],
    }


def _contacts(ctx: MarketContext, leads: g.Leads, lead_numbers: np.ndarray) -> dict[str, pa.Array]:
    """Email, phone, name, job title and notes as Arrow strings (vectorised)."""
    rng = ctx.rng("lead_contacts")
    n = leads.n
    first = pa.array(g.FIRST_NAMES).take(pa.array(rng.integers(0, len(g.FIRST_NAMES), n)))
    last = pa.array(g.LAST_NAMES).take(pa.array(rng.integers(0, len(g.LAST_NAMES), n)))
    company = pc.binary_join_element_wise(
        pa.array(g.COMPANY_WORDS).take(pa.array(rng.integers(0, len(g.COMPANY_WORDS), n))),
        pa.array(g.COMPANY_SUFFIXES).take(pa.array(rng.integers(0, len(g.COMPANY_SUFFIXES), n))),
        "",
    )
    number = pa.array(lead_numbers).cast(pa.string())
    local = pc.utf8_lower(pc.replace_substring(pc.binary_join_element_wise(first, last, number, "."), " ", ""))
    email = pc.binary_join_element_wise(local, "@", company, ".example", "")
    cc = np.array([1, 44, 49, 33, 1, 61, 31, 353, 34, 39, 46, 41, 91, 65, 55])[leads.country]
    digits = pc.utf8_lpad(pa.array(rng.integers(0, 10**7, n)).cast(pa.string()), 7, "0")
    area = pa.array(rng.integers(200, 1000, n)).cast(pa.string())
    phone = pc.binary_join_element_wise("+", pa.array(cc).cast(pa.string()), " ", area, " ", digits, "")
    phone = pc.if_else(pa.array(rng.random(n) < 0.3), pa.scalar(None, pa.string()), phone)
    full_name = pc.binary_join_element_wise(first, last, " ")
    offsets = np.cumsum([0] + [len(g.JOB_TITLES[s]) for s in g.SENIORITIES])
    counts = np.diff(offsets)
    title_idx = offsets[leads.seniority] + (rng.random(n) * counts[leads.seniority]).astype(np.int64)
    titles = [t for s in g.SENIORITIES for t in g.JOB_TITLES[s]]
    job_title = pa.array(titles).take(pa.array(title_idx))
    job_title = pc.if_else(pa.array(rng.random(n) < 0.1), pc.utf8_lower(job_title), job_title)
    note_draw = rng.random(n)
    benign = pa.array(g.BENIGN_NOTES).take(pa.array(rng.integers(0, len(g.BENIGN_NOTES), n)))
    call_back = pc.binary_join_element_wise("Call back on ", pc.coalesce(phone, pa.scalar("+1 555 0100")), "")
    prefers = pc.binary_join_element_wise("Prefers contact at ", email, "")
    pii_note = pc.if_else(pa.array(rng.random(n) < 0.5), call_back, prefers)
    notes = pc.if_else(
        pa.array(note_draw < 0.8),
        pa.scalar(None, pa.string()),
        pc.if_else(pa.array(note_draw < 0.98), benign, pii_note),
    )
    return {"email": email, "phone": phone, "full_name": full_name, "job_title": job_title, "notes": notes}


def build_market(ctx: MarketContext) -> tuple[dict[str, MarketTable], np.ndarray]:
    """Simulate one market. Returns its tables (global ids) and the baseline USD spend per (paid
    channel, month of the range) for the budget plan."""
    cfg = ctx.cfg
    camp = plan_market_campaigns(ctx)
    ads = simulate_market_ads(ctx, camp)
    picker = CampaignPicker(ctx, camp, ads)
    sends = simulate_market_sends(ctx, camp)
    leads = simulate_market_leads(ctx, camp, ads, sends)
    shim = types.SimpleNamespace(leads=leads)
    events = g.simulate_funnel(cfg, shim, step_rates=BULK_STEP_RATES)  # type: ignore[arg-type]
    vis_rng = ctx.rng("visitors")
    n_visitors = leads.n + int(round(leads.n * 2.5)) + 10
    visitors = vis_rng.permutation(n_visitors)
    leads.visitor = visitors[: leads.n]
    customers = g.simulate_customers(cfg, shim)  # type: ignore[arg-type]
    orders = simulate_market_orders(ctx, customers, leads)
    sessions = simulate_market_sessions(ctx, leads, picker, visitors)
    touches = simulate_market_touchpoints(ctx, leads, picker, visitors)

    channel_values = tuple(c.channel_id for c in g.CHANNELS)
    mk = ctx.market

    def camp_col(local: np.ndarray) -> Col:
        return id_col("campaign", mk, local)

    def lead_col(local: np.ndarray) -> Col:
        return id_col("lead", mk, local)

    def visitor_col(local: np.ndarray) -> Col:
        return id_col("visitor", mk, local)

    tables: dict[str, MarketTable] = {}
    money = np.round(np.where(camp.channel == g.EMAIL, 0.0, camp.daily_usd * 365 * 1.2) / 100) * 100 * 100
    tables["campaigns"] = MarketTable("campaigns", {
        "campaign_id": camp_col(np.arange(camp.n)),
        "channel_id": Col("enum", camp.channel, values=channel_values),
        "campaign_name": Col("arrow", pa.array(camp.names, pa.string())),
        "objective": Col("enum", camp.objective, values=OBJECTIVES),
        "start_date": Col("date", camp.start_day),
        "end_date": Col("arrow", pa.array(camp.end_day.astype(np.int32), pa.date32(), mask=camp.open_ended)),
        "budget_amount": Col("money", money.astype(np.int64)),
        "budget_currency": Col("enum", camp.budget_currency, values=CURRENCY_CODES),
        "exported_at": Col("ts", camp.exported_at),
    })  # fmt: skip
    tables["ad_performance"] = MarketTable("ad_performance", {
        "campaign_id": camp_col(ads.campaign),
        "report_date": Col("date", ads.day),
        "spend": Col("money", ads.spend_cents),
        "currency_code": Col("enum", camp.report_currency[ads.campaign], values=CURRENCY_CODES),
        "impressions": Col("int", ads.impressions),
        "clicks": Col("int", ads.clicks),
        "platform_conversions": Col("int", ads.conversions),
        "exported_at": Col("ts", ads.exported_at),
    }, frozen=ads.anomaly.copy())  # fmt: skip
    tables["web_sessions"] = MarketTable("web_sessions", {
        "session_id": id_col("session", mk, np.arange(len(sessions["lead"]))),
        "visitor_id": visitor_col(sessions["visitor"]),
        "session_started_at": Col("ts", sessions["started_at"]),
        "channel_id": Col("enum", sessions["channel"], values=channel_values),
        "campaign_id": camp_col(sessions["campaign"]),
        "landing_page": Col("enum", sessions["page"], values=LANDING_PAGE_VALUES),
        "device": Col("enum", sessions["device"], values=g.DEVICES),
        "country_code": Col("enum", sessions["country"], values=g.COUNTRIES),
        "pageviews": Col("int", sessions["pageviews"]),
        "engaged_seconds": Col("int", sessions["engaged"]),
        "is_bounced": Col("bool", sessions["bounced"]),
        "lead_id": lead_col(sessions["lead"]),
    }, protected=sessions["lead"] >= 0)  # fmt: skip
    tables["email_sends"] = MarketTable("email_sends", {
        "send_id": id_col("send", mk, np.arange(len(sends.sent_at))),
        "campaign_id": camp_col(sends.campaign),
        "sent_at": Col("ts", sends.sent_at),
        "emails_sent": Col("int", sends.sent),
        "emails_delivered": Col("int", sends.delivered),
        "emails_opened": Col("int", sends.opened),
        "emails_clicked": Col("int", sends.clicked),
        "emails_unsubscribed": Col("int", sends.unsubscribed),
        "emails_bounced": Col("int", sends.sent - sends.delivered),
    })  # fmt: skip
    lead_ids = lead_col(np.arange(leads.n))
    contacts = _contacts(ctx, leads, lead_ids.data)
    rng = ctx.rng("lead_exports")
    last_change = np.maximum.reduce([leads.created_at, leads.assigned_at, leads.responded_at, leads.won_at])
    exported = (last_change // SECONDS_PER_DAY + 1) * SECONDS_PER_DAY + rng.integers(3600, 6 * 3600, leads.n)
    euro = np.array([c in g.EURO_COUNTRIES for c in g.COUNTRIES])
    budget_cur = np.where(np.array(g.COUNTRIES)[leads.country] == "GB", 2, np.where(euro[leads.country], 1, 0))
    has_budget = ~np.isnan(leads.budget_usd)
    budget_cur = np.where(has_budget, budget_cur, -1)
    rate0 = np.array([ctx.fx[c][0] for c in g.CURRENCIES])[np.maximum(budget_cur, 0)]
    budget_local = np.round(np.nan_to_num(leads.budget_usd) / rate0, -2)
    budget_cents = np.where(has_budget, np.round(budget_local * 100), NULL_TS).astype(np.int64)

    tables["leads"] = MarketTable("leads", {
        "lead_id": lead_ids,
        "created_at": Col("ts", leads.created_at),
        "channel_id": Col("enum", leads.channel, values=channel_values),
        "campaign_id": camp_col(leads.campaign),
        "email": Col("arrow", contacts["email"]),
        "phone": Col("arrow", contacts["phone"]),
        "full_name": Col("arrow", contacts["full_name"]),
        "job_title": Col("arrow", contacts["job_title"]),
        "seniority": Col("enum", leads.seniority, values=g.SENIORITIES),
        "company_size": Col("enum", leads.company_size, values=g.COMPANY_SIZES),
        "declared_budget": Col("money", budget_cents),
        "declared_budget_currency": Col("enum", budget_cur, values=CURRENCY_CODES),
        "country_code": Col("enum", leads.country, values=g.COUNTRIES),
        "device": Col("enum", leads.device, values=g.DEVICES),
        "owner_id": Col("enum", leads.owner, values=g.SALES_REPS),
        "assigned_at": Col("ts", leads.assigned_at),
        "first_responded_at": Col("ts", leads.responded_at),
        "customer_id": id_col("customer", mk, leads.customer - 1),
        "notes": Col("arrow", contacts["notes"]),
        "exported_at": Col("ts", exported),
    }, protected=leads.customer > 0)  # fmt: skip
    tables["lead_stage_events"] = MarketTable("lead_stage_events", {
        "stage_event_id": id_col("stage_event", mk, np.arange(len(events.lead))),
        "lead_id": lead_col(events.lead),
        "stage": Col("enum", events.stage, values=g.STAGES),
        "changed_at": Col("ts", events.changed_at),
    }, protected=np.isin(events.stage, (0, 4)))  # fmt: skip
    tables["touchpoints"] = MarketTable("touchpoints", {
        "touchpoint_id": id_col("touchpoint", mk, np.arange(len(touches["lead"]))),
        "lead_id": lead_col(touches["lead"]),
        "visitor_id": visitor_col(touches["visitor"]),
        "touched_at": Col("ts", touches["touched_at"]),
        "channel_id": Col("enum", touches["channel"], values=channel_values),
        "campaign_id": camp_col(touches["campaign"]),
        "touch_type": Col("enum", touches["type"], values=g.TOUCH_TYPES),
    }, protected=touches["type"] == 2)  # fmt: skip
    tables["orders"] = MarketTable("orders", {
        "order_id": id_col("order", mk, np.arange(len(orders.ordered_at))),
        "customer_id": id_col("customer", mk, orders.customer - 1),
        "ordered_at": Col("ts", orders.ordered_at),
        "amount": Col("money", np.round(orders.amount * 100).astype(np.int64)),
        "currency_code": Col("enum", np.asarray(orders.currency, dtype=np.int64), values=CURRENCY_CODES),
        "order_type": Col("enum", orders.order_type, values=g.ORDER_TYPES),
        "order_status": Col("enum", orders.status, values=g.ORDER_STATUSES),
    }, protected=orders.order_type == 0)  # fmt: skip
    srv = _survey_responses(ctx, customers)
    tables["survey_responses"] = MarketTable("survey_responses", {
        "response_id": id_col("response", mk, np.arange(len(srv["customer"]))),
        "customer_id": id_col("customer", mk, srv["customer"]),
        "responded_at": Col("ts", srv["ts"]),
        "score": Col("int", srv["score"]),
    })  # fmt: skip
    month_idx = _month_index(ads.day, ctx.first_day)
    paid_pos = {ci: k for k, ci in enumerate(PAID_CHANNELS)}
    ch_pos = np.array([paid_pos.get(i, 0) for i in range(len(g.CHANNELS))])[camp.channel[ads.campaign]]
    n_months = int(_month_index(np.array([ctx.last_day]), ctx.first_day)[0]) + 1
    spend = np.zeros((len(PAID_CHANNELS), n_months))
    np.add.at(spend, (ch_pos, month_idx), ads.spend_usd_base)
    return tables, spend


def _month_index(days: np.ndarray, first_day: int) -> np.ndarray:
    months = np.asarray(days).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    first = np.array([first_day]).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)[0]
    return months - first


def _survey_responses(ctx: MarketContext, cust: g.Customers) -> dict[str, np.ndarray]:
    cfg = ctx.cfg
    rng = ctx.rng("survey_responses")
    starts = cust.won_at + 30 * SECONDS_PER_DAY
    ends = np.where(cust.churned_at != NULL_TS, cust.churned_at, cfg.as_of_ts)
    span = np.maximum(ends - starts, 0)
    k = rng.poisson(0.33 * span / MONTH_SECONDS)
    who = np.repeat(np.arange(len(starts)), k)
    ts = starts[who] + (rng.random(len(who)) * span[who]).astype(np.int64)
    score = np.clip(np.round(cust.satisfaction[who] + rng.normal(0, 1.2, len(who))), 0, 10).astype(np.int64)
    order = np.lexsort((who, ts))
    return {"customer": who[order], "ts": ts[order], "score": score[order]}


# ---------------------------------------------------------------------------------------------
# Dirt (vectorised; same kinds and rates as generator.DIRT_KINDS where they apply)
# ---------------------------------------------------------------------------------------------

BULK_SKIPPED_KINDS = {
    "timezone_offset": "type-breaking value cannot be stored in typed Parquet",
    "unknown_channel": "not generated at bulk scales",
}
KEY_COLUMN = {
    "campaigns": "campaign_id",
    "ad_performance": "campaign_id",
    "web_sessions": "session_id",
    "email_sends": "send_id",
    "leads": "lead_id",
    "lead_stage_events": "stage_event_id",
    "touchpoints": "touchpoint_id",
    "orders": "order_id",
    "survey_responses": "response_id",
}


def _key_text(table: MarketTable, i: int) -> str:
    col = table.cols[KEY_COLUMN[table.name]]
    key = f"{col.prefix}{int(col.data[i]):0{col.width}d}"
    if table.name == "ad_performance":
        day = dt.date(1970, 1, 1) + dt.timedelta(days=int(table.cols["report_date"].data[i]))
        key += f"|{day.isoformat()}"
    return key


def dirty_market(table: MarketTable, rng: np.random.Generator, market: int, counters: dict[str, int]) -> list[dict]:
    """Inject the applicable dirt kinds into one market's table; returns manifest entries."""
    kinds = [k for k in g.DIRT_KINDS if table.name in k.tables and k.kind not in BULK_SKIPPED_KINDS]
    n = table.n
    used = np.zeros(n, dtype=bool)
    if table.frozen is not None:
        used |= table.frozen
    order = rng.permutation(n)
    entries: list[dict] = []
    cols = table.cols

    def col(name: str) -> np.ndarray:  # the clean rows only (dirt appends copies at the end)
        return cols[name].data[:n]

    for kind in kinds:
        ok = ~used
        if kind.is_quarantine and table.protected is not None:
            ok &= ~table.protected[:n]
        name, k = table.name, kind.kind
        if name in g.PARENT_TABLES and k in ("null_key", "unknown_campaign"):
            continue  # parent-table quarantine dirt would orphan children; not generated at bulk scales
        if name == "ad_performance" and k in ("negative_spend", "zero_spend_with_delivery", "resent_update"):
            ok &= col("spend") >= 100
        if name == "ad_performance" and k in ("zero_spend_with_delivery", "clicks_exceed_impressions"):
            ok &= col("impressions") > 0
        if k == "unknown_campaign" and name in ("touchpoints", "leads"):
            ok &= col("campaign_id") >= 0
        if name == "orders" and k == "missing_fx_rate":
            ok &= col("order_status") == 0
        count = max(1, round(kind.rate * n)) if n else 0
        chosen = np.sort(order[ok[order]][:count])
        if len(chosen) == 0:
            continue
        used[chosen] = True
        keys = [_key_text(table, i) for i in chosen[:5].tolist()]
        _apply(table, kind.kind, chosen, rng, market, counters)
        entries.append({"table": name, "kind": k, "count": int(len(chosen)), "expected_outcome": kind.outcome,
                        "reason_code": kind.reason_code, "keys": keys})  # fmt: skip
    return entries


def _apply(
    table: MarketTable, kind: str, rows: np.ndarray, rng: np.random.Generator, market: int, counters: dict[str, int]
) -> None:
    cols = table.cols
    m = len(rows)
    if kind == "exact_duplicate":
        table.append(table.copy_rows(rows))
        return
    if kind == "resent_update":
        copy = table.copy_rows(rows)
        if table.name == "campaigns":
            copy["budget_amount"].data = np.round(copy["budget_amount"].data * rng.uniform(1.1, 1.5, m), -4).astype(
                np.int64
            )
            delay = rng.integers(2, 31, m) * SECONDS_PER_DAY + rng.integers(0, 12, m) * 3600
        elif table.name == "ad_performance":
            copy["spend"].data = np.round(copy["spend"].data * rng.uniform(0.85, 1.15, m)).astype(np.int64)
            conv = copy["platform_conversions"].data + rng.integers(0, 3, m)
            copy["platform_conversions"].data = np.minimum(conv, copy["clicks"].data)
            delay = rng.integers(1, 7, m) * SECONDS_PER_DAY + rng.integers(0, 12, m) * 3600
        else:  # leads: re-routed to another owner
            owner = copy["owner_id"].data
            copy["owner_id"].data = (owner + rng.integers(1, len(g.SALES_REPS), m)) % len(g.SALES_REPS)
            delay = rng.integers(1, 11, m) * SECONDS_PER_DAY + rng.integers(0, 12, m) * 3600
        copy["exported_at"].data = copy["exported_at"].data + delay
        table.append(copy)
        return
    if kind == "null_key":
        cols[KEY_COLUMN[table.name]].data[rows] = -1
    elif kind == "unknown_campaign":
        cols["campaign_id"].data[rows] = unknown_ids("campaign", market, counters["campaign"], m)
        counters["campaign"] += m
    elif kind == "negative_spend":
        cols["spend"].data[rows] = -cols["spend"].data[rows]
    elif kind == "zero_spend_with_delivery":
        cols["spend"].data[rows] = 0
    elif kind == "clicks_exceed_impressions":
        imp = cols["impressions"].data[rows]
        cols["clicks"].data[rows] = imp + rng.integers(1, np.maximum(2, imp // 10 + 2))
    elif kind == "enum_noise":
        options = g.ENUM_COLUMNS[table.name]
        which = rng.integers(0, len(options), m)
        for j, col_name in enumerate(options):
            col = cols[col_name]
            sel = rows[(which == j) & (col.data[rows] >= 0)]
            n_values = len(col.values)
            variant = rng.integers(0, 5, len(sel))
            col.data[sel] = n_values + col.data[sel] * 5 + variant
    elif kind == "future_dated":
        ts_col = cols[g.TIMESTAMP_COLUMN[table.name]]
        years = rng.integers(10, 70, m)
        ts_col.data[rows] = ts_col.data[rows] + (years * 365.25 * SECONDS_PER_DAY).astype(np.int64)
    elif kind == "unknown_customer":
        cols["customer_id"].data[rows] = unknown_ids("customer", market, counters["customer"], m)
        counters["customer"] += m
    elif kind == "missing_fx_rate":
        cols["currency_code"].data[rows] = len(g.CURRENCIES) + rng.integers(0, 2, m)
    elif kind == "unknown_lead":
        cols["lead_id"].data[rows] = unknown_ids("lead", market, counters["lead"], m)
        counters["lead"] += m
    else:  # pragma: no cover - guarded by DIRT_KINDS
        raise ValueError(f"unhandled dirt kind {kind}")


# ---------------------------------------------------------------------------------------------
# Orchestration: markets -> Parquet row groups
# ---------------------------------------------------------------------------------------------


class Progress:
    """A minimal progress bar on stderr (no dependency): redrawn at most every 0.5 s."""

    def __init__(self, total: int, label: str, stream: object = None, enabled: bool | None = None) -> None:
        self.total, self.label, self.done = total, label, 0
        self.stream = stream or sys.stderr
        self.enabled = enabled if enabled is not None else True
        self.started = time.perf_counter()
        self._last = 0.0

    def update(self, n: int = 1, extra: str = "") -> None:
        self.done += n
        now = time.perf_counter()
        if not self.enabled or (now - self._last < 0.5 and self.done < self.total):
            return
        self._last = now
        frac = self.done / max(1, self.total)
        elapsed = now - self.started
        eta = elapsed / frac - elapsed if frac > 0 else 0.0
        bar = "#" * int(frac * 30)
        line = f"\r{self.label} [{bar:<30}] {self.done}/{self.total} {elapsed:5.0f}s elapsed, ~{eta:4.0f}s left {extra}"
        self.stream.write(line)  # type: ignore[attr-defined]
        if self.done >= self.total:
            self.stream.write("\n")  # type: ignore[attr-defined]
        self.stream.flush()  # type: ignore[attr-defined]


@dataclass
class BulkResult:
    out_raw: Path
    rows: dict[str, int] = field(default_factory=dict)
    bytes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    workers: int = 1


@dataclass(frozen=True)
class _Job:
    """What one worker process generates: every `workers`-th market starting at `worker`."""

    spec: ScaleSpec
    out_raw: Path
    seed: int
    start: dt.date
    end: dt.date
    dirt: bool
    markets: tuple[int, ...]
    worker: int
    compression: str


def _write_channels(out_raw: Path, contract: dict[str, Table]) -> int:
    schema = arrow_schema(contract["channels"])
    data = {
        "channel_id": [c.channel_id for c in g.CHANNELS],
        "channel_name": [c.channel_name for c in g.CHANNELS],
        "channel_group": [c.channel_group for c in g.CHANNELS],
        "is_paid": [c.is_paid for c in g.CHANNELS],
        "platform": [c.platform for c in g.CHANNELS],
    }
    pq.write_table(pa.table(data, schema=schema), out_raw / "channels.parquet")
    return len(g.CHANNELS)


def _market_seed(seed: int, market: int) -> int:
    return seed * 1_000_003 + market + 1


def _run_job(job: _Job, report: Callable[[dict[str, int]], None]) -> tuple[dict[str, int], dict, np.ndarray | None]:
    """Generate job.markets into <out>/<table>/part-<worker>.parquet, one row group per market."""
    contract = load_contract()
    cfg0 = g.Config(seed=job.seed, start=job.start, end=job.end, scale=1.0, fmt="parquet", dirt=job.dirt)
    day_numbers = np.arange(g._epoch_day(job.start), g._epoch_day(job.end) + 1, dtype=np.int64)
    fx = g.simulate_fx(cfg0)
    week = g.anomaly_week(cfg0)
    schemas = {name: arrow_schema(t) for name, t in contract.items() if name != "channels"}
    rows = dict.fromkeys(schemas, 0)
    dirt_totals: dict[tuple[str, str], dict] = {}
    budget_spend: np.ndarray | None = None
    writers: dict[str, pq.ParquetWriter] = {}
    try:
        for name, schema in schemas.items():
            folder = job.out_raw / name
            folder.mkdir(parents=True, exist_ok=True)
            writers[name] = pq.ParquetWriter(folder / f"part-{job.worker:03d}.parquet", schema,
                                             compression=job.compression)  # fmt: skip
        for market in job.markets:
            cfg = dataclasses.replace(cfg0, seed=_market_seed(job.seed, market))
            ctx = MarketContext(cfg, job.spec, market, day_numbers, fx, week)
            tables, spend = build_market(ctx)
            budget_spend = spend if budget_spend is None else budget_spend + spend
            dirt_rng = g.stream(cfg.seed, "bulk:dirt")
            counters = {"campaign": 0, "customer": 0, "lead": 0}
            added: dict[str, int] = {}
            for name, table in tables.items():
                if job.dirt:
                    for entry in dirty_market(table, dirt_rng, market, counters):
                        key = (entry["table"], entry["kind"])
                        if key in dirt_totals:
                            dirt_totals[key]["count"] += entry["count"]
                        else:
                            dirt_totals[key] = entry
                batch = to_record_batch(table, contract[name], schemas[name])
                writers[name].write_batch(batch, row_group_size=max(1, batch.num_rows))
                rows[name] += batch.num_rows
                added[name] = batch.num_rows
            report(added)
    finally:
        for w in writers.values():
            w.close()
    return rows, dirt_totals, budget_spend


def _worker_main(job: _Job, queue: object) -> None:  # pragma: no cover - runs in a child process
    try:
        result = _run_job(job, lambda added: queue.put(("progress", added)))  # type: ignore[attr-defined]
        queue.put(("done", result))  # type: ignore[attr-defined]
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
        queue.put(("error", f"{type(exc).__name__}: {exc}"))  # type: ignore[attr-defined]


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def generate_bulk(
    scale: ScaleSpec | str,
    out_raw: Path,
    *,
    seed: int = 42,
    start: dt.date = dt.date(2024, 11, 1),
    end: dt.date = dt.date(2026, 10, 31),
    dirt: bool = True,
    progress: bool = True,
    workers: int | None = None,
    compression: str = "zstd",
) -> BulkResult:
    """Write the raw tables of a named scale into out_raw (see the module docstring).

    Layout: ``<out_raw>/<table>/part-<worker>.parquet`` (channels: ``channels.parquet``); the
    rows depend on the seed and range only, the split into part files on `workers`.
    """
    spec = SCALES[scale] if isinstance(scale, str) else scale
    started = time.perf_counter()
    contract = load_contract()
    if out_raw.exists():
        for name in contract:
            for old in [out_raw / f"{name}.parquet", *(out_raw / name).glob("part-*.parquet")]:
                old.unlink(missing_ok=True)
    out_raw.mkdir(parents=True, exist_ok=True)
    n_workers = max(1, min(workers or default_workers(), spec.markets))
    jobs = [
        _Job(spec, out_raw, seed, start, end, dirt, tuple(range(w, spec.markets, n_workers)), w, compression)
        for w in range(n_workers)
    ]
    bar = Progress(spec.markets, f"generate {spec.name}", enabled=progress)
    total_rows = 0

    def report(added: dict[str, int]) -> None:
        nonlocal total_rows
        total_rows += sum(added.values())
        bar.update(1, f"{total_rows:,} rows")

    results: list[tuple[dict[str, int], dict, np.ndarray | None]] = []
    if n_workers == 1:
        results.append(_run_job(jobs[0], report))
    else:
        import multiprocessing as mp

        mp_ctx = mp.get_context("spawn")
        queue = mp_ctx.Queue()
        procs = [mp_ctx.Process(target=_worker_main, args=(job, queue), daemon=True) for job in jobs]
        for proc in procs:
            proc.start()
        try:
            while len(results) < n_workers:
                kind, payload = queue.get()
                if kind == "progress":
                    report(payload)
                elif kind == "done":
                    results.append(payload)
                else:
                    raise RuntimeError(f"bulk generator worker failed: {payload}")
        finally:
            for proc in procs:
                proc.join(timeout=5)
                if proc.is_alive():
                    proc.terminate()
    rows: dict[str, int] = {"channels": _write_channels(out_raw, contract)}
    dirt_totals: dict[tuple[str, str], dict] = {}
    budget_spend: np.ndarray | None = None
    for part_rows, part_dirt, part_spend in results:
        for name, n in part_rows.items():
            rows[name] = rows.get(name, 0) + n
        for key, entry in part_dirt.items():
            if key in dirt_totals:
                dirt_totals[key]["count"] += entry["count"]
            else:
                dirt_totals[key] = entry
        if part_spend is not None:
            budget_spend = part_spend if budget_spend is None else budget_spend + part_spend
    result = BulkResult(out_raw, rows={name: rows.get(name, 0) for name in contract}, workers=n_workers)
    result.seconds = time.perf_counter() - started
    for name in contract:
        files = [out_raw / f"{name}.parquet", *(out_raw / name).glob("*.parquet")]
        result.bytes[name] = sum(f.stat().st_size for f in files if f.exists())
    cfg0 = g.Config(seed=seed, start=start, end=end, scale=1.0, fmt="parquet", dirt=dirt)
    day_numbers = np.arange(g._epoch_day(start), g._epoch_day(end) + 1, dtype=np.int64)
    world = types.SimpleNamespace(day_numbers=day_numbers, fx=g.simulate_fx(cfg0), cfg=cfg0)
    ref_dir = out_raw / "reference"
    for ref_name, builder in (
        ("fx_rates", g.fx_rates_reference),
        ("working_hours", g.working_hours_reference),
        ("holidays", g.holidays_reference),
    ):
        header, ref_rows = builder(world)  # type: ignore[arg-type]
        g.write_csv(ref_dir / f"{ref_name}.csv", header, ref_rows)
    _write_budgets(ref_dir / "channel_budgets.csv", budget_spend, day_numbers, seed)
    week = g.anomaly_week(cfg0)
    manifest = {
        "generator": "marketing_kpi.generator_bulk",
        "scale_name": spec.name,
        "markets": spec.markets,
        "leads_per_market": spec.leads_per_market,
        "seed": seed,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "format": "parquet",
        "dirt_enabled": dirt,
        "rows": result.rows,
        "bytes": result.bytes,
        "seconds": round(result.seconds, 1),
        "workers": n_workers,
        "dirt": sorted(dirt_totals.values(), key=lambda e: (e["table"], e["kind"])),
        "skipped_dirt": [{"kind": k, "reason": r} for k, r in BULK_SKIPPED_KINDS.items()] if dirt else [],
        "planted_anomalies": [{"table": "ad_performance", "kind": "spend_spike_without_leads",
                               "channel_id": g.ANOMALY_CHANNEL, "start_date": week.isoformat(),
                               "spend_multiplier": g.ANOMALY_MULTIPLIER}] if week else [],
        "notes": ["keys are the first five affected keys of the first market (per worker) that has the kind.",
                  "reference/ holds the reference seeds of this range (channel_budgets planned on this volume)."],
    }  # fmt: skip
    (out_raw / "_dirt_manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return result


def _write_budgets(path: Path, spend: np.ndarray | None, day_numbers: np.ndarray, seed: int) -> None:
    """Monthly plan per paid channel: the baseline spend of every market x lognormal(0, 9 %)."""
    rng = g.stream(seed, "bulk:channel_budgets")
    rows = []
    if spend is not None:
        first_month = day_numbers[:1].astype("datetime64[D]").astype("datetime64[M]")[0]
        for m in range(spend.shape[1]):
            label = str((first_month + m).astype("datetime64[D]"))
            for k, ci in enumerate(PAID_CHANNELS):
                plan = round(float(spend[k, m]) * float(rng.lognormal(0.0, 0.09)) / 100) * 100
                rows.append([label, g.CHANNELS[ci].channel_id, f"{plan:.2f}"])
    g.write_csv(path, ["budget_month", "channel_id", "planned_spend_usd"], rows)


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m marketing_kpi.generator_bulk SCALE OUT_DIR [--seed N] [--start D] [--end D]``."""
    parser = argparse.ArgumentParser(prog="python -m marketing_kpi.generator_bulk", description=__doc__.splitlines()[0])
    parser.add_argument("scale_name", choices=sorted(SCALES), help="named scale")
    parser.add_argument("out_raw", type=Path, help="output directory (Parquet files)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--start", type=_date, default=dt.date(2024, 11, 1))
    parser.add_argument("--end", type=_date, default=dt.date(2026, 10, 31))
    parser.add_argument("--no-dirt", action="store_true")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--workers", type=int, default=None, help=f"processes (default {default_workers()})")
    args = parser.parse_args(argv)
    return run_cli(args.scale_name, args.out_raw, seed=args.seed, start=args.start, end=args.end,
                   dirt=not args.no_dirt, progress=not args.no_progress, workers=args.workers)  # fmt: skip


def run_cli(
    scale_name: str,
    out_raw: Path,
    *,
    seed: int,
    start: dt.date,
    end: dt.date,
    dirt: bool,
    progress: bool = True,
    workers: int | None = None,
    echo: Callable[[str], None] = print,
) -> int:
    """Generate a named scale and print the row counts (shared by both CLIs)."""
    if out_raw.resolve() == g.raw_seed_dir().resolve():
        echo("error: bulk scales are never written into seeds/raw; pass --out-raw")
        return 2
    res = generate_bulk(scale_name, out_raw, seed=seed, start=start, end=end, dirt=dirt,
                        progress=progress and os.environ.get("MKPI_NO_PROGRESS") != "1", workers=workers)  # fmt: skip
    width = max((len(k) for k in res.rows), default=5)
    echo(
        f"Generated scale {scale_name} seed={seed} {start}..{end} -> {out_raw} in {res.seconds:.0f}s "
        f"({res.workers} worker(s))"
    )
    for name, n in res.rows.items():
        echo(f"  {name:<{width}}  {n:>12,}  {res.bytes.get(name, 0) / 1e6:9.1f} MB")
    echo(f"  {'total':<{width}}  {sum(res.rows.values()):>12,}  {sum(res.bytes.values()) / 1e6:9.1f} MB")
    return 0


if __name__ == "__main__":
    # Through the package module, so worker processes unpickle the same classes.
    from marketing_kpi.generator_bulk import main as _main

    raise SystemExit(_main())

"""Deterministic synthetic data for the marketing-KPI warehouse.

Run ``python -m marketing_kpi.generator`` to (re)write the embedded dataset: one file per raw table
of the contract (models/staging/raw__sources.yml) in ``seeds/raw``, the dirt manifest
``seeds/raw/_dirt_manifest.json`` and the clean reference seeds (fx_rates, channel_budgets,
working_hours, holidays) in ``seeds/reference``. The same arguments always give byte-identical
files: every random draw comes from ``numpy.random.default_rng`` streams seeded from ``--seed`` and
a fixed stream name, drawn in a fixed order, and nothing depends on ``hash()`` or set order.

The business being simulated
============================
A B2B SaaS company (reporting currency USD) selling monthly subscriptions in the US, the UK and
Europe, marketing on twelve channels:

* **Paid media** (google_search, bing_search, meta_ads, linkedin_ads, display_network, webinars,
  affiliate): each channel has a daily budget (grown by a gentle trend, Q4 up, August and late
  December down, B2B weekends down) split across its active campaigns. Spend buys impressions at a
  channel CPM and clicks at a channel CTR (search 3-6 %, display 0.1-0.4 %, LinkedIn the most
  expensive click, $11.50). Leads arrive as a Poisson process with mean ``spend / channel CPL``
  (B2B costs per lead: $240 on Meta to $820 on LinkedIn).
* **Email** (hubspot, not paid): campaigns with several sends each; leads follow the clicks.
* **Unpaid** (organic_search, organic_social, referral, direct): a daily Poisson lead rate, no
  campaigns.

Every lead goes through the B2B lifecycle ``lead -> mql -> sql -> opportunity -> won | lost`` (with
``disqualified`` as the exit at the lead and mql stages). Step probabilities are the base rates
below multiplied by the channel's lead quality and by the lead's *fit* (seniority, company size and
declared budget), so a fit-based score genuinely predicts conversion:

==================  =========  ==========================================
step                base rate  time to the step (lognormal median)
==================  =========  ==========================================
lead -> mql         ~50 %      2 days (hours to weeks)
mql -> sql          ~22 %      5 days
sql -> opportunity  ~72 %      8 days
opportunity -> won  ~36 %      35 days (weeks to months)
==================  =========  ==========================================

Nothing happens after the end of the range, so recent leads are right-censored. A won lead becomes
a customer (``cus_000001``...) at its 'won' time and is billed monthly: a 'new' order, then one
'renewal' invoice per product line per month until it churns (monthly churn 0.75-2.5 % by channel,
higher for unhappy customers), occasional 'expansion' and 'cross_sell' orders and ~2 % refunds
(negative amounts). Plans cost $25-$3,000 a month by company size (MRR_BY_SIZE). Customers answer
NPS surveys; satisfaction varies by channel and size.

The economics at the default range and seed (README, "The embedded dataset"; held in their bands
by tests/python/test_demo_economics.py): ~2,600 leads from ~100 k sessions (session-to-lead
~2.5 %), MQL->SQL ~22 %, ~80 customers, blended LTV:CAC ~4 and CAC payback ~15 months. Every
customer is acquired inside the range, so media spend is about one year's revenue (a young
company's spend share, not the 8-15 % of a mature one with an installed base).

Web sessions, touchpoints (anonymous visitor touches before the form, the form touch at the lead's
created_at, nurture and sales touches afterwards) and email sends are consistent with the leads.

Planted anomaly (valid data, not dirt)
--------------------------------------
meta_ads spend is multiplied by 4 for one week (the week starting 2026-06-08 when the range covers
it in its last six months, otherwise the week starting on the Monday ~80 % into the range) while
delivery stays flat and leads do not increase: a cost-per-lead spike. Recorded in the manifest
under ``planted_anomalies``.

Dirt (skipped with ``--no-dirt``)
=================================
Injected on disjoint clean rows (one row carries one dirt kind, and a dirty row has exactly one
reason to be rejected), interleaved in the files, every instance listed in
``_dirt_manifest.json``. Rates are fractions of the clean rows of a table; each applicable kind
appears at least once while the table has eligible rows.

==========================  ======  ==========================================  ===================
kind                        rate    tables                                      expected outcome
==========================  ======  ==========================================  ===================
exact_duplicate             0.5 %   all but channels                            removed_duplicate
resent_update               1.0 %   campaigns, ad_performance, leads            superseded (older)
null_key                    0.3 %   all but channels                            quarantined
unknown_channel             0.3 %   campaigns, web_sessions, leads, touchpoints quarantined
unknown_campaign            0.3 %   ad_performance, leads, touchpoints,         quarantined
                                    email_sends
negative_spend              0.2 %   ad_performance                              quarantined
zero_spend_with_delivery    0.2 %   ad_performance                              quarantined
clicks_exceed_impressions   0.2 %   ad_performance                              quarantined
enum_noise                  1.0 %   channels, campaigns, web_sessions, leads,   normalised
                                    lead_stage_events, touchpoints, orders
timezone_offset             1.0 %   web_sessions, leads, lead_stage_events,     normalised
                                    touchpoints, orders
future_dated                0.2 %   web_sessions, lead_stage_events,            quarantined
                                    touchpoints, orders
unknown_customer            0.5 %   orders, survey_responses                    quarantined
missing_fx_rate             0.3 %   orders, ad_performance                      quarantined
unknown_lead                0.3 %   lead_stage_events                           quarantined
==========================  ======  ==========================================  ===================

Quarantine-type dirt on parent tables (campaigns, leads) is written as *extra* rows with fresh keys
(copies of a real row), so quarantining them never orphans child rows. Quarantine-type dirt never
touches the rows that tie the model together (a lead's creating session, 'lead' and 'won' stage
events, form touches, 'new' orders) nor the planted-anomaly rows.

``--format parquet`` writes typed Parquet (varchar -> string, date -> date32, timestamp ->
timestamp[s], decimal -> decimal128(18,2), bigint -> int64, integer -> int32, boolean -> bool).
Parquet cannot carry a type-breaking value, so the type-breaking dirt kind ``timezone_offset`` (a
timestamp with an explicit offset) is skipped in that format and listed under ``skipped_dirt``.
The reference seeds are always CSV (they are dbt seeds).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np

from marketing_kpi.contract import Table, load_contract
from marketing_kpi.paths import raw_seed_dir, reference_seed_dir

REPORTING_CURRENCY = "USD"
CURRENCIES = ("USD", "EUR", "GBP")
SECONDS_PER_DAY = 86_400
NULL_TS = np.iinfo(np.int64).min

# ---------------------------------------------------------------------------------------------
# Channel model
# ---------------------------------------------------------------------------------------------

SENIORITIES = ("c_level", "vp", "director", "manager", "individual_contributor")
COMPANY_SIZES = ("1-10", "11-50", "51-200", "201-1000", "1001+")
DEVICES = ("desktop", "mobile", "tablet")


@dataclass(frozen=True)
class ChannelSpec:
    """One channel and the parameters of its simulated behaviour (all money in USD)."""

    channel_id: str
    channel_name: str
    channel_group: str
    is_paid: bool
    platform: str
    n_campaigns: int = 0  # campaigns over two years at scale 1.0
    daily_spend_usd: float = 0.0  # channel budget per day at scale 1.0, before seasonality
    cpc_usd: float = 0.0
    ctr: float = 0.0
    platform_cvr: float = 0.0  # conversions the platform claims per click
    cpl_usd: float = 0.0  # spend per CRM lead
    leads_per_day: float = 0.0  # unpaid channels only
    sessions_per_day: float = 0.0  # non-converting web sessions
    weekend_factor: float = 0.6
    quality: float = 1.0  # multiplies funnel conversion
    monthly_churn: float = 0.03
    nps_shift: float = 0.0
    mobile_share: float = 0.3
    seniority_weights: tuple[float, ...] = (0.06, 0.10, 0.18, 0.32, 0.34)
    size_weights: tuple[float, ...] = (0.22, 0.28, 0.25, 0.16, 0.09)
    discovery_weight: float = 0.0  # weight as an early (discovery) touch
    prefix: str = ""  # campaign-name prefix

    @property
    def has_campaigns(self) -> bool:
        return self.n_campaigns > 0

    @property
    def has_ads(self) -> bool:
        return self.is_paid and self.n_campaigns > 0


SENIOR = (0.10, 0.16, 0.25, 0.29, 0.20)
JUNIOR = (0.03, 0.05, 0.12, 0.30, 0.50)
LARGE = (0.10, 0.20, 0.28, 0.25, 0.17)
SMALL = (0.32, 0.32, 0.21, 0.10, 0.05)

CHANNELS: tuple[ChannelSpec, ...] = (
    ChannelSpec("google_search", "Google Search", "paid_search", True, "google_ads", 20, 236.0, 5.8,
                0.045, 0.035, 420.0, sessions_per_day=13.3, weekend_factor=0.55, quality=1.15,
                monthly_churn=0.012, nps_shift=0.1, discovery_weight=0.08, prefix="GS"),
    ChannelSpec("bing_search", "Microsoft Bing Search", "paid_search", True, "microsoft_ads", 10, 52.0, 3.6,
                0.034, 0.03, 350.0, sessions_per_day=3.6, weekend_factor=0.55, quality=1.05,
                monthly_churn=0.015, discovery_weight=0.03, prefix="Bing"),
    ChannelSpec("meta_ads", "Meta Ads (Facebook & Instagram)", "paid_social", True, "meta_ads", 18, 170.0,
                1.9, 0.011, 0.015, 240.0, sessions_per_day=32.0, weekend_factor=0.9, quality=0.75,
                monthly_churn=0.025, nps_shift=-0.7, mobile_share=0.62, seniority_weights=JUNIOR,
                size_weights=SMALL, discovery_weight=0.18, prefix="Meta"),
    ChannelSpec("linkedin_ads", "LinkedIn Ads", "paid_social", True, "linkedin_ads", 14, 275.0, 11.5,
                0.005, 0.02, 820.0, sessions_per_day=12.8, weekend_factor=0.45, quality=1.2,
                monthly_churn=0.01, nps_shift=0.2, mobile_share=0.35, seniority_weights=SENIOR,
                size_weights=LARGE, discovery_weight=0.12, prefix="LI"),
    ChannelSpec("display_network", "Google Display Network", "display", True, "google_ads", 12, 97.0, 1.2,
                0.0025, 0.004, 720.0, sessions_per_day=12.4, weekend_factor=0.85, quality=0.6,
                monthly_churn=0.022, nps_shift=-0.5, mobile_share=0.5, seniority_weights=JUNIOR,
                discovery_weight=0.12, prefix="GDN"),
    ChannelSpec("email", "Email Marketing", "email", False, "hubspot", 22, sessions_per_day=4.9,
                weekend_factor=0.5, quality=1.0, monthly_churn=0.015, mobile_share=0.4, prefix="Email"),
    ChannelSpec("organic_search", "Organic Search", "organic_search", False, "google_analytics",
                leads_per_day=0.435, sessions_per_day=22.0, weekend_factor=0.6, quality=1.05,
                monthly_churn=0.012, nps_shift=0.2, discovery_weight=0.2),
    ChannelSpec("organic_social", "Organic Social", "organic_social", False, "google_analytics",
                leads_per_day=0.097, sessions_per_day=8.4, weekend_factor=0.85, quality=0.8,
                monthly_churn=0.02, nps_shift=-0.2, mobile_share=0.6, seniority_weights=JUNIOR,
                discovery_weight=0.12),
    ChannelSpec("referral", "Referral", "referral", False, "google_analytics", leads_per_day=0.123,
                sessions_per_day=3.9, weekend_factor=0.6, quality=1.35, monthly_churn=0.0075,
                nps_shift=0.8, seniority_weights=SENIOR, discovery_weight=0.08),
    ChannelSpec("direct", "Direct", "direct", False, "google_analytics", leads_per_day=0.29,
                sessions_per_day=8.9, weekend_factor=0.5, quality=1.2, monthly_churn=0.01,
                nps_shift=0.4, discovery_weight=0.02),
    ChannelSpec("webinars", "Webinars", "events_webinars", True, "on24", 10, 126.0, 5.5, 0.009, 0.045,
                440.0, sessions_per_day=4.3, weekend_factor=0.4, quality=1.25, monthly_churn=0.01,
                nps_shift=0.3, mobile_share=0.15, seniority_weights=SENIOR, size_weights=LARGE,
                prefix="Webinar"),
    ChannelSpec("affiliate", "Affiliate Partners", "affiliate", True, "impact", 8, 40.0, 2.2, 0.02, 0.02,
                310.0, sessions_per_day=4.4, weekend_factor=0.75, quality=0.8, monthly_churn=0.025,
                nps_shift=-0.4, discovery_weight=0.05, prefix="Aff"),
)  # fmt: skip
CHANNEL_INDEX = {c.channel_id: i for i, c in enumerate(CHANNELS)}
EMAIL = CHANNEL_INDEX["email"]
DIRECT = CHANNEL_INDEX["direct"]
UNKNOWN_CHANNELS = ("tiktok_ads", "snapchat_ads", "reddit_ads", "pinterest_ads", "quora_ads")

CAMPAIGN_THEMES: dict[str, tuple[tuple[str, str], ...]] = {
    "paid_search": (("Brand", "conversion"), ("Competitor", "lead_generation"),
                    ("Demo Request", "lead_generation"), ("Generic - Marketing Analytics", "lead_generation"),
                    ("Free Trial", "conversion"), ("RLSA Retargeting", "conversion")),
    "paid_social": (("Ebook - State of Marketing Ops", "lead_generation"), ("Brand Video", "awareness"),
                    ("Lookalike - Customers", "lead_generation"), ("Retargeting - Site Visitors", "conversion"),
                    ("Customer Upsell", "retention"), ("Event Promo", "awareness")),
    "display": (("Prospecting", "awareness"), ("Retargeting", "conversion"), ("Brand", "awareness"),
                ("Content Syndication", "lead_generation")),
    "events_webinars": (("Attribution 101", "lead_generation"), ("Pipeline Forecasting", "lead_generation"),
                        ("Customer Roundtable", "retention"), ("Product Deep Dive", "conversion")),
    "affiliate": (("Partner Program", "lead_generation"), ("Review Sites", "conversion"),
                  ("Creator Program", "awareness")),
    "email": (("Nurture - Trial Users", "lead_generation"), ("Nurture - Ebook Downloaders", "lead_generation"),
              ("Product Update", "retention"), ("Re-engagement", "lead_generation"),
              ("Customer Onboarding", "retention"), ("Event Invite", "lead_generation")),
}  # fmt: skip
GEOS = ("US", "UK", "DACH", "EMEA", "NA", "Global", "FR", "ANZ")

# Seasonality: month factor (Jan..Dec); late December is additionally damped.
MONTH_FACTOR = np.array([0.95, 1.0, 1.05, 1.0, 1.0, 0.95, 0.9, 0.72, 1.05, 1.15, 1.22, 1.05])
LATE_DECEMBER_FACTOR = 0.5
ANNUAL_GROWTH = 0.18
# Hour-of-day profile (UTC) of inbound activity: Europe's morning plus the US working day.
HOUR_WEIGHTS = np.array([1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 11, 11, 10, 11, 12, 12, 11, 9, 7, 6, 5, 3, 2, 1.0])

COUNTRIES = ("US", "GB", "DE", "FR", "CA", "AU", "NL", "IE", "ES", "IT", "SE", "CH", "IN", "SG", "BR")
COUNTRY_WEIGHTS = np.array([0.38, 0.13, 0.08, 0.05, 0.06, 0.05, 0.04, 0.02, 0.03, 0.03, 0.02, 0.02, 0.05, 0.02,
                            0.02])  # fmt: skip
EURO_COUNTRIES = ("DE", "FR", "NL", "IE", "ES", "IT")

SALES_REPS = tuple(f"rep_{i:02d}" for i in range(1, 11))
WORK_START_HOUR, WORK_END_HOUR = 9, 17

FIRST_NAMES = ("James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
               "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
               "Charles", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Sophie", "Oliver",
               "Emma", "Lukas", "Hannah", "Hugo", "Chloe", "Lucas", "Mila", "Noah", "Freya", "Liam", "Aoife",
               "Mateo", "Lucia", "Priya", "Arjun", "Wei", "Mei", "Yuki", "Lars", "Ingrid", "Pierre")  # fmt: skip
LAST_NAMES = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson",
              "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris",
              "Clark", "Lewis", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker",
              "Muller", "Schmidt", "Schneider", "Fischer", "Dubois", "Laurent", "Bernard", "Murphy",
              "Kelly", "Rossi", "Romano", "Lopez", "Martinez", "Jansen", "de Vries", "Nilsson", "Patel",
              "Sharma", "Chen", "Tanaka")  # fmt: skip
COMPANY_WORDS = ("north", "blue", "bright", "clear", "rapid", "summit", "harbor", "pixel", "cedar", "atlas",
                 "nova", "orbit", "signal", "vertex", "maple", "granite", "lumen", "delta", "ember",
                 "quant")  # fmt: skip
COMPANY_SUFFIXES = ("labs", "works", "systems", "analytics", "group", "cloud", "media", "partners", "data", "io")
JOB_TITLES: dict[str, tuple[str, ...]] = {
    "c_level": ("CEO", "CMO", "Chief Marketing Officer", "Founder & CEO", "COO", "Chief Revenue Officer", "CFO"),
    "vp": ("VP Marketing", "VP of Sales", "Vice President, Growth", "SVP Revenue", "VP Demand Generation"),
    "director": ("Director of Marketing", "Head of Demand Gen", "Sales Director", "Director, Digital Marketing",
                 "Head of Growth", "Marketing Ops Director"),
    "manager": ("Marketing Manager", "Sales Manager", "Growth Manager", "Product Marketing Manager",
                "Sr. Marketing Manager", "Marketing Operations Manager", "Team Lead, SDR"),
    "individual_contributor": ("Marketing Specialist", "SDR", "Marketing Analyst", "Content Marketer",
                               "Data Analyst", "Marketing Coordinator", "Campaign Specialist", "Intern"),
}  # fmt: skip
BENIGN_NOTES = ("Asked for pricing", "Follow up next quarter", "Interested in API integration",
                "Met at webinar", "Budget approval pending", "Prefers email contact", "Evaluating competitors",
                "Wants a demo for the team", "Renewal with current vendor in Q3", "Referred by a customer")  # fmt: skip
LANDING_PAGES: dict[str, tuple[str, ...]] = {
    "paid": ("/lp/demo", "/lp/free-trial", "/lp/ebook", "/pricing", "/lp/roi-calculator"),
    "organic": ("/", "/blog/attribution-models", "/blog/marketing-kpis", "/features", "/blog/cac-payback",
                "/customers", "/integrations"),
    "direct": ("/", "/pricing", "/login", "/features", "/docs"),
    "email": ("/blog/newsletter", "/webinars", "/product-updates", "/lp/demo"),
    "webinar": ("/webinars", "/webinars/register"),
    "convert": ("/demo", "/lp/demo", "/pricing", "/contact-sales", "/lp/ebook", "/webinars/register"),
}  # fmt: skip

# Monthly subscription value (USD) by company size: (low, high) of a log-uniform draw.
MRR_BY_SIZE = ((25.0, 69.0), (69.0, 179.0), (179.0, 449.0), (449.0, 1149.0), (1149.0, 2999.0))
# The smallest monthly price of a product line and the smallest expansion (billing currency): the
# price points below keep a cheap add-on of a small account from rounding to zero.
MIN_LINE_PRICE = 9.0
MIN_EXPANSION = 10.0


def price_point(amount: float) -> float:
    """A list price: rounded to tens, minus 1 (49, 199, ...), never below MIN_LINE_PRICE."""
    return max(MIN_LINE_PRICE, round(amount, -1) - 1.0)


def price_points(amounts: np.ndarray) -> np.ndarray:
    """price_point of every amount (the bulk generator's vectorised billing)."""
    return np.maximum(MIN_LINE_PRICE, np.round(amounts, -1) - 1.0)


def expansion_amounts(amounts: np.ndarray) -> np.ndarray:
    """Expansion deltas rounded to tens, never below MIN_EXPANSION."""
    return np.maximum(MIN_EXPANSION, np.round(amounts, -1))


BUDGET_MEDIAN_BY_SIZE = (3_000.0, 10_000.0, 30_000.0, 80_000.0, 200_000.0)


# ---------------------------------------------------------------------------------------------
# Configuration, random streams, time helpers
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """What to generate."""

    seed: int = 42
    start: dt.date = dt.date(2024, 11, 1)
    end: dt.date = dt.date(2026, 10, 31)
    scale: float = 1.0
    fmt: str = "csv"
    dirt: bool = True

    @property
    def n_days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_ts(self) -> int:
        return _epoch_seconds(self.start)

    @property
    def as_of_ts(self) -> int:
        """First second after the range: nothing in the data happens at or after it."""
        return _epoch_seconds(self.end) + SECONDS_PER_DAY


def _epoch_seconds(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days * SECONDS_PER_DAY


def _epoch_day(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent, reproducible random stream per component (adding one never shifts another)."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def weekday_of(seconds_or_days: np.ndarray, *, days: bool = False) -> np.ndarray:
    """ISO weekday index 0=Mon..6=Sun of epoch seconds (or epoch days)."""
    d = seconds_or_days if days else seconds_or_days // SECONDS_PER_DAY
    return (d + 3) % 7  # 1970-01-01 was a Thursday


def demand_index(day_numbers: np.ndarray, cfg: Config, weekend_factor: float) -> np.ndarray:
    """Relative demand per epoch day: seasonality, weekday effect and a gentle growth trend."""
    days64 = day_numbers.astype("datetime64[D]")
    month = days64.astype("datetime64[M]").astype(np.int64) % 12
    dom = (days64 - days64.astype("datetime64[M]")).astype(np.int64) + 1
    f = MONTH_FACTOR[month].copy()
    f[(month == 11) & (dom >= 20)] *= LATE_DECEMBER_FACTOR
    f[weekday_of(day_numbers, days=True) >= 5] *= weekend_factor
    years = (day_numbers - _epoch_day(cfg.start)) / 365.25
    return f * (1.0 + ANNUAL_GROWTH * years)


def to_business_hours(ts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Move timestamps outside Mon-Fri 09-17 UTC to the next working morning (plus a little)."""
    ts = ts.copy()
    for _ in range(3):  # at most Sat -> Sun -> Mon
        hour = (ts % SECONDS_PER_DAY) // 3600
        wd = weekday_of(ts)
        day_start = ts - ts % SECONDS_PER_DAY
        before = (hour < WORK_START_HOUR) & (wd < 5)
        after = (hour >= WORK_END_HOUR) | (wd >= 5)
        ts = np.where(before, day_start + WORK_START_HOUR * 3600, ts)
        ts = np.where(after, day_start + SECONDS_PER_DAY + WORK_START_HOUR * 3600, ts)
    moved_jitter = rng.integers(0, 90 * 60, size=ts.shape)
    hour = (ts % SECONDS_PER_DAY) // 3600
    at_start = (ts % 3600 == 0) & (hour == WORK_START_HOUR)
    return np.where(at_start, ts + moved_jitter, ts)


def fmt_ts(ts: np.ndarray) -> list[str]:
    """Epoch seconds -> 'YYYY-MM-DD HH:MM:SS' (UTC); NULL_TS -> ''."""
    ts = np.asarray(ts, dtype=np.int64)
    mask = ts == NULL_TS
    text = np.datetime_as_string(np.where(mask, 0, ts).astype("datetime64[s]"), unit="s")
    out = [s.replace("T", " ") for s in text.tolist()]
    if mask.any():
        for i in np.flatnonzero(mask).tolist():
            out[i] = ""
    return out


def fmt_date(days: np.ndarray) -> list[str]:
    """Epoch days -> 'YYYY-MM-DD'; values < -10**6 -> ''."""
    days = np.asarray(days, dtype=np.int64)
    mask = days < -(10**6)
    out = np.datetime_as_string(np.where(mask, 0, days).astype("datetime64[D]"), unit="D").tolist()
    for i in np.flatnonzero(mask).tolist():
        out[i] = ""
    return out


def fmt_money(x: np.ndarray) -> list[str]:
    return [f"{v:.2f}" for v in np.round(np.asarray(x, dtype=float), 2).tolist()]


def fmt_int(x: np.ndarray) -> list[str]:
    return [str(v) for v in np.asarray(x, dtype=np.int64).tolist()]


def fmt_ids(prefix: str, numbers: np.ndarray, width: int) -> list[str]:
    return [f"{prefix}{n:0{width}d}" for n in np.asarray(numbers, dtype=np.int64).tolist()]


def pick(values: Sequence[str], idx: np.ndarray) -> list[str]:
    return [values[i] for i in np.asarray(idx, dtype=np.int64).tolist()]


def random_times_in_days(day_numbers: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Epoch seconds within the given epoch days, following the inbound hour-of-day profile."""
    hours = rng.choice(24, size=day_numbers.shape, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    secs = rng.integers(0, 3600, size=day_numbers.shape)
    return day_numbers.astype(np.int64) * SECONDS_PER_DAY + hours * 3600 + secs


# ---------------------------------------------------------------------------------------------
# The simulated world (numpy arrays, shared by the table builders)
# ---------------------------------------------------------------------------------------------


@dataclass
class Campaigns:
    channel: np.ndarray  # channel index
    start_day: np.ndarray  # epoch day
    end_day: np.ndarray  # epoch day, or a large sentinel when open-ended
    open_ended: np.ndarray
    name: list[str]
    objective: list[str]
    budget_currency: list[str]
    report_currency: list[str]
    weight: np.ndarray  # share of the channel budget while active
    cpl_mult: np.ndarray  # campaign efficiency (leads per dollar relative to channel)
    ctr_mult: np.ndarray
    budget: np.ndarray
    exported_at: np.ndarray

    @property
    def n(self) -> int:
        return len(self.channel)

    def ids(self) -> list[str]:
        return fmt_ids("cmp_", np.arange(1, self.n + 1), 4)


@dataclass
class AdDays:
    """Daily ad delivery per (campaign, day) for campaigns on paid channels."""

    campaign: np.ndarray
    day: np.ndarray  # epoch day
    spend_usd_base: np.ndarray  # before the planted anomaly
    spend_usd: np.ndarray
    spend: np.ndarray  # in the campaign's report currency
    impressions: np.ndarray
    clicks: np.ndarray
    conversions: np.ndarray
    exported_at: np.ndarray
    anomaly: np.ndarray  # bool


@dataclass
class EmailSends:
    campaign: np.ndarray
    sent_at: np.ndarray
    sent: np.ndarray
    delivered: np.ndarray
    opened: np.ndarray
    clicked: np.ndarray
    unsubscribed: np.ndarray


@dataclass
class Leads:
    created_at: np.ndarray
    channel: np.ndarray
    campaign: np.ndarray  # -1 when none
    seniority: np.ndarray
    company_size: np.ndarray
    budget_usd: np.ndarray  # nan when not declared
    country: np.ndarray
    device: np.ndarray
    fit: np.ndarray
    visitor: np.ndarray  # visitor number
    owner: np.ndarray
    assigned_at: np.ndarray
    responded_at: np.ndarray
    # filled by the funnel
    stage_reached: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    mql_at: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    closed_at: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    won_at: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    customer: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # -1 when not won

    @property
    def n(self) -> int:
        return len(self.created_at)

    def ids(self) -> list[str]:
        return fmt_ids("lead_", np.arange(1, self.n + 1), 6)


@dataclass
class StageEvents:
    lead: np.ndarray
    stage: np.ndarray  # index into STAGES
    changed_at: np.ndarray


STAGES = ("lead", "mql", "sql", "opportunity", "won", "lost", "disqualified")
# Base probability of each funnel step (lead->mql, mql->sql, sql->opportunity, opportunity->won).
STEP_BASE_RATES = (0.50, 0.22, 0.72, 0.36)


@dataclass
class Customers:
    lead: np.ndarray  # lead index
    won_at: np.ndarray
    currency: list[str]
    satisfaction: np.ndarray
    churned_at: np.ndarray  # NULL_TS while active


@dataclass
class World:
    cfg: Config
    day_numbers: np.ndarray
    fx: dict[str, np.ndarray]  # currency -> rate_to_usd per day of the range
    campaigns: Campaigns
    ads: AdDays
    spend_matrix: np.ndarray  # (n_days, n_campaigns) baseline USD spend, for picking campaigns
    email_activity: np.ndarray  # (n_days, n_campaigns) email campaign activity weights
    anomaly: dict
    email_sends: EmailSends | None = None
    orders: Orders | None = None
    leads: Leads | None = None
    events: StageEvents | None = None
    customers: Customers | None = None
    n_visitors: int = 0
    visitor_numbers: np.ndarray | None = None  # shuffled visitor numbers (lead visitors first)

    def day_index(self, ts: np.ndarray) -> np.ndarray:
        d = np.asarray(ts, dtype=np.int64) // SECONDS_PER_DAY - self.day_numbers[0]
        return np.clip(d, 0, len(self.day_numbers) - 1)

    def fx_at(self, currency: str, ts: np.ndarray) -> np.ndarray:
        return self.fx[currency][self.day_index(ts)]


def pick_campaigns(
    weights: np.ndarray, columns: np.ndarray, day_idx: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """For each query day, a campaign among `columns` drawn with the day's weights (-1 if none)."""
    out = np.full(len(day_idx), -1, dtype=np.int64)
    if len(columns) == 0 or len(day_idx) == 0:
        return out
    u = rng.random(len(day_idx))
    order = np.argsort(day_idx, kind="stable")
    sorted_days = day_idx[order]
    bounds = np.flatnonzero(np.diff(sorted_days)) + 1
    for chunk in np.split(order, bounds):
        d = day_idx[chunk[0]]
        cum = np.cumsum(weights[d, columns])
        if cum[-1] <= 0:
            # no campaign active that day: the nearest campaign of the channel in time
            active = np.flatnonzero(weights[:, columns].sum(axis=0) > 0)
            if len(active) == 0:
                continue
            out[chunk] = columns[active[0]]
            continue
        j = np.searchsorted(cum, u[chunk] * cum[-1], side="right")
        out[chunk] = columns[np.minimum(j, len(columns) - 1)]
    return out


# ---------------------------------------------------------------------------------------------
# Simulation steps
# ---------------------------------------------------------------------------------------------


def simulate_fx(cfg: Config) -> dict[str, np.ndarray]:
    """Daily rate_to_usd: USD 1.0; EUR and GBP as small random walks (rounded to 6 decimals)."""
    rng = stream(cfg.seed, "fx_rates")
    out = {"USD": np.ones(cfg.n_days)}
    for code, start_rate in (("EUR", 1.08), ("GBP", 1.27)):
        steps = rng.normal(0.0, 0.0035, cfg.n_days)
        steps[0] = 0.0
        out[code] = np.round(start_rate * np.exp(np.cumsum(steps)), 6)
    return out


def anomaly_week(cfg: Config) -> dt.date | None:
    """Monday of the planted meta_ads anomaly week (None when the range is shorter than a week)."""
    if cfg.n_days < 7:
        return None
    preferred = dt.date(2026, 6, 8)
    last_six_months = cfg.end - dt.timedelta(days=183)
    if preferred >= max(cfg.start, last_six_months) and preferred + dt.timedelta(days=6) <= cfg.end:
        return preferred
    target = cfg.start + dt.timedelta(days=int(0.8 * (cfg.n_days - 1)))
    monday = target - dt.timedelta(days=target.weekday())
    if monday < cfg.start:
        monday += dt.timedelta(days=7)
    if monday + dt.timedelta(days=6) > cfg.end:
        monday = cfg.end - dt.timedelta(days=6)
    return monday


ANOMALY_CHANNEL = "meta_ads"
ANOMALY_MULTIPLIER = 4.0


def plan_campaigns(cfg: Config, fx: dict[str, np.ndarray]) -> Campaigns:
    """Campaigns of the paid channels and of email; unpaid channels have none.

    About 15 % of each channel's campaigns are always-on (started before the range, open-ended);
    the others start at a random day and run 45-360 days (email: 45-180), a fifth open-ended.
    """
    rng = stream(cfg.seed, "campaigns")
    first, last = _epoch_day(cfg.start), _epoch_day(cfg.end)
    rows: list[tuple] = []
    for ci, ch in enumerate(CHANNELS):
        if not ch.has_campaigns:
            continue
        n = max(1, round(ch.n_campaigns * cfg.scale))
        n_always = max(1 if ci != EMAIL else 2, round(n * 0.15))
        themes = CAMPAIGN_THEMES[ch.channel_group]
        for k in range(n):
            if k < n_always:
                start = first - int(rng.integers(0, 200))
                end, open_ended = None, True
            else:
                start = first + int(rng.integers(0, max(1, cfg.n_days - 14)))
                duration = int(rng.integers(45, 181 if ci == EMAIL else 361))
                open_ended = bool(rng.random() < 0.2) and ci != EMAIL
                end = None if open_ended else start + duration
            if ci == EMAIL and k == 0:
                theme, objective = "Newsletter", "lead_generation"
            elif ci == EMAIL and k == 1:
                theme, objective = "Customer Newsletter", "retention"
            else:
                theme, objective = themes[int(rng.integers(0, len(themes)))]
            geo = GEOS[int(rng.integers(0, len(GEOS)))]
            cur_draw = rng.random()
            currency = "USD" if cur_draw < 0.7 else ("EUR" if cur_draw < 0.88 else "GBP")
            report_currency = currency
            if ch.has_ads and rng.random() < 0.08:
                report_currency = "GBP" if currency == "EUR" else "EUR"
            start_date = dt.date(1970, 1, 1) + dt.timedelta(days=max(start, first))
            label = f"{start_date.year}Q{(start_date.month - 1) // 3 + 1}"
            name = f"{ch.prefix} | {theme} | {geo} | {label}"
            weight = float(rng.lognormal(0.0, 0.5)) * (2.0 if k < n_always else 1.0)
            cpl_mult = float(rng.lognormal(0.0, 0.25))
            ctr_mult = float(rng.lognormal(0.0, 0.2))
            export_delay = int(rng.integers(1, 6)) * SECONDS_PER_DAY - int(rng.integers(3600, 40_000))
            rows.append((start, ci, k, end, open_ended, name, objective, currency, report_currency, weight,
                         cpl_mult, ctr_mult, start * SECONDS_PER_DAY - export_delay))  # fmt: skip
    rows.sort(key=lambda r: (r[0], r[1], r[2]))  # campaign ids in start order
    far = last + 10 * 365
    return Campaigns(
        channel=np.array([r[1] for r in rows], dtype=np.int64),
        start_day=np.array([r[0] for r in rows], dtype=np.int64),
        end_day=np.array([far if r[3] is None else r[3] for r in rows], dtype=np.int64),
        open_ended=np.array([r[4] for r in rows], dtype=bool),
        name=[r[5] for r in rows],
        objective=[r[6] for r in rows],
        budget_currency=[r[7] for r in rows],
        report_currency=[r[8] for r in rows],
        weight=np.array([r[9] for r in rows]),
        cpl_mult=np.array([r[10] for r in rows]),
        ctr_mult=np.array([r[11] for r in rows]),
        budget=np.zeros(len(rows)),
        exported_at=np.array([r[12] for r in rows], dtype=np.int64),
    )


def simulate_ads(
    cfg: Config, camp: Campaigns, fx: dict[str, np.ndarray], day_numbers: np.ndarray
) -> tuple[AdDays, np.ndarray, np.ndarray, dict]:
    """Daily spend, impressions, clicks and platform conversions of every paid campaign.

    Each channel's daily budget (x scale x demand index) is split across its active campaigns by
    campaign weight, with +-15 % daily noise. Impressions follow the channel CPM (CPC x CTR),
    clicks are binomial at the campaign's CTR (so clicks <= impressions), conversions binomial on
    clicks. The planted anomaly multiplies meta_ads spend by 4 for one week, delivery flat.
    """
    rng = stream(cfg.seed, "ad_performance")
    n_days = len(day_numbers)
    active = (day_numbers[:, None] >= camp.start_day[None, :]) & (day_numbers[:, None] <= camp.end_day[None, :])
    spend_matrix = np.zeros((n_days, camp.n))
    email_activity = np.zeros((n_days, camp.n))
    week = anomaly_week(cfg)
    anomaly: dict = {}
    if week is not None:
        anomaly = {
            "table": "ad_performance",
            "kind": "spend_spike_without_leads",
            "channel_id": ANOMALY_CHANNEL,
            "start_date": week.isoformat(),
            "end_date": (week + dt.timedelta(days=6)).isoformat(),
            "spend_multiplier": ANOMALY_MULTIPLIER,
            "description": "meta_ads spend x4 for one week with flat delivery and no extra leads "
            "(cost-per-lead spike). Valid data: must not be quarantined.",
        }
    parts: dict[str, list[np.ndarray]] = {k: [] for k in AdDays.__dataclass_fields__}
    for ci, ch in enumerate(CHANNELS):
        cols = np.flatnonzero(camp.channel == ci)
        if ci == EMAIL:
            email_activity[:, cols] = active[:, cols] * np.where(np.arange(len(cols)) == 0, 3.0, 1.0)
            continue
        if not ch.has_ads or len(cols) == 0:
            continue
        w = active[:, cols] * camp.weight[cols][None, :]
        share = np.divide(w, w.sum(axis=1, keepdims=True), out=np.zeros_like(w), where=w.sum(axis=1, keepdims=True) > 0)
        daily = ch.daily_spend_usd * cfg.scale * demand_index(day_numbers, cfg, ch.weekend_factor)
        spend = share * daily[:, None] * rng.lognormal(0.0, 0.15, size=share.shape)
        spend_matrix[:, cols] = spend / camp.cpl_mult[cols][None, :]
        d_idx, c_local = np.nonzero(spend > 0)
        c = cols[c_local]
        base = np.round(spend[d_idx, c_local], 2)
        keep = base >= 0.5
        d_idx, c, base = d_idx[keep], c[keep], base[keep]
        days = day_numbers[d_idx]
        is_anomaly = np.zeros(len(c), dtype=bool)
        if week is not None and ch.channel_id == ANOMALY_CHANNEL:
            wk = _epoch_day(week)
            is_anomaly = (days >= wk) & (days <= wk + 6)
        usd = np.where(is_anomaly, base * ANOMALY_MULTIPLIER, base)
        cpm = ch.cpc_usd * ch.ctr * 1000.0
        impressions = np.maximum(1, np.round(base / cpm * 1000.0 * rng.lognormal(0.0, 0.12, len(c)))).astype(np.int64)
        impressions = np.where(is_anomaly, np.round(impressions * 1.1), impressions).astype(np.int64)
        ctr = np.clip(ch.ctr * camp.ctr_mult[c] * rng.lognormal(0.0, 0.15, len(c)), 0.0001, 0.5)
        clicks = rng.binomial(impressions, ctr)
        conversions = rng.binomial(clicks, ch.platform_cvr)
        rep_cur = np.array([camp.report_currency[i] for i in c.tolist()])
        rate = np.ones(len(c))
        for code in ("EUR", "GBP"):
            rate = np.where(rep_cur == code, fx[code][d_idx], rate)
        exported = (days + 1) * SECONDS_PER_DAY + rng.integers(3600, 9 * 3600, len(c))
        parts["campaign"].append(c)
        parts["day"].append(days)
        parts["spend_usd_base"].append(base)
        parts["spend_usd"].append(usd)
        parts["spend"].append(np.round(usd / rate, 2))
        parts["impressions"].append(impressions)
        parts["clicks"].append(clicks)
        parts["conversions"].append(conversions)
        parts["exported_at"].append(exported)
        parts["anomaly"].append(is_anomaly)
    cat = {k: np.concatenate(v) for k, v in parts.items()}
    order = np.lexsort((cat["campaign"], cat["day"]))
    ads = AdDays(**{k: v[order] for k, v in cat.items()})
    return ads, spend_matrix, email_activity, anomaly


def set_campaign_budgets(cfg: Config, camp: Campaigns, ads: AdDays, fx: dict[str, np.ndarray]) -> None:
    """Lifetime budgets: planned spend (actual pace x planned duration) with 5-40 % headroom."""
    rng = stream(cfg.seed, "campaign_budgets")
    spend_total = np.bincount(ads.campaign, weights=ads.spend_usd_base, minlength=camp.n)
    active_days = np.bincount(ads.campaign, minlength=camp.n)
    for i in range(camp.n):
        headroom = float(rng.uniform(1.05, 1.4))
        rate = float(fx[camp.budget_currency[i]][0])
        if CHANNELS[camp.channel[i]].channel_id == "email":
            small = float(rng.uniform(500, 3000))
            camp.budget[i] = 0.0 if rng.random() < 0.6 else round(small / 50) * 50
            continue
        per_day = spend_total[i] / max(1, active_days[i])
        duration = 365 if camp.open_ended[i] else int(camp.end_day[i] - camp.start_day[i] + 1)
        camp.budget[i] = max(100.0, round(per_day * duration * headroom / rate / 100) * 100)


def simulate_email_sends(cfg: Config, world: World) -> EmailSends:
    """Sends of each email campaign: the newsletter weekly (Tuesdays), the customer newsletter
    monthly, other campaigns every 7-14 days while active. List sizes grow over time; bounce 0.5-3 %,
    open 18-35 % of delivered, click 8-20 % of opens, unsubscribe 0.1-0.5 % of delivered."""
    rng = stream(cfg.seed, "email_sends")
    camp = world.campaigns
    first, last = int(world.day_numbers[0]), int(world.day_numbers[-1])
    rows: list[tuple[int, int, int]] = []  # (sent_at, campaign, list_size)
    email_cols = np.flatnonzero(camp.channel == EMAIL)
    for rank, c in enumerate(email_cols.tolist()):
        lo, hi = max(first, int(camp.start_day[c])), min(last, int(camp.end_day[c]))
        if lo > hi:
            continue
        if rank == 0:
            day, step = lo + (1 - weekday_of(np.array(lo), days=True)) % 7, 7  # Tuesdays
        elif rank == 1:
            day, step = lo + int(rng.integers(0, 28)), 30
        else:
            day, step = lo + int(rng.integers(0, 7)), 0
        base_list = 14_000 if rank == 0 else (6_000 if rank == 1 else int(rng.integers(2_000, 12_000)))
        while day <= hi:
            wd = int(weekday_of(np.array(day), days=True))
            if wd >= 5:
                day += 7 - wd + 1  # Saturday/Sunday -> Tuesday
                continue
            hour = int(rng.integers(9, 16))
            ts = day * SECONDS_PER_DAY + hour * 3600 + int(rng.integers(0, 4)) * 900
            growth = 1.0 + 0.3 * (day - first) / 365.25
            rows.append((ts, c, int(base_list * growth * rng.uniform(0.95, 1.05))))
            day += step or int(rng.integers(7, 15))
    rows.sort()
    sent_at = np.array([r[0] for r in rows], dtype=np.int64)
    campaign = np.array([r[1] for r in rows], dtype=np.int64)
    sent = np.array([r[2] for r in rows], dtype=np.int64)
    n = len(rows)
    delivered = sent - rng.binomial(sent, rng.uniform(0.005, 0.03, n))
    opened = rng.binomial(delivered, rng.uniform(0.18, 0.35, n))
    clicked = rng.binomial(opened, rng.uniform(0.08, 0.20, n))
    unsub = rng.binomial(delivered, rng.uniform(0.001, 0.005, n))
    return EmailSends(campaign, sent_at, sent, delivered, opened, clicked, unsub)


EMAIL_LEADS_PER_CLICK = 0.00089


def simulate_leads(cfg: Config, world: World) -> Leads:
    """Leads per channel and day, their campaign, firmographics, fit and routing (owner, SLAs).

    * paid channels: Poisson(baseline spend / channel CPL); campaign drawn by spend / campaign CPL
      (the planted anomaly uses the *baseline* spend, so it brings no extra leads);
    * email: Poisson(clicks x 0.28 %) per send, created 0-5 days after it;
    * unpaid channels: Poisson(rate x scale x demand index).
    Fit = mean of seniority, company-size and budget points (0..1). Assignment: minutes after
    creation in working hours, the next working morning otherwise, 7 % slow (+1-4 days). First
    response: mostly hours after assignment (in working hours), 15 % after 1-5 days, 5 % never.
    """
    rng = stream(cfg.seed, "leads")
    day_numbers = world.day_numbers
    created_parts, channel_parts, campaign_parts = [], [], []
    for ci, ch in enumerate(CHANNELS):
        if ch.has_ads:
            cols = np.flatnonzero(world.campaigns.channel == ci)
            spend_base = np.zeros(len(day_numbers))
            sel = np.isin(world.ads.campaign, cols)
            np.add.at(spend_base, world.ads.day[sel] - day_numbers[0], world.ads.spend_usd_base[sel])
            counts = rng.poisson(spend_base / ch.cpl_usd)
            days = np.repeat(day_numbers, counts)
            created = random_times_in_days(days, rng)
            camp = pick_campaigns(world.spend_matrix, cols, world.day_index(created), rng)
        elif ci == EMAIL:
            sends = world.email_sends
            counts = rng.poisson(sends.clicked * EMAIL_LEADS_PER_CLICK)
            created = np.repeat(sends.sent_at, counts) + (rng.exponential(1.2, counts.sum()) * SECONDS_PER_DAY).astype(
                np.int64
            )
            camp = np.repeat(sends.campaign, counts)
        else:
            lam = ch.leads_per_day * cfg.scale * demand_index(day_numbers, cfg, ch.weekend_factor)
            days = np.repeat(day_numbers, rng.poisson(lam))
            created = random_times_in_days(days, rng)
            camp = np.full(len(created), -1, dtype=np.int64)
        keep = (created >= cfg.start_ts) & (created < cfg.as_of_ts)
        created_parts.append(created[keep])
        channel_parts.append(np.full(int(keep.sum()), ci, dtype=np.int64))
        campaign_parts.append(camp[keep])
    created = np.concatenate(created_parts)
    channel = np.concatenate(channel_parts)
    campaign = np.concatenate(campaign_parts)
    order = np.lexsort((channel, created))
    created, channel, campaign = created[order], channel[order], campaign[order]
    n = len(created)

    seniority = np.empty(n, dtype=np.int64)
    size = np.empty(n, dtype=np.int64)
    u_sen, u_size = rng.random(n), rng.random(n)
    for ci, ch in enumerate(CHANNELS):
        m = channel == ci
        seniority[m] = np.searchsorted(
            np.cumsum(ch.seniority_weights) / sum(ch.seniority_weights), u_sen[m], side="right"
        )
        size[m] = np.searchsorted(np.cumsum(ch.size_weights) / sum(ch.size_weights), u_size[m], side="right")
    seniority = np.minimum(seniority, 4)
    size = np.minimum(size, 4)
    budget = np.array(BUDGET_MEDIAN_BY_SIZE)[size] * rng.lognormal(0.0, 0.6, n)
    budget = np.round(budget / 500) * 500 + 500
    budget = np.where(rng.random(n) < 0.25, np.nan, budget)
    country = rng.choice(len(COUNTRIES), size=n, p=COUNTRY_WEIGHTS / COUNTRY_WEIGHTS.sum())
    mobile = np.array([CHANNELS[c].mobile_share for c in range(len(CHANNELS))])[channel]
    u_dev = rng.random(n)
    device = np.where(u_dev < 1 - mobile - 0.05, 0, np.where(u_dev < 0.95, 1, 2))

    sen_pts = np.array([1.0, 0.9, 0.7, 0.4, 0.0])[seniority]
    size_pts = np.array([0.0, 0.3, 0.7, 0.9, 1.0])[size]
    budget_pts = np.where(
        np.isnan(budget), 0.3, np.clip((np.log10(np.nan_to_num(budget, nan=1000.0)) - 3.0) / 2.0, 0, 1)
    )
    fit = (sen_pts + size_pts + budget_pts) / 3.0

    owner = rng.integers(0, len(SALES_REPS), n)
    slow = rng.random(n) < 0.07
    assign_delay = (rng.lognormal(np.log(25 * 60), 0.8, n)).astype(np.int64)
    assigned = to_business_hours(created, rng) + assign_delay
    assigned = assigned + np.where(slow, rng.integers(1, 5, n) * SECONDS_PER_DAY, 0)
    resp_draw = rng.random(n)
    fast = (rng.lognormal(np.log(2.5 * 3600), 0.9, n)).astype(np.int64)
    late = rng.integers(1, 6, n) * SECONDS_PER_DAY + rng.integers(0, 8 * 3600, n)
    responded = to_business_hours(assigned + np.where(resp_draw < 0.8, fast, late), rng)
    responded = np.where(resp_draw >= 0.95, NULL_TS, responded)
    assigned = np.where(assigned >= cfg.as_of_ts, NULL_TS, assigned)
    responded = np.where((responded >= cfg.as_of_ts) | (assigned == NULL_TS), NULL_TS, responded)
    return Leads(created, channel, campaign, seniority, size, budget, country, device, fit,
                 np.zeros(n, dtype=np.int64), owner, assigned, responded)  # fmt: skip


def simulate_funnel(cfg: Config, world: World, step_rates: Sequence[float] = STEP_BASE_RATES) -> StageEvents:
    """Lifecycle events of every lead (see the module docstring for rates and durations).

    Step probability = base x channel quality^k x (0.55 + 0.9 x fit), k = 0.5 for the early steps
    and 1 for the win. Leads that do not advance: at the lead stage 45 % are disqualified (after
    ~1 week), at the mql stage 50 %; at sql 60 % are lost; every opportunity closes won or lost.
    Events after the end of the range are not written (right-censoring). `step_rates` are the
    base rates of lead->mql, mql->sql, sql->opportunity and opportunity->won (the bulk scales of
    generator_bulk.py use higher ones).
    """
    rng = stream(cfg.seed, "funnel")
    leads = world.leads
    n = leads.n
    quality = np.array([c.quality for c in CHANNELS])[leads.channel]
    fit_mult = 0.55 + 0.9 * leads.fit
    p = np.stack(
        [
            np.clip(step_rates[0] * np.sqrt(quality) * fit_mult, 0.02, 0.95),
            np.clip(step_rates[1] * np.sqrt(quality) * fit_mult, 0.02, 0.95),
            np.clip(step_rates[2] * np.sqrt(fit_mult), 0.02, 0.95),
            np.clip(step_rates[3] * quality * fit_mult, 0.02, 0.90),
        ],
        axis=1,
    )
    advance = rng.random((n, 4)) < p
    exit_draw = rng.random((n, 3))
    medians_days = np.array([2.0, 5.0, 8.0, 35.0])
    sigmas = np.array([1.0, 0.8, 0.8, 0.6])
    durations = (rng.lognormal(np.log(medians_days * SECONDS_PER_DAY), sigmas, (n, 4))).astype(np.int64)
    exit_delay = (rng.lognormal(np.log(np.array([7.0, 10.0, 20.0]) * SECONDS_PER_DAY), 0.7, (n, 3))).astype(np.int64)
    jitter_rng = stream(cfg.seed, "funnel_business_hours")

    ev_lead, ev_stage, ev_time = [np.arange(n)], [np.zeros(n, dtype=np.int64)], [leads.created_at.copy()]
    t = leads.created_at.copy()
    alive = np.ones(n, dtype=bool)  # still moving forward
    stage_reached = np.zeros(n, dtype=np.int64)
    mql_at = np.full(n, NULL_TS, dtype=np.int64)
    closed_at = np.full(n, NULL_TS, dtype=np.int64)
    won_at = np.full(n, NULL_TS, dtype=np.int64)
    exits = ((0.45, 6), (0.50, 6), (0.60, 5))  # (probability of an exit event, exit stage index)
    for step in range(4):
        nxt = t + durations[:, step]
        if step >= 1:
            nxt = to_business_hours(nxt, jitter_rng)
        goes = alive & advance[:, step]
        stays = alive & ~advance[:, step]
        if step < 3:
            prob, exit_stage = exits[step]
            ex = stays & (exit_draw[:, step] < prob)
            ex_time = to_business_hours(t + exit_delay[:, step], jitter_rng)
            ok = ex & (ex_time < cfg.as_of_ts)
            ev_lead.append(np.flatnonzero(ok))
            ev_stage.append(np.full(int(ok.sum()), exit_stage, dtype=np.int64))
            ev_time.append(ex_time[ok])
            closed_at[ok] = ex_time[ok]
            happened = goes & (nxt < cfg.as_of_ts)
            ev_lead.append(np.flatnonzero(happened))
            ev_stage.append(np.full(int(happened.sum()), step + 1, dtype=np.int64))
            ev_time.append(nxt[happened])
            stage_reached[happened] = step + 1
            if step == 0:
                mql_at[happened] = nxt[happened]
            t = np.where(happened, nxt, t)
            alive = happened
        else:
            close_time = nxt
            ok = alive & (close_time < cfg.as_of_ts)
            stage = np.where(advance[:, 3], 4, 5)
            ev_lead.append(np.flatnonzero(ok))
            ev_stage.append(stage[ok])
            ev_time.append(close_time[ok])
            closed_at[ok] = close_time[ok]
            won = ok & advance[:, 3]
            won_at[won] = close_time[won]
            stage_reached[won] = 4
    lead_idx = np.concatenate(ev_lead)
    stage = np.concatenate(ev_stage)
    when = np.concatenate(ev_time)
    order = np.lexsort((stage, lead_idx, when))
    leads.stage_reached, leads.mql_at, leads.closed_at, leads.won_at = stage_reached, mql_at, closed_at, won_at
    won_leads = np.flatnonzero(won_at != NULL_TS)
    won_leads = won_leads[np.lexsort((won_leads, won_at[won_leads]))]
    leads.customer = np.full(n, -1, dtype=np.int64)
    leads.customer[won_leads] = np.arange(1, len(won_leads) + 1)
    return StageEvents(lead_idx[order], stage[order], when[order])


def assign_visitors(cfg: Config, world: World, n_anonymous: int) -> None:
    """Visitor numbers: one per lead plus an anonymous pool, shuffled so ids do not reveal leads."""
    rng = stream(cfg.seed, "visitors")
    total = world.leads.n + n_anonymous
    world.n_visitors = total
    world.visitor_numbers = rng.permutation(total) + 1
    world.leads.visitor = world.visitor_numbers[: world.leads.n]


def simulate_customers(cfg: Config, world: World) -> Customers:
    """Customers (won leads) with billing currency (GBP in GB, EUR in the euro area, else USD),
    a latent satisfaction (NPS mean ~7.6 shifted by channel and size) and a churn time drawn month
    by month with p = channel churn x exp(-0.35 x (satisfaction - 7.6))."""
    rng = stream(cfg.seed, "customers")
    leads = world.leads
    idx = np.flatnonzero(leads.customer > 0)
    idx = idx[np.argsort(leads.customer[idx], kind="stable")]
    won_at = leads.won_at[idx]
    countries = [COUNTRIES[c] for c in leads.country[idx].tolist()]
    currency = ["GBP" if c == "GB" else ("EUR" if c in EURO_COUNTRIES else "USD") for c in countries]
    shift = np.array([c.nps_shift for c in CHANNELS])[leads.channel[idx]]
    size_shift = np.array([0.2, 0.2, 0.0, -0.2, -0.4])[leads.company_size[idx]]
    satisfaction = rng.normal(7.6 + shift + size_shift, 1.3)
    base_churn = np.array([c.monthly_churn for c in CHANNELS])[leads.channel[idx]]
    p_churn = np.clip(base_churn * np.exp(-0.35 * (satisfaction - 7.6)), 0.005, 0.2)
    months_to_churn = rng.geometric(p_churn)
    churned = won_at + (months_to_churn * 30.44 * SECONDS_PER_DAY).astype(np.int64)
    churned = np.where(churned >= cfg.as_of_ts, NULL_TS, churned)
    return Customers(idx, won_at, currency, satisfaction, churned)


@dataclass
class Orders:
    customer: np.ndarray
    ordered_at: np.ndarray
    amount: np.ndarray
    currency: list[str]
    order_type: np.ndarray  # index into ORDER_TYPES
    status: np.ndarray  # index into ORDER_STATUSES


ORDER_TYPES = ("new", "renewal", "expansion", "cross_sell", "refund")
ORDER_STATUSES = ("completed", "pending", "cancelled")


def simulate_orders(cfg: Config, world: World) -> Orders:
    """Billing: a 'new' order 0-3 days after the win, then one 'renewal' invoice per product line
    and month until churn. Per month: 3 % chance of an 'expansion' (+10-40 % on a line) and 2 % of
    a 'cross_sell' (a new product line at 20-60 % of the main line). 40 % of customers start with
    an add-on module (a second line), larger companies (201+) 30 % with a third. ~2 % of completed
    orders are refunded (a negative 'refund' order 3-30 days later for 30-100 % of the amount).
    Status: 96 % completed, 2 % cancelled, 2 % pending (and half of the last five days' invoices
    are still pending)."""
    rng = stream(cfg.seed, "orders")
    cust = world.customers
    leads = world.leads
    rows: list[tuple[int, int, float, int]] = []  # (ts, customer number, amount, type)
    month = int(30.44 * SECONDS_PER_DAY)
    for k in range(len(cust.lead)):
        size = int(leads.company_size[cust.lead[k]])
        lo, hi = MRR_BY_SIZE[size]
        rate = float(world.fx_at(cust.currency[k], np.array([cust.won_at[k]]))[0])
        main = float(np.exp(rng.uniform(np.log(lo), np.log(hi)))) / rate
        lines = [price_point(main)]
        if rng.random() < 0.4:  # an add-on module billed as its own subscription
            lines.append(price_point(main * float(rng.uniform(0.2, 0.6))))
        if size >= 3 and rng.random() < 0.3:
            lines.append(price_point(main * float(rng.uniform(0.2, 0.5))))
        end = cust.churned_at[k] if cust.churned_at[k] != NULL_TS else cfg.as_of_ts
        t0 = int(cust.won_at[k]) + int(rng.integers(0, 3 * SECONDS_PER_DAY))
        if t0 >= cfg.as_of_ts:
            continue
        rows.append((t0, k + 1, sum(lines), 0))
        m = 1
        while True:
            t = t0 + m * month + int(rng.integers(-3600, 3600))
            if t >= end or t >= cfg.as_of_ts:
                break
            for amount in lines:
                rows.append((t + int(rng.integers(0, 600)), k + 1, amount, 1))
            if rng.random() < 0.03:
                j = int(rng.integers(0, len(lines)))
                delta = max(MIN_EXPANSION, round(lines[j] * float(rng.uniform(0.1, 0.4)), -1))
                lines[j] += delta
                te = t + int(rng.integers(1, 20)) * SECONDS_PER_DAY
                if te < end and te < cfg.as_of_ts:
                    rows.append((te, k + 1, delta, 2))
            if rng.random() < 0.02:
                new_line = price_point(lines[0] * float(rng.uniform(0.2, 0.6)))
                tc = t + int(rng.integers(1, 25)) * SECONDS_PER_DAY
                if tc < end and tc < cfg.as_of_ts:
                    lines.append(new_line)
                    rows.append((tc, k + 1, new_line, 3))
            m += 1
    rows.sort()
    ts = np.array([r[0] for r in rows], dtype=np.int64)
    customer = np.array([r[1] for r in rows], dtype=np.int64)
    amount = np.array([r[2] for r in rows])
    otype = np.array([r[3] for r in rows], dtype=np.int64)
    n = len(rows)
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
    currency = [cust.currency[c - 1] for c in customer[order].tolist()]
    return Orders(customer[order], ts[order], amount[order], currency, otype[order], status[order])


# ---------------------------------------------------------------------------------------------
# Tables (clean), one function each. A table is a dict column -> list[str] in contract order.
# ---------------------------------------------------------------------------------------------


@dataclass
class RawTable:
    """A raw table as text, plus per-row flags the dirt injector needs (never written)."""

    name: str
    columns: dict[str, list[str]]
    frozen: np.ndarray | None = None  # rows no dirt may touch (planted anomaly)
    protected: np.ndarray | None = None  # rows quarantine-type dirt may not touch
    extra_rows: list[tuple[float, list[str]]] = field(default_factory=list)

    @property
    def n_clean(self) -> int:
        return len(next(iter(self.columns.values())))

    def row(self, i: int) -> list[str]:
        return [col[i] for col in self.columns.values()]

    def key(self, i: int, keys: Sequence[str]) -> str:
        return "|".join(self.columns[k][i] for k in keys)

    def ordered_rows(self) -> list[list[str]]:
        """Clean rows in place, extra (dirt) rows interleaved at their positions, deterministically."""
        n = self.n_clean
        base = list(zip(*self.columns.values(), strict=True)) if n else []
        if not self.extra_rows:
            return [list(r) for r in base]
        positions = np.concatenate([np.arange(n, dtype=float), np.array([p for p, _ in self.extra_rows])])
        order = np.argsort(positions, kind="stable")
        extras = [r for _, r in self.extra_rows]
        return [list(base[i]) if i < n else extras[i - n] for i in order.tolist()]

    @property
    def n_rows(self) -> int:
        return self.n_clean + len(self.extra_rows)


def _check_columns(name: str, columns: dict[str, list[str]]) -> dict[str, list[str]]:
    expected = load_contract()[name].column_names
    if list(columns) != expected:
        raise AssertionError(f"{name}: generated columns {list(columns)} != contract {expected}")
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise AssertionError(f"{name}: columns of different lengths {sorted(lengths)}")
    return columns


def channels_table(world: World) -> RawTable:
    cols = {
        "channel_id": [c.channel_id for c in CHANNELS],
        "channel_name": [c.channel_name for c in CHANNELS],
        "channel_group": [c.channel_group for c in CHANNELS],
        "is_paid": ["true" if c.is_paid else "false" for c in CHANNELS],
        "platform": [c.platform for c in CHANNELS],
    }
    return RawTable("channels", _check_columns("channels", cols))


def campaigns_table(world: World) -> RawTable:
    camp = world.campaigns
    end = np.where(camp.open_ended, -(10**7), camp.end_day)
    cols = {
        "campaign_id": camp.ids(),
        "channel_id": pick([c.channel_id for c in CHANNELS], camp.channel),
        "campaign_name": list(camp.name),
        "objective": list(camp.objective),
        "start_date": fmt_date(camp.start_day),
        "end_date": fmt_date(end),
        "budget_amount": fmt_money(camp.budget),
        "budget_currency": list(camp.budget_currency),
        "exported_at": fmt_ts(camp.exported_at),
    }
    return RawTable("campaigns", _check_columns("campaigns", cols))


def ad_performance_table(world: World) -> RawTable:
    ads, camp = world.ads, world.campaigns
    ids = camp.ids()
    cols = {
        "campaign_id": pick(ids, ads.campaign),
        "report_date": fmt_date(ads.day),
        "spend": fmt_money(ads.spend),
        "currency_code": pick(camp.report_currency, ads.campaign),
        "impressions": fmt_int(ads.impressions),
        "clicks": fmt_int(ads.clicks),
        "platform_conversions": fmt_int(ads.conversions),
        "exported_at": fmt_ts(ads.exported_at),
    }
    return RawTable("ad_performance", _check_columns("ad_performance", cols), frozen=ads.anomaly.copy())


def web_sessions_table(world: World) -> RawTable:
    """Sessions: one creating session per lead (landing-page conversion a few minutes before the
    form) plus non-converting sessions per channel and day (organic and direct the largest)."""
    cfg = world.cfg
    rng = stream(cfg.seed, "web_sessions")
    leads = world.leads
    camp_ids = world.campaigns.ids()
    n_leads = leads.n
    # creating sessions
    start = np.maximum(cfg.start_ts, leads.created_at - rng.integers(90, 1200, n_leads))
    l_pv = 2 + rng.geometric(0.35, n_leads)
    l_eng = (rng.lognormal(np.log(240), 0.6, n_leads) + 45).astype(np.int64)
    # non-converting sessions
    starts, chans = [], []
    for ci, ch in enumerate(CHANNELS):
        lam = ch.sessions_per_day * cfg.scale * demand_index(world.day_numbers, cfg, ch.weekend_factor)
        days = np.repeat(world.day_numbers, rng.poisson(lam))
        starts.append(random_times_in_days(days, rng))
        chans.append(np.full(len(days), ci, dtype=np.int64))
    s_start = np.concatenate(starts)
    s_chan = np.concatenate(chans)
    m = len(s_start)
    s_camp = np.full(m, -1, dtype=np.int64)
    for ci in range(len(CHANNELS)):
        sel = np.flatnonzero(s_chan == ci)
        cols = np.flatnonzero(world.campaigns.channel == ci)
        if len(cols) == 0:
            continue
        weights = world.email_activity if ci == EMAIL else world.spend_matrix
        s_camp[sel] = pick_campaigns(weights, cols, world.day_index(s_start[sel]), rng)
    n_anon = world.n_visitors - n_leads
    s_visitor = world.visitor_numbers[n_leads + rng.integers(0, max(1, n_anon), m)] if n_anon > 0 else np.ones(m, int)
    pv = np.where(rng.random(m) < 0.45, 1, 1 + rng.geometric(0.4, m))
    eng = np.where(pv == 1, np.where(rng.random(m) < 0.7, rng.integers(0, 10, m), rng.integers(10, 180, m)),
                   (rng.lognormal(np.log(45), 0.8, m) * pv).astype(np.int64))  # fmt: skip
    mobile = np.array([c.mobile_share for c in CHANNELS])
    u_dev = rng.random(m)
    s_dev = np.where(u_dev < 1 - mobile[s_chan] - 0.05, 0, np.where(u_dev < 0.95, 1, 2))
    s_country = rng.choice(len(COUNTRIES), size=m, p=COUNTRY_WEIGHTS / COUNTRY_WEIGHTS.sum())
    page_kind = []
    for c in s_chan.tolist():
        ch = CHANNELS[c]
        page_kind.append("email" if c == EMAIL else "webinar" if ch.channel_group == "events_webinars"
                         else "paid" if ch.is_paid else "direct" if c == DIRECT else "organic")  # fmt: skip
    u_page = rng.random(m)
    s_page = [LANDING_PAGES[k][int(u * len(LANDING_PAGES[k]))] for k, u in zip(page_kind, u_page.tolist(), strict=True)]
    l_page = pick(LANDING_PAGES["convert"], rng.integers(0, len(LANDING_PAGES["convert"]), n_leads))
    pages = l_page + s_page

    all_start = np.concatenate([start, s_start])
    lead_of = np.concatenate([np.arange(n_leads), np.full(m, -1)])
    order = np.lexsort((lead_of, all_start))
    chan = np.concatenate([leads.channel, s_chan])[order]
    camp = np.concatenate([leads.campaign, s_camp])[order]
    pageviews = np.concatenate([l_pv, pv])[order]
    engaged = np.concatenate([l_eng, eng])[order]
    lead_ids = leads.ids()
    lead_of = lead_of[order]
    cols = {
        "session_id": fmt_ids("ses_", np.arange(1, len(order) + 1), 7),
        "visitor_id": fmt_ids("vis_", np.concatenate([leads.visitor, s_visitor])[order], 7),
        "session_started_at": fmt_ts(all_start[order]),
        "channel_id": pick([c.channel_id for c in CHANNELS], chan),
        "campaign_id": ["" if c < 0 else camp_ids[c] for c in camp.tolist()],
        "landing_page": [pages[i] for i in order.tolist()],
        "device": pick(DEVICES, np.concatenate([leads.device, s_dev])[order]),
        "country_code": pick(COUNTRIES, np.concatenate([leads.country, s_country])[order]),
        "pageviews": fmt_int(pageviews),
        "engaged_seconds": fmt_int(engaged),
        "is_bounced": ["true" if b else "false" for b in ((pageviews == 1) & (engaged < 10)).tolist()],
        "lead_id": ["" if i < 0 else lead_ids[i] for i in lead_of.tolist()],
    }
    return RawTable("web_sessions", _check_columns("web_sessions", cols), protected=lead_of >= 0)


def email_sends_table(world: World) -> RawTable:
    s = world.email_sends
    cols = {
        "send_id": fmt_ids("snd_", np.arange(1, len(s.sent_at) + 1), 5),
        "campaign_id": pick(world.campaigns.ids(), s.campaign),
        "sent_at": fmt_ts(s.sent_at),
        "emails_sent": fmt_int(s.sent),
        "emails_delivered": fmt_int(s.delivered),
        "emails_opened": fmt_int(s.opened),
        "emails_clicked": fmt_int(s.clicked),
        "emails_unsubscribed": fmt_int(s.unsubscribed),
        "emails_bounced": fmt_int(s.sent - s.delivered),
    }
    return RawTable("email_sends", _check_columns("email_sends", cols))


PHONE_FORMATS = {
    "US": "+1 {a}-555-01{b:02d}", "CA": "+1 {a}-555-01{b:02d}", "GB": "+44 20 7946 0{c:03d}",
    "DE": "+49 30 {d:07d}", "FR": "+33 1 {e:02d} {f:02d} {g:02d} {b:02d}", "AU": "+61 2 5550 {h:04d}",
}  # fmt: skip
CALLING_CODES = {"NL": 31, "IE": 353, "ES": 34, "IT": 39, "SE": 46, "CH": 41, "IN": 91, "SG": 65, "BR": 55}


def _contact(rng: np.random.Generator, country: str) -> tuple[str, str, str]:
    first = FIRST_NAMES[int(rng.integers(0, len(FIRST_NAMES)))]
    last = LAST_NAMES[int(rng.integers(0, len(LAST_NAMES)))]
    company = (
        COMPANY_WORDS[int(rng.integers(0, len(COMPANY_WORDS)))]
        + COMPANY_SUFFIXES[int(rng.integers(0, len(COMPANY_SUFFIXES)))]
    )
    style = int(rng.integers(0, 4))
    local = (f"{first}.{last}", f"{first[0]}{last}", f"{first}", f"{first}_{last}{int(rng.integers(1, 99))}")[style]
    email = f"{local.lower().replace(' ', '')}@{company}.example"
    fmt = PHONE_FORMATS.get(country, f"+{CALLING_CODES.get(country, 1)} {{e}} {{d:07d}}")
    draws = rng.integers(0, 10**7, 8).tolist()
    phone = fmt.format(a=200 + draws[0] % 800, b=draws[1] % 100, c=draws[2] % 1000, d=draws[3], e=draws[4] % 90 + 10,
                       f=draws[5] % 90 + 10, g=draws[6] % 90 + 10, h=draws[7] % 10000)  # fmt: skip
    return email, phone, f"{first} {last}"


def leads_table(world: World) -> RawTable:
    """Lead rows as the CRM exports them (current state at export time; 2 % of notes contain a
    phone number or email typed by sales, which staging must redact)."""
    cfg = world.cfg
    rng = stream(cfg.seed, "lead_contacts")
    leads = world.leads
    n = leads.n
    emails, phones, names, titles, notes = [], [], [], [], []
    phone_missing = rng.random(n) < 0.3
    note_draw = rng.random(n)
    for i in range(n):
        country = COUNTRIES[int(leads.country[i])]
        email, phone, name = _contact(rng, country)
        emails.append(email)
        phones.append("" if phone_missing[i] else phone)
        names.append(name)
        options = JOB_TITLES[SENIORITIES[int(leads.seniority[i])]]
        title = options[int(rng.integers(0, len(options)))]
        if rng.random() < 0.1:
            title = title.lower()
        titles.append(title)
        if note_draw[i] < 0.8:
            notes.append("")
        elif note_draw[i] < 0.98:
            notes.append(BENIGN_NOTES[int(rng.integers(0, len(BENIGN_NOTES)))])
        else:
            notes.append(f"Call back on {phone}" if rng.random() < 0.5 else f"Prefers contact at {email}")
    last_change = np.maximum.reduce([leads.created_at, leads.assigned_at, leads.responded_at, leads.won_at])
    exported = (last_change // SECONDS_PER_DAY + 1) * SECONDS_PER_DAY + rng.integers(3600, 6 * 3600, n)
    budget_cur = []
    for i in range(n):
        if np.isnan(leads.budget_usd[i]):
            budget_cur.append("")
            continue
        country = COUNTRIES[int(leads.country[i])]
        budget_cur.append("GBP" if country == "GB" else ("EUR" if country in EURO_COUNTRIES else "USD"))
    budget_local = [
        "" if cur == "" else f"{round(float(b) / float(world.fx[cur][0]), -2):.2f}"
        for b, cur in zip(leads.budget_usd.tolist(), budget_cur, strict=True)
    ]
    camp_ids = world.campaigns.ids()
    cols = {
        "lead_id": leads.ids(),
        "created_at": fmt_ts(leads.created_at),
        "channel_id": pick([c.channel_id for c in CHANNELS], leads.channel),
        "campaign_id": ["" if c < 0 else camp_ids[c] for c in leads.campaign.tolist()],
        "email": emails,
        "phone": phones,
        "full_name": names,
        "job_title": titles,
        "seniority": pick(SENIORITIES, leads.seniority),
        "company_size": pick(COMPANY_SIZES, leads.company_size),
        "declared_budget": budget_local,
        "declared_budget_currency": budget_cur,
        "country_code": pick(COUNTRIES, leads.country),
        "device": pick(DEVICES, leads.device),
        "owner_id": pick(SALES_REPS, leads.owner),
        "assigned_at": fmt_ts(leads.assigned_at),
        "first_responded_at": fmt_ts(leads.responded_at),
        "customer_id": ["" if c < 0 else f"cus_{c:06d}" for c in leads.customer.tolist()],
        "notes": notes,
        "exported_at": fmt_ts(exported),
    }
    return RawTable("leads", _check_columns("leads", cols))


def lead_stage_events_table(world: World) -> RawTable:
    ev = world.events
    lead_ids = world.leads.ids()
    cols = {
        "stage_event_id": fmt_ids("sev_", np.arange(1, len(ev.lead) + 1), 7),
        "lead_id": pick(lead_ids, ev.lead),
        "stage": pick(STAGES, ev.stage),
        "changed_at": fmt_ts(ev.changed_at),
    }
    return RawTable("lead_stage_events", _check_columns("lead_stage_events", cols), protected=np.isin(ev.stage, (0, 4)))


TOUCH_TYPES = ("ad_click", "visit", "form", "email_click", "webinar", "sales_call")


def _touch_type_of(channel: np.ndarray) -> np.ndarray:
    kinds = []
    for ch in CHANNELS:
        if ch.channel_group == "email":
            kinds.append(3)
        elif ch.channel_group == "events_webinars":
            kinds.append(4)
        elif ch.is_paid:
            kinds.append(0)
        else:
            kinds.append(1)
    return np.array(kinds)[channel]


def touchpoints_table(world: World) -> RawTable:
    """Journeys. Per lead: Poisson(1.3) discovery touches 1-60 days before the form (channel mix
    biased to paid social, display, organic), the lead's own-channel entry touch at the creating
    session's start, the form at created_at; afterwards nurture email clicks, webinars, return
    visits and retargeting, and 1-3 sales calls (channel 'direct', no campaign) once the lead is an
    mql, until the lead closes or 90 days pass. Anonymous visitors (never leads) add 1-3 touches
    each. Touches before the lead exists carry the visitor only."""
    cfg = world.cfg
    rng = stream(cfg.seed, "touchpoints")
    leads = world.leads
    n = leads.n
    disc_w = np.array([c.discovery_weight for c in CHANNELS])
    disc_p = disc_w / disc_w.sum()
    lead_l, vis_l, ts_l, ch_l, type_l, camp_l = [], [], [], [], [], []

    def add(
        lead: np.ndarray, vis: np.ndarray, ts: np.ndarray, ch: np.ndarray, typ: np.ndarray, camp: int | np.ndarray
    ) -> None:
        lead_l.append(lead)
        vis_l.append(vis)
        ts_l.append(ts)
        ch_l.append(ch)
        type_l.append(typ)
        camp_l.append(np.broadcast_to(np.asarray(camp, dtype=np.int64), lead.shape).copy())

    # discovery touches (anonymous); campaign -1 = pick one active that day
    k = rng.poisson(1.3, n)
    who = np.repeat(np.arange(n), k)
    ts = leads.created_at[who] - (rng.exponential(12.0, len(who)) * SECONDS_PER_DAY + 1800).astype(np.int64)
    ch = rng.choice(len(CHANNELS), size=len(who), p=disc_p)
    add(np.full(len(who), -1), leads.visitor[who], ts, ch, _touch_type_of(ch), -1)
    # entry touch of the creating session (anonymous, lead's channel and campaign), then the form
    entry = np.maximum(cfg.start_ts, leads.created_at - rng.integers(90, 1200, n))
    fixed_campaign = np.where(leads.campaign < 0, -3, leads.campaign)  # -3 = none, do not pick
    add(np.full(n, -1), leads.visitor, entry, leads.channel, _touch_type_of(leads.channel), fixed_campaign)
    add(np.arange(n), leads.visitor, leads.created_at, leads.channel, np.full(n, 2), fixed_campaign)
    # post-lead touches
    horizon = np.where(leads.closed_at != NULL_TS, leads.closed_at, leads.created_at + 90 * SECONDS_PER_DAY)
    span = np.maximum(horizon - leads.created_at, 3600)
    retarget = np.array([CHANNEL_INDEX[x] for x in ("meta_ads", "display_network", "linkedin_ads")])
    for kind, rate in (("email", 0.5), ("webinars", 0.15), ("revisit", 0.4), ("retarget", 0.25)):
        who = np.repeat(np.arange(n), rng.poisson(rate, n))
        t = leads.created_at[who] + (rng.random(len(who)) * span[who]).astype(np.int64)
        if kind == "email":
            c = np.full(len(who), EMAIL)
        elif kind == "webinars":
            c = np.full(len(who), CHANNEL_INDEX["webinars"])
        elif kind == "revisit":
            c = np.where(rng.random(len(who)) < 0.6, DIRECT, CHANNEL_INDEX["organic_search"])
        else:
            c = retarget[rng.integers(0, len(retarget), len(who))]
        add(who, leads.visitor[who], t, c, _touch_type_of(c), -1)
    # sales calls once the lead is an mql (offline: channel 'direct', no visitor, no campaign)
    mql = np.flatnonzero(leads.mql_at != NULL_TS)
    who = np.repeat(mql, 1 + rng.poisson(0.6, len(mql)))
    sales_end = np.where(
        leads.closed_at[who] != NULL_TS, leads.closed_at[who], leads.mql_at[who] + 60 * SECONDS_PER_DAY
    )
    offset = (rng.random(len(who)) * (sales_end - leads.mql_at[who])).astype(np.int64)
    t = np.minimum(to_business_hours(leads.mql_at[who] + offset, rng), sales_end)
    add(who, np.full(len(who), -1), t, np.full(len(who), DIRECT), np.full(len(who), 5), -3)
    # anonymous visitors who never became leads
    n_anon = world.n_visitors - n
    if n_anon > 0:
        n_j = int(round(0.55 * n))
        vis = world.visitor_numbers[n + rng.integers(0, n_anon, n_j)]
        who = np.repeat(np.arange(n_j), 1 + rng.poisson(0.6, n_j))
        first = cfg.start_ts + (rng.random(n_j) * (cfg.as_of_ts - cfg.start_ts)).astype(np.int64)
        t = first[who] + (rng.exponential(5.0, len(who)) * SECONDS_PER_DAY).astype(np.int64)
        c = rng.choice(len(CHANNELS), size=len(who), p=disc_p)
        add(np.full(len(who), -1), vis[who], t, c, _touch_type_of(c), -1)

    lead_of, visitor, touched = np.concatenate(lead_l), np.concatenate(vis_l), np.concatenate(ts_l)
    chan, ttype, camp = np.concatenate(ch_l), np.concatenate(type_l), np.concatenate(camp_l)
    keep = (touched >= cfg.start_ts) & (touched < cfg.as_of_ts)
    lead_of, visitor, touched, chan, ttype, camp = (a[keep] for a in (lead_of, visitor, touched, chan, ttype, camp))
    for ci in range(len(CHANNELS)):
        cols = np.flatnonzero(world.campaigns.channel == ci)
        sel = np.flatnonzero((camp == -1) & (chan == ci))
        if len(cols) == 0 or len(sel) == 0:
            continue
        weights = world.email_activity if ci == EMAIL else world.spend_matrix
        camp[sel] = pick_campaigns(weights, cols, world.day_index(touched[sel]), rng)
    order = np.lexsort((ttype, lead_of, touched))
    camp_ids = world.campaigns.ids()
    lead_ids = leads.ids()
    cols = {
        "touchpoint_id": fmt_ids("tch_", np.arange(1, len(order) + 1), 7),
        "lead_id": ["" if i < 0 else lead_ids[i] for i in lead_of[order].tolist()],
        "visitor_id": ["" if v < 0 else f"vis_{v:07d}" for v in visitor[order].tolist()],
        "touched_at": fmt_ts(touched[order]),
        "channel_id": pick([c.channel_id for c in CHANNELS], chan[order]),
        "campaign_id": ["" if c < 0 else camp_ids[c] for c in camp[order].tolist()],
        "touch_type": pick(TOUCH_TYPES, ttype[order]),
    }
    return RawTable("touchpoints", _check_columns("touchpoints", cols), protected=ttype[order] == 2)


def orders_table(world: World) -> RawTable:
    o = world.orders
    cols = {
        "order_id": fmt_ids("ord_", np.arange(1, len(o.ordered_at) + 1), 7),
        "customer_id": fmt_ids("cus_", o.customer, 6),
        "ordered_at": fmt_ts(o.ordered_at),
        "amount": fmt_money(o.amount),
        "currency_code": list(o.currency),
        "order_type": pick(ORDER_TYPES, o.order_type),
        "order_status": pick(ORDER_STATUSES, o.status),
    }
    return RawTable("orders", _check_columns("orders", cols), protected=o.order_type == 0)


def survey_responses_table(world: World) -> RawTable:
    """NPS answers: Poisson(0.33 per month) from 30 days after the win while the customer is active;
    score = satisfaction + N(0, 1.2), rounded and clipped to 0..10."""
    cfg = world.cfg
    rng = stream(cfg.seed, "survey_responses")
    cust = world.customers
    month = 30.44 * SECONDS_PER_DAY
    starts = cust.won_at + 30 * SECONDS_PER_DAY
    ends = np.where(cust.churned_at != NULL_TS, cust.churned_at, cfg.as_of_ts)
    span = np.maximum(ends - starts, 0)
    k = rng.poisson(0.33 * span / month)
    who = np.repeat(np.arange(len(starts)), k)
    ts = starts[who] + (rng.random(len(who)) * span[who]).astype(np.int64)
    score = np.clip(np.round(cust.satisfaction[who] + rng.normal(0, 1.2, len(who))), 0, 10).astype(np.int64)
    order = np.lexsort((who, ts))
    cols = {
        "response_id": fmt_ids("srv_", np.arange(1, len(order) + 1), 6),
        "customer_id": fmt_ids("cus_", who[order] + 1, 6),
        "responded_at": fmt_ts(ts[order]),
        "score": fmt_int(score[order]),
    }
    return RawTable("survey_responses", _check_columns("survey_responses", cols))


# ---------------------------------------------------------------------------------------------
# Reference seeds (clean)
# ---------------------------------------------------------------------------------------------


def fx_rates_reference(world: World) -> tuple[list[str], list[list[str]]]:
    rows = []
    dates = fmt_date(world.day_numbers)
    for i, d in enumerate(dates):
        for code in CURRENCIES:
            rows.append([d, code, f"{world.fx[code][i]:.6f}"])
    return ["rate_date", "currency_code", "rate_to_usd"], rows


def channel_budgets_reference(world: World) -> tuple[list[str], list[list[str]]]:
    """Monthly plan per paid channel: the (pre-anomaly) actual spend x lognormal(0, 9 %), in $100s."""
    rng = stream(world.cfg.seed, "channel_budgets")
    ads = world.ads
    month_of = ads.day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    months = np.arange(month_of.min(), month_of.max() + 1) if len(month_of) else np.array([], dtype=np.int64)
    ad_channel = world.campaigns.channel[ads.campaign]
    rows = []
    for m in months.tolist():
        label = str(np.datetime64(m, "M").astype("datetime64[D]"))
        for ci, ch in enumerate(CHANNELS):
            if not ch.has_ads:
                continue
            actual = float(ads.spend_usd_base[(month_of == m) & (ad_channel == ci)].sum())
            plan = round(actual * float(rng.lognormal(0.0, 0.09)) / 100) * 100
            rows.append([label, ch.channel_id, f"{plan:.2f}"])
    return ["budget_month", "channel_id", "planned_spend_usd"], rows


def working_hours_reference(world: World) -> tuple[list[str], list[list[str]]]:
    rows = []
    for wd in range(1, 8):
        working = wd <= 5
        rows.append([str(wd), "true" if working else "false", str(WORK_START_HOUR) if working else "",
                     str(WORK_END_HOUR) if working else ""])  # fmt: skip
    return ["weekday_number", "is_working_day", "work_start_hour", "work_end_hour"], rows


def _easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m + 114) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return dt.date(year, month, day + 1)


def holidays_reference(world: World) -> tuple[list[str], list[list[str]]]:
    cfg = world.cfg
    rows = []
    for year in range(cfg.start.year, cfg.end.year + 1):
        easter = _easter(year)
        nov1 = dt.date(year, 11, 1)
        thanksgiving = nov1 + dt.timedelta(days=(3 - nov1.weekday()) % 7 + 21)
        days = [
            (dt.date(year, 1, 1), "New Year's Day"),
            (easter - dt.timedelta(days=2), "Good Friday"),
            (easter + dt.timedelta(days=1), "Easter Monday"),
            (dt.date(year, 5, 1), "Labour Day"),
            (dt.date(year, 7, 4), "Independence Day (US)"),
            (thanksgiving, "Thanksgiving (US)"),
            (dt.date(year, 12, 25), "Christmas Day"),
            (dt.date(year, 12, 26), "Boxing Day"),
        ]
        rows += [[d.isoformat(), name] for d, name in sorted(days) if cfg.start <= d <= cfg.end]
    return ["holiday_date", "holiday_name"], rows


# ---------------------------------------------------------------------------------------------
# Dirt
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DirtKind:
    kind: str
    rate: float
    outcome: str
    reason_code: str | None
    tables: tuple[str, ...]
    type_breaking: bool = False

    @property
    def is_quarantine(self) -> bool:
        return self.outcome == "quarantined"


ALL_BUT_CHANNELS = ("campaigns", "ad_performance", "web_sessions", "email_sends", "leads", "lead_stage_events",
                    "touchpoints", "orders", "survey_responses")  # fmt: skip
DIRT_KINDS: tuple[DirtKind, ...] = (
    DirtKind("exact_duplicate", 0.005, "removed_duplicate", None, ALL_BUT_CHANNELS),
    DirtKind("resent_update", 0.01, "superseded", None, ("campaigns", "ad_performance", "leads")),
    DirtKind("null_key", 0.003, "quarantined", "null_key", ALL_BUT_CHANNELS),
    DirtKind("unknown_channel", 0.003, "quarantined", "unknown_channel",
             ("campaigns", "web_sessions", "leads", "touchpoints")),
    DirtKind("unknown_campaign", 0.003, "quarantined", "unknown_campaign",
             ("ad_performance", "leads", "touchpoints", "email_sends")),
    DirtKind("negative_spend", 0.002, "quarantined", "negative_spend", ("ad_performance",)),
    DirtKind("zero_spend_with_delivery", 0.002, "quarantined", "zero_spend_with_delivery", ("ad_performance",)),
    DirtKind("clicks_exceed_impressions", 0.002, "quarantined", "clicks_exceed_impressions", ("ad_performance",)),
    DirtKind("enum_noise", 0.01, "normalised", None,
             ("channels", "campaigns", "web_sessions", "leads", "lead_stage_events", "touchpoints", "orders")),
    DirtKind("timezone_offset", 0.01, "normalised", None,
             ("web_sessions", "leads", "lead_stage_events", "touchpoints", "orders"), type_breaking=True),
    DirtKind("future_dated", 0.002, "quarantined", "future_dated",
             ("web_sessions", "lead_stage_events", "touchpoints", "orders")),
    DirtKind("unknown_customer", 0.005, "quarantined", "unknown_customer", ("orders", "survey_responses")),
    DirtKind("missing_fx_rate", 0.003, "quarantined", "missing_fx_rate", ("orders", "ad_performance")),
    DirtKind("unknown_lead", 0.003, "quarantined", "unknown_lead", ("lead_stage_events",)),
)  # fmt: skip

ENUM_COLUMNS = {
    "channels": ("channel_group",),
    "campaigns": ("objective",),
    "web_sessions": ("device",),
    "leads": ("seniority", "device"),
    "lead_stage_events": ("stage",),
    "touchpoints": ("touch_type",),
    "orders": ("order_type", "order_status"),
}
TIMESTAMP_COLUMN = {
    "web_sessions": "session_started_at",
    "leads": "created_at",
    "lead_stage_events": "changed_at",
    "touchpoints": "touched_at",
    "orders": "ordered_at",
}
OFFSETS_MINUTES = (60, 120, -300, -420, 330, 540, -240, 600)
# Parent tables: quarantine-type dirt is written as extra rows with fresh keys (no orphaned children).
PARENT_TABLES = ("campaigns", "leads")


def _noisy_enum(value: str, rng: np.random.Generator) -> str:
    """A case/whitespace variant of an enum value that trim+lower maps back to it."""
    variants = (
        value.upper(),
        value.title(),
        value[:1].upper() + value[1:],
        " " + value.title(),
        value.upper() + " ",
        value + "  ",
        " " + value,
    )
    candidates = [v for v in variants if v != value]
    return candidates[int(rng.integers(0, len(candidates)))]


def _with_offset(ts: str, rng: np.random.Generator) -> str:
    """'2025-03-04 10:15:00' (UTC) -> the same instant with an explicit offset."""
    utc = dt.datetime.strptime(ts, "%Y-%m-%d %H:%M:%S")
    minutes = OFFSETS_MINUTES[int(rng.integers(0, len(OFFSETS_MINUTES)))]
    local = utc + dt.timedelta(minutes=minutes)
    sign = "+" if minutes >= 0 else "-"
    hh, mm = divmod(abs(minutes), 60)
    return f"{local:%Y-%m-%dT%H:%M:%S}{sign}{hh:02d}:{mm:02d}"


def _far_future(ts: str, rng: np.random.Generator) -> str:
    """A typo-like far-future year (2025 -> 2052) or a random year 2035-2099."""
    year = int(ts[:4])
    swapped = int(f"{ts[:2]}{ts[3]}{ts[2]}")
    new_year = swapped if 2035 <= swapped <= 2099 and swapped != year else int(rng.integers(2035, 2100))
    out = f"{new_year}{ts[4:]}"
    if out[5:10] == "02-29":
        out = out[:8] + "28" + out[10:]
    return out


class DirtInjector:
    """Applies the dirt plan to one table and records every instance for the manifest."""

    def __init__(self, cfg: Config, world: World) -> None:
        self.cfg = cfg
        self.world = world
        self.contract = load_contract()
        self.unknown_counters = {"campaign": 9000, "customer": 900000, "lead": 9_000_000}
        self.skipped: list[str] = []

    def kinds_for(self, table: str) -> list[DirtKind]:
        kinds = [k for k in DIRT_KINDS if table in k.tables]
        if self.cfg.fmt == "parquet":
            for k in kinds:
                if k.type_breaking and k.kind not in self.skipped:
                    self.skipped.append(k.kind)
            kinds = [k for k in kinds if not k.type_breaking]
        return kinds

    def _eligible(self, tbl: RawTable, kind: DirtKind) -> np.ndarray:
        n = tbl.n_clean
        ok = np.ones(n, dtype=bool)
        if tbl.frozen is not None:
            ok &= ~tbl.frozen
        if kind.is_quarantine and tbl.protected is not None:
            ok &= ~tbl.protected
        cols = tbl.columns
        name, k = tbl.name, kind.kind
        if name == "ad_performance" and k in ("negative_spend", "zero_spend_with_delivery", "resent_update"):
            ok &= np.array([float(s) >= 1.0 for s in cols["spend"]], dtype=bool)
        if name == "ad_performance" and k in ("zero_spend_with_delivery", "clicks_exceed_impressions"):
            ok &= np.array([int(s) > 0 for s in cols["impressions"]], dtype=bool)
        if k == "unknown_channel" and name in ("web_sessions", "touchpoints"):
            ok &= np.array([c == "" for c in cols["campaign_id"]], dtype=bool)
            if name == "touchpoints":
                ok &= np.array([t != "sales_call" for t in cols["touch_type"]], dtype=bool)
        if k == "unknown_campaign" and name in ("touchpoints", "leads"):
            ok &= np.array([c != "" for c in cols["campaign_id"]], dtype=bool)
        if name == "leads" and k in ("null_key", "unknown_channel", "unknown_campaign"):
            ok &= np.array([c == "" for c in cols["customer_id"]], dtype=bool)
        if name == "orders" and k == "missing_fx_rate":
            ok &= np.array([s == "completed" for s in cols["order_status"]], dtype=bool)
        return ok

    def count_for(self, tbl: RawTable, kind: DirtKind) -> int:
        n = tbl.n_clean
        if n == 0:
            return 0
        return max(1, round(kind.rate * n))

    def apply(self, tbl: RawTable) -> list[dict]:
        """Inject every applicable dirt kind into `tbl`; returns the manifest entries."""
        rng = stream(self.cfg.seed, f"dirt:{tbl.name}")
        keys = self.contract[tbl.name].key_columns
        order = rng.permutation(tbl.n_clean)
        used = np.zeros(tbl.n_clean, dtype=bool)
        entries = []
        for kind in self.kinds_for(tbl.name):
            ok = self._eligible(tbl, kind) & ~used
            chosen = order[ok[order]][: self.count_for(tbl, kind)]
            chosen = np.sort(chosen)
            used[chosen] = True
            examples = []
            for i in chosen.tolist():
                examples.append(self._apply_one(tbl, kind, i, keys, rng))
            if len(chosen):
                entries.append({
                    "table": tbl.name,
                    "kind": kind.kind,
                    "count": len(chosen),
                    "expected_outcome": kind.outcome,
                    "reason_code": kind.reason_code,
                    "keys": examples[:5],
                })  # fmt: skip
        return entries

    def _next_unknown(self, what: str) -> str:
        self.unknown_counters[what] += 1
        n = self.unknown_counters[what]
        return {"campaign": f"cmp_{n:04d}", "customer": f"cus_{n:06d}", "lead": f"lead_{n:07d}"}[what]

    def _add(self, tbl: RawTable, row: list[str], position: float) -> None:
        tbl.extra_rows.append((position, row))

    def _apply_one(self, tbl: RawTable, kind: DirtKind, i: int, keys: list[str], rng: np.random.Generator) -> str:
        cols = tbl.columns
        names = list(cols)
        name, k = tbl.name, kind.kind
        n = tbl.n_clean
        key = tbl.key(i, keys)
        if k == "exact_duplicate":
            self._add(tbl, tbl.row(i), i + float(rng.uniform(0.5, 40.0)))
            return key
        if k == "resent_update":
            row = tbl.row(i)
            ix = names.index("exported_at")
            old = dt.datetime.strptime(row[ix], "%Y-%m-%d %H:%M:%S")
            if name == "campaigns":
                row[names.index("budget_amount")] = (
                    f"{round(float(row[names.index('budget_amount')]) * rng.uniform(1.1, 1.5), -2):.2f}"
                )
                new = old + dt.timedelta(days=int(rng.integers(2, 31)), hours=int(rng.integers(0, 12)))
            elif name == "ad_performance":
                row[names.index("spend")] = f"{float(row[names.index('spend')]) * rng.uniform(0.85, 1.15):.2f}"
                conv = int(row[names.index("platform_conversions")])
                row[names.index("platform_conversions")] = str(conv + int(rng.integers(0, 3)))
                clicks = int(row[names.index("clicks")])
                row[names.index("platform_conversions")] = str(
                    min(clicks, int(row[names.index("platform_conversions")]))
                )
                new = old + dt.timedelta(days=int(rng.integers(1, 7)), hours=int(rng.integers(0, 12)))
            else:  # leads: re-routed to another owner
                owner = row[names.index("owner_id")]
                others = [r for r in SALES_REPS if r != owner]
                row[names.index("owner_id")] = others[int(rng.integers(0, len(others)))]
                new = old + dt.timedelta(days=int(rng.integers(1, 11)), hours=int(rng.integers(0, 12)))
            row[ix] = f"{new:%Y-%m-%d %H:%M:%S}"
            self._add(tbl, row, i + float(rng.uniform(5.0, 300.0)))
            return key
        if name in PARENT_TABLES and k in ("null_key", "unknown_channel", "unknown_campaign"):
            row = tbl.row(i)
            key_ix = names.index(keys[0])
            if k == "null_key":
                row[key_ix] = ""
            else:
                row[key_ix] = (
                    f"cmp_{self._extra_id(tbl):04d}" if name == "campaigns" else f"lead_{self._extra_id(tbl):06d}"
                )
            if name == "leads":
                row[names.index("customer_id")] = ""
            if k == "unknown_channel":
                row[names.index("channel_id")] = UNKNOWN_CHANNELS[int(rng.integers(0, len(UNKNOWN_CHANNELS)))]
                if name == "leads":
                    row[names.index("campaign_id")] = ""
            if k == "unknown_campaign":
                row[names.index("campaign_id")] = self._next_unknown("campaign")
            self._add(tbl, row, float(rng.uniform(0, n)))
            return f"(copy of {key})" if k == "null_key" else row[key_ix]
        if k == "null_key":
            col = keys[int(rng.integers(0, len(keys)))]
            cols[col][i] = ""
            return key
        if k == "unknown_channel":
            cols["channel_id"][i] = UNKNOWN_CHANNELS[int(rng.integers(0, len(UNKNOWN_CHANNELS)))]
        elif k == "unknown_campaign":
            cols["campaign_id"][i] = self._next_unknown("campaign")
        elif k == "negative_spend":
            cols["spend"][i] = f"{-float(cols['spend'][i]):.2f}"
        elif k == "zero_spend_with_delivery":
            cols["spend"][i] = "0.00"
        elif k == "clicks_exceed_impressions":
            imp = int(cols["impressions"][i])
            cols["clicks"][i] = str(imp + int(rng.integers(1, max(2, imp // 10 + 2))))
        elif k == "enum_noise":
            options = ENUM_COLUMNS[name]
            col = options[int(rng.integers(0, len(options)))]
            cols[col][i] = _noisy_enum(cols[col][i], rng)
        elif k == "timezone_offset":
            col = TIMESTAMP_COLUMN[name]
            cols[col][i] = _with_offset(cols[col][i], rng)
        elif k == "future_dated":
            col = TIMESTAMP_COLUMN[name]
            cols[col][i] = _far_future(cols[col][i], rng)
        elif k == "unknown_customer":
            cols["customer_id"][i] = self._next_unknown("customer")
        elif k == "missing_fx_rate":
            cols["currency_code"][i] = ("JPY", "CHF")[int(rng.integers(0, 2))]
        elif k == "unknown_lead":
            cols["lead_id"][i] = self._next_unknown("lead")
        else:  # pragma: no cover - guarded by DIRT_KINDS
            raise ValueError(f"unhandled dirt kind {k}")
        return tbl.key(i, keys)

    def _extra_id(self, tbl: RawTable) -> int:
        """A fresh sequential id after the real ones (for extra rows in parent tables)."""
        return tbl.n_clean + sum(1 for _ in tbl.extra_rows) + 1


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _arrow_type(data_type: str):  # noqa: ANN202 - pyarrow is imported lazily
    import pyarrow as pa

    t = data_type.lower()
    if t.startswith("decimal"):
        return pa.decimal128(18, 2)
    return {
        "varchar": pa.string(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("s"),
        "bigint": pa.int64(),
        "integer": pa.int32(),
        "boolean": pa.bool_(),
    }[t]


def _typed_value(value: str, data_type: str):  # noqa: ANN202
    if value == "":
        return None
    t = data_type.lower()
    if t == "varchar":
        return value
    if t == "date":
        return dt.date.fromisoformat(value)
    if t == "timestamp":
        return dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    if t.startswith("decimal"):
        return Decimal(value)
    if t in ("bigint", "integer"):
        return int(value)
    if t == "boolean":
        return value == "true"
    raise ValueError(f"unsupported data_type {data_type}")


def write_parquet(path: Path, table: Table, rows: Sequence[Sequence[str]]) -> None:
    """Typed Parquet per the contract's data_type (type-breaking dirt is skipped in this format)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = []
    for j, col in enumerate(table.columns):
        values = [_typed_value(r[j], col.data_type) for r in rows]
        arrays.append(pa.array(values, type=_arrow_type(col.data_type)))
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(arrays, names=table.column_names), path)


# ---------------------------------------------------------------------------------------------
# Orchestration
# ---------------------------------------------------------------------------------------------


def build_world(cfg: Config) -> World:
    """Run the simulation (everything except text formatting and dirt)."""
    day_numbers = np.arange(_epoch_day(cfg.start), _epoch_day(cfg.end) + 1, dtype=np.int64)
    fx = simulate_fx(cfg)
    camp = plan_campaigns(cfg, fx)
    ads, spend_matrix, email_activity, anomaly = simulate_ads(cfg, camp, fx, day_numbers)
    set_campaign_budgets(cfg, camp, ads, fx)
    world = World(cfg, day_numbers, fx, camp, ads, spend_matrix, email_activity, anomaly)
    world.email_sends = simulate_email_sends(cfg, world)
    world.leads = simulate_leads(cfg, world)
    world.events = simulate_funnel(cfg, world)
    n_anonymous = int(round(world.leads.n * 2.5)) + 10
    assign_visitors(cfg, world, n_anonymous)
    world.customers = simulate_customers(cfg, world)
    world.orders = simulate_orders(cfg, world)
    return world


TABLE_BUILDERS = {
    "channels": channels_table,
    "campaigns": campaigns_table,
    "ad_performance": ad_performance_table,
    "web_sessions": web_sessions_table,
    "email_sends": email_sends_table,
    "leads": leads_table,
    "lead_stage_events": lead_stage_events_table,
    "touchpoints": touchpoints_table,
    "orders": orders_table,
    "survey_responses": survey_responses_table,
}
REFERENCE_BUILDERS = {
    "fx_rates": fx_rates_reference,
    "channel_budgets": channel_budgets_reference,
    "working_hours": working_hours_reference,
    "holidays": holidays_reference,
}


def generate(cfg: Config, out_raw: Path, out_reference: Path) -> dict:
    """Generate every raw table, the manifest and the reference seeds; returns the manifest."""
    contract = load_contract()
    missing = [t for t in contract if t not in TABLE_BUILDERS]
    if missing:
        raise RuntimeError(f"no generator for contract tables {missing}")
    world = build_world(cfg)
    injector = DirtInjector(cfg, world)
    manifest: dict = {
        "seed": cfg.seed,
        "start": cfg.start.isoformat(),
        "end": cfg.end.isoformat(),
        "scale": cfg.scale,
        "format": cfg.fmt,
        "dirt_enabled": cfg.dirt,
        "rows": {},
        "dirt": [],
        "planted_anomalies": [world.anomaly] if world.anomaly else [],
        "notes": [
            "Dirt is injected on disjoint clean rows: one dirty row carries one dirt kind.",
            "keys are the first five affected keys, '|'-joined for composite keys; for null_key the key "
            "the row had before it was blanked; for resent_update the superseded key.",
            "leads.notes contains contact details typed by sales in ~2% of rows (not dirt: staging must redact it).",
        ],
    }
    for name in contract:
        tbl = TABLE_BUILDERS[name](world)
        if cfg.dirt:
            manifest["dirt"] += injector.apply(tbl)
        rows = tbl.ordered_rows()
        if cfg.fmt == "parquet":
            write_parquet(out_raw / f"{name}.parquet", contract[name], rows)
        else:
            write_csv(out_raw / f"{name}.csv", contract[name].column_names, rows)
        manifest["rows"][name] = len(rows)
    manifest["skipped_dirt"] = [
        {"kind": k, "reason": "type-breaking value cannot be stored in typed Parquet"} for k in injector.skipped
    ]
    for name, builder in REFERENCE_BUILDERS.items():
        header, rows = builder(world)
        write_csv(out_reference / f"{name}.csv", header, rows)
        manifest["rows"][f"reference.{name}"] = len(rows)
    out_raw.mkdir(parents=True, exist_ok=True)
    (out_raw / "_dirt_manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point: ``python -m marketing_kpi.generator [--seed ...]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], prog="python -m marketing_kpi.generator")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--start", type=_date, default=dt.date(2024, 11, 1), help="first day (YYYY-MM-DD)")
    parser.add_argument("--end", type=_date, default=dt.date(2026, 10, 31), help="last day (YYYY-MM-DD)")
    parser.add_argument("--scale", type=float, default=1.0, help="volume multiplier (default 1.0)")
    parser.add_argument("--out-raw", type=Path, default=None, help="raw table directory (default seeds/raw)")
    parser.add_argument("--out-reference", type=Path, default=None, help="reference seed directory")
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv", help="raw table file format")
    parser.add_argument("--no-dirt", action="store_true", help="write clean data only")
    parser.add_argument(
        "--scale-name",
        choices=("S", "M", "L", "XL"),
        default=None,
        help="a large named scale (typed Parquet in --out-raw, streamed with a progress bar; see generator_bulk.py)",
    )
    parser.add_argument("--workers", type=int, default=None, help="processes for --scale-name (default: cores, max 4)")
    args = parser.parse_args(argv)
    if args.end < args.start:
        parser.error("--end is before --start")
    if args.scale_name:
        from marketing_kpi.generator_bulk import run_cli

        if args.out_raw is None:
            parser.error("--scale-name needs --out-raw (bulk data never goes into seeds/raw)")
        return run_cli(args.scale_name, args.out_raw, seed=args.seed, start=args.start, end=args.end,
                       dirt=not args.no_dirt, workers=args.workers)  # fmt: skip
    if args.scale <= 0:
        parser.error("--scale must be positive")
    cfg = Config(seed=args.seed, start=args.start, end=args.end, scale=args.scale, fmt=args.format,
                 dirt=not args.no_dirt)  # fmt: skip
    out_raw = args.out_raw or raw_seed_dir()
    out_reference = args.out_reference or reference_seed_dir()
    manifest = generate(cfg, out_raw, out_reference)
    width = max(len(k) for k in manifest["rows"])
    print(f"Generated seed={cfg.seed} {cfg.start}..{cfg.end} scale={cfg.scale} format={cfg.fmt} -> {out_raw}")
    for name, n in manifest["rows"].items():
        print(f"  {name:<{width}}  {n:>9,}")
    dirty = sum(e["count"] for e in manifest["dirt"])
    print(
        f"  dirt instances: {dirty:,} in {len(manifest['dirt'])} (table, kind) pairs;"
        f" manifest {out_raw / '_dirt_manifest.json'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

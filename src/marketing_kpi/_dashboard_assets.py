"""The dashboard page's template, style sheet and script (inlined by marketing_kpi.dashboard).

Kept as Python strings so they ship with the package without package-data configuration. The page
must stay fully offline: no URL to any other host may appear here (a test checks the built page),
and the Content-Security-Policy below forbids the browser from fetching anything at all.
"""

from __future__ import annotations

HTML_TEMPLATE = r"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>Marketing KPI dashboard</title>
<link rel="icon" href="data:,">
<style>/*__CSS__*/</style>
</head>
<body>
<a class="skip" href="#views">Skip to the dashboard</a>
<header class="top">
  <div class="brand">
    <h1>Marketing KPI dashboard</h1>
    <p class="meta">Published __PUBLISHED_AT__ UTC · <span id="build-meta"></span></p>
  </div>
  <nav class="tabs" aria-label="Dashboard views">
    <a href="#executive" data-view="executive">Executive</a>
    <a href="#marketing-manager" data-view="marketing-manager">Marketing manager</a>
    <a href="#channel-specialist" data-view="channel-specialist">Channel specialist</a>
  </nav>
</header>
<form class="filters" id="filters" aria-label="Filters">
  <label>From <select id="filter-from" data-testid="filter-from"></select></label>
  <label>To <select id="filter-to" data-testid="filter-to"></select></label>
  <label>Channel <select id="filter-channel" data-testid="filter-channel"></select></label>
  <button type="button" id="filter-reset" data-testid="filter-reset">Reset filters</button>
  <span class="filter-summary" id="filter-summary" aria-live="polite"></span>
</form>
<div class="error" id="error" role="alert" hidden></div>
<div class="availability" id="availability-note" data-testid="availability-note" role="note" hidden></div>
<main id="views">

<section id="executive" class="view" aria-labelledby="executive-title" data-testid="view-executive">
  <div class="view-head">
    <h2 id="executive-title">Executive view</h2>
    <p>Revenue, the return on marketing spend, unit economics and the KPI scorecard.</p>
  </div>
  <div class="tiles" id="exec-tiles"></div>
  <div class="grid">
    <figure class="card span-2">
      <h3>Revenue by month</h3>
      <div class="chart" data-chart="exec-revenue"></div>
      <figcaption>Net revenue of customers (of those acquired through the channel when a channel is chosen)
        (solid, wide) and revenue attributed to marketing channels (default attribution model; dashed, on top),
        USD. Over all channels the two are the same orders and coincide.</figcaption>
    </figure>
    <figure class="card">
      <h3>Marketing spend by month</h3>
      <div class="chart" data-chart="exec-spend"></div>
      <figcaption>Media spend, USD.</figcaption>
    </figure>
    <figure class="card">
      <h3>Return on investment by month</h3>
      <div class="chart" data-chart="exec-roi"></div>
      <figcaption>(Attributed revenue − spend) ÷ spend.</figcaption>
    </figure>
    <figure class="card">
      <h3>Net Promoter Score by month</h3>
      <div class="chart" data-chart="exec-nps"></div>
      <figcaption>Rolling three-month NPS (line) with its 95% interval (band); single months as faint
        points (fewer responses, noisier). All survey responses, −100 to 100.</figcaption>
    </figure>
    <figure class="card">
      <h3>LTV:CAC by acquisition channel</h3>
      <div class="chart" data-chart="exec-ltv-cac"></div>
      <figcaption>Predictive lifetime value per dollar of acquisition cost, all time. 3× or more is
        healthy.</figcaption>
    </figure>
    <div class="card table-card span-2" id="exec-payback"></div>
  </div>
  <div class="section-head">
    <h2 id="scorecard-title">Scorecard</h2>
    <label class="inline">Company stage <select id="filter-stage" data-testid="filter-stage"></select></label>
  </div>
  <div class="tiles stages" id="exec-stage-scores"></div>
  <div class="grid">
    <figure class="card span-2">
      <h3>Overall score by month</h3>
      <div class="chart" data-chart="exec-scorecard-trend"></div>
      <figcaption>Weighted attainment of the stage's KPIs against target (100% = every KPI on target;
        on track ≥ 95%, warning ≥ 85%).</figcaption>
    </figure>
    <div class="card table-card span-2" id="exec-scorecard"></div>
  </div>
</section>

<section id="marketing-manager" class="view" aria-labelledby="manager-title" data-testid="view-marketing-manager">
  <div class="view-head">
    <h2 id="manager-title">Marketing manager view</h2>
    <p>Cost and return by channel, the funnel, attribution, budget pacing, follow-up and anomalies.</p>
  </div>
  <div class="tiles" id="mgr-tiles"></div>
  <div class="grid">
    <div class="card table-card span-2" id="mgr-channels"></div>
    <figure class="card">
      <h3>ROAS by channel</h3>
      <div class="chart" data-chart="mgr-roas-by-channel"></div>
      <figcaption>Attributed revenue per dollar of spend, paid channels.</figcaption>
    </figure>
    <figure class="card">
      <h3>Cost per lead by month</h3>
      <div class="chart" data-chart="mgr-cpl-trend"></div>
      <figcaption>Spend ÷ leads, USD.</figcaption>
    </figure>
    <figure class="card">
      <h3>Customer acquisition cost by month</h3>
      <div class="chart" data-chart="mgr-cac-trend"></div>
      <figcaption>Spend ÷ new customers, USD.</figcaption>
    </figure>
    <figure class="card">
      <h3>Funnel</h3>
      <div class="chart" data-chart="mgr-funnel"></div>
      <figcaption>Stages reached in the period (flow counting); percentages are the conversion from the
        stage above.</figcaption>
    </figure>
    <div class="card table-card" id="mgr-funnel-health"></div>
    <figure class="card">
      <h3>Stage conversion by month</h3>
      <div class="chart" data-chart="mgr-funnel-trend"></div>
    </figure>
    <div class="card table-card" id="mgr-velocity"></div>
    <figure class="card">
      <h3>Budget: planned vs actual spend</h3>
      <div class="chart" data-chart="mgr-budget"></div>
      <figcaption>Channels with a plan or spend, USD.</figcaption>
    </figure>
    <div class="card table-card span-2" id="mgr-pacing"></div>
    <figure class="card span-2">
      <h3>Attribution models side by side</h3>
      <div class="chart" data-chart="mgr-attribution"></div>
      <figcaption>Revenue attributed to each channel under each attribution model, USD.</figcaption>
    </figure>
    <div class="card table-card span-2" id="mgr-scorecard"></div>
    <div class="card table-card span-2" id="mgr-anomalies"></div>
  </div>
</section>

<section id="channel-specialist" class="view" aria-labelledby="specialist-title"
         data-testid="view-channel-specialist">
  <div class="view-head">
    <h2 id="specialist-title">Channel specialist view</h2>
    <p>Delivery and cost, web and email engagement, follow-up by owner and campaigns.</p>
  </div>
  <div class="tiles" id="spec-tiles"></div>
  <div class="grid">
    <figure class="card">
      <h3>Click-through rate by month</h3>
      <div class="chart" data-chart="spec-ctr-trend"></div>
      <figcaption>Clicks ÷ impressions.</figcaption>
    </figure>
    <figure class="card">
      <h3>Cost per click by month</h3>
      <div class="chart" data-chart="spec-cpc-trend"></div>
      <figcaption>Spend ÷ clicks, USD.</figcaption>
    </figure>
    <figure class="card">
      <h3>Cost per mille by month</h3>
      <div class="chart" data-chart="spec-cpm-trend"></div>
      <figcaption>Spend per 1,000 impressions, USD.</figcaption>
    </figure>
    <figure class="card">
      <h3>Web sessions by month</h3>
      <div class="chart" data-chart="spec-sessions-trend"></div>
    </figure>
    <figure class="card">
      <h3>Bounce and session-to-lead rate by month</h3>
      <div class="chart" data-chart="spec-web-rates-trend"></div>
    </figure>
    <figure class="card">
      <h3>Email engagement by month</h3>
      <div class="chart" data-chart="spec-email-trend"></div>
      <figcaption>Email channel sends (not affected by the channel filter). Open and click rates per
        delivered email; CTOR = clicks ÷ opens.</figcaption>
    </figure>
    <figure class="card">
      <h3>Follow-up SLA attainment by owner</h3>
      <div class="chart" data-chart="spec-sla-by-owner"></div>
      <figcaption>Share of leads first answered within the SLA (business hours).</figcaption>
    </figure>
    <div class="card table-card" id="spec-sla"></div>
    <div class="card table-card span-2" id="spec-campaigns"></div>
    <div class="card table-card span-2" id="spec-anomalies"></div>
  </div>
</section>

</main>
<footer class="foot">
  Built from the published serving file (schemas kpi and marts). Ratios are recomputed from summed
  numerators and denominators for the selected months and channel; "—" means not defined (no
  denominator) or no data. KPI definitions: README, section "KPI glossary".
</footer>
<script type="application/json" id="dashboard-data">__DATA__</script>
<script>/*__JS__*/</script>
</body>
</html>
"""

CSS = r"""
:root {
  --bg: #f3f5f9; --card: #ffffff; --ink: #172033; --muted: #5b6478; --line: #e2e6ee;
  --brand: #0f1f3d; --accent: #2457d6; --ok: #17803d; --ok-bg: #e3f4e8; --warn: #a15c00;
  --warn-bg: #fdf0d9; --crit: #b42318; --crit-bg: #fde6e4;
}
* { box-sizing: border-box; }
html { font-size: 15px; }
body {
  margin: 0; background: var(--bg); color: var(--ink);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  line-height: 1.45;
}
.skip { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: #fff; padding: 6px 10px; z-index: 10; }
.top {
  background: var(--brand); color: #fff; padding: 14px 28px 0; display: flex; flex-wrap: wrap;
  align-items: flex-end; justify-content: space-between; gap: 8px 24px;
}
.brand h1 { font-size: 1.35rem; margin: 0; letter-spacing: .01em; }
.brand .meta { margin: 2px 0 12px; color: #b8c3da; font-size: .85rem; }
.tabs { display: flex; gap: 4px; }
.tabs a {
  color: #d5dcec; text-decoration: none; padding: 10px 16px; border-radius: 8px 8px 0 0;
  font-weight: 600; font-size: .95rem;
}
.tabs a:hover { background: rgba(255, 255, 255, .08); color: #fff; }
.tabs a[aria-current="page"] { background: var(--bg); color: var(--brand); }
.filters {
  display: flex; flex-wrap: wrap; align-items: center; gap: 10px 18px; padding: 12px 28px;
  background: #fff; border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 5;
}
.filters label, label.inline { font-size: .85rem; color: var(--muted); font-weight: 600; }
select, button {
  font: inherit; font-size: .9rem; margin-left: 6px; padding: 5px 8px; border: 1px solid #c9d0dd;
  border-radius: 6px; background: #fff; color: var(--ink);
}
button { cursor: pointer; margin-left: 0; }
button:hover { background: #eef2fa; }
select:focus, button:focus, .tabs a:focus { outline: 3px solid #8fb0ff; outline-offset: 1px; }
.filter-summary { color: var(--muted); font-size: .85rem; margin-left: auto; }
.availability { margin: 16px 28px; padding: 12px 16px; background: var(--warn-bg, #fff4e0); border-radius: 8px; }
.tile.unavailable .value { color: var(--muted); }
.tile .sub.not-available, .tile .sub.not-applicable { font-style: italic; }
.tile.not-applicable .value { color: var(--muted); }
.tile .period { font-size: .74rem; color: var(--muted); margin-top: 1px; }
.error { margin: 16px 28px; padding: 12px 16px; background: var(--crit-bg); color: var(--crit); border-radius: 8px; }
main { padding: 8px 28px 24px; max-width: 1480px; margin: 0 auto; }
.view { display: none; }
.view.active { display: block; }
.view-head { margin: 16px 0 12px; }
.view-head h2, .section-head h2 { margin: 0; font-size: 1.25rem; }
.view-head p { margin: 2px 0 0; color: var(--muted); }
.section-head { display: flex; align-items: center; gap: 20px; margin: 26px 0 10px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; }
.tile {
  background: var(--card); border-radius: 10px; padding: 12px 14px; border: 1px solid var(--line);
  box-shadow: 0 1px 2px rgba(16, 24, 40, .04);
}
.tile .label { font-size: .78rem; color: var(--muted); font-weight: 600; text-transform: uppercase;
  letter-spacing: .03em; }
.tile .value { font-size: 1.35rem; font-weight: 700; margin-top: 2px; font-variant-numeric: tabular-nums; }
.tile .sub { font-size: .78rem; color: var(--muted); margin-top: 2px; }
.tile.band-ok { border-top: 4px solid var(--ok); }
.tile.band-warn { border-top: 4px solid var(--warn); }
.tile.band-crit { border-top: 4px solid var(--crit); }
.stages { grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); }
.stages .tile .value { font-size: 1.9rem; }
.stages .tile.selected { box-shadow: 0 0 0 2px var(--accent); }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 14px; margin-top: 14px; }
.span-2 { grid-column: span 2; }
@media (max-width: 980px) { .grid { grid-template-columns: 1fr; } .span-2 { grid-column: auto; } }
.card {
  background: var(--card); margin: 0; padding: 14px 16px 12px; border-radius: 10px;
  border: 1px solid var(--line); box-shadow: 0 1px 2px rgba(16, 24, 40, .04); min-width: 0;
}
.card h3 { margin: 0 0 8px; font-size: 1rem; }
figcaption { color: var(--muted); font-size: .8rem; margin-top: 6px; }
.chart { width: 100%; min-height: 60px; }
.chart svg { display: block; width: 100%; height: auto; overflow: visible; }
.chart .grid-line { stroke: #e7eaf1; stroke-width: 1; }
.chart .zero-line { stroke: #9aa3b5; stroke-width: 1; }
.chart text { font-family: inherit; fill: #4b5468; font-size: 11.5px; }
.chart text.value-label { fill: var(--ink); font-weight: 600; }
.chart text.inside { fill: #fff; font-weight: 600; }
.chart .mark:hover { opacity: .8; }
.chart .dim { opacity: .35; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 14px; padding: 0; margin: 6px 0 0;
  font-size: .8rem; color: var(--muted); }
.legend i { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 5px;
  vertical-align: -1px; }
.empty { color: var(--muted); font-style: italic; padding: 24px 0; text-align: center; }
.table-card { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .86rem; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 700; font-size: 1rem; padding: 0 0 8px; color: var(--ink); }
caption small { display: block; font-weight: 400; color: var(--muted); font-size: .8rem; }
th, td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
td:first-child { white-space: normal; min-width: 9em; }
th { font-size: .76rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
td.num, th.num { text-align: right; }
#mgr-funnel-health th, #mgr-funnel-health td { white-space: normal; }
tbody tr:nth-child(even) { background: #fafbfd; }
tr.selected td { background: #eaf0ff; font-weight: 600; }
tr.total td { font-weight: 700; border-top: 2px solid var(--line); }
.band { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: .78rem; font-weight: 700; }
.band.band-ok { background: var(--ok-bg); color: var(--ok); }
.band.band-warn { background: var(--warn-bg); color: var(--warn); }
.band.band-crit { background: var(--crit-bg); color: var(--crit); }
.band.band-none { background: #eef0f4; color: var(--muted); }
.band.band-progress { color: var(--muted); border: 1px dashed #9aa3b5;
  background: repeating-linear-gradient(45deg, #f4f5f8 0 4px, #e6e9ef 4px 8px); }
.up { color: var(--ok); } .down { color: var(--crit); }
.dir-up { color: #1d4ed8; font-weight: 700; } .dir-down { color: #b42318; font-weight: 700; }
.foot { color: var(--muted); font-size: .8rem; padding: 8px 28px 28px; max-width: 1480px; margin: 0 auto; }
"""

JS = r"""
(function () {
  'use strict';
  const DASH = '\u2014';
  const RAW = JSON.parse(document.getElementById('dashboard-data').textContent);
  const D = {};
  Object.keys(RAW.datasets).forEach(function (name) {
    const ds = RAW.datasets[name];
    D[name] = ds.rows.map(function (row) {
      const obj = {};
      ds.columns.forEach(function (col, i) { obj[col] = row[i]; });
      return obj;
    });
  });
  const KPIS = RAW.kpis || {};
  const CH_NAME = {};
  D.channels.forEach(function (c) { CH_NAME[c.channel_id] = c.channel_name; });
  const PALETTE = ['#2457d6', '#f08a24', '#17a673', '#8b5cf6', '#e0445b', '#0ea5c6', '#c7a008', '#64748b',
    '#db2777', '#65a30d', '#7c3aed', '#0f766e'];
  // Health bands: colour class + shape + words, so colour is never the only signal.
  const BANDS = { on_track: ['ok', '\u25cf On track'], warning: ['warn', '\u25b2 Warning'],
    critical: ['crit', '\u25a0 Critical'], ideal: ['ok', '\u25cf Ideal'], danger: ['crit', '\u25a0 Danger'] };
  const bandClass = function (band) { return BANDS[band] ? BANDS[band][0] : 'none'; };
  // The funnel-health table and the scorecard judge the same conversion rates against different
  // references; the page says so wherever either appears.
  const FUNNEL_REFERENCE_NOTE = 'Funnel conversion rates are judged twice: the scorecard against the ' +
    'stage\u2019s target (kpi_targets), funnel health against an ideal range (funnel_health_ranges), so a ' +
    'rate inside its ideal range can still be below target.';
  const STAGES = ['leads', 'mqls', 'sqls', 'opportunities', 'won_deals'];
  const STAGE_LABEL = { leads: 'Leads', mqls: 'MQLs', sqls: 'SQLs', opportunities: 'Opportunities',
    won_deals: 'Won deals' };
  const MODEL_LABEL = { first_touch: 'First touch', last_touch: 'Last touch',
    last_non_direct_touch: 'Last non-direct', linear: 'Linear', position_based: 'Position-based',
    time_decay: 'Time decay' };

  // ---------------------------------------------------------------- numbers for people
  const isNum = function (v) { return typeof v === 'number' && isFinite(v); };
  // KPI availability (kpi.kpi_availability): the reason a KPI cannot be measured, or null.
  const AVAIL = {};
  (D.availability || []).forEach(function (r) { AVAIL[r.kpi_id] = r; });
  function unavailable(kpiId) {
    const a = AVAIL[kpiId];
    return a && a.is_available === false ? (a.reason || 'its data was not provided') : null;
  }
  const div = function (a, b) { return isNum(a) && isNum(b) && b !== 0 ? a / b : null; };
  const USD0 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
  const USD2 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2,
    maximumFractionDigits: 2 });
  const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  const DEC1 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const DEC2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const fmt = {
    money: function (v) { return isNum(v) ? (Math.abs(v) < 1000 ? USD2 : USD0).format(v) : DASH; },
    int: function (v) { return isNum(v) ? INT.format(v) : DASH; },
    pct: function (v) {
      if (!isNum(v)) return DASH;
      return (Math.abs(v) < 0.1 && v !== 0 ? DEC2 : DEC1).format(v * 100) + '%';
    },
    ratio: function (v) { return isNum(v) ? DEC2.format(v) + '\u00d7' : DASH; },
    num: function (v) { return isNum(v) ? DEC2.format(v) : DASH; },
    months: function (v) { return isNum(v) ? DEC1.format(v) + ' mo' : DASH; },
    days: function (v) { return isNum(v) ? DEC1.format(v) + ' days' : DASH; },
    hours: function (v) { return isNum(v) ? DEC1.format(v) + ' h' : DASH; },
    seconds: function (v) { return isNum(v) ? INT.format(v) + ' s' : DASH; },
    score: function (v) { return isNum(v) ? DEC1.format(v) : DASH; },
    change: function (v) {
      if (!isNum(v)) return DASH;
      return (v > 0 ? '+' : v < 0 ? '\u2212' : '') + DEC1.format(Math.abs(v) * 100) + '%';
    }
  };
  const UNIT_FMT = { fraction: 'pct', usd: 'money', multiple: 'ratio', months: 'months', days: 'days',
    hours: 'hours', seconds: 'seconds', count: 'num', score: 'score' };
  function kpiLabel(id) {
    if (KPIS[id]) return KPIS[id].label;
    const s = String(id).replace(/_/g, ' ');
    return s.charAt(0).toUpperCase() + s.slice(1);
  }
  function kpiFormat(id) {
    if (KPIS[id]) return UNIT_FMT[KPIS[id].unit] || 'num';
    return id === 'spend' ? 'money' : 'int';
  }
  function compact(v, kind) {
    if (!isNum(v)) return '';
    if (kind === 'pct') return DEC1.format(v * 100).replace(/\.0$/, '') + '%';
    if (kind === 'ratio') return DEC1.format(v) + '\u00d7';
    const a = Math.abs(v);
    let s;
    if (a >= 1e9) s = (v / 1e9).toFixed(1).replace(/\.0$/, '') + 'B';
    else if (a >= 1e6) s = (v / 1e6).toFixed(1).replace(/\.0$/, '') + 'M';
    else if (a >= 1e3) s = (v / 1e3).toFixed(1).replace(/\.0$/, '') + 'K';
    else s = a < 10 && v !== Math.round(v) ? v.toFixed(2) : String(Math.round(v * 10) / 10);
    return (kind === 'money' ? (v < 0 ? '\u2212$' + s.replace('-', '') : '$' + s) : s);
  }
  const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  function monthShort(m) { return MONTH_NAMES[+m.slice(5, 7) - 1] + ' \u2019' + m.slice(2, 4); }
  function monthLong(m) { return MONTH_NAMES[+m.slice(5, 7) - 1] + ' ' + m.slice(0, 4); }
  function chName(id) { return id === 'all' ? 'All channels' : (CH_NAME[id] || id || DASH); }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function bandBadge(band) {
    if (band === 'in_progress') return '<span class="band band-progress">\u25cc In progress</span>';
    if (!band) return '<span class="band band-none">No target</span>';
    return '<span class="band band-' + bandClass(band) + '">' + esc(BANDS[band] ? BANDS[band][1] : band) +
      '</span>';
  }

  // ---------------------------------------------------------------- filter state
  const MONTHS = Array.from(new Set(D.channel_monthly.map(function (r) { return r.month; }))).sort();
  const CHANNEL_IDS = D.channels.map(function (c) { return c.channel_id; });
  const STAGE_IDS = Array.from(new Set(D.scorecard_overall.map(function (r) { return r.company_stage; })));
  STAGE_IDS.sort(function (a, b) {
    const order = ['startup', 'growth', 'mature'];
    return order.indexOf(a) - order.indexOf(b);
  });
  const DEFAULTS = {
    from: MONTHS[Math.max(0, MONTHS.length - 12)], to: MONTHS[MONTHS.length - 1], channel: 'all',
    stage: STAGE_IDS.indexOf('growth') >= 0 ? 'growth' : STAGE_IDS[0]
  };
  const state = Object.assign({}, DEFAULTS);
  const inRange = function (m) { return m >= state.from && m <= state.to; };
  const chanOk = function (c) { return state.channel === 'all' || c === state.channel; };
  function sel(rows, field) {
    const f = field === undefined ? 'channel_id' : field;
    return rows.filter(function (r) { return inRange(r.month) && (f === null || chanOk(r[f])); });
  }
  // A sum over rows that are all null is null (like SQL): a measure whose source was not provided
  // stays "not available", never 0. No rows at all is a genuine 0.
  function sum(rows, f) {
    let seen = rows.length === 0;
    const total = rows.reduce(function (acc, r) {
      if (!isNum(r[f])) return acc;
      seen = true;
      return acc + r[f];
    }, 0);
    return seen ? total : null;
  }
  function rangeMonths() { return MONTHS.filter(inRange); }
  function perMonth(rows, fn) {
    const by = {};
    rows.forEach(function (r) { (by[r.month] = by[r.month] || []).push(r); });
    return rangeMonths().map(function (m) { return by[m] ? fn(by[m]) : null; });
  }
  function groupBy(rows, key) {
    const by = {};
    rows.forEach(function (r) { (by[r[key]] = by[r[key]] || []).push(r); });
    return by;
  }
  function lastMonthWith(rows) {
    const ms = rows.filter(function (r) { return inRange(r.month); }).map(function (r) { return r.month; });
    return ms.length ? ms.sort()[ms.length - 1] : null;
  }

  // ---------------------------------------------------------------- SVG charts
  function niceDomain(values, zero) {
    let lo = Math.min.apply(null, values);
    let hi = Math.max.apply(null, values);
    if (zero) { lo = Math.min(0, lo); hi = Math.max(0, hi); }
    if (hi === lo) { hi = lo + (Math.abs(lo) || 1); }
    const raw = (hi - lo) / 4;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const norm = raw / mag;
    const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
    lo = Math.floor(lo / step) * step;
    hi = Math.ceil(hi / step) * step;
    const ticks = [];
    for (let t = lo; t <= hi + step / 2; t += step) ticks.push(+t.toPrecision(12));
    return { lo: lo, hi: hi, ticks: ticks };
  }
  function svgOpen(el, w, h, label) {
    return '<svg viewBox="0 0 ' + w + ' ' + h + '" width="' + w + '" height="' + h + '" role="img" ' +
      'aria-label="' + esc(label) + '" data-testid="chart-' + esc(el.dataset.chart) + '">';
  }
  function empty(el, text) {
    el.innerHTML = '<p class="empty" data-testid="chart-' + esc(el.dataset.chart) + '">' +
      esc(text || 'No data for this selection.') + '</p>';
  }
  function legend(series) {
    if (series.length < 2) return '';
    return '<ul class="legend">' + series.map(function (s) {
      const swatch = s.dash ? 'background:repeating-linear-gradient(90deg,' + s.color + ' 0 4px,transparent 4px 6px)' :
        'background:' + s.color;
      return '<li><i style="' + swatch + '"></i>' + esc(s.name) + '</li>';
    }).join('') + '</ul>';
  }
  function colorize(series) {
    return series.map(function (s, i) { return Object.assign({ color: PALETTE[i % PALETTE.length] }, s); });
  }
  function chartWidth(el) { return Math.max(Math.round(el.clientWidth || 560), 300); }

  function lineChart(el, o) {
    const series = colorize(o.series);
    const vals = [];
    series.forEach(function (s) { s.values.forEach(function (v) { if (isNum(v)) vals.push(v); }); });
    (o.bands || []).forEach(function (b) {
      b.lower.concat(b.upper).forEach(function (v) { if (isNum(v)) vals.push(v); });
    });
    if (!vals.length) return empty(el, o.emptyText);
    const W = chartWidth(el), H = o.height || 230;
    const m = { l: 58, r: 14, t: 10, b: 26 };
    const iw = W - m.l - m.r, ih = H - m.t - m.b, n = o.labels.length;
    const dom = niceDomain(vals, o.zero !== false);
    const x = function (i) { return m.l + (n === 1 ? iw / 2 : i * iw / (n - 1)); };
    const y = function (v) { return m.t + ih - (v - dom.lo) / (dom.hi - dom.lo) * ih; };
    let s = svgOpen(el, W, H, o.label || el.dataset.chart);
    dom.ticks.forEach(function (t) {
      s += '<line class="' + (t === 0 ? 'zero-line' : 'grid-line') + '" x1="' + m.l + '" x2="' + (W - m.r) +
        '" y1="' + y(t).toFixed(1) + '" y2="' + y(t).toFixed(1) + '"/>';
      s += '<text x="' + (m.l - 8) + '" y="' + (y(t) + 4).toFixed(1) + '" text-anchor="end">' +
        esc(compact(t, o.kind)) + '</text>';
    });
    const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(iw / 62))));
    o.labels.forEach(function (lab, i) {
      if ((n - 1 - i) % every === 0) {
        s += '<text x="' + x(i).toFixed(1) + '" y="' + (H - 6) + '" text-anchor="middle">' +
          esc(monthShort(lab)) + '</text>';
      }
    });
    // An interval band (e.g. a 95% interval): one polygon per run of months that have both bounds.
    (o.bands || []).forEach(function (b) {
      let run = [];
      const flush = function () {
        if (!run.length) return;
        const top = run.map(function (i, k) {
          return (k ? 'L' : 'M') + x(i).toFixed(1) + ' ' + y(b.upper[i]).toFixed(1);
        });
        const bottom = run.slice().reverse().map(function (i) {
          return 'L' + x(i).toFixed(1) + ' ' + y(b.lower[i]).toFixed(1);
        });
        const d = run.length === 1 ?
          'M' + (x(run[0]) - 4).toFixed(1) + ' ' + y(b.upper[run[0]]).toFixed(1) + 'h8V' +
            y(b.lower[run[0]]).toFixed(1) + 'h-8Z' : top.join('') + bottom.join('') + 'Z';
        s += '<path class="mark interval" data-band="' + esc(b.name) + '" d="' + d + '" fill="' + b.color +
          '" fill-opacity="0.18" stroke="none"><title>' + esc(b.name) + '</title></path>';
        run = [];
      };
      b.lower.forEach(function (lo, i) {
        if (isNum(lo) && isNum(b.upper[i])) run.push(i); else flush();
      });
      flush();
    });
    series.forEach(function (se) {
      let d = '', pen = false;
      se.values.forEach(function (v, i) {
        if (isNum(v)) { d += (pen ? 'L' : 'M') + x(i).toFixed(1) + ' ' + y(v).toFixed(1); pen = true; }
        else pen = false;
      });
      if (d && !se.pointsOnly) {
        s += '<path class="mark line" data-series="' + esc(se.name) + '" d="' + d + '" fill="none" stroke="' +
          se.color + '" stroke-width="' + (se.width || 2.25) + '"' +
          (se.dash ? ' stroke-dasharray="' + se.dash + '"' : '') +
          ' stroke-linejoin="round" stroke-linecap="round"/>';
      }
      se.values.forEach(function (v, i) {
        if (!isNum(v)) return;
        const r = se.pointsOnly ? 2.6 : (n > 18 ? 2.2 : 3.2) * (se.dash ? 0.8 : 1);
        s += '<circle class="mark point" data-series="' + esc(se.name) + '" cx="' + x(i).toFixed(1) + '" cy="' +
          y(v).toFixed(1) + '" r="' + r + '" fill="' + (se.dash ? '#fff' : se.color) + '" stroke="' + se.color +
          '"' + (se.pointsOnly ? ' fill-opacity="0.55"' : '') + '><title>' + esc(se.name + ' \u00b7 ' +
          monthLong(o.labels[i]) + ': ' + fmt[o.kind](v) + (se.detail ? se.detail(i) : '')) + '</title></circle>';
      });
    });
    el.innerHTML = s + '</svg>' + legend(series.concat((o.bands || []).map(function (b) {
      return { name: b.name, color: b.color };
    })));
  }

  function barChart(el, o) {
    const series = colorize(o.series);
    const vals = [];
    series.forEach(function (s) { s.values.forEach(function (v) { if (isNum(v)) vals.push(v); }); });
    if (!vals.length || !o.labels.length) return empty(el);
    const W = chartWidth(el), H = o.height || 240;
    const rot = !!o.rotate;
    const m = { l: 58, r: 10, t: 10, b: rot ? 74 : 26 };
    const iw = W - m.l - m.r, ih = H - m.t - m.b, n = o.labels.length, k = series.length;
    const dom = niceDomain(vals, true);
    const y = function (v) { return m.t + ih - (v - dom.lo) / (dom.hi - dom.lo) * ih; };
    const gw = iw / n, bw = Math.max(2, Math.min(26, gw * 0.78 / k));
    let s = svgOpen(el, W, H, o.label || el.dataset.chart);
    dom.ticks.forEach(function (t) {
      s += '<line class="' + (t === 0 ? 'zero-line' : 'grid-line') + '" x1="' + m.l + '" x2="' + (W - m.r) +
        '" y1="' + y(t).toFixed(1) + '" y2="' + y(t).toFixed(1) + '"/>';
      s += '<text x="' + (m.l - 8) + '" y="' + (y(t) + 4).toFixed(1) + '" text-anchor="end">' +
        esc(compact(t, o.kind)) + '</text>';
    });
    const every = rot ? 1 : Math.max(1, Math.ceil(n / Math.max(1, Math.floor(iw / 62))));
    o.labels.forEach(function (lab, g) {
      const gx = m.l + g * gw, x0 = gx + (gw - bw * k) / 2;
      series.forEach(function (se, j) {
        const v = se.values[g];
        if (!isNum(v)) return;
        const top = y(Math.max(0, v)), bottom = y(Math.min(0, v));
        s += '<rect class="mark bar" x="' + (x0 + j * bw).toFixed(1) + '" y="' + top.toFixed(1) + '" width="' +
          Math.max(1, bw - 1).toFixed(1) + '" height="' + Math.max(0.5, bottom - top).toFixed(1) + '" fill="' +
          se.color + '" rx="1.5"><title>' + esc(se.name + ' \u00b7 ' + o.labelFmt(lab) + ': ' +
          fmt[o.kind](v)) + '</title></rect>';
      });
      const cx = gx + gw / 2;
      if (rot) {
        s += '<text x="' + cx.toFixed(1) + '" y="' + (H - m.b + 14) + '" text-anchor="end" transform="rotate(-32 ' +
          cx.toFixed(1) + ' ' + (H - m.b + 14) + ')">' + esc(o.labelFmt(lab)) + '</text>';
      } else if ((n - 1 - g) % every === 0) {
        s += '<text x="' + cx.toFixed(1) + '" y="' + (H - 6) + '" text-anchor="middle">' +
          esc(o.labelFmt(lab)) + '</text>';
      }
    });
    el.innerHTML = s + '</svg>' + legend(series);
  }

  function hBarChart(el, o) {
    const items = o.items.filter(function (it) { return isNum(it.value); });
    if (!items.length) return empty(el);
    const W = chartWidth(el), row = 26;
    const m = { l: Math.min(190, Math.round(W * 0.36)), r: 78, t: o.reference ? 18 : 4, b: 4 };
    const H = m.t + m.b + items.length * row;
    const iw = W - m.l - m.r;
    const hi = Math.max.apply(null, items.map(function (it) { return Math.max(0, it.value); }).concat(
      o.reference ? [o.reference] : []));
    const x = function (v) { return m.l + (hi > 0 ? Math.max(0, v) / hi * iw : 0); };
    let s = svgOpen(el, W, H, o.label || el.dataset.chart);
    items.forEach(function (it, i) {
      const yy = m.t + i * row;
      const cls = 'mark bar' + (it.dim ? ' dim' : '');
      s += '<text x="' + (m.l - 8) + '" y="' + (yy + 17) + '" text-anchor="end">' + esc(it.label) + '</text>';
      s += '<rect class="' + cls + '" x="' + m.l + '" y="' + (yy + 5) + '" width="' +
        Math.max(1, x(it.value) - m.l).toFixed(1) + '" height="' + (row - 10) + '" rx="3" fill="' +
        (it.color || PALETTE[0]) + '"><title>' + esc(it.label + ': ' + fmt[o.kind](it.value)) + '</title></rect>';
      s += '<text class="value-label" x="' + (x(it.value) + 6).toFixed(1) + '" y="' + (yy + 17) + '">' +
        esc(fmt[o.kind](it.value)) + '</text>';
    });
    if (o.reference) {
      const rx = x(o.reference).toFixed(1);
      s += '<line x1="' + rx + '" x2="' + rx + '" y1="' + (m.t - 2) + '" y2="' + H + '" stroke="#172033" ' +
        'stroke-dasharray="4 3"/>';
      s += '<text x="' + rx + '" y="' + (m.t - 6) + '" text-anchor="middle">' + esc(o.referenceLabel || '') +
        '</text>';
    }
    el.innerHTML = s + '</svg>';
  }

  function funnelChart(el, o) {
    const stages = o.stages;
    if (!stages.length || !isNum(stages[0].value) || stages[0].value <= 0) return empty(el);
    const W = chartWidth(el), row = 44, H = stages.length * row + 4;
    const labelW = 150, rateW = 92, iw = W - labelW - rateW;
    const top = stages[0].value;
    let s = svgOpen(el, W, H, o.label || 'Funnel');
    stages.forEach(function (st, i) {
      const w = Math.max(2, (st.value / top) * iw);
      const x0 = labelW + (iw - w) / 2, yy = i * row + 4;
      const color = PALETTE[0];
      s += '<text x="' + (labelW - 10) + '" y="' + (yy + 20) + '" text-anchor="end" class="value-label">' +
        esc(st.label) + '</text>';
      s += '<text x="' + (labelW - 10) + '" y="' + (yy + 34) + '" text-anchor="end">' + esc(fmt.int(st.value)) +
        '</text>';
      s += '<rect class="mark stage" x="' + x0.toFixed(1) + '" y="' + yy + '" width="' + w.toFixed(1) +
        '" height="' + (row - 8) + '" rx="4" fill="' + color + '" fill-opacity="' + (1 - i * 0.13).toFixed(2) +
        '"><title>' + esc(st.label + ': ' + fmt.int(st.value)) + '</title></rect>';
      if (i > 0) {
        const rate = div(st.value, stages[i - 1].value);
        s += '<text x="' + (W - rateW + 10) + '" y="' + (yy + 16) + '" class="value-label">' +
          esc(fmt.pct(rate)) + '</text>';
        s += '<text x="' + (W - rateW + 10) + '" y="' + (yy + 30) + '">of ' +
          esc(stages[i - 1].label.toLowerCase()) + '</text>';
      }
    });
    el.innerHTML = s + '</svg>';
  }

  // ---------------------------------------------------------------- tiles and tables
  // A scorecard value: the dash with "not available: <reason>" when the KPI cannot be measured.
  function kpiValueCell(r) {
    const off = unavailable(r.kpi_id);
    if (off) {
      return '<span class="not-available" title="' + esc('not available: ' + off) + '">' + DASH +
        ' <small>not available: ' + esc(off) + '</small></span>';
    }
    return esc(fmt[kpiFormat(r.kpi_id)](r.value));
  }
  // A tile whose KPI (t.kpi) is not available shows the dash and why, never a number.
  function tiles(id, items) {
    document.getElementById(id).innerHTML = items.map(function (t) {
      const off = t.kpi ? unavailable(t.kpi) : null;
      if (!off && t.na) return naTile(t);
      const why = off ? 'not available: ' + off : '';
      return '<div class="tile' + (t.band ? ' band-' + bandClass(t.band) : '') + (t.cls ? ' ' + t.cls : '') +
        (off ? ' unavailable' : '') + '" data-testid="tile-' + esc(t.id) + '"' +
        (off ? ' title="' + esc(why) + '"' : '') +
        '><div class="label">' + esc(t.label) + '</div><div class="value">' + esc(off ? DASH : t.value) +
        '</div>' + periodLine(t) + (off ? '<div class="sub not-available">' + esc(why) + '</div>' :
        (t.sub ? '<div class="sub">' + t.sub + '</div>' : '')) + '</div>';
    }).join('');
  }
  function periodLine(t) {
    return t.period ? '<div class="period" data-testid="period">' + esc(t.period) + '</div>' : '';
  }
  function naTile(t) {
    const why = 'not applicable: ' + t.na;
    return '<div class="tile not-applicable" data-testid="tile-' + esc(t.id) + '" title="' + esc(why) +
      '"><div class="label">' + esc(t.label) + '</div><div class="value">' + DASH + '</div>' + periodLine(t) +
      '<div class="sub not-applicable">' + esc(why) + '</div></div>';
  }
  // A cost per lead / customer, or a payback, where there was no spend is not applicable (not $0.00).
  const NO_SPEND = 'no media spend';
  // A cost per unit of a month without spend is not applicable (null), not $0.
  const costDiv = function (spend, n) { return spend === 0 ? null : div(spend, n); };
  function costCell(formatter) {
    return function (v, r) {
      return isNum(r.spend) && r.spend === 0 ? DASH + ' n/a (' + NO_SPEND + ')' : formatter(v);
    };
  }
  function totalName(c) { return c === 'all' ? 'All channels (blended)' : chName(c); }
  // A scorecard row of a month that has not ended (score_status from the mart, when it has one) is
  // "in progress", never judged.
  function scoreBadge(r) {
    return bandBadge(r.score_status === 'incomplete period' ? 'in_progress' : r.health_band);
  }
  const INCOMPLETE = {};
  D.channel_monthly.forEach(function (r) { if (r.is_complete_period === false) INCOMPLETE[r.month] = true; });
  function periodText() {
    const ms = rangeMonths();
    if (!ms.length) return 'no months';
    const last = ms[ms.length - 1];
    const open = INCOMPLETE[last] ? ' (' + monthLong(last) + ' in progress)' : '';
    return (ms.length === 1 ? monthLong(ms[0]) : monthLong(ms[0]) + ' \u2013 ' + monthLong(last) +
      ' (' + ms.length + ' months)') + open;
  }
  function channelText() {
    return state.channel === 'all' ? 'all channels, blended' : chName(state.channel);
  }
  const isPaid = function (c) {
    const ch = D.channels.find(function (x) { return x.channel_id === c; });
    return ch ? ch.is_paid !== false : true;
  }
  function table(id, o) {
    const head = o.columns.map(function (c) {
      return '<th scope="col"' + (c.num ? ' class="num"' : '') + '>' + esc(c.label) + '</th>';
    }).join('');
    const body = o.rows.length ? o.rows.map(function (r) {
      return '<tr' + (r._cls ? ' class="' + r._cls + '"' : '') + '>' + o.columns.map(function (c) {
        const v = c.html ? c.html(r) : esc(c.fmt ? c.fmt(r[c.key], r) : (r[c.key] === null ||
          r[c.key] === undefined ? DASH : r[c.key]));
        return '<td' + (c.num ? ' class="num"' : '') + '>' + v + '</td>';
      }).join('') + '</tr>';
    }).join('') : '<tr><td colspan="' + o.columns.length + '" class="empty">No data for this selection.</td></tr>';
    document.getElementById(id).innerHTML = '<table data-testid="table-' + esc(id) + '"><caption>' +
      esc(o.caption) + (o.note ? '<small>' + esc(o.note) + '</small>' : '') + '</caption><thead><tr>' + head +
      '</tr></thead><tbody>' + body + '</tbody></table>';
  }
  function chart(name) { return document.querySelector('[data-chart="' + name + '"]'); }
  function scopeText() {
    const ms = rangeMonths();
    const span = ms.length ? monthLong(ms[0]) + ' \u2013 ' + monthLong(ms[ms.length - 1]) : 'no months';
    return span + ' \u00b7 ' + chName(state.channel);
  }

  // ---------------------------------------------------------------- executive view
  function paybackFor(channel) {
    const rows = D.payback.filter(function (r) { return channel === 'all' || r.channel_id === channel; });
    if (channel !== 'all') return rows[0] || {};
    const cac = div(sum(rows, 'spend'), sum(rows, 'new_customers'));
    const arpa = div(sum(rows, 'net_revenue_complete_months'), sum(rows, 'active_customer_months'));
    const churn = div(sum(rows, 'churned_customers'), sum(rows, 'customers_at_start'));
    const margin = rows.length ? rows[0].gross_margin_rate : null;
    const monthlyMargin = isNum(arpa) && isNum(margin) ? arpa * margin : null;
    const ltv = div(monthlyMargin, churn);
    return { customer_acquisition_cost: cac, cac_payback_months: div(cac, monthlyMargin),
      predictive_lifetime_value: ltv, ltv_to_cac_ratio: div(ltv, cac) };
  }
  // NPS as the mart states it (kpi_net_promoter_score__monthly, all responses): the rolling
  // three-month score is the headline with its 95% interval; the single months are secondary.
  function npsRow(m) { return D.nps.find(function (r) { return r.month === m; }) || null; }
  function npsHeadline() {
    const m = lastMonthWith(D.nps.filter(function (r) { return isNum(r.rolling_3_month_net_promoter_score); }));
    const r = m ? npsRow(m) : null;
    if (!r) return { value: DASH, period: 'rolling 3 months \u00b7 no month in the range', sub: 'no responses' };
    const lo = r.rolling_3_month_net_promoter_score_lower_95, hi = r.rolling_3_month_net_promoter_score_upper_95;
    return { value: fmt.score(r.rolling_3_month_net_promoter_score),
      period: '3 months to ' + monthLong(m) + ' \u00b7 all responses',
      sub: '95% interval ' + esc(fmt.score(lo)) + ' to ' + esc(fmt.score(hi)) + ' \u00b7 ' +
        esc(fmt.int(r.rolling_3_month_responses)) + ' responses' + ' \u00b7 ' + esc(monthLong(m)) + ' alone ' +
        esc(fmt.score(r.net_promoter_score)) + ' (' + esc(fmt.int(r.responses)) + ')' };
  }
  function renderNps(labels) {
    const rows = labels.map(npsRow);
    const col = function (c) { return rows.map(function (r) { return r ? r[c] : null; }); };
    lineChart(chart('exec-nps'), { labels: labels, kind: 'score', label: 'NPS by month', bands: [
      { name: '95% interval (rolling 3 months)', color: PALETTE[2],
        lower: col('rolling_3_month_net_promoter_score_lower_95'),
        upper: col('rolling_3_month_net_promoter_score_upper_95') }
    ], series: [
      { name: 'Rolling 3-month NPS', color: PALETTE[2], values: col('rolling_3_month_net_promoter_score'),
        detail: function (i) {
          return rows[i] ? ' (' + fmt.int(rows[i].rolling_3_month_responses) + ' responses)' : '';
        } },
      { name: 'Single month', color: '#64748b', pointsOnly: true, values: col('net_promoter_score'),
        detail: function (i) { return rows[i] ? ' (' + fmt.int(rows[i].responses) + ' responses)' : ''; } }
    ] });
  }
  function renderExecutive() {
    const cm = sel(D.channel_monthly), cv = sel(D.customer_value);
    const spend = sum(cm, 'spend'), attributed = sum(cm, 'attributed_revenue');
    const contrib = sel(D.contribution, null);
    const pb = paybackFor(state.channel);
    const netRevenue = sum(cv, 'net_revenue');
    const acquired = state.channel === 'all' ? 'all customers' : 'customers acquired via ' + esc(chName(state.channel));
    // Net revenue (kpi_customer_value__monthly, by order month and the customer's acquisition channel)
    // and attributed revenue (kpi_channel_performance__monthly, the default attribution model's credit
    // by touch channel) are two marts: over all channels they are the same orders, so the page says
    // whether they agree to the cent; for one channel they differ by definition.
    const gap = isNum(netRevenue) && isNum(attributed) ? attributed - netRevenue : null;
    const gapText = state.channel !== 'all' ? 'credit of touches on ' + esc(chName(state.channel)) +
      ' (net revenue counts the customers it acquired)' : (isNum(gap) && Math.abs(gap) >= 0.005 ?
      'differs from net revenue by ' + esc(fmt.money(gap)) + ' (orders not credited to a channel)' :
      'equals net revenue (every order credited to a channel)');
    const period = periodText();
    const pbNa = state.channel !== 'all' && !(pb.spend > 0) ? NO_SPEND + ' on ' + chName(state.channel) : null;
    const np = npsHeadline();
    tiles('exec-tiles', [
      { id: 'net-revenue', label: 'Net revenue', value: fmt.money(netRevenue), period: period + ' \u00b7 ' +
        'orders net of refunds', sub: acquired },
      { id: 'spend', kpi: 'cost_per_click', label: 'Marketing spend', value: fmt.money(spend),
        period: period + ' \u00b7 ' + channelText(), sub: 'media spend' },
      { id: 'roi', kpi: 'return_on_investment', label: 'ROI', value: fmt.ratio(div(attributed - spend, spend)),
        period: period + ' \u00b7 (attributed revenue \u2212 spend) \u00f7 spend',
        sub: 'on ' + esc(fmt.money(attributed)) + ' attributed revenue (default model), ' + gapText },
      { id: 'roas', kpi: 'return_on_ad_spend', label: 'ROAS', value: fmt.ratio(div(attributed, spend)),
        period: period + ' \u00b7 ' + channelText(), sub: 'attributed revenue \u00f7 spend' },
      { id: 'ltv-cac', kpi: 'ltv_to_cac_ratio', na: pbNa,
        label: 'LTV:CAC', value: fmt.ratio(pb.ltv_to_cac_ratio), period: 'all time \u00b7 ' + channelText(),
        sub: 'CAC = all-time spend \u00f7 all-time new customers' },
      { id: 'cac-payback', kpi: 'cac_payback_months', na: pbNa,
        label: 'CAC payback', value: fmt.months(pb.cac_payback_months), period: 'all time \u00b7 ' + channelText(),
        sub: 'months of gross margin to earn back CAC' },
      { id: 'marketing-share', kpi: 'marketing_sourced_revenue_share', label: 'Marketing-sourced',
        value: fmt.pct(div(sum(contrib, 'marketing_sourced_revenue'), sum(contrib, 'total_revenue'))),
        period: period + ' \u00b7 all channels', sub: 'share of net revenue' },
      { id: 'nps', kpi: 'net_promoter_score', label: 'NPS (rolling 3 months)', value: np.value,
        period: np.period, sub: np.sub }
    ]);
    const labels = rangeMonths();
    // Net revenue solid and wide, attributed revenue dashed and narrow on top: where the two are
    // equal both stay visible.
    lineChart(chart('exec-revenue'), { labels: labels, kind: 'money', label: 'Revenue by month', series: [
      { name: 'Net revenue', width: 5, color: '#9db4ea',
        values: perMonth(cv, function (r) { return sum(r, 'net_revenue'); }) },
      { name: 'Attributed revenue (default model)', color: '#c2410c', dash: '6 4', width: 2,
        values: perMonth(cm, function (r) { return sum(r, 'attributed_revenue'); }) }
    ] });
    barChart(chart('exec-spend'), { labels: labels, kind: 'money', labelFmt: monthShort, label: 'Spend by month',
      series: [{ name: 'Marketing spend', color: PALETTE[1],
        values: perMonth(cm, function (r) { return sum(r, 'spend'); }) }] });
    lineChart(chart('exec-roi'), { labels: labels, kind: 'ratio', label: 'ROI by month', series: [
      { name: 'ROI', values: perMonth(cm, function (r) {
        return div(sum(r, 'attributed_revenue') - sum(r, 'spend'), sum(r, 'spend'));
      }) }
    ] });
    renderNps(labels);
    const ranked = D.payback.filter(function (r) { return isNum(r.ltv_to_cac_ratio); }).sort(function (a, b) {
      return b.ltv_to_cac_ratio - a.ltv_to_cac_ratio;
    });
    hBarChart(chart('exec-ltv-cac'), { kind: 'ratio', label: 'LTV:CAC by acquisition channel', reference: 3,
      referenceLabel: '3\u00d7', items: ranked.map(function (r) {
        return { label: chName(r.channel_id), value: r.ltv_to_cac_ratio,
          dim: state.channel !== 'all' && r.channel_id !== state.channel,
          color: r.ltv_to_cac_ratio >= 3 ? '#17803d' : r.ltv_to_cac_ratio >= 1 ? '#c27c0e' : '#b42318' };
      }) });
    const paybackRows = D.payback.filter(function (r) { return r.new_customers > 0; }).map(function (r) {
      return Object.assign({ _cls: r.channel_id === state.channel ? 'selected' : '' }, r);
    }).sort(function (a, b) { return b.new_customers - a.new_customers; });
    const total = Object.assign({ channel_id: 'all', _cls: 'total' }, paybackFor('all'), {
      new_customers: sum(D.payback, 'new_customers'), spend: sum(D.payback, 'spend') });
    table('exec-payback', { caption: 'Unit economics by acquisition channel, all time',
      note: 'All time to the as-of date (the month range does not apply). CAC = all-time spend \u00f7 all-time ' +
        'new customers of the channel; the total row is blended (all spend \u00f7 all new customers). ' +
        'Channels without media spend: n/a.',
      rows: paybackRows.concat([total]), columns: [
        { label: 'Channel', key: 'channel_id', fmt: totalName },
        { label: 'New customers', key: 'new_customers', num: true, fmt: fmt.int },
        { label: 'Spend', key: 'spend', num: true, fmt: fmt.money },
        { label: 'CAC, all time', key: 'customer_acquisition_cost', num: true, fmt: costCell(fmt.money) },
        { label: 'CAC payback', key: 'cac_payback_months', num: true, fmt: costCell(fmt.months) },
        { label: 'Predictive LTV', key: 'predictive_lifetime_value', num: true, fmt: fmt.money },
        { label: 'LTV:CAC', key: 'ltv_to_cac_ratio', num: true, fmt: costCell(fmt.ratio) }
      ] });
    renderScorecard();
  }
  function renderScorecard() {
    const latest = lastMonthWith(D.scorecard_overall);
    const overall = D.scorecard_overall.filter(function (r) { return r.month === latest; });
    tiles('exec-stage-scores', STAGE_IDS.map(function (stage) {
      const r = overall.find(function (o) { return o.company_stage === stage; }) || {};
      const sub = bandBadge(r.overall_health_band) + ' ' + esc(fmt.int(r.on_track_kpis)) + ' on track \u00b7 ' +
        esc(fmt.int(r.warning_kpis)) + ' warning \u00b7 ' + esc(fmt.int(r.critical_kpis)) + ' critical';
      return { id: 'stage-' + stage, label: stage.charAt(0).toUpperCase() + stage.slice(1) + ' stage' +
        (stage === state.stage ? ' (selected)' : ''), value: fmt.pct(r.overall_score), sub: sub,
        band: r.overall_health_band, cls: stage === state.stage ? 'selected' : '' };
    }));
    const byStage = groupBy(sel(D.scorecard_overall, null), 'company_stage');
    lineChart(chart('exec-scorecard-trend'), { labels: rangeMonths(), kind: 'pct', zero: false,
      label: 'Overall scorecard score by month', series: STAGE_IDS.map(function (stage) {
        return { name: stage.charAt(0).toUpperCase() + stage.slice(1),
          values: perMonth(byStage[stage] || [], function (r) { return r[0].overall_score; }) };
      }) });
    let rows = D.scorecard.filter(function (r) { return r.month === latest && r.company_stage === state.stage; });
    const weighted = rows.filter(function (r) { return r.weight > 0; });
    if (weighted.length) rows = weighted;
    rows = rows.slice().sort(function (a, b) { return b.weight - a.weight || (a.kpi_id < b.kpi_id ? -1 : 1); });
    table('exec-scorecard', {
      caption: 'KPI scorecard \u2014 ' + (latest ? monthLong(latest) : 'no month') + ', ' + state.stage + ' stage',
      note: 'Values for ' + (latest ? monthLong(latest) : 'no month') + ', all channels blended (the channel ' +
        'filter does not apply; CAC = the month\u2019s spend \u00f7 its new customers), against the stage\u2019s ' +
        'target (on-track and warning thresholds per KPI, from the KPI registry). ' + FUNNEL_REFERENCE_NOTE,
      rows: rows, columns: [
        { label: 'KPI', key: 'kpi_id', fmt: kpiLabel },
        { label: 'Value', num: true, html: kpiValueCell },
        { label: 'Target', key: 'target', num: true, fmt: function (v, r) { return fmt[kpiFormat(r.kpi_id)](v); } },
        { label: 'Attainment', key: 'attainment', num: true, fmt: fmt.pct },
        { label: 'Health', html: scoreBadge },
        { label: 'vs. last month', key: 'period_over_period_change', num: true, fmt: fmt.change },
        { label: 'Weight', key: 'weight', num: true, fmt: fmt.pct }
      ] });
  }

  // ---------------------------------------------------------------- marketing manager view
  function renderManager() {
    const cm = sel(D.channel_monthly), fm = sel(D.funnel_monthly), fu = sel(D.follow_up);
    const spend = sum(cm, 'spend');
    const budgetMonth = lastMonthWith(D.budget);
    const budgetRows = D.budget.filter(function (r) { return r.month === budgetMonth && chanOk(r.channel_id); });
    const pacing = div(sum(budgetRows, 'spend_to_date'), sum(budgetRows, 'planned_spend_to_date'));
    const period = periodText();
    const noSpend = spend === 0 ? NO_SPEND + (state.channel === 'all' ? '' : ' on ' + chName(state.channel)) +
      ' in ' + period : null;
    tiles('mgr-tiles', [
      { id: 'spend', kpi: 'cost_per_click', label: 'Spend', value: fmt.money(spend),
        period: period + ' \u00b7 ' + channelText(), sub: 'media spend' },
      { id: 'cpl', kpi: 'cost_per_lead', label: 'Cost per lead', value: fmt.money(div(spend, sum(cm, 'leads'))),
        na: noSpend, period: period + ' \u00b7 ' + channelText() + ' \u00b7 spend \u00f7 leads',
        sub: fmt.int(sum(cm, 'leads')) + ' leads' },
      { id: 'cac', kpi: 'customer_acquisition_cost',
        label: 'CAC', value: fmt.money(div(spend, sum(cm, 'new_customers'))), na: noSpend,
        period: period + ' \u00b7 ' + channelText() + ' \u00b7 spend \u00f7 new customers',
        sub: fmt.int(sum(cm, 'new_customers')) + ' new customers' +
          (state.channel === 'all' ? ' (organic ones included)' : '') },
      { id: 'roas', kpi: 'return_on_ad_spend', na: noSpend, period: period + ' \u00b7 ' + channelText(),
        label: 'ROAS', value: fmt.ratio(div(sum(cm, 'attributed_revenue'), spend)) },
      { id: 'lead-to-customer', kpi: 'lead_to_customer_rate',
        label: 'Lead-to-customer', value: fmt.pct(div(sum(fm, 'won_deals'), sum(fm, 'leads'))),
        sub: 'won deals \u00f7 leads' },
      { id: 'sla', kpi: 'sla_attainment_rate',
        label: 'Follow-up SLA', value: fmt.pct(div(sum(fu, 'leads_within_sla'), sum(fu, 'leads'))),
        sub: 'leads answered within SLA' },
      { id: 'pacing', kpi: 'budget_pacing_rate', label: 'Budget pacing', value: fmt.pct(pacing),
        sub: budgetMonth ? monthLong(budgetMonth) + ', spend \u00f7 plan to date' : '' },
      { id: 'anomalies', label: 'Anomalies', value: fmt.int(anomalyRows().length), period: period,
        sub: 'onsets of a shift (continuing weeks not counted again)' }
    ]);
    const allCm = D.channel_monthly.filter(function (r) { return inRange(r.month); });
    const byChannel = groupBy(allCm, 'channel_id');
    const channelRows = Object.keys(byChannel).map(function (c) {
      const rows = byChannel[c], sp = sum(rows, 'spend');
      return { channel_id: c, spend: sp, leads: sum(rows, 'leads'), new_customers: sum(rows, 'new_customers'),
        attributed_revenue: sum(rows, 'attributed_revenue'), cpl: div(sp, sum(rows, 'leads')),
        cac: div(sp, sum(rows, 'new_customers')), roas: div(sum(rows, 'attributed_revenue'), sp),
        _cls: c === state.channel ? 'selected' : '' };
    }).sort(function (a, b) { return b.spend - a.spend || b.leads - a.leads; });
    const tot = { channel_id: 'all', spend: sum(allCm, 'spend'), leads: sum(allCm, 'leads'),
      new_customers: sum(allCm, 'new_customers'), attributed_revenue: sum(allCm, 'attributed_revenue'), _cls: 'total' };
    tot.cpl = div(tot.spend, tot.leads); tot.cac = div(tot.spend, tot.new_customers);
    tot.roas = div(tot.attributed_revenue, tot.spend);
    table('mgr-channels', { caption: 'Channel performance, ' + period, note: period +
      ' \u00b7 every channel; the selected one is highlighted. CPL and CAC: the range\u2019s spend \u00f7 its ' +
      'leads or new customers; the total row is blended (all spend \u00f7 all leads or customers, organic included). ' +
      'Attributed revenue: default attribution model. Channels without media spend: n/a.',
      rows: channelRows.concat([tot]), columns: [
        { label: 'Channel', key: 'channel_id', fmt: totalName },
        { label: 'Spend', key: 'spend', num: true, fmt: fmt.money },
        { label: 'Leads', key: 'leads', num: true, fmt: fmt.int },
        { label: 'CPL', key: 'cpl', num: true, fmt: costCell(fmt.money) },
        { label: 'New customers', key: 'new_customers', num: true, fmt: fmt.int },
        { label: 'CAC, range', key: 'cac', num: true, fmt: costCell(fmt.money) },
        { label: 'Attributed revenue', key: 'attributed_revenue', num: true, fmt: fmt.money },
        { label: 'ROAS', key: 'roas', num: true, fmt: costCell(fmt.ratio) }
      ] });
    hBarChart(chart('mgr-roas-by-channel'), { kind: 'ratio', label: 'ROAS by channel', reference: 1,
      referenceLabel: 'break-even', items: channelRows.filter(function (r) { return r.spend > 0; })
        .sort(function (a, b) { return (b.roas || 0) - (a.roas || 0); }).map(function (r) {
          return { label: chName(r.channel_id), value: r.roas,
            dim: state.channel !== 'all' && r.channel_id !== state.channel };
        }) });
    const labels = rangeMonths();
    lineChart(chart('mgr-cpl-trend'), { labels: labels, kind: 'money', label: 'Cost per lead by month',
      emptyText: undefinedText('Cost per lead', 'leads', spend, sum(cm, 'leads')), series: [
      { name: 'Cost per lead', values: perMonth(cm, function (r) {
        return costDiv(sum(r, 'spend'), sum(r, 'leads'));
      }) }
    ] });
    lineChart(chart('mgr-cac-trend'), { labels: labels, kind: 'money', label: 'CAC by month',
      emptyText: undefinedText('CAC', 'new customers', spend, sum(cm, 'new_customers')), series: [
      { name: 'CAC', color: PALETTE[1], values: perMonth(cm, function (r) {
        return costDiv(sum(r, 'spend'), sum(r, 'new_customers'));
      }) }
    ] });
    funnelChart(chart('mgr-funnel'), { label: 'Funnel: leads to won deals', stages: STAGES.map(function (st) {
      return { label: STAGE_LABEL[st], value: sum(fm, st) };
    }) });
    renderFunnelHealth();
    lineChart(chart('mgr-funnel-trend'), { labels: labels, kind: 'pct', label: 'Stage conversion by month',
      series: STAGES.slice(1).map(function (st, i) {
        return { name: STAGE_LABEL[STAGES[i]] + ' \u2192 ' + STAGE_LABEL[st],
          values: perMonth(fm, function (r) { return div(sum(r, st), sum(r, STAGES[i])); }) };
      }) });
    renderVelocity();
    renderAttribution();
    renderBudget();
    renderTacticalScorecard();
    renderAnomalies('mgr-anomalies', 12);
  }
  // Why a cost ratio has no value for the selection: no spend (not applicable) or a zero denominator
  // (not defined), never an empty "no data".
  function undefinedText(what, denominator, spend, count) {
    const where = chName(state.channel) + ', ' + periodText();
    if (spend === 0) return what + ' is not applicable: ' + NO_SPEND + ' (' + where + ').';
    if (count === 0) {
      return what + ' is not defined: ' + fmt.money(spend) + ' spent and no ' + denominator + ' (' + where + ').';
    }
    return undefined;
  }
  function renderTacticalScorecard() {
    const latest = lastMonthWith(D.scorecard);
    const rows = D.scorecard.filter(function (r) {
      return r.month === latest && r.company_stage === state.stage && KPIS[r.kpi_id] &&
        KPIS[r.kpi_id].audience === 'marketing_manager';
    }).sort(function (a, b) { return b.weight - a.weight || (a.kpi_id < b.kpi_id ? -1 : 1); });
    table('mgr-scorecard', {
      caption: 'Marketing manager KPIs against target \u2014 ' + (latest ? monthLong(latest) : 'no month'),
      note: 'The marketing manager\u2019s KPIs in the scorecard (' + state.stage + ' stage targets), ' +
        (latest ? monthLong(latest) : 'no month') + ', all channels blended; the latest month of the range. ' +
        FUNNEL_REFERENCE_NOTE, rows: rows, columns: [
        { label: 'KPI', key: 'kpi_id', fmt: kpiLabel },
        { label: 'Value', num: true, html: kpiValueCell },
        { label: 'Target', key: 'target', num: true, fmt: function (v, r) { return fmt[kpiFormat(r.kpi_id)](v); } },
        { label: 'Attainment', key: 'attainment', num: true, fmt: fmt.pct },
        { label: 'Health', html: scoreBadge },
        { label: 'vs. last month', key: 'period_over_period_change', num: true, fmt: fmt.change }
      ] });
  }
  function renderFunnelHealth() {
    const key = state.channel;
    const month = lastMonthWith(D.funnel_health.filter(function (r) { return r.channel_key === key; }));
    const rows = D.funnel_health.filter(function (r) { return r.month === month && r.channel_key === key; })
      .sort(function (a, b) { return a.stage_order - b.stage_order; });
    const scored = {};
    D.scorecard.filter(function (r) { return r.month === month && r.company_stage === state.stage; })
      .forEach(function (r) { scored[r.kpi_id] = r; });
    table('mgr-funnel-health', { caption: 'Funnel health \u2014 ' + (month ? monthLong(month) : 'no month'),
      note: chName(key) + '; the latest month of the range, against the ideal range per transition. ' +
        FUNNEL_REFERENCE_NOTE + ' The last column is the scorecard\u2019s judgement (' + state.stage +
        ' stage target, all channels).',
      rows: rows.map(function (r) {
        const sc = key === 'all' ? scored[r.kpi_id] : null;
        return Object.assign({ _score: sc || null }, r);
      }), columns: [
        { label: 'Transition', key: 'kpi_id', fmt: kpiLabel },
        { label: 'Conversion', key: 'conversion_value', num: true, fmt: fmt.pct },
        { label: 'Ideal range', key: 'ideal_min', num: true, fmt: function (v, r) {
          return fmt.pct(r.ideal_min) + ' \u2013 ' + fmt.pct(r.ideal_max);
        } },
        { label: 'Health (ideal range)', html: function (r) { return bandBadge(r.health_band); } },
        { label: 'Scorecard (vs target)', html: function (r) {
          if (key !== 'all') return '<span class="band band-none">All channels only</span>';
          if (!r._score) return '<span class="band band-none">Not scored</span>';
          return scoreBadge(r._score) + '<br><small>target ' +
            esc(fmt[kpiFormat(r.kpi_id)](r._score.target)) + '</small>';
        } }
      ] });
  }
  function renderVelocity() {
    const rows = sel(D.funnel_velocity);
    const steps = [
      ['Lead \u2192 MQL', 'median_days_lead_to_mql', 'mqls'],
      ['MQL \u2192 SQL', 'median_days_mql_to_sql', 'sqls'],
      ['SQL \u2192 Opportunity', 'median_days_sql_to_opportunity', 'opportunities'],
      ['Opportunity \u2192 Won', 'median_days_opportunity_to_won', 'won_deals'],
      ['Lead \u2192 Won (sales cycle)', 'median_days_lead_to_won', 'won_deals']
    ];
    table('mgr-velocity', { caption: 'Funnel velocity', note: 'Median days per step of the lead cohorts created ' +
      'in the range, weighted by the leads that made the step; ' + chName(state.channel) + '.',
      rows: steps.map(function (s) {
        let w = 0, acc = 0;
        rows.forEach(function (r) {
          if (isNum(r[s[1]]) && isNum(r[s[2]]) && r[s[2]] > 0) { acc += r[s[1]] * r[s[2]]; w += r[s[2]]; }
        });
        return { step: s[0], days: div(acc, w), n: w };
      }), columns: [
        { label: 'Step', key: 'step' },
        { label: 'Median days', key: 'days', num: true, fmt: fmt.days },
        { label: 'Conversions', key: 'n', num: true, fmt: fmt.int }
      ] });
  }
  function renderAttribution() {
    const rows = sel(D.attribution);
    const models = Array.from(new Set(D.attribution.map(function (r) { return r.attribution_model; })));
    const order = Object.keys(MODEL_LABEL);
    models.sort(function (a, b) { return order.indexOf(a) - order.indexOf(b); });
    const byChannel = groupBy(rows, 'channel_id');
    const credit = function (c) { return sum(byChannel[c], 'attributed_revenue'); };
    const channels = Object.keys(byChannel).filter(function (c) { return credit(c) !== 0; })
      .sort(function (a, b) { return credit(b) - credit(a); });
    barChart(chart('mgr-attribution'), { labels: channels, kind: 'money', rotate: true, height: 300,
      labelFmt: chName, label: 'Attributed revenue by channel and attribution model',
      series: models.map(function (mdl) {
        return { name: MODEL_LABEL[mdl] || mdl, values: channels.map(function (c) {
          return sum(byChannel[c].filter(function (r) { return r.attribution_model === mdl; }), 'attributed_revenue');
        }) };
      }) });
  }
  function renderBudget() {
    const rows = sel(D.budget);
    const labels = rangeMonths();
    barChart(chart('mgr-budget'), { labels: labels, kind: 'money', labelFmt: monthShort,
      label: 'Planned vs actual spend by month', series: [
        { name: 'Planned', color: '#9db4ea', values: perMonth(rows, function (r) { return sum(r, 'planned_spend'); }) },
        { name: 'Actual', color: PALETTE[0], values: perMonth(rows, function (r) { return sum(r, 'actual_spend'); }) }
      ] });
    const month = lastMonthWith(D.budget);
    const pr = D.budget.filter(function (r) { return r.month === month && chanOk(r.channel_id); }).map(function (r) {
      return Object.assign({ pacing: div(r.spend_to_date, r.planned_spend_to_date) }, r);
    }).sort(function (a, b) { return (b.planned_spend || 0) - (a.planned_spend || 0); });
    table('mgr-pacing', { caption: 'Budget pacing \u2014 ' + (month ? monthLong(month) : 'no month'),
      note: 'Spend to date against the linear plan to date; the latest month of the range.', rows: pr, columns: [
        { label: 'Channel', key: 'channel_id', fmt: chName },
        { label: 'Planned', key: 'planned_spend', num: true, fmt: fmt.money },
        { label: 'Plan to date', key: 'planned_spend_to_date', num: true, fmt: fmt.money },
        { label: 'Spend to date', key: 'spend_to_date', num: true, fmt: fmt.money },
        { label: 'Pacing', key: 'pacing', num: true, fmt: fmt.pct },
        { label: 'Status', html: function (r) {
          if (!isNum(r.pacing)) return '<span class="band band-none">Unplanned</span>';
          if (r.pacing > 1.05) return '<span class="band band-crit">\u25b2 Over plan</span>';
          if (r.pacing < 0.9) return '<span class="band band-warn">\u25bc Under plan</span>';
          return '<span class="band band-ok">\u25cf On plan</span>';
        } }
      ] });
  }
  function anomalyRows() {
    return D.anomalies.filter(function (r) {
      return inRange(r.month) && (state.channel === 'all' || r.channel_key === state.channel);
    });
  }
  function renderAnomalies(id, limit) {
    const rows = anomalyRows();
    const top = rows.slice().sort(function (a, b) {
      return Math.abs(b.robust_z_score || 0) - Math.abs(a.robust_z_score || 0);
    }).slice(0, limit);
    table(id, { caption: 'Anomalies: ' + fmt.int(rows.length) + ' onsets',
      note: 'Weeks where a KPI left its robust baseline (kpi_anomalies__weekly is_anomaly: the onset of a shift; ' +
        'a shift that continues is listed once, its further weeks counted under \u201cLasted\u201d); the ' + limit +
        ' strongest, ' + scopeText() + '.',
      rows: top, columns: [
        { label: 'Week of', key: 'week' },
        { label: 'Metric', key: 'metric_id', fmt: kpiLabel },
        { label: 'Channel', key: 'channel_key', fmt: chName },
        { label: 'Value', key: 'value', num: true, fmt: function (v, r) { return fmt[kpiFormat(r.metric_id)](v); } },
        { label: 'Baseline median', key: 'baseline_median', num: true,
          fmt: function (v, r) { return fmt[kpiFormat(r.metric_id)](v); } },
        { label: 'vs. baseline', key: 'relative_change_from_baseline', num: true, fmt: fmt.change },
        { label: 'Robust z', key: 'robust_z_score', num: true, fmt: fmt.num },
        { label: 'Volume', key: 'volume', num: true, fmt: fmt.int },
        { label: 'Lasted', key: 'continued_weeks', num: true, fmt: function (v) {
          return isNum(v) ? fmt.int(v + 1) + (v === 0 ? ' week' : ' weeks') : DASH;
        } },
        { label: 'Direction', html: function (r) {
          return r.anomaly_direction === 'up' ? '<span class="dir-up">\u25b2 Up</span>' :
            '<span class="dir-down">\u25bc Down</span>';
        } },
        { label: 'vs. last week', key: 'week_over_week_change', num: true, fmt: fmt.change }
      ] });
  }

  // ---------------------------------------------------------------- channel specialist view
  function renderSpecialist() {
    const cm = sel(D.channel_monthly), web = sel(D.web), email = sel(D.email, null), fu = sel(D.follow_up);
    const spend = sum(cm, 'spend'), imps = sum(cm, 'impressions'), clicks = sum(cm, 'clicks');
    const period = periodText();
    const noSpend = spend === 0 ? NO_SPEND + (state.channel === 'all' ? '' : ' on ' + chName(state.channel)) +
      ' in ' + period : null;
    tiles('spec-tiles', [
      { id: 'ctr', kpi: 'click_through_rate',
        label: 'CTR', value: fmt.pct(div(clicks, imps)), sub: fmt.int(imps) + ' impressions' },
      { id: 'cpc', kpi: 'cost_per_click', na: noSpend, period: period + ' \u00b7 ' + channelText(),
        label: 'CPC', value: fmt.money(div(spend, clicks)), sub: fmt.int(clicks) + ' clicks' },
      { id: 'cpm', kpi: 'cost_per_mille', na: noSpend, period: period + ' \u00b7 ' + channelText(),
        label: 'CPM', value: fmt.money(div(1000 * spend, imps)), sub: 'per 1,000 impressions' },
      { id: 'sessions', label: 'Sessions', value: fmt.int(sum(web, 'sessions')) },
      { id: 'bounce-rate', kpi: 'bounce_rate', label: 'Bounce rate',
        value: fmt.pct(div(sum(web, 'bounced_sessions'), sum(web, 'sessions'))) },
      { id: 'pages-per-session', kpi: 'pages_per_session', label: 'Pages / session',
        value: fmt.num(div(sum(web, 'pageviews'), sum(web, 'sessions'))) },
      { id: 'email-ctor', kpi: 'click_to_open_rate',
        label: 'Email CTOR', value: fmt.pct(div(sum(email, 'emails_clicked'),
        sum(email, 'emails_opened'))), sub: 'email channel \u00b7 open rate ' +
        fmt.pct(div(sum(email, 'emails_opened'), sum(email, 'emails_delivered'))) },
      { id: 'sla', kpi: 'sla_attainment_rate',
        label: 'Follow-up SLA', value: fmt.pct(div(sum(fu, 'leads_within_sla'), sum(fu, 'leads'))) }
    ]);
    const labels = rangeMonths();
    lineChart(chart('spec-ctr-trend'), { labels: labels, kind: 'pct', label: 'CTR by month', series: [
      { name: 'CTR', values: perMonth(cm, function (r) { return div(sum(r, 'clicks'), sum(r, 'impressions')); }) }
    ] });
    lineChart(chart('spec-cpc-trend'), { labels: labels, kind: 'money', label: 'CPC by month',
      emptyText: undefinedText('CPC', 'clicks', spend, clicks), series: [
      { name: 'CPC', color: PALETTE[1], values: perMonth(cm, function (r) {
        return costDiv(sum(r, 'spend'), sum(r, 'clicks'));
      }) }
    ] });
    lineChart(chart('spec-cpm-trend'), { labels: labels, kind: 'money', label: 'CPM by month',
      emptyText: undefinedText('CPM', 'impressions', spend, imps), series: [
      { name: 'CPM', color: PALETTE[3], values: perMonth(cm, function (r) {
        return costDiv(1000 * sum(r, 'spend'), sum(r, 'impressions'));
      }) }
    ] });
    lineChart(chart('spec-sessions-trend'), { labels: labels, kind: 'int', label: 'Sessions by month', series: [
      { name: 'Sessions', color: PALETTE[5], values: perMonth(web, function (r) { return sum(r, 'sessions'); }) }
    ] });
    lineChart(chart('spec-web-rates-trend'), { labels: labels, kind: 'pct', label: 'Web rates by month', series: [
      { name: 'Bounce rate', color: PALETTE[4], values: perMonth(web, function (r) {
        return div(sum(r, 'bounced_sessions'), sum(r, 'sessions'));
      }) },
      { name: 'Session-to-lead rate', color: PALETTE[2], values: perMonth(web, function (r) {
        return div(sum(r, 'sessions_with_lead'), sum(r, 'sessions'));
      }) }
    ] });
    lineChart(chart('spec-email-trend'), { labels: labels, kind: 'pct', label: 'Email rates by month', series: [
      { name: 'Open rate', values: perMonth(email, function (r) {
        return div(sum(r, 'emails_opened'), sum(r, 'emails_delivered'));
      }) },
      { name: 'Click-through rate', values: perMonth(email, function (r) {
        return div(sum(r, 'emails_clicked'), sum(r, 'emails_delivered'));
      }) },
      { name: 'Click-to-open rate', values: perMonth(email, function (r) {
        return div(sum(r, 'emails_clicked'), sum(r, 'emails_opened'));
      }) },
      { name: 'Unsubscribe rate', values: perMonth(email, function (r) {
        return div(sum(r, 'emails_unsubscribed'), sum(r, 'emails_delivered'));
      }) }
    ] });
    const byOwner = groupBy(fu, 'owner_id');
    const owners = Object.keys(byOwner).sort().map(function (o) {
      const rows = byOwner[o];
      return { owner_id: o, leads: sum(rows, 'leads'), within: sum(rows, 'leads_within_sla'),
        responded: sum(rows, 'leads_responded'),
        rate: div(sum(rows, 'leads_within_sla'), sum(rows, 'leads')),
        hours: div(sum(rows, 'business_hours_to_first_response'), sum(rows, 'leads_responded')) };
    });
    hBarChart(chart('spec-sla-by-owner'), { kind: 'pct', label: 'SLA attainment by owner',
      items: owners.slice().sort(function (a, b) { return (b.rate || 0) - (a.rate || 0); }).map(function (r) {
        return { label: r.owner_id, value: r.rate, color: PALETTE[5] };
      }) });
    table('spec-sla', { caption: 'Follow-up by owner', note: scopeText() + '. Business hours.', rows: owners,
      columns: [
        { label: 'Owner', key: 'owner_id' },
        { label: 'Leads', key: 'leads', num: true, fmt: fmt.int },
        { label: 'Within SLA', key: 'within', num: true, fmt: fmt.int },
        { label: 'SLA attainment', key: 'rate', num: true, fmt: fmt.pct },
        { label: 'Avg. hours to response', key: 'hours', num: true, fmt: fmt.hours }
      ] });
    renderAnomalies('spec-anomalies', 8);
    const camps = D.campaigns.filter(function (r) { return chanOk(r.channel_id) && r.spend > 0; }).slice(0, 12);
    table('spec-campaigns', { caption: 'Top campaigns by spend', note: 'Lifetime to the as-of date (the month ' +
      'range does not apply); ' + chName(state.channel) + '.', rows: camps, columns: [
        { label: 'Campaign', key: 'campaign_name' },
        { label: 'Channel', key: 'channel_id', fmt: chName },
        { label: 'Spend', key: 'spend', num: true, fmt: fmt.money },
        { label: 'CTR', key: 'clicks', num: true,
          fmt: function (v, r) { return fmt.pct(div(r.clicks, r.impressions)); } },
        { label: 'CPC', key: 'clicks', num: true, fmt: function (v, r) { return fmt.money(div(r.spend, r.clicks)); } },
        { label: 'Leads', key: 'leads', num: true, fmt: fmt.int },
        { label: 'CPL', key: 'leads', num: true, fmt: function (v, r) { return fmt.money(div(r.spend, r.leads)); } },
        { label: 'CAC', key: 'new_customers', num: true,
          fmt: function (v, r) { return fmt.money(div(r.spend, r.new_customers)); } },
        { label: 'ROAS', key: 'attributed_revenue', num: true,
          fmt: function (v, r) { return fmt.ratio(div(r.attributed_revenue, r.spend)); } }
      ] });
  }

  // ---------------------------------------------------------------- wiring
  const RENDER = { 'executive': renderExecutive, 'marketing-manager': renderManager,
    'channel-specialist': renderSpecialist };
  function activeView() {
    const id = (location.hash || '').replace('#', '');
    return RENDER[id] ? id : 'executive';
  }
  function render() {
    const view = activeView();
    document.querySelectorAll('.view').forEach(function (s) { s.classList.toggle('active', s.id === view); });
    document.querySelectorAll('.tabs a').forEach(function (a) {
      if (a.dataset.view === view) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    });
    document.getElementById('filter-stage').value = state.stage;
    document.getElementById('filter-summary').textContent = scopeText();
    document.body.dataset.ready = 'false';
    try {
      RENDER[view]();
      document.getElementById('error').hidden = true;
    } catch (err) {
      const box = document.getElementById('error');
      box.hidden = false;
      box.textContent = 'This view could not be drawn: ' + err.message;
      throw err;
    } finally {
      document.body.dataset.ready = 'true';
      document.body.dataset.view = view;
    }
  }
  function options(id, items, value) {
    const s = document.getElementById(id);
    s.innerHTML = items.map(function (it) {
      return '<option value="' + esc(it[0]) + '">' + esc(it[1]) + '</option>';
    }).join('');
    s.value = value;
    return s;
  }
  // The note above the views: which sources were not provided and which funnel stages the CRM does
  // not track, so a reader knows why some KPIs show the dash.
  function availabilityNote() {
    const missing = {}, untracked = {}, off = [];
    Object.keys(AVAIL).sort().forEach(function (id) {
      const a = AVAIL[id];
      if (a.is_available !== false) return;
      off.push(kpiLabel(id));
      String(a.missing_sources || '').split(', ').forEach(function (s) { if (s) missing[s] = true; });
      String(a.untracked_funnel_stages || '').split(', ').forEach(function (s) { if (s) untracked[s] = true; });
    });
    const box = document.getElementById('availability-note');
    if (!off.length) { box.hidden = true; return; }
    const parts = [];
    if (Object.keys(missing).length) parts.push('Sources not provided: ' + Object.keys(missing).join(', ') + '.');
    if (Object.keys(untracked).length) {
      parts.push('Funnel stages the CRM does not track: ' + Object.keys(untracked).join(', ') + '.');
    }
    box.innerHTML = '<strong>' + off.length + ' KPI' + (off.length === 1 ? ' is' : 's are') +
      ' not available</strong> and shown as ' + DASH + ' (never 0). ' + esc(parts.join(' ')) +
      ' <span class="kpi-list" data-testid="unavailable-kpis">Not available: ' + esc(off.join(', ')) + '.</span>';
    box.hidden = false;
  }
  function setup() {
    availabilityNote();
    const monthItems = MONTHS.map(function (m) { return [m, monthLong(m)]; });
    options('filter-from', monthItems, state.from);
    options('filter-to', monthItems, state.to);
    options('filter-channel', [['all', 'All channels']].concat(D.channels.map(function (c) {
      return [c.channel_id, c.channel_name];
    })), state.channel);
    options('filter-stage', STAGE_IDS.map(function (s) { return [s, s.charAt(0).toUpperCase() + s.slice(1)]; }),
      state.stage);
    document.getElementById('filters').addEventListener('submit', function (e) { e.preventDefault(); });
    document.getElementById('filter-from').addEventListener('change', function (e) {
      state.from = e.target.value;
      if (state.to < state.from) { state.to = state.from; document.getElementById('filter-to').value = state.to; }
      render();
    });
    document.getElementById('filter-to').addEventListener('change', function (e) {
      state.to = e.target.value;
      if (state.from > state.to) {
        state.from = state.to; document.getElementById('filter-from').value = state.from;
      }
      render();
    });
    document.getElementById('filter-channel').addEventListener('change', function (e) {
      state.channel = e.target.value; render();
    });
    document.getElementById('filter-stage').addEventListener('change', function (e) {
      state.stage = e.target.value; render();
    });
    document.getElementById('filter-reset').addEventListener('click', function () {
      Object.assign(state, DEFAULTS);
      ['from', 'to', 'channel', 'stage'].forEach(function (k) {
        document.getElementById('filter-' + k).value = state[k];
      });
      render();
    });
    const b = RAW.build || {};
    document.getElementById('build-meta').textContent = 'build ' + (b.build_id || 'unknown') + ' \u00b7 ' +
      CHANNEL_IDS.length + ' channels \u00b7 data ' + monthLong(MONTHS[0]) + ' \u2013 ' +
      monthLong(MONTHS[MONTHS.length - 1]);
    window.addEventListener('hashchange', render);
    let timer = null;
    window.addEventListener('resize', function () { clearTimeout(timer); timer = setTimeout(render, 150); });
    render();
  }
  setup();
})();
"""

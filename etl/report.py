"""The HTML dashboard: one self-contained page (no CDN, no script, no internet) read from the published snapshot.

What a district leader reads at a glance, top to bottom:

* a status strip (how many targets are 已完成 / 进度正常 / 有风险 / 滞后 / 未完成);
* the headline targets as cards grouped by status — big actual, target (or 目标待定), a progress bar
  with the expected-progress mark, the status colour, the period and the as-of date; the
  indicators without a target follow as smaller cards;
* a trend chart per indicator with the target line and the expected pace (level targets:
  base × (1 + r_required)^t from the baseline to the deadline; cumulative targets: a straight
  line from 0 at the window's start to the target at the deadline);
* the five industrial chains against 100 亿元 and the township scorecard, as bars;
* freshness per source and the latest rejections with their reasons;
* where every figure came from: the card's and the chart point's hover text (title) and the
  numbered footnotes at the end (file, sheet, cell).

Machine-readable hooks (the browser test reads them): every card carries `data-indicator`,
`data-period`, `data-actual` (the exact value, empty when none), `data-target`, `data-status`.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from etl.base.settings import Home
from etl.reference.catalog import plan
from etl.reference.disclosure import disclosure_params

# status → (label, colour, light background); the order is the order of the groups on the page
STATUS = {
    "missed": ("未完成", "#82071e", "#ffebe9"),
    "off_track": ("滞后", "#cf222e", "#ffebe9"),
    "at_risk": ("有风险", "#bf8700", "#fff8c5"),
    "on_track": ("进度正常", "#2da44e", "#dafbe1"),
    "achieved": ("已完成", "#1a7f37", "#dafbe1"),
    "no_target": ("目标待定", "#6e7781", "#f6f8fa"),
    "no_data": ("暂无数据", "#8c959f", "#f6f8fa"),
}
JUDGED = ("missed", "off_track", "at_risk", "on_track", "achieved")
LOAD_STATUS_ZH = {"loaded": "已入库", "partial": "部分入库", "rejected": "拒收", "duplicate": "重复报送"}
# what a leader reads on the page: the words on the cards, then each status (the judging rules of README)
TERMS = {
    "进度": "实际值占目标值的百分比（位次目标为目标位次÷实际位次）。",
    "应达": "按期完成目标，此时应当达到的进度：规模类目标按完成所需的年均增速推算，"
    "累计类目标按已过时间占目标期的比例。进度条上的黑色竖线即应达位置。",
    "到期预计": "按目前的速度（年均增速或累计速度）推算，到目标期限时预计达到的数值。",
}
STATUS_MEANING = {
    "achieved": "实际值已达到或超过目标（位次目标为已进入目标位次）。",
    "on_track": "目前速度不低于应达速度的 95%，照此可按期完成。",
    "at_risk": "目前速度为应达速度的 50%–95%，需加快才能按期完成。",
    "off_track": "目前速度不到应达速度的 50%，照此难以按期完成。",
    "missed": "目标期限已过，未达到目标。",
    "no_target": "目标尚未确定或不公开，只监测数值。",
    "no_data": "尚未收到该指标的数据。",
}
SOURCE_ZH = {
    "enterprises": "规上工业企业（工信局/统计局）",
    "hightech": "高新技术企业（科技局）",
    "land_use": "土地整治（自然资源局）",
    "indicators": "主要经济指标（统计局）",
    "targets": "工作报告目标",
}

CSS = """
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;margin:0;
 color:#1f2328;background:#eef1f5}
header{background:linear-gradient(90deg,#0b3d91,#1f6feb);color:#fff;padding:22px 32px 18px}
header h1{font-size:28px;margin:0 0 6px;letter-spacing:1px} header .sub{color:#dbe7ff;font-size:13px}
main{padding:8px 32px 40px;max-width:1400px}
h2{font-size:19px;margin:30px 0 12px;padding-left:10px;border-left:5px solid #1f6feb}
h3.group{font-size:15px;margin:18px 0 8px;display:flex;align-items:center;gap:8px}
.strip{display:flex;gap:12px;margin:18px 0 4px;flex-wrap:wrap}
.pill{background:#fff;border-radius:10px;padding:10px 18px;min-width:130px;box-shadow:0 1px 2px rgba(0,0,0,.08);
 border-top:5px solid}
.pill .n{font-size:30px;font-weight:800;line-height:1.1} .pill .l{font-size:13px;color:#57606a}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(300px,100%),1fr));gap:14px}
.board{display:grid;grid-template-columns:repeat(var(--cols),minmax(0,1fr));gap:14px;align-items:start}
.col{background:#e4e8ee;border-radius:12px;padding:10px;border-top:6px solid}
.col .cards{grid-template-columns:1fr;gap:10px} .col h3.group{margin:2px 0 10px}
.card{background:#fff;border-radius:10px;padding:14px 16px 12px;box-shadow:0 1px 3px rgba(0,0,0,.1);
 border-left:7px solid;position:relative}
.card h4{font-size:15px;margin:0 28px 6px 0;font-weight:600}
.card .big{font-size:34px;font-weight:800;letter-spacing:-.5px;line-height:1.15}
.card .unit{font-size:14px;color:#57606a;margin-left:4px}
.card .tgt{font-size:13px;color:#57606a;margin:2px 0 6px}
.card .fn{position:absolute;right:10px;top:10px;font-size:11px;color:#8c959f}
.bar{height:12px;background:#eaeef2;border-radius:6px;position:relative;margin:8px 0 6px;overflow:visible}
.bar i{position:absolute;left:0;top:0;bottom:0;border-radius:6px}
.bar b{position:absolute;top:-4px;bottom:-4px;width:3px;background:#1f2328;border-radius:1px}
.meta{font-size:12px;color:#57606a;display:flex;justify-content:space-between;gap:6px;flex-wrap:wrap}
.tag{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;font-size:12px;font-weight:600}
.cards.small{grid-template-columns:repeat(auto-fill,minmax(min(210px,100%),1fr));gap:10px}
.cards.small .card{padding:10px 12px;border-left-width:5px} .cards.small .big{font-size:22px}
.cards.small h4{font-size:13px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(420px,100%),1fr));gap:14px}
.chart{min-width:0;background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.1);padding:8px 10px}
.legend{font-size:12px;color:#57606a;margin:-4px 0 10px}
.legend span{display:inline-block;margin-right:16px}
.legend i{display:inline-block;width:22px;height:0;border-top:2px solid;vertical-align:middle;margin-right:4px}
.panel{background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.1);padding:14px 16px}
.two{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:14px}
.hbar{display:grid;grid-template-columns:120px minmax(0,1fr) 92px;align-items:center;gap:8px;margin:6px 0;font-size:13px}
.hbar .track{height:18px;background:#eaeef2;border-radius:4px;position:relative}
.hbar .track i{position:absolute;left:0;top:0;bottom:0;border-radius:4px}
.hbar .track b{position:absolute;top:-4px;bottom:-4px;width:2px;background:#cf222e}
.hbar .v{text-align:right;font-variant-numeric:tabular-nums}
table{border-collapse:collapse;width:100%;font-size:13px;background:#fff}
td,th{border-bottom:1px solid #d8dee4;padding:6px 8px;text-align:right;font-variant-numeric:tabular-nums}
th{background:#f6f8fa;font-weight:600} td.l,th.l{text-align:left} #rejections td{overflow-wrap:anywhere}
.nw{white-space:nowrap} .muted{color:#8c959f} .warn{color:#cf222e;font-weight:600} .ok{color:#1a7f37}
.notes{font-size:12px;color:#57606a;columns:2;column-gap:28px} .notes li{margin:2px 0;break-inside:avoid}
footer{font-size:12px;color:#57606a;margin-top:26px}
.guide{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(260px,100%),1fr));gap:4px 18px;font-size:13px;
 margin:0;color:#1f2328} .guide div{display:flex;gap:8px;align-items:baseline;padding:3px 0}
.guide dt{flex:0 0 auto;font-weight:600;min-width:64px} .guide dd{margin:0;color:#57606a}
.guide dt .tag{font-weight:600}
@media (max-width:720px){
 header{padding:14px 14px 12px} header h1{font-size:21px;letter-spacing:0}
 main{padding:4px 10px 28px} h2{font-size:17px;margin:22px 0 10px}
 .board,.two{grid-template-columns:minmax(0,1fr)}
 .strip{gap:8px} .pill{min-width:0;flex:1 1 26%;padding:8px 10px} .pill .n{font-size:24px}
 .card .big{font-size:28px} .cards.small .big{font-size:20px}
 .hbar{grid-template-columns:64px minmax(0,1fr) 78px;font-size:12px;gap:6px}
 .notes{columns:1} table{font-size:12px} td,th{padding:5px 3px}
 .panel{padding:10px 8px}
 #rejections table,#rejections tbody,#rejections tr,#rejections td{display:block}
 #rejections tr:first-child{display:none} #rejections tr{border-bottom:1px solid #d8dee4;padding:6px 0}
 #rejections td{border:0;padding:2px 4px}
 #rejections td::before{content:attr(data-label) "：";color:#57606a;font-weight:600}
}
@page{size:A4;margin:12mm}
@media print{
 body{background:#fff;-webkit-print-color-adjust:exact;print-color-adjust:exact}
 header{padding:10px 14px} main{padding:0 4px;max-width:none}
 .card,.chart,.pill,.hbar,tr,.guide div{break-inside:avoid} h2{break-after:avoid}
 .board{grid-template-columns:repeat(2,minmax(0,1fr))} .two{grid-template-columns:minmax(0,1fr)}
}
"""


def _isnull(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (not isinstance(v, str) and pd.isna(v))


WITHHELD = "—（保密）"  # a cell a disclosure rule withholds (published.int_disclosure_cells)


def disclosure_note() -> str:
    """The footnote under every withheld cell: the rules and their parameters (plan.yaml `disclosure`)."""
    p = disclosure_params(plan())
    return (
        f"{WITHHELD}：依统计法不予公布，以免推算出单个企业的数据：由少于{p['min_enterprises']}家企业构成，"
        f"或最大{p['dominance_n']}家企业合计超过{p['dominance_k_pct']:g}%（支配性规则），"
        "或为防止由合计减去其他已公布数推算出被隐去的数而一并隐去（二次隐藏）。"
    )


def _f(v, d=1) -> str:
    return "—" if _isnull(v) else f"{v:,.{d}f}"


def _num(v, unit: str = "") -> str:
    """A figure as a leader reads it: whole numbers without decimals, 亿元 with two."""
    if _isnull(v):
        return "—"
    v = float(v)
    if abs(v) >= 1000 or (v == round(v) and unit not in {"亿元", "%", "百分点"}):
        return f"{v:,.0f}"
    return f"{v:,.2f}"


def _e(s) -> str:
    return html.escape("" if _isnull(s) else str(s))


def _date(v) -> str:
    return "—" if _isnull(v) else str(v)[:10]


def _status(s: str) -> tuple[str, str, str]:
    return STATUS.get(s, STATUS["no_data"])


# ---------------------------------------------------------------- cards


def _card(r: dict, src: str, fn: int | None, small: bool = False) -> str:
    label, colour, _ = _status(r["status"])
    suppressed = bool(r.get("is_suppressed")) and _isnull(r["actual"])
    has_target = not _isnull(r["target"])
    target = f"目标 {_num(r['target'], r['unit'])} {_e(r['unit'])}" if has_target else "目标待定"
    if has_target and not _isnull(r["target_period_end"]):
        target += f"（{str(r['target_period_end'])[:4]}年）"
    if r.get("method") == "rank" and has_target:
        target += " · 位次越小越好"
    pct = None if _isnull(r["progress_pct"]) else max(0.0, min(100.0, float(r["progress_pct"])))
    exp = None if _isnull(r["expected_pct"]) else max(0.0, min(100.0, float(r["expected_pct"])))
    bar = ""
    if pct is not None:
        bar = (
            f'<div class="bar" title="进度 {_f(r["progress_pct"])}%，应达 {_f(r["expected_pct"])}%">'
            f'<i style="width:{pct:.1f}%;background:{colour}"></i>'
            + (f'<b style="left:calc({exp:.1f}% - 1px)"></b>' if exp is not None else "")
            + "</div>"
        )
    big = WITHHELD if suppressed else _num(r["actual"], r["unit"])
    details = []
    if pct is not None:
        details.append(
            f"进度 {_f(r['progress_pct'])}%"
            + (f" · 应达 {_f(r['expected_pct'])}%" if exp is not None else "")
        )
    if not _isnull(r["projected_at_deadline"]) and has_target:
        details.append(f"到期预计 {_num(r['projected_at_deadline'], r['unit'])}")
    actual_attr = "" if _isnull(r["actual"]) else repr(float(r["actual"]))
    target_attr = "" if not has_target else repr(float(r["target"]))
    title = f"来源 / source: {src}" if src else "来源：派生指标"
    return (
        f'<div class="card" style="border-left-color:{colour}" data-indicator="{_e(r["indicator_id"])}" '
        f'data-period="{_e(r["period"])}" data-actual="{actual_attr}" data-target="{target_attr}" '
        f'data-status="{_e(r["status"])}" title="{_e(title)}">'
        + (f'<span class="fn">[{fn}]</span>' if fn else "")
        + f"<h4>{_e(r['name_zh'])}</h4>"
        f'<div><span class="big" style="color:{colour if r["status"] in JUDGED else "#1f2328"}">{big}</span>'
        f'<span class="unit">{_e(r["unit"])}</span></div>'
        + (f'<div class="tgt">{target}</div>' if not small else "")
        + bar
        + (f'<div class="meta"><span>{" · ".join(details)}</span></div>' if details and not small else "")
        + f'<div class="meta"><span class="tag" style="background:{colour}">{label}</span>'
        f"<span>{_e(r['period'] or '—')} · 更新 {_date(r['as_of'])}</span></div></div>"
    )


# ---------------------------------------------------------------- charts


def _x(d) -> float:
    """A date as a fractional year (the x axis of the trend charts)."""
    d = pd.Timestamp(d)
    return d.year + (d.day_of_year - 1) / (366 if d.is_leap_year else 365)


def pace_line(r: dict, series: pd.DataFrame, ind: dict, baseline: str) -> list[tuple[float, float]]:
    """Where the value should be, from the baseline to the deadline (empty when there is no such path)."""
    if _isnull(r["target"]) or _isnull(r["target_period_end"]):
        return []
    target, deadline = float(r["target"]), pd.Timestamp(r["target_period_end"])
    if r["method"] == "cumulative" and not _isnull(ind.get("window_start")):
        start = pd.Timestamp(ind["window_start"]) - pd.Timedelta(days=1)
        return [(_x(start), 0.0), (_x(deadline), target)]
    if r["method"] == "level":
        years = series[series["period"].str.len() == 4]
        base = years[years["period"] == baseline]
        if base.empty:
            base = years.head(1)
        if base.empty or float(base["value"].iloc[0]) <= 0:
            return []
        b, y0 = float(base["value"].iloc[0]), pd.Timestamp(base["period_end"].iloc[0]).year
        n = deadline.year - y0
        if n <= 0 or target <= 0:
            return []
        rate = (target / b) ** (1 / n) - 1
        return [(_x(dt.date(y0 + t, 12, 31)), b * (1 + rate) ** t) for t in range(n + 1)]
    return []


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    raw = (hi - lo) / max(1, n - 1)
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    out, v = [], start
    while v < hi + step * 0.999:
        out.append(round(v, 10))
        v += step
    return out


def _decimals(ticks: list[float]) -> int:
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    return 0 if step >= 1 else min(3, -math.floor(math.log10(step)))


_W, _H, _L_PAD, _R_PAD, _T_PAD, _B_PAD = 420, 210, 52, 14, 34, 28  # a chart's viewBox and margins


@dataclass(frozen=True)
class _Frame:
    """A chart's axes: the years x0 + 1 … x1 across, lo … hi up, with `ticks` on the value axis."""

    x0: int
    x1: int
    lo: float
    hi: float
    ticks: list[float]

    def sx(self, x: float) -> float:
        """A fractional year → the SVG x coordinate."""
        return _L_PAD + (_W - _L_PAD - _R_PAD) * (x - (self.x0 + 1)) / max(1e-9, self.x1 - self.x0)

    def sy(self, v: float) -> float:
        """A value → the SVG y coordinate."""
        return _H - _B_PAD - (_H - _T_PAD - _B_PAD) * (v - self.lo) / (self.hi - self.lo)

    def path(self, points: list[tuple[float, float]]) -> str:
        """SVG path data through (year, value) points: `M x,y L x,y …`."""
        return " ".join(
            f"{'M' if i == 0 else 'L'}{self.sx(x):.1f},{self.sy(y):.1f}" for i, (x, y) in enumerate(points)
        )


def _chart_frame(
    r: dict, xs: list[float], known: list[float], pace: list[tuple[float, float]], target: float | None
) -> _Frame:
    """Axes wide and tall enough for the values, the pace and the target (and from 0 when that is near)."""
    xall = (
        xs
        + [p[0] for p in pace]
        + ([_x(r["target_period_end"])] if target is not None and not _isnull(r["target_period_end"]) else [])
    )
    yall = known + [p[1] for p in pace] + ([target] if target is not None else [])
    # years end at their tick: a yearly figure sits on its year, 2025Q2 half-way to it
    x0, x1 = math.floor(min(xall)) - 1, math.ceil(max(xall) - 1e-6) - 1
    lo, hi = min(yall), max(yall)
    if lo >= 0 and lo < 0.35 * hi:
        lo = 0.0
    if hi == lo:
        hi, lo = hi + 1, lo - 1
    ticks = _nice_ticks(lo, hi)
    return _Frame(x0, x1, min(lo, ticks[0]), max(hi, ticks[-1]), ticks)


def _chart_grid(f: _Frame) -> list[str]:
    """The value grid lines with their labels, then the year labels with their lines (every second
    year when there are more than seven)."""
    grid = []
    for v in f.ticks:
        grid.append(
            f'<line x1="{_L_PAD}" x2="{_W - _R_PAD}" y1="{f.sy(v):.1f}" y2="{f.sy(v):.1f}" stroke="#eaeef2"/>'
            f'<text x="{_L_PAD - 6}" y="{f.sy(v) + 4:.1f}" font-size="10" fill="#57606a" text-anchor="end">'
            f"{v:,.{_decimals(f.ticks)}f}</text>"
        )
    step = 1 if f.x1 - f.x0 <= 7 else 2
    for yr in range(f.x1, f.x0 - 1, -step):
        grid.append(
            f'<text x="{f.sx(yr + 1):.1f}" y="{_H - 10}" font-size="10" fill="#57606a" text-anchor="middle">{yr}</text>'
            f'<line x1="{f.sx(yr + 1):.1f}" x2="{f.sx(yr + 1):.1f}" y1="{_T_PAD}" y2="{_H - _B_PAD}" stroke="#f3f4f6"/>'
        )
    return grid


def _chart_target(f: _Frame, target: float, unit: str) -> str:
    """The target as a dashed red line across, labelled above it (below it when it runs along the top)."""
    return (
        f'<line x1="{_L_PAD}" x2="{_W - _R_PAD}" y1="{f.sy(target):.1f}" y2="{f.sy(target):.1f}" stroke="#cf222e" '
        f'stroke-width="1.5" stroke-dasharray="6 4"><title>目标 {_num(target)} {_e(unit)}</title></line>'
        f'<text x="{_L_PAD + 4}" y="{f.sy(target) + (14 if f.sy(target) < _T_PAD + 12 else -5):.1f}" font-size="11" '
        f'fill="#cf222e">目标 {_num(target)}</text>'
    )


def _chart_values(
    f: _Frame, r: dict, pts: pd.DataFrame, xs: list[float], ys: list[float | None]
) -> list[str]:
    """The values: one line per run of known points (a missing value breaks it), then a dot per
    point whose hover text says where it came from."""
    parts, segs, cur = [], [], []
    for x, y in zip(xs, ys, strict=True):
        if y is None:
            if cur:
                segs.append(cur)
            cur = []
        else:
            cur.append((x, y))
    if cur:
        segs.append(cur)
    for seg in segs:
        parts.append(
            f'<path class="actual" d="{f.path(seg)}" fill="none" stroke="#0969da" stroke-width="2.5"/>'
        )
    for x, y, p, src in zip(xs, ys, pts["period"], _point_sources(pts), strict=True):
        if y is None:
            continue
        parts.append(
            f'<circle cx="{f.sx(x):.1f}" cy="{f.sy(y):.1f}" r="3.5" fill="#0969da" stroke="#fff" stroke-width="1">'
            f"<title>{_e(p)}: {_num(y, r['unit'])} {_e(r['unit'])} — {_e(src)}</title></circle>"
        )
    return parts


def _point_sources(pts: pd.DataFrame) -> list[str]:
    """Each point's recipe (the short form of `statwh explain`), else its file and cell."""
    recipes = pts["recipe"] if "recipe" in pts else [None] * len(pts)
    return [
        str(rc) if not _isnull(rc) else f"来源 {file} {cell}"
        for rc, file, cell in zip(recipes, pts["source_file"], pts["source_cell"], strict=True)
    ]


def _chart(r: dict, pts: pd.DataFrame, pace: list[tuple[float, float]]) -> str:
    """An SVG line chart on a time axis: the values, the target line, the expected pace."""
    if pts.empty:
        return ""
    label, colour, _ = _status(r["status"])
    target = None if _isnull(r["target"]) else float(r["target"])
    xs = [_x(d) for d in pts["period_end"]]
    ys = [None if _isnull(v) else float(v) for v in pts["value"]]
    known = [y for y in ys if y is not None]
    if not known:
        return ""
    f = _chart_frame(r, xs, known, pace, target)
    parts = _chart_grid(f)
    if target is not None:
        parts.append(_chart_target(f, target, r["unit"]))
    if pace:
        parts.append(
            f'<path class="pace" d="{f.path(pace)}" fill="none" stroke="#8250df" stroke-width="1.5" '
            f'stroke-dasharray="2 3"><title>应达进度（按期完成所需的路径）</title></path>'
        )
    parts += _chart_values(f, r, pts, xs, ys)
    return (
        f'<div class="chart" data-chart="{_e(r["indicator_id"])}"><svg viewBox="0 0 {_W} {_H}" width="100%" role="img" '
        f'aria-label="{_e(r["name_zh"])}"><text x="4" y="16" font-size="13" font-weight="600">{_e(r["name_zh"])}'
        f'<tspan fill="#57606a" font-weight="400">（{_e(r["unit"])}）</tspan></text>'
        f'<rect x="{_W - 64}" y="5" width="60" height="18" rx="9" fill="{colour}"/>'
        f'<text x="{_W - 34}" y="18" font-size="11" fill="#fff" text-anchor="middle">{label}</text>'
        + "".join(parts)
        + "</svg></div>"
    )


# ---------------------------------------------------------------- bars and tables


def _hbar(
    label: str, value, scale: float, colour: str, text: str, title: str = "", mark: float | None = None
) -> str:
    width = 0.0 if _isnull(value) or scale <= 0 else max(0.0, min(100.0, 100.0 * float(value) / scale))
    return (
        f'<div class="hbar" title="{_e(title)}"><span>{_e(label)}</span><span class="track">'
        f'<i style="width:{width:.1f}%;background:{colour}"></i>'
        + (f'<b style="left:{100.0 * mark / scale:.1f}%"></b>' if mark is not None and scale > 0 else "")
        + f'</span><span class="v">{text}</span></div>'
    )


def _table(df: pd.DataFrame, cols: dict[str, str], digits: dict[str, int] | None = None) -> str:
    digits = digits or {}
    head = "".join(f'<th class="{"l" if c not in digits else ""}">{_e(v)}</th>' for c, v in cols.items())
    body = []
    for r in df.to_dict("records"):
        cells = []
        for c in cols:
            v = r.get(c)
            txt = (
                _f(v, digits[c])
                if c in digits and not isinstance(v, str)  # a string: a figure withheld (WITHHELD)
                else _e(str(v)[:19] if isinstance(v, pd.Timestamp | dt.datetime) else v)
            )
            cells.append(f'<td class="{"l" if c not in digits else ""}">{txt}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


# ---------------------------------------------------------------- the page

LATEST_SQL = """
select * from marts.indicator_progress
qualify row_number() over (partition by indicator_id order by period_end desc nulls last, period desc) = 1
order by indicator_id
"""


def load(snapshot: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        out = {
            "latest": con.execute(LATEST_SQL).df(),
            "values": with_recipes(
                con,
                con.execute(
                    "select * from marts.indicator_values where is_latest and region_code = "
                    "(select region_code from marts.indicator_values group by 1 order by count(*) desc limit 1)"
                ).df(),
            ),
            "dim": con.execute("select * from marts.dim_indicator").df(),
            "town": con.execute(
                "select * from marts.township_scorecard where period = (select max(period) from marts.township_scorecard)"
            ).df(),
            "chains": con.execute(
                "select * from marts.chain_output where period = (select max(period) from marts.chain_output)"
            ).df(),
            "fresh": con.execute("select * from marts.source_freshness order by source").df(),
            "rej": con.execute(
                "select r.*, l.source, l.loaded_at from meta.rejections r join meta.loads l using (load_id)"
                " order by l.loaded_at desc, r.row_number limit 20"
            ).df(),
        }
    finally:
        con.close()
    return out


RECIPE_KEY = ["indicator_id", "region_code", "period", "basis"]


def with_recipes(con: duckdb.DuckDBPyConnection, values: pd.DataFrame) -> pd.DataFrame:
    """`values` with each value's recipe (marts.value_recipes, the short form of `statwh explain`);
    null where the snapshot has none (withheld, or published before recipes)."""
    has = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'marts' and table_name = 'value_recipes'"
    ).fetchall()[0][0]
    if not has:
        return values.assign(recipe=None)
    recipes = con.execute(f"select {', '.join(RECIPE_KEY)}, recipe from marts.value_recipes").df()
    return values.merge(recipes, on=RECIPE_KEY, how="left")


class _Citations:
    """Where the cards' figures came from: each card's hover text (the value's recipe: operation,
    file, sheet, cells, unit conversion), and the numbered footnotes in the order the cards cite them."""

    def __init__(self, values: pd.DataFrame):
        self.cells = {
            (r.indicator_id, r.period, r.basis): (r.source_file, r.source_sheet, r.source_cell, r.recipe)
            for r in values.itertuples()
        }
        self.notes: list[str] = []

    def cite(self, r: dict) -> tuple[str, int | None]:
        """The card's recipe (else file · cell) and its new footnote's number; ("", None) when unknown."""
        s = self.cells.get((r["indicator_id"], r["period"], r["basis"]))
        if not s or (_isnull(s[0]) and _isnull(s[3])):
            return "", None
        if not _isnull(s[3]):
            self.notes.append(f"{_e(r['name_zh'])}（{_e(r['period'])}）：{_e(s[3])}")
            return str(s[3]), len(self.notes)
        self.notes.append(
            f"{_e(r['name_zh'])}（{_e(r['period'])}）：{_e(s[0])} · 工作表 {_e(s[1])} · {_e(s[2])}"
        )
        return f"{s[0]} · {s[2]}", len(self.notes)


def _in_page_order(latest: pd.DataFrame) -> list[dict]:
    """Each indicator's latest row, in the order of the page: by status group, most progress first."""
    order = {s: i for i, s in enumerate(STATUS)}
    return sorted(
        latest.to_dict("records"),
        key=lambda r: (
            order.get(r["status"], 99),
            -(r["progress_pct"] if not _isnull(r["progress_pct"]) else 0),
        ),
    )


def _data_period(latest: pd.DataFrame) -> str:
    """数据期: the latest reference period the figures describe (by period end), not when they loaded."""
    rows = latest.dropna(subset=["period_end"])
    if rows.empty:
        return "—"
    rows = rows.assign(_year=rows["period"].astype(str).str.len() == 4)  # of the same end, the year
    return str(rows.sort_values(["period_end", "_year"]).iloc[-1]["period"])


def _page_header(as_of, now: dt.datetime, counts: dict[str, int], data_period: str = "—") -> str:
    """The document head and the title bar: the period the data describe (数据期) and when it was
    loaded (更新时间), page generated at, how many targets are judged."""
    judged = sum(counts[s] for s in JUDGED)
    return "\n".join(
        [
            '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>淮安区工作报告目标进度</title><style>{CSS}</style></head><body>",
            f'<header><h1>淮安区工作报告目标进度</h1><div class="sub">数据期 {_e(data_period)} · 更新时间 {_e(str(as_of)[:16])} · 页面生成 '
            f"{now:%Y-%m-%d %H:%M} · 有明确目标 {judged} 项，目标待定 {counts['no_target']} 项 · "
            "悬停数字可见出处（文件、工作表、单元格）</div></header><main>",
        ]
    )


def _guide() -> str:
    """How to read the page, in Chinese: 进度, 应达, 到期预计, then what each status means."""
    terms = "".join(f"<div><dt>{_e(t)}</dt><dd>{_e(m)}</dd></div>" for t, m in TERMS.items())
    statuses = "".join(
        f'<div data-status-meaning="{s}"><dt><span class="tag" style="background:{_status(s)[1]}">'
        f"{_status(s)[0]}</span></dt><dd>{_e(m)}</dd></div>"
        for s, m in STATUS_MEANING.items()
    )
    return f'<h2>读图说明</h2><div class="panel" id="guide"><dl class="guide">{terms}{statuses}</dl></div>'


def _status_strip(counts: dict[str, int]) -> str:
    """One pill per status with its count: every judged status, the others only when they occur."""
    strip = "".join(
        f'<div class="pill" style="border-top-color:{_status(s)[1]}" data-count="{s}"><div class="n" '
        f'style="color:{_status(s)[1]}">{counts[s]}</div><div class="l">{_status(s)[0]}</div></div>'
        for s in STATUS
        if counts[s] or s in JUDGED
    )
    return f'<div class="strip" id="strip">{strip}</div>'


def _target_cards(rows: list[dict], citations: _Citations) -> str:
    """The cards: a column per judged status that occurs, then the indicators without a target as
    small cards (citing each card's source, in this order)."""
    groups = []
    for s in JUDGED:
        g = [r for r in rows if r["status"] == s]
        if not g:
            continue
        label, colour, _ = _status(s)
        cards = "".join(_card(r, *citations.cite(r)) for r in g)
        groups.append(
            f'<section class="col" style="border-top-color:{colour}" data-group="{s}">'
            f'<h3 class="group"><span class="tag" style="background:{colour}">{label}</span>'
            f'<span class="muted">{len(g)} 项</span></h3><div class="cards">{cards}</div></section>'
        )
    others = [r for r in rows if r["status"] not in JUDGED]
    other_cards = "".join(_card(r, *citations.cite(r), small=True) for r in others)
    return "\n".join(
        [
            f'<h2>目标完成情况</h2><div id="cards"><div class="board" style="--cols:{max(1, len(groups))}">{"".join(groups)}</div>',
            f'<h3 class="group"><span class="tag" style="background:{_status("no_target")[1]}">目标待定 · 监测指标</span>'
            f'<span class="muted">{len(others)} 项</span></h3><div class="cards small">{other_cards}</div></div>',
        ]
    )


def _trend_charts(rows: list[dict], values: pd.DataFrame, dim: pd.DataFrame, baseline: str) -> str:
    """The legend, then a chart per indicator: its yearly values when there are two or more, else
    its values on its own basis, with the expected pace."""
    ind = {r["indicator_id"]: r for r in dim.to_dict("records")}
    charts = []
    for r in rows:
        v = values[values["indicator_id"] == r["indicator_id"]].sort_values("period_end")
        yearly = v[(v["period"].str.len() == 4)]
        pts = yearly if len(yearly) >= 2 else v[v["basis"] == (r["basis"] or "stock")]
        charts.append(_chart(r, pts, pace_line(r, v, ind.get(r["indicator_id"], {}), baseline)))
    return "\n".join(
        [
            '<h2>趋势</h2><div class="legend"><span><i style="border-color:#0969da;border-top-width:3px"></i>实际</span>'
            '<span><i style="border-color:#cf222e;border-top-style:dashed"></i>目标</span>'
            '<span><i style="border-color:#8250df;border-top-style:dotted"></i>应达进度（水平目标按所需年均增速；'
            "累计目标从期初0匀速到期末）</span></div>",
            f'<div class="charts">{"".join(charts)}</div>',
        ]
    )


def _chain_bars(chains: pd.DataFrame, chain_status: dict[str, str]) -> str:
    """The five chains against their target (100 亿元) as bars, largest first, coloured by their status."""
    chain_rows = chains[chains["indicator_id"].notna()].sort_values(
        "output_ytd", ascending=False, na_position="last"
    )
    scale = max([100.0] + [float(x) for x in chain_rows["output_ytd"].dropna()]) * 1.05
    chain_bars = "".join(
        _hbar(
            c["chain"],
            c["output_ytd"],
            scale,
            _status(chain_status.get(c["indicator_id"], "no_target"))[1],
            WITHHELD if c.get("is_suppressed") else _f(c["output_ytd"], 2) + " 亿元",
            title=f"{c['chain']} {c['period']} 本年累计 {_f(c['output_ytd'], 2)} 亿元，{c['n_enterprises']} 家规上企业；"
            f"目标 {_f(c['target'], 0)} 亿元 · {_status(chain_status.get(c['indicator_id'], 'no_target'))[0]}",
            mark=None if _isnull(c["target"]) else float(c["target"]),
        )
        for c in chain_rows.to_dict("records")
    )
    chain_period = chains["period"].max() if len(chains) else "—"
    return (
        f'<div><h2>五大产业链（对标100亿元，{_e(chain_period)} 本年累计）</h2><div class="panel" id="chains">{chain_bars}'
        '<div class="legend" style="margin-top:8px"><span><i style="border-color:#cf222e"></i>目标 100 亿元</span>'
        "颜色为该产业链的进度状态</div></div></div>"
    )


def _township_bars(town: pd.DataFrame) -> str:
    """Each township's industrial output as a bar, in the order of `town` (largest first)."""
    tmax = max([1e-9] + [float(x) for x in town["output_ytd"].dropna()]) * 1.05
    town_bars = "".join(
        _hbar(
            t["township_name"],
            t["output_ytd"],
            tmax,
            "#1f6feb",
            WITHHELD if t.get("is_suppressed") else _f(t["output_ytd"], 2),
            title=f"{t['township_name']}：{t['n_enterprises']} 家企业，其中规上 {_f(t['above_scale_enterprises'], 0)}",
        )
        for t in town.to_dict("records")
    )
    return (
        f"<div><h2>镇街规上工业总产值（{_e(town['period'].max() if len(town) else '—')}，亿元）</h2>"
        f'<div class="panel" id="townships">{town_bars}</div></div>'
    )


def _township_scorecard(town: pd.DataFrame) -> str:
    """The township scorecard: enterprises, output, 高企 and land per township, by township code."""
    town = town.sort_values("township_code").astype({"output_ytd": object, "above_scale_enterprises": object})
    if "is_suppressed" in town:
        withheld = town["is_suppressed"].fillna(False).astype(bool)
        town.loc[withheld, ["output_ytd", "above_scale_enterprises"]] = WITHHELD
    town_table = _table(
        town,
        {
            "township_name": "镇（街道）",
            "n_enterprises": "企业数",
            "above_scale_enterprises": "规上",
            "output_ytd": "规上产值（亿元）",
            "hightech_enterprises": "高企",
            "land_linkage_mu": "挂钩（亩）",
            "land_balance_mu": "占补（亩）",
        },
        {
            "n_enterprises": 0,
            "above_scale_enterprises": 0,
            "output_ytd": 2,
            "hightech_enterprises": 0,
            "land_linkage_mu": 1,
            "land_balance_mu": 1,
        },
    )
    note = (
        f'<p class="muted" id="disclosure-note">{_e(disclosure_note())}</p>' if WITHHELD in town_table else ""
    )
    return f'<h2>镇街记分卡</h2><div class="panel">{town_table}{note}</div>'


def _freshness(fresh: pd.DataFrame, now: dt.datetime) -> str:
    """A row per source: latest period, last received and how long ago, files loaded and rejected,
    the last status (in red when rejected or older than 45 days)."""
    fresh_rows = []
    for f in fresh.to_dict("records"):
        age = (
            None
            if _isnull(f["last_received_at"])
            else (now - pd.Timestamp(f["last_received_at"]).to_pydatetime()).days
        )
        cls = "warn" if f["last_status"] == "rejected" or (age is not None and age > 45) else "ok"
        stale = bool(f.get("is_stale")) and not _isnull(f.get("is_stale"))
        lag = (
            f' <span class="warn" data-stale="1" title="最新时期早于该数据源的正常滞后期 / older than the'
            f" source's usual lag ({_e(f.get('max_lag_months'))} 个月)\">数据滞后</span>"
            if stale
            else ""
        )
        fresh_rows.append(
            f'<tr data-source="{_e(f["source"])}"><td class="l">{_e(SOURCE_ZH.get(f["source"], f["source"]))}</td>'
            f"<td>{_e(f['latest_period'])}{lag}</td><td>{_e(str(f['last_received_at'])[:16])}</td>"
            f"<td>{'—' if age is None else f'<span class=nw>{age} 天前</span>'}</td><td>{_f(f['files_loaded'], 0)}</td>"
            f'<td>{_f(f["files_rejected"], 0)}</td><td class="l {cls}">{_e(LOAD_STATUS_ZH.get(f["last_status"], f["last_status"]))}</td></tr>'
        )
    table = (
        '<table><tr><th class="l">数据源</th><th>最新时期</th><th>最近收到</th><th>距今</th><th>已入库文件</th>'
        '<th>拒收文件</th><th class="l">最近状态</th></tr>' + "".join(fresh_rows) + "</table>"
    )
    return f'<h2>数据新鲜度</h2><div class="panel" id="freshness">{table}</div>'


# what the department should do, by rule (the message says what is wrong; this says how to fix it)
FIX_ZH = {
    "no_header": "请使用规定的表格样式：保留表头和必填的列，列名不要改动。",
    "unreadable": "文件打不开：请用 Excel 或 WPS 另存为 .xlsx 后重新报送。",
    "no_data_rows": "表中没有数据行：请检查是否发错了文件或工作表。",
    "period_not_found": "请在标题、文件名或表中写明数据所属时期（如“2025年1-6月”）。",
    "unit_mismatch": "请在表头或“单位：”行写明计量单位（如“万元”“亩”）。",
    "duplicate_column": "同一列名出现了两次：请删除或改名重复的列。",
    "parse_number": "数字单元格中请只填数字，不要填文字或符号。",
    "unknown_region": "请使用规范的镇（街道）名称。",
    "unknown_indicator": "请使用规范的指标名称。",
    "validation_error": "系统校验时出错，文件未入库：请联系数据管理员。",
}
FIX_BY_SEVERITY = {
    "critical": "整份文件未入库：请修改后重新报送整份文件。",
    "row": "该行未入库，其余各行已入库：请更正后重新报送同一时期的文件。",
}
DEPARTMENT_ZH = {
    "enterprises": "工信局/统计局",
    "hightech": "科技局",
    "land_use": "自然资源局",
    "indicators": "统计局",
    "targets": "发改委/督查室",
}
REJECTION_HEADS = ("报送单位", "文件", "位置", "问题", "怎么改")
_DEVELOPER = re.compile(r"[A-Za-z]+_[A-Za-z_]+|\[|\]|matched|missing required")


def _chinese(text) -> str:
    """The Chinese half of a `中文 / English` message, without what only a developer reads."""
    zh = "" if _isnull(text) else str(text).split(" / ")[0].strip()
    return "" if _DEVELOPER.search(zh) else zh


def _place(r: dict) -> str:
    """工作表“Sheet1”第 24 行“统一社会信用代码 (B)”列 — as much as is known, in Chinese."""
    parts = []
    if not _isnull(r.get("sheet")):
        parts.append(f"工作表“{r['sheet']}”")
    if not _isnull(r.get("row_number")):
        parts.append(f"第 {int(r['row_number'])} 行")
    column = _chinese(r.get("column_name"))
    if column:
        parts.append(f"“{column}”列")
    return "".join(parts) or "整份文件"


def _rejection_row(r: dict) -> str:
    problem = _chinese(r["message"]) or "文件不符合报送要求。"
    fix = FIX_ZH.get(r["rule"]) or FIX_BY_SEVERITY.get(r["severity"], "请核对后重新报送。")
    if r["rule"] in FIX_ZH and r["severity"] in FIX_BY_SEVERITY:
        fix = FIX_BY_SEVERITY[r["severity"]].split("：")[0] + "。" + fix
    department = DEPARTMENT_ZH.get(r.get("source"), "")
    cells = zip(REJECTION_HEADS, (department, r["file_name"], _place(r), problem, fix), strict=True)
    return "<tr>" + "".join(f'<td class="l" data-label="{h}">{_e(v)}</td>' for h, v in cells) + "</tr>"


def _rejections(rej: pd.DataFrame) -> str:
    """The latest refused files and rows, in plain Chinese: which department's file, where, what is
    wrong and what to do (or a line saying there are none)."""
    if not len(rej):
        body = '<p class="muted">无拒收记录。</p>'
    else:
        head = "".join(f'<th class="l">{h}</th>' for h in REJECTION_HEADS)
        body = (
            f"<table><tr>{head}</tr>"
            + "".join(_rejection_row(r) for r in rej.to_dict("records"))
            + "</table>"
        )
    return f'<h2>最近的拒收与隔离</h2><div class="panel" id="rejections">{body}</div>'


def render(snapshot: Path, *, baseline: str = "2023", now: dt.datetime | None = None) -> str:
    """The page, section by section from the top; `now` dates the page and ages the sources."""
    d = load(snapshot)
    now = now or dt.datetime.now()
    rows = _in_page_order(d["latest"])
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in STATUS}
    citations = _Citations(d["values"])
    cards = _target_cards(rows, citations)  # numbers the footnotes, so before they are listed
    town = d["town"].sort_values("output_ytd", ascending=False, na_position="last")
    parts = [
        _page_header(d["latest"]["as_of"].max(), now, counts, _data_period(d["latest"])),
        _status_strip(counts),
        cards,
        _guide(),
        _trend_charts(rows, d["values"], d["dim"], baseline),
        '<div class="two">',
        _chain_bars(d["chains"], {r["indicator_id"]: r["status"] for r in rows}),
        _township_bars(town),
        "</div>",
        _township_scorecard(town),
        _freshness(d["fresh"], now),
        _rejections(d["rej"]),
        '<h2>数据出处</h2><ol class="notes">' + "".join(f"<li>{n}</li>" for n in citations.notes) + "</ol>",
        f"<footer>统计法：企业个体数据不予发布。{_e(disclosure_note())}"
        "进度、应达、到期预计及各状态的含义见本页“读图说明”。</footer></main></body></html>",
    ]
    return "\n".join(parts)


def write_report(home: Home, out_dir: Path | None = None) -> Path:
    out_dir = out_dir or home.report_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / "index.html"
    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    try:
        tmp.write_text(render(home.snapshot), encoding="utf-8")
    except BaseException:  # a full disk: no half-written page left behind
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, out)
    return out

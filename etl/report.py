"""The HTML dashboard: one self-contained page (no CDN, no internet) read from the published snapshot.

Headline targets as cards (actual, target or 目标待定, progress bar, status colour, as-of), a trend
chart per indicator with the target line, the township scorecard, the five chains against
100 亿元, freshness per source and the latest rejections. Every figure names its source cell.
"""

from __future__ import annotations

import html
import math
import os
from pathlib import Path

import duckdb
import pandas as pd

from etl.settings import Home

STATUS = {
    "achieved": ("已完成", "#1a7f37"), "on_track": ("进度正常", "#2da44e"), "at_risk": ("有风险", "#d4a72c"),
    "off_track": ("滞后", "#cf222e"), "missed": ("未完成", "#82071e"), "no_target": ("目标待定", "#8c959f"),
    "no_data": ("暂无数据", "#8c959f"),
}

CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:24px;color:#1f2328;background:#f6f8fa}
h1{font-size:24px;margin:0 0 4px} h2{font-size:18px;margin:28px 0 10px;border-left:4px solid #0969da;padding-left:8px}
.sub{color:#57606a;font-size:13px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:12px}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:12px}
.card h3{font-size:14px;margin:0 0 6px} .big{font-size:22px;font-weight:700}
.bar{height:8px;background:#eaeef2;border-radius:4px;position:relative;margin:6px 0}
.bar i{position:absolute;left:0;top:0;bottom:0;border-radius:4px}
.bar b{position:absolute;top:-3px;bottom:-3px;width:2px;background:#1f2328}
.tag{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px}
table{border-collapse:collapse;background:#fff;font-size:13px} td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:right}
th{background:#eaeef2} td.l,th.l{text-align:left} .muted{color:#8c959f}
svg{background:#fff;border:1px solid #d0d7de;border-radius:8px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:12px}
"""


def _f(v, d=1) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or pd.isna(v):
        return "—"
    return f"{v:,.{d}f}"


def _e(s) -> str:
    return html.escape("" if s is None or (not isinstance(s, str) and pd.isna(s)) else str(s))


def _card(r, src: dict) -> str:
    label, colour = STATUS[r["status"]]
    target = "目标待定" if pd.isna(r["target"]) else f"{_f(r['target'], 0)} {_e(r['unit'])}"
    pct = 0 if pd.isna(r["progress_pct"]) else max(0, min(100, r["progress_pct"]))
    exp = None if pd.isna(r["expected_pct"]) else max(0, min(100, r["expected_pct"]))
    s = src.get((r["indicator_id"], r["period"]))
    title = f"来源 / source: {s}" if s else ""
    return (
        f'<div class="card" data-indicator="{_e(r["indicator_id"])}" title="{_e(title)}">'
        f'<h3>{_e(r["name_zh"])}</h3>'
        f'<div><span class="big" data-actual="{"" if pd.isna(r["actual"]) else r["actual"]}">{_f(r["actual"], 2)}</span> '
        f'{_e(r["unit"])} <span class="muted">({_e(r["period"] or "—")})</span></div>'
        f'<div class="bar"><i style="width:{pct:.1f}%;background:{colour}"></i>'
        + (f'<b style="left:{exp:.1f}%" title="应达进度 expected"></b>' if exp is not None else "")
        + f'</div><div>目标 {target} · <span class="tag" style="background:{colour}">{label}</span></div>'
        f'<div class="sub">进度 {_f(r["progress_pct"])}% · 应达 {_f(r["expected_pct"])}% · 到期预计 '
        f'{_f(r["projected_at_deadline"])} · 截至 {_e(str(r["as_of"])[:16])}</div></div>'
    )


def _chart(name: str, unit: str, pts: pd.DataFrame, target: float | None) -> str:
    """A small SVG line chart of the yearly (or latest-basis) values, with the target line."""
    w, h, pad = 320, 150, 32
    if pts.empty:
        return ""
    xs = list(range(len(pts)))
    ys = [float(v) for v in pts["value"]]
    lo = min(ys + ([target] if target is not None else []))
    hi = max(ys + ([target] if target is not None else []))
    if hi == lo:
        hi, lo = hi + 1, lo - 1
    sx = lambda i: pad + (w - 2 * pad) * (i / max(1, len(xs) - 1))  # noqa: E731
    sy = lambda v: h - pad + (v - lo) / (hi - lo) * -(h - 2 * pad)  # noqa: E731
    path = " ".join(f"{'M' if i == 0 else 'L'}{sx(i):.1f},{sy(y):.1f}" for i, y in zip(xs, ys, strict=True))
    dots = "".join(
        f'<circle cx="{sx(i):.1f}" cy="{sy(y):.1f}" r="3" fill="#0969da"><title>{_e(p)}: {_f(y, 2)} {_e(unit)}'
        f" ({_e(c)})</title></circle>"
        for i, y, p, c in zip(xs, ys, pts["period"], pts["source_cell"], strict=True)
    )
    labels = "".join(
        f'<text x="{sx(i):.1f}" y="{h - 10}" font-size="10" text-anchor="middle">{_e(p)}</text>'
        for i, p in zip(xs, pts["period"], strict=True) if len(xs) <= 8 or i % max(1, len(xs) // 6) == 0
    )
    tline = (
        f'<line x1="{pad}" x2="{w - pad}" y1="{sy(target):.1f}" y2="{sy(target):.1f}" stroke="#cf222e" '
        f'stroke-dasharray="4 3"/><text x="{w - pad}" y="{sy(target) - 4:.1f}" font-size="10" fill="#cf222e" '
        f'text-anchor="end">目标 {_f(target, 0)}</text>'
        if target is not None else ""
    )
    return (
        f'<svg width="{w}" height="{h}" role="img" aria-label="{_e(name)}"><text x="8" y="16" font-size="12">'
        f"{_e(name)}（{_e(unit)}）</text>{tline}<path d=\"{path}\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"2\"/>"
        f"{dots}{labels}</svg>"
    )


def _table(df: pd.DataFrame, cols: dict[str, str], digits: dict[str, int] | None = None) -> str:
    digits = digits or {}
    head = "".join(f'<th class="{"l" if i == 0 else ""}">{_e(v)}</th>' for i, v in enumerate(cols.values()))
    body = []
    for r in df.to_dict("records"):
        cells = []
        for i, c in enumerate(cols):
            v = r.get(c)
            txt = _f(v, digits[c]) if c in digits else _e(v)
            cells.append(f'<td class="{"l" if i == 0 or c not in digits else ""}">{txt}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def render(snapshot: Path) -> str:
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        prog = con.execute("select * from marts.indicator_progress").df()
        values = con.execute(
            "select * from marts.indicator_values where is_latest and region_code = "
            "(select region_code from marts.indicator_values group by 1 order by count(*) desc limit 1)"
        ).df()
        town = con.execute(
            "select * from marts.township_scorecard where period = (select max(period) from marts.township_scorecard)"
        ).df()
        chains = con.execute(
            "select * from marts.chain_output where period = (select max(period) from marts.chain_output)"
        ).df()
        fresh = con.execute("select * from marts.source_freshness").df()
        rej = con.execute(
            "select r.*, l.loaded_at from meta.rejections r join meta.loads l using (load_id)"
            " order by l.loaded_at desc, r.row_number limit 30"
        ).df()
    finally:
        con.close()
    latest = prog.sort_values("period_end", na_position="first").groupby("indicator_id").tail(1)
    src = {(r.indicator_id, r.period): f"{r.source_file} {r.source_cell}" for r in values.itertuples()}
    cards = "".join(_card(r, src) for r in latest.sort_values("indicator_id").to_dict("records"))
    charts = []
    for r in latest.sort_values("indicator_id").to_dict("records"):
        v = values[values["indicator_id"] == r["indicator_id"]]
        yearly = v[v["period"].str.len() == 4].sort_values("period_end")
        pts = yearly if len(yearly) >= 2 else v[v["basis"] == (r["basis"] or "stock")].sort_values("period_end")
        charts.append(_chart(r["name_zh"], r["unit"], pts, None if pd.isna(r["target"]) else float(r["target"])))
    as_of = prog["as_of"].max()
    parts = [
        f"<!doctype html><html lang=zh-CN><head><meta charset=utf-8><title>淮安区工作报告目标进度</title>"
        f"<style>{CSS}</style></head><body>",
        f"<h1>淮安区工作报告目标进度</h1><div class=sub>数据截至 {_e(str(as_of)[:19])} · 来源：各部门报送表格，"
        "悬停查看单元格出处 · 统计法：企业个体数据不予发布，少于3家企业的格子不显示</div>",
        f"<h2>目标完成情况</h2><div class=cards id=cards>{cards}</div>",
        f"<h2>趋势</h2><div class=charts>{''.join(charts)}</div>",
        "<h2>镇街记分卡（" + _e(town["period"].max() if len(town) else "—") + "）</h2>",
        _table(town, {"township_name": "镇（街道）", "n_enterprises": "企业数", "above_scale_enterprises": "规上企业",
                      "output_ytd": "工业总产值（亿元）", "hightech_enterprises": "高新技术企业",
                      "land_linkage_mu": "挂钩（亩）", "land_balance_mu": "占补（亩）"},
               {"n_enterprises": 0, "above_scale_enterprises": 0, "output_ytd": 2, "hightech_enterprises": 0,
                "land_linkage_mu": 1, "land_balance_mu": 1}),
        "<h2>五大产业链（对标100亿元）</h2>",
        _table(chains, {"chain": "产业链", "period": "时期", "output_ytd": "产值（亿元，本年累计）", "target": "目标",
                        "progress_pct": "进度%"}, {"output_ytd": 2, "target": 0, "progress_pct": 1}),
        "<h2>数据新鲜度</h2>",
        _table(fresh, {"source": "数据源", "latest_period": "最新时期", "last_received_at": "最近收到",
                       "files_loaded": "已入库文件", "files_rejected": "拒收文件", "last_status": "最近状态"},
               {"files_loaded": 0, "files_rejected": 0}),
        "<h2>最近的拒收与隔离</h2>",
        _table(rej, {"file_name": "文件", "sheet": "工作表", "row_number": "行", "column_name": "列",
                     "severity": "级别", "message": "原因"}) if len(rej) else "<p class=muted>无</p>",
        "</body></html>",
    ]
    return "\n".join(parts)


def write_report(home: Home, out_dir: Path | None = None) -> Path:
    out_dir = out_dir or home.report_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / "index.html"
    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(render(home.snapshot), encoding="utf-8")
    os.replace(tmp, out)
    return out

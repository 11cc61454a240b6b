"""enterprises/: the 工信局 monthly rosters, one file per period of `ROSTER_PERIODS`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from etl.demo.book import Book
from etl.demo.model import Demo, Ent
from etl.demo.story import (
    DEMO_TOWNSHIPS,
    ROSTER_PERIODS,
    ROSTER_SHEET_NAMES,
    TICK_PERIODS,
    month_index,
    period_months,
    short_town,
)


def roster_file_name(year: int, month: int) -> str:
    """`规上工业企业主要指标_{Y}年1-{M}月.xlsx`: the roster whose figures run to `month` of `year`."""
    return f"规上工业企业主要指标_{year}年1-{month}月.xlsx"


def _write_roster_header(ws, b: Book, y: int, m: int) -> None:
    """Rows 1–4 of a roster: the merged title, 填报单位 and 单位, the two-row header; the column widths."""
    ws.merge_range(0, 0, 0, 16, f"淮安区工业企业主要经济指标（{y}年1-{m}月）", b.title)
    ws.write_string(1, 0, "填报单位：淮安区工业和信息化局")
    ws.write_string(1, 16, "单位：万元", b.right)
    single = {0: "序号", 1: "统一社会信用代码", 2: "企业名称", 3: "所在镇（街道）", 4: "行业代码", 5: "所属产业链",
              10: "从业人员（人）", 11: "是否规上", 12: "专精特新", 13: "高新技术企业", 14: "上市企业", 15: "50强",
              16: "入库类型"}  # fmt: skip
    for col, text in single.items():
        ws.merge_range(2, col, 3, col, text, b.head)
    ws.merge_range(2, 6, 2, 7, "工业总产值（万元）", b.head)
    ws.merge_range(2, 8, 2, 9, "营业收入（万元）", b.head)
    for col, text in ((6, "本月"), (7, "本年累计"), (8, "本月"), (9, "本年累计")):
        ws.write_string(3, col, text, b.head)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 2, 34)
    ws.set_column(3, 3, 14)
    ws.set_column(6, 10, 12)


def _roster_flags(demo: Demo, e: Ent, p: int, top50: set[int]) -> tuple[bool, ...]:
    """Columns L–P of `e` in period `p`: 是否规上, 专精特新, 高新技术企业, 上市企业, 50强."""
    return (
        e.above_from_p is not None and p >= e.above_from_p,
        e.srdi_from_p is not None and p >= e.srdi_from_p,
        bool(demo.hightech_flag[e.idx, p]),
        e.listed_from_p is not None and p >= e.listed_from_p,
        e.idx in top50,
    )


def _write_roster_rows(ws, b: Book, demo: Demo, p: int) -> tuple[list[int], int]:
    """Rows 6…: one per enterprise present in period `p`, by township then first appearance.

    Returns the sums of G–K (0.01 万元, then people) for the 合计 row, and the number of rows."""
    y, m = ROSTER_PERIODS[p]
    months = period_months(p)
    ytd = list(range(month_index(y, 1), month_index(y, m) + 1))
    yi = y - 2023
    town_order = {c: i for i, (c, _) in enumerate(DEMO_TOWNSHIPS)}
    town_name = dict(DEMO_TOWNSHIPS)
    ents = sorted((e for e in demo.ents if e.present(p)), key=lambda e: (town_order[e.town], e.idx))
    tick = (y, m) in TICK_PERIODS
    yes, no = ("√", "") if tick else ("是", "否")
    top50 = set(demo.top50[y])
    sums = [0, 0, 0, 0, 0]
    for i, e in enumerate(ents):
        r = 5 + i
        vals = [
            int(demo.out[e.idx, months].sum()), int(demo.out[e.idx, ytd].sum()),
            int(demo.rev[e.idx, months].sum()), int(demo.rev[e.idx, ytd].sum()),
        ]  # fmt: skip
        emp = int(demo.employees[e.idx, yi])
        sums = [s + v for s, v in zip(sums, [*vals, emp], strict=True)]
        town = town_name[e.town]
        ws.write_number(r, 0, i + 1, b.center)
        ws.write_string(r, 1, e.code, b.text)
        ws.write_string(r, 2, e.name, b.text)
        ws.write_string(r, 3, short_town(town) if e.short_town else town, b.text)
        ws.write_string(r, 4, e.industry, b.center)
        ws.write_string(r, 5, e.chain, b.text)
        for c, v in enumerate(vals):
            ws.write_number(r, 6 + c, v / 100, b.money)
        ws.write_number(r, 10, emp, b.int)
        for c, flag in enumerate(_roster_flags(demo, e, p, top50)):
            ws.write_string(r, 11 + c, yes if flag else no, b.center)
        ws.write_string(r, 16, e.entry_type if e.entry_p == p else "", b.center)
    return sums, len(ents)


def write_roster(demo: Demo, p: int, path: Path) -> None:
    """The roster of period `p`: header, one row per enterprise, then the 合计 row (row 5) and the notes."""
    y, m = ROSTER_PERIODS[p]
    b = Book(path, dt.datetime(y + (m == 12), m % 12 + 1, 12, 9, 30))
    ws = b.sheet(ROSTER_SHEET_NAMES.get((y, m), "Sheet1"))
    _write_roster_header(ws, b, y, m)
    sums, n_rows = _write_roster_rows(ws, b, demo, p)
    ws.write_string(4, 2 if y == 2025 else 0, "合计", b.center)
    for c, s in enumerate(sums[:4]):
        ws.write_number(4, 6 + c, s / 100, b.money)
    ws.write_number(4, 10, sums[4], b.int)
    r = 5 + n_rows + 1
    ws.write_string(r, 0, "注：1. 本表统计范围为辖区内工业企业。")
    ws.write_string(r + 1, 0, "\u30002. 工业总产值为当年价格。")
    ws.write_string(r + 2, 0, "数据来源：淮安区统计局")
    b.close()

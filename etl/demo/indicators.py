"""indicators/: the 统计局 figures, as 国家统计局-style GBK CSV exports and one long .xlsx table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from etl.demo.book import Book
from etl.demo.model import Demo
from etl.demo.story import ROSTER_PERIODS

_YEARS6 = (2025, 2024, 2023, 2022, 2021, 2020)
_GDP = {
    "淮安区": (880.64, 831.27, 780.53, 742.86, 716.45, 660.12),
    "清江浦区": (969.85, 936.42, 901.76, 868.30, 842.15, 778.40),
    "淮阴区": (None, 815.66, 772.41, 735.90, 702.60, 640.30),
    "淮安市": (5622.18, 5311.47, 5015.06, 4742.42, 4550.13, 4025.37),
}
_GDP_GROWTH = {
    "淮安区": (6.3, 5.8, 6.1, 3.8, 9.1, 3.4),
    "清江浦区": (5.4, 5.5, 5.7, 3.2, 8.7, -0.6),
    "淮阴区": (None, 6.0, 5.9, 4.0, 9.5, 2.1),
    "淮安市": (5.8, 5.9, 5.8, 3.9, 10.0, 3.0),
}
_INDUSTRY_EARLY = {2022: 395.24, 2021: 368.91, 2020: 331.57}
_GDP_QUARTERLY = {"淮安区": (201.36, 421.85, 640.72), "清江浦区": (223.14, 464.37, 708.93)}
_LONG_ROWS = (
    ("新增公共停车位", {2024: 1200, 2025: 1500}, "个", "本年新增"),
    ("新增民宿客房", {2024: 180, 2025: 235}, "间", "本年新增"),
    ("省级以上农业龙头企业", {2023: 28, 2024: 31, 2025: 34}, "家", "年末数"),
    ("个转企", {2023: 118, 2024: 126, 2025: 143}, "家", "本年新增"),
    ("开发区综合考核排名", {2023: 42, 2024: 36, 2025: 31}, "位次", "全省位次"),
    ("全国综合实力百强区排名", {2023: 118, 2024: 109, 2025: 101}, "位次", "全国位次"),
)


def _fmt(v: float | None, decimals: int) -> str:
    return "" if v is None else f"{v:.{decimals}f}"


def _nbs_csv(path: Path, database: str, indicator: str, time: str, columns, rows, notes) -> None:
    lines = [f"数据库：{database}", f"指标：{indicator}", f"时间：{time}", ",".join(["地区", *columns])]
    lines += [",".join([region, *values]) for region, values in rows]
    lines += [*notes, "数据来源：淮安市统计局"]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))


def write_indicators(demo: Demo, folder: Path) -> list[Path]:
    years = [f"{y}年" for y in _YEARS6]
    db = "淮安市县区年度数据"
    p1 = folder / "主要经济指标_地区生产总值.csv"
    _nbs_csv(p1, db, "地区生产总值(亿元)", "最近6年", years,
             [(r, [_fmt(v, 2) for v in vs]) for r, vs in _GDP.items()],
             ["注：2023年及以前数据已根据第五次全国经济普查结果修订。"])  # fmt: skip
    p2 = folder / "主要经济指标_地区生产总值增长率.csv"
    _nbs_csv(p2, db, "地区生产总值增长率(%)", "最近6年", years,
             [(r, [_fmt(v, 1) for v in vs]) for r, vs in _GDP_GROWTH.items()],
             ["注：1. 增长速度为比上年增长，按可比价格计算。", "\u30002. 淮阴区2025年数据尚未发布。"])  # fmt: skip
    industry = dict(_INDUSTRY_EARLY)
    for year in (2023, 2024, 2025):
        dec_p = ROSTER_PERIODS.index((year, 12))
        cols = slice((year - 2023) * 12, (year - 2023) * 12 + 12)
        rows = [
            e.idx
            for e in demo.ents
            if e.present(dec_p) and e.above_from_p is not None and dec_p >= e.above_from_p
        ]
        industry[year] = int(demo.out[rows, cols].sum()) / 1e6
    p3 = folder / "主要经济指标_规模以上工业总产值.csv"
    _nbs_csv(p3, db, "规模以上工业总产值(亿元)", "最近6年", years,
             [("淮安区", [_fmt(industry[y], 2) for y in _YEARS6])],
             ["注：规模以上工业统计范围为年主营业务收入2000万元及以上的工业法人单位。"])  # fmt: skip
    p4 = folder / "地区生产总值_季度.csv"
    _nbs_csv(p4, "淮安市县区季度数据", "地区生产总值(亿元)", "2025年各季度",
             ["2025年1-3月", "2025年1-6月", "2025年1-9月"],
             [(r, [_fmt(v, 2) for v in vs]) for r, vs in _GDP_QUARTERLY.items()],
             ["注：季度数据为累计值。"])  # fmt: skip

    p5 = folder / "其他指标_长表.xlsx"
    b = Book(p5, dt.datetime(2026, 1, 20, 15, 0))
    ws = b.sheet()
    for c, h in enumerate(("指标名称", "地区", "时期", "数值", "单位", "口径")):
        ws.write_string(0, c, h, b.head)
    ws.set_column(0, 0, 24)
    r = 1
    for name, values, unit, basis in _LONG_ROWS:
        for year, v in values.items():
            ws.write_string(r, 0, name, b.text)
            ws.write_string(r, 1, "淮安区", b.text)
            ws.write_string(r, 2, f"{year}年", b.center)
            ws.write_number(r, 3, v, b.int)
            ws.write_string(r, 4, unit, b.center)
            ws.write_string(r, 5, basis, b.center)
            r += 1
    b.close()
    return [p1, p2, p3, p4, p5]

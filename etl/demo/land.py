"""land_use/: the 自然资源局 ledgers of 增减挂钩 and 占补平衡 projects (their own random stream)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from etl.demo.book import Book
from etl.demo.story import DEMO_TOWNSHIPS, short_town

_VILLAGES = ("新河", "双庙", "三堡", "仁和", "马甸", "蔡桥", "季桥", "周庄", "徐杨", "林集", "宋集", "茭陵", "南闸",
             "翔宇", "建淮", "高堰", "东岳", "大兴", "许桥", "凤谷", "朱圩", "王营", "金湖", "唐集", "永济", "黄码",
             "夏桥", "顺阳", "三官", "席桥", "石港", "泾口", "洪湖", "刘庄", "葛庄", "沟北", "杨庙", "张码", "菱塘",
             "桃园", "官渡", "新集", "东风", "曹甸", "南马", "丁集", "陈集", "五里")  # fmt: skip
_RURAL_TOWNS = tuple(c for c, _ in DEMO_TOWNSHIPS if c[6] in "14")  # towns and the farm
_TOWN_NAME = dict(DEMO_TOWNSHIPS)
_TEXT_DATES = {  # the three 验收日期 written as text, not as Excel dates
    dt.date(2024, 6, 18): "2024.6",
    dt.date(2024, 9, 15): "2024-09-15",
    dt.date(2025, 3, 21): "2025年3月",
}


def _rand_day(rng: np.random.Generator, start: dt.date, end: dt.date) -> dt.date:
    """A day from `start` to `end`, both included."""
    return start + dt.timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def _project_name(rng: np.random.Generator, used: set[str], town: str, kind: str) -> str:
    """`{镇}{村}村{kind}`, a name not in `used` (a repeat becomes its （二期）), added to `used`."""
    while True:
        v = _VILLAGES[int(rng.integers(len(_VILLAGES)))]
        name = f"{_TOWN_NAME[town]}{v}村{kind}"
        if name in used:
            name = f"{_TOWN_NAME[town]}{v}村{kind}（二期）"
        if name not in used:
            used.add(name)
            return name


def _linkage_projects(rng: np.random.Generator) -> list[tuple[dt.date, int]]:
    """增减挂钩 acceptances (date, 复垦面积 in 0.01 亩), by date: 5 projects in 2023 (before the
    baseline), 34 in 2024–2025 totalling 5,320 亩, three of them on the `_TEXT_DATES`."""
    pre = [
        (_rand_day(rng, dt.date(2023, 3, 1), dt.date(2023, 12, 20)), float(rng.uniform(80, 300)))
        for _ in range(5)
    ]
    n = 34
    days = [_rand_day(rng, dt.date(2024, 1, 10), dt.date(2024, 12, 28)) for _ in range(15)]
    days += [_rand_day(rng, dt.date(2025, 1, 10), dt.date(2025, 12, 26)) for _ in range(n - 15)]
    days[2], days[6], days[20] = dt.date(2024, 6, 18), dt.date(2024, 9, 15), dt.date(2025, 3, 21)
    areas = 60 + 340 * rng.beta(1.3, 3.2, size=n)
    areas = 60 + (areas - 60) * (5320 - 60 * n) / (areas.sum() - 60 * n)
    cents = np.rint(np.clip(areas, 60, 400) * 100).astype(np.int64)
    cents[int(np.argmax(cents))] += 532000 - int(cents.sum())
    rows = [(d, int(round(a * 100))) for d, a in pre] + list(zip(days, (int(c) for c in cents), strict=True))
    rows.sort()
    return rows


def _write_linkage(
    rng: np.random.Generator, used: set[str], rows: list[tuple[dt.date, int]], path: Path
) -> None:
    """增减挂钩项目验收台账: title, unit and header, one row per project (township and 耕地 drawn), 合计."""
    b = Book(path, dt.datetime(2026, 1, 6, 16, 20))
    ws = b.sheet()
    ws.merge_range(0, 0, 0, 5, "淮安区城乡建设用地增减挂钩项目验收台账", b.title)
    ws.write_string(1, 0, "面积单位：亩")
    for c, h in enumerate(("序号", "项目名称", "所在镇", "复垦面积", "其中：耕地", "验收日期")):
        ws.write_string(2, c, h, b.head)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 5, 13)
    tot = [0, 0]
    for i, (d, area) in enumerate(rows):
        town = _RURAL_TOWNS[int(rng.integers(len(_RURAL_TOWNS)))]
        crop = int(round(area * float(rng.uniform(0.72, 0.95))))
        tot = [tot[0] + area, tot[1] + crop]
        town_text = _TOWN_NAME[town]
        if i in (7, 23):
            town_text = short_town(town_text)
        ws.write_number(3 + i, 0, i + 1, b.center)
        ws.write_string(3 + i, 1, _project_name(rng, used, town, "增减挂钩拆旧复垦项目"), b.text)
        ws.write_string(3 + i, 2, town_text, b.text)
        ws.write_number(3 + i, 3, area / 100, b.money)
        ws.write_number(3 + i, 4, crop / 100, b.money)
        if d in _TEXT_DATES:
            ws.write_string(3 + i, 5, _TEXT_DATES[d], b.center)
        else:
            ws.write_datetime(3 + i, 5, dt.datetime(d.year, d.month, d.day), b.date)
    r = 3 + len(rows)
    ws.write_string(r, 0, "合计", b.center)
    ws.write_number(r, 3, tot[0] / 100, b.money)
    ws.write_number(r, 4, tot[1] / 100, b.money)
    b.close()


def _write_balance(rng: np.random.Generator, used: set[str], path: Path) -> None:
    """占补平衡项目台账: header, then 20 projects accepted 2024–2025, 2–30 公顷 each; no total."""
    b = Book(path, dt.datetime(2026, 1, 7, 11, 5))
    ws = b.sheet()
    for c, h in enumerate(("项目名称", "乡镇（街道）", "新增耕地面积（公顷）", "验收时间")):
        ws.write_string(0, c, h, b.head)
    ws.set_column(0, 0, 40)
    ws.set_column(1, 3, 18)
    kinds = ("土地开发项目", "高标准农田建设新增耕地项目", "工矿废弃地复垦项目", "土地整理项目")
    items = sorted(
        (_rand_day(rng, dt.date(2024, 2, 1), dt.date(2025, 12, 25)), float(rng.uniform(2, 30)))
        for _ in range(20)
    )
    for i, (d, ha) in enumerate(items):
        town = _RURAL_TOWNS[int(rng.integers(len(_RURAL_TOWNS)))]
        ws.write_string(
            1 + i, 0, _project_name(rng, used, town, kinds[int(rng.integers(len(kinds)))]), b.text
        )
        ws.write_string(1 + i, 1, _TOWN_NAME[town], b.text)
        ws.write_number(1 + i, 2, round(ha, 4), b.area4)
        ws.write_datetime(1 + i, 3, dt.datetime(d.year, d.month, d.day), b.date)
    b.close()


def write_land(rng: np.random.Generator, folder: Path) -> list[Path]:
    """The two 自然资源局 ledgers, drawn from `rng` in this order; no project name is used twice."""
    used: set[str] = set()
    path1 = folder / "增减挂钩项目验收台账.xlsx"
    _write_linkage(rng, used, _linkage_projects(rng), path1)
    path2 = folder / "占补平衡项目台账.xlsx"
    _write_balance(rng, used, path2)
    return [path1, path2]

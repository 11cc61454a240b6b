"""The 科技局 counts of 高企 certificates by township (when no list is sent): 家, one row a township."""

from __future__ import annotations

import random

from tests.layouts.case import Case
from tests.layouts.common import TOWNSHIPS
from tests.layouts.space import Layout
from tests.layouts.table import Column, Table, draw, order_columns


def hightech_counts(lay: Layout) -> Case:
    rng = random.Random(lay.seed)
    year = rng.choice([2023, 2024, 2025])
    towns = rng.sample(TOWNSHIPS, rng.randrange(2, 8))
    form = {"full": 1, "short": 2, "code": 0}[lay.township_form]
    written = [t[1] if form == 1 else t[2] if form == 2 else f"{t[0]}{t[1]}" for t in towns]
    first = [rng.randrange(0, 30) for _ in towns]
    renewed = [rng.randrange(0, 30) for _ in towns]
    d = lay.header_depth
    u = "（家）" if lay.unit_place == "header" else ""
    if d == 1:
        paths = (f"首次认定{u}",), (f"重新认定{u}",)
    elif d == 2:
        paths = (f"认定家数{u}", "首次认定"), (f"认定家数{u}", "重新认定")
    else:
        paths = ("高新技术企业", f"认定家数{u}", "首次认定"), ("高新技术企业", f"认定家数{u}", "重新认定")
    town = Column(("镇（街道）",), written)
    cols = [town, Column(paths[0], first, sum(first)), Column(paths[1], renewed, sum(renewed))]
    serial = None
    if lay.serial != "absent":
        serial = Column(("序号",), [i + 1 if lay.serial == "int" else str(i + 1) for i in range(len(towns))])
        cols.append(serial)
    if lay.extra_columns:
        cols.append(Column(("备注",), [None] * len(towns)))
    place = "file_name" if lay.period_place == "sheet" and lay.is_csv else lay.period_place
    written_year = {"ytd": f"{year}年", "dot": f"{year}年度", "iso": str(year), "month_only": f"{year}年"}[
        lay.period_form
    ]
    if place == "column":
        cols.append(Column(("年度",), [written_year] * len(towns)))
    cols = order_columns(cols, rng)
    table = Table(cols, cols.index(serial) if serial is not None else cols.index(town))
    title = "淮安区高新技术企业认定情况统计表"
    if place == "title":
        title = f"{written_year}{title}" if "年" in written_year else f"{title}（{written_year}）"
    if place == "title" or rng.random() < 0.5:
        table.above.append(title)
    if lay.unit_place == "unit_row":
        table.above.append("单位：家")
    if lay.notes:
        table.notes = ["注：首次认定含异地迁入。"]
    sheet, _ = draw(table, lay, written_year if place == "sheet" else "统计表", rng)
    stem = "高新技术企业认定情况统计" + (f"_{written_year}" if place == "file_name" else "")
    expected = [
        {"township_code": t[0], "new_first": f, "renewed": r, "year": year}
        for t, f, r in zip(towns, first, renewed, strict=True)
    ]
    return Case("hightech", lay, stem, sheet, "township_code", expected, ["new_first", "renewed", "year"])

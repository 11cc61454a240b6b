"""The 自然资源局 ledgers: 增减挂钩 (linkage) and 占补平衡 (balance) projects, areas in 亩."""

from __future__ import annotations

import datetime as dt
import random

from tests.layouts.case import Case
from tests.layouts.common import AREA_TO_MU, amount, date_text, township
from tests.layouts.space import Layout
from tests.layouts.table import Column, Table, draw, order_columns

KINDS = {
    # kind: (file-name word, project header, area header, date header)
    "linkage": ("增减挂钩项目验收台账", "项目名称", "复垦面积", "验收日期"),
    "balance": ("占补平衡项目台账", "补充耕地项目名称", "新增耕地面积", "验收时间"),
}


def land(lay: Layout) -> Case:
    rng = random.Random(lay.seed)
    kind = rng.choice(sorted(KINDS))
    word, project_h, area_h, date_h = KINDS[kind]
    unit = lay.area_unit if lay.unit_place != "spec" else "亩"
    u = f"（{unit}）" if lay.unit_place == "header" else ""
    n = rng.randrange(2, 8)
    year = rng.choice([2024, 2025])
    recs = []
    used: set[str] = set()
    for i in range(n):
        town, code = township(lay, rng)
        name = f"{town}{rng.choice(['东', '西', '南', '北'])}{i + 1}号{rng.choice(['地块', '片区'])}项目"
        used.add(name)
        d = dt.date(year, rng.randrange(1, 13), rng.randrange(1, 29))
        recs.append({"project": name, "town": town, "code": code, "area": amount(rng, unit), "date": d})
    serial = Column(("序号",), [i + 1 if lay.serial == "int" else str(i + 1) for i in range(n)])
    project = Column((project_h,), [r["project"] for r in recs])
    areas = [r["area"] for r in recs]
    area_path = (f"{area_h}{u}",) if lay.header_depth == 1 else (f"{area_h}{u}", "合计")
    if lay.header_depth == 3:
        area_path = ("验收情况", f"{area_h}{u}", "合计")
    cols = [
        project,
        Column(("所在镇（街道）",), [r["town"] for r in recs]),
        Column(area_path, areas, sum(areas)),
        Column(
            (date_h,) if lay.header_depth < 3 else ("验收情况", date_h),
            [date_text(lay, r["date"]) for r in recs],
        ),
    ]
    if lay.header_depth >= 2:  # a sibling under the area's parent that is not the field
        sib = (
            ("验收情况", f"{area_h}{u}", "其中耕地")
            if lay.header_depth == 3
            else (f"{area_h}{u}", "其中耕地")
        )
        cols.append(Column(sib, [round(a * 0.6, 2) for a in areas]))
    if lay.serial != "absent":
        cols.append(serial)
    extras = [(("批复文号",), lambda i: f"淮自然资〔{year}〕{i + 10}号"), (("备注",), lambda i: "")]
    for path, make in extras[: min(lay.extra_columns, len(extras))]:
        cols.append(Column(path, [make(i) or None for i in range(n)]))
    cols = order_columns(cols, rng)
    table = Table(cols, cols.index(serial) if lay.serial != "absent" else cols.index(project))
    if lay.unit_place == "title":
        table.above.append(f"{year}年{word}（单位：{unit}）")
    elif rng.random() < 0.6:
        table.above.append(f"{year}年{word}")
    if lay.unit_place == "unit_row":
        table.above.append(f"面积单位：{unit}")
    if lay.notes:
        table.notes = ["备注：面积以验收确认为准。", "制表人：李四"]
    sheet, _ = draw(table, lay, rng.choice(["Sheet1", "台账", f"{year}年"]), rng)
    stem = f"{year}年{word}"
    if lay.unit_place == "file_name":
        stem += f" {unit}"
    expected = [
        {
            "project": r["project"],
            "township_code": r["code"],
            "area_mu": r["area"] * AREA_TO_MU[unit],
            "accepted_on": r["date"],
            "kind": kind,
        }
        for r in recs
    ]
    return Case(
        "land_use", lay, stem, sheet, "project", expected, ["township_code", "area_mu", "accepted_on", "kind"]
    )

"""The enterprises roster (工信局/统计局 monthly 名录): one row per enterprise, figures in 万元."""

from __future__ import annotations

import random

from tests.layouts.case import Case
from tests.layouts.common import MONEY_TO_WAN, amount, company, credit_code, flag, month_period, township
from tests.layouts.space import Layout
from tests.layouts.table import Column, Table, draw, order_columns

EXTRAS = [
    (("法定代表人",), lambda rng, i: rng.choice(["张伟", "王芳", "李强", "刘洋"])),
    (("主要产品",), lambda rng, i: rng.choice(["轴承", "米面", "电路板", "药片"])),
    (("联系电话",), lambda rng, i: f"0517-8{rng.randrange(1000000, 9999999)}"),
]


def _figure_paths(lay: Layout, parent: str, child: str, by_span: bool = False) -> tuple[str, ...]:
    """A figure column's header path at the layout's depth (`parent` carries the unit, if any);
    `by_span`: the span over the measure (`本月` over 工业总产值 and 营业收入), as some tables group."""
    if lay.header_depth == 1:
        return (
            (f"{parent}{child}" if child != "本年累计" else parent,)
            if child != "本月"
            else (f"本月{parent}",)
        )
    path = (child, parent) if by_span else (parent, child)
    return path if lay.header_depth == 2 else (*path, "金额")


def roster(lay: Layout) -> Case:
    rng = random.Random(lay.seed)
    year, month = 2025, rng.randrange(1, 13)
    unit = lay.money_unit if lay.unit_place != "spec" else "万元"
    u = f"（{unit}）" if lay.unit_place == "header" else ""
    period, year_text = month_period(lay, year, month)
    n = rng.randrange(2, 8)
    codes: set[str] = set()
    names: set[str] = set()
    recs = []
    for _ in range(n):
        town, town_code = township(lay, rng)
        figures = {f: amount(rng, unit) for f in ("output_ytd", "output_month", "revenue_ytd")}
        if figures["output_month"] > figures["output_ytd"]:  # a month is part of its year to date
            figures["output_month"], figures["output_ytd"] = figures["output_ytd"], figures["output_month"]
        recs.append(
            {
                "credit_code": credit_code(rng, codes),
                "name": company(rng, names),
                "town": town,
                "township_code": town_code,
                "figures": figures,
                "employees": rng.randrange(0, 3000),
                "is_hightech": rng.random() < 0.4,
                "is_srdi": rng.random() < 0.3,
            }
        )
    cols: list[Column] = []
    fields = ["credit_code", "name", "township_code", "output_ytd", "period", "is_above_scale"]

    def single(text: str, values: list, total=None) -> Column:
        return Column((text,), values, total)

    serial = None
    if lay.serial != "absent":
        serial = single("序号", [i + 1 if lay.serial == "int" else str(i + 1) for i in range(n)])
        cols.append(serial)
    cols.append(single("统一社会信用代码", [r["credit_code"] for r in recs]))
    name_col = single("企业名称", [r["name"] for r in recs])
    cols.append(name_col)
    cols.append(single("所在镇（街道）", [r["town"] for r in recs]))
    money = [("output_ytd", "工业总产值", "本年累计")]
    if lay.header_depth > 1 and rng.random() < 0.6:
        money.append(("output_month", "工业总产值", "本月"))
    if rng.random() < 0.7:
        money.append(("revenue_ytd", "营业收入", "本年累计"))
    # figures grouped by span instead of by measure (a draw of its own: the other draws stay as they were)
    by_span = lay.header_depth > 1 and random.Random(lay.seed + 1).random() < 0.3
    hightech_sum = {}
    for f, parent, child in money:
        vals = [r["figures"][f] for r in recs]
        total = sum(vals)
        hightech_sum[f] = sum(v for v, r in zip(vals, recs, strict=True) if r["is_hightech"])
        col = Column(_figure_paths(lay, parent + u, child, by_span), vals, total, [hightech_sum[f]])
        cols.append(col)
        fields.append(f)
    extras = list(EXTRAS)
    if lay.header_depth > 1:
        last_year = ("上年同期", f"工业总产值{u}") if by_span else (f"工业总产值{u}", "上年同期")
        extras.append((last_year, lambda rng, i: amount(rng, unit)))
        extras.append(((f"工业总产值{u}", "同比增长（%）"), lambda rng, i: round(rng.uniform(-20, 40), 1)))
    for path, make in rng.sample(extras, min(lay.extra_columns, len(extras))):
        if lay.header_depth == 3 and len(path) == 2:
            path = (path[0], path[1], "金额")
        cols.append(Column(path, [make(rng, i) for i in range(n)]))
    if rng.random() < 0.5:
        cols.append(
            single("从业人员（人）", [r["employees"] for r in recs], sum(r["employees"] for r in recs))
        )
        fields.append("employees")
    for f, text in (("is_hightech", "高新技术企业"), ("is_srdi", "专精特新")):
        if rng.random() < 0.5:
            cols.append(single(text, [flag(lay, r[f]) for r in recs]))
            fields.append(f)
    place = "file_name" if lay.period_place == "sheet" and lay.is_csv else lay.period_place
    if place == "column":
        cols.append(single("统计期", [period] * n))
    cols = order_columns(cols, rng)
    label_column = cols.index(serial) if serial is not None else cols.index(name_col)
    table = Table(cols, label_column)
    title = "淮安区规模以上工业企业主要经济指标"
    if year_text and place != "title":
        title = f"{year_text}{title}"
    if place == "title":
        title = f"{title}（{period}）" if not year_text else f"{year_text}{title}（{period}）"
    if lay.unit_place == "title":
        title += f"（单位：{unit}）"
    if title != "淮安区规模以上工业企业主要经济指标" or rng.random() < 0.5:
        table.above.append(title)
    if lay.unit_place == "unit_row":
        table.above.append(f"单位：{unit}")
    if lay.total != "absent" and lay.parts:
        table.part_labels = ["其中：高新技术企业"]
    if lay.notes:
        table.notes = ["注：1. 本表由各镇街统计站汇总。", "填表人：张三", "联系电话：0517-85000000"]
    sheet_name = period if place == "sheet" else rng.choice(["Sheet1", "名录", "规上企业"])
    sheet, _ = draw(table, lay, sheet_name, rng)
    stem = "规上工业企业主要指标"
    if place == "file_name":
        stem += f"_{period}"
    if lay.unit_place == "file_name":
        stem += f" {unit}"
    factor = MONEY_TO_WAN[unit]
    expected = [
        {
            "credit_code": r["credit_code"],
            "name": r["name"],
            "township_code": r["township_code"],
            "period": f"{year}-{month:02d}",
            "is_above_scale": True,
            **{f: r["figures"][f] * factor for f, _, _ in money},
            "employees": r["employees"],
            "is_hightech": r["is_hightech"],
            "is_srdi": r["is_srdi"],
        }
        for r in recs
    ]
    return Case("enterprises", lay, stem, sheet, "credit_code", expected, fields)

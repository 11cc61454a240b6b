"""The 科技局 list of 高新技术企业 certificates issued in a year."""

from __future__ import annotations

import datetime as dt
import random

from tests.layouts.case import Case
from tests.layouts.common import company, credit_code, date_text, township
from tests.layouts.space import Layout
from tests.layouts.table import Column, Table, draw, order_columns

CERT_TYPES = {"首次认定": ["首次认定", "首次"], "重新认定": ["重新认定", "复审"]}


def _year_forms(lay: Layout, year: int) -> str:
    return {"ytd": f"{year}年", "dot": f"{year}年度", "iso": str(year), "month_only": f"{year}年"}[
        lay.period_form
    ]


def hightech(lay: Layout) -> Case:
    rng = random.Random(lay.seed)
    year = rng.choice([2023, 2024, 2025])
    n = rng.randrange(2, 8)
    codes: set[str] = set()
    names: set[str] = set()
    recs = []
    for i in range(n):
        town, code = township(lay, rng)
        kind = rng.choice(sorted(CERT_TYPES))
        recs.append(
            {
                "name": company(rng, names),
                "cert_no": f"GR{year}320{rng.randrange(10, 99)}{i:04d}",
                "cert_date": dt.date(year, rng.randrange(10, 13), rng.randrange(1, 29)),
                "town": town,
                "code": code,
                "kind": kind,
                "kind_written": rng.choice(CERT_TYPES[kind]),
                "credit_code": credit_code(rng, codes),
            }
        )
    name = Column(("企业名称",), [r["name"] for r in recs])
    d = lay.header_depth
    cert = ("认定信息", "证书编号") if d > 1 else ("证书编号",)
    date = ("认定信息", "发证日期") if d > 1 else ("发证日期",)
    if d == 3:
        cert, date = ("认定信息", "证书", "证书编号"), ("认定信息", "证书", "发证日期")
    cols = [
        name,
        Column(cert, [r["cert_no"] for r in recs]),
        Column(date, [date_text(lay, r["cert_date"]) for r in recs]),
        Column(("所在镇街",), [r["town"] for r in recs]),
        Column(("认定类型",) if d == 1 else ("认定信息", "认定类型"), [r["kind_written"] for r in recs]),
    ]
    fields = ["cert_date", "township_code", "cert_type", "year"]
    if rng.random() < 0.6:
        cols.append(Column(("统一社会信用代码",), [r["credit_code"] for r in recs]))
        fields.append("credit_code")
    serial = None
    if lay.serial != "absent":
        serial = Column(("序号",), [i + 1 if lay.serial == "int" else str(i + 1) for i in range(n)])
        cols.append(serial)
    extras = [("技术领域", ["电子信息", "先进制造", "新材料"]), ("联系人", ["张三", "李四"])]
    for text, choices in extras[: min(lay.extra_columns, len(extras))]:
        cols.append(Column((text,), [rng.choice(choices) for _ in range(n)]))
    place = "file_name" if lay.period_place == "sheet" and lay.is_csv else lay.period_place
    written_year = _year_forms(lay, year)
    if place == "column":
        cols.append(Column(("认定年度",), [written_year] * n))
    cols = order_columns(cols, rng)
    table = Table(cols, cols.index(serial) if serial is not None else cols.index(name))
    title = "淮安区高新技术企业认定名单"
    if place == "title":
        title = f"{written_year}{title}" if "年" in written_year else f"{title}（{written_year}）"
    if place == "title" or rng.random() < 0.5:
        table.above.append(title)
    if lay.notes:
        table.notes = ["注：名单以科技部火炬中心公示为准。"]
    sheet, _ = draw(table, lay, written_year if place == "sheet" else "名单", rng)
    stem = "高新技术企业名单" + (f"_{written_year}" if place == "file_name" else "")
    expected = [
        {
            "cert_no": r["cert_no"],
            "cert_date": r["cert_date"],
            "township_code": r["code"],
            "cert_type": r["kind"],
            "credit_code": r["credit_code"],
            "year": year,
        }
        for r in recs
    ]
    return Case("hightech", lay, stem, sheet, "cert_no", expected, fields)

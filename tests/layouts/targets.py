"""The 发改委/督查室 targets of the work report: one row an indicator — 指标名称, 目标值, 单位,
完成时限, 基期, 备注 — as the sample (`etl.demo.targets`) and the departments write it.

Ground truth of its own: ids, units and windows from warehouse/catalog/indicators.yaml and
plan.yaml read with yaml (`indicators.entries`, not through etl); the target in the catalog's unit
by our factors (`TO_CATALOG`); the deadline as a statistician reads the 完成时限 (`deadline_of`).

A 合计 row makes no sense in a targets table (targets of different indicators are not summed),
but a department's template may carry one: it is drawn (a sum of like targets, or blank) and must
be skipped, not read as an unknown indicator. A blank or `—` target is "not yet set" (the sample's
masked targets): the row is kept with no target.

Outside the space (the generator narrows them): 其中 rows (a target has no parts); a unit row,
a title's or a file name's unit, or one unit in the 目标值 header over a table whose rows are in
several dimensions (亿元 and 亩 and 家: only a per-row 单位 column, the unit in each name or in each
target's cell can say it); period places and forms, townships, flags, date forms other than the
完成时限's own (a targets table has no period, place or flag)."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import random
from functools import cache

import yaml

from tests.layouts.case import Case
from tests.layouts.indicators import CATALOG_FILE, TO_CATALOG, entries
from tests.layouts.space import Layout
from tests.layouts.table import Column, Table, draw, order_columns

PLAN_FILE = CATALOG_FILE.with_name("plan.yaml")
# a unit a department writes → the catalog's: TO_CATALOG's money and area, and the counts and
# ranks written in a unit of their own kind (个 for 家, 位 for 位次)
FACTORS = {**TO_CATALOG, ("个", "家"): 1.0, ("位", "位次"): 1.0}
WRITTEN = {  # the catalog's unit → the units a department may write a target in
    "亿元": ("元", "万元", "亿元"),
    "亩": ("亩", "公顷", "平方米"),
    "家": ("家", "个"),
    "位次": ("位次", "位"),
}
DIMENSION = {"亿元": "money", "亩": "area"}  # the dimensions one unit above the table can speak for
LEADS = ["区发改委", "区统计局", "区工信局", "区自然资源局", "区科技局", "区住建局", "区文旅局",
         "区农业农村局"]  # fmt: skip
MASKED = "目标值待定（报告中未公开）"


@cache
def windows() -> dict[str, dt.date]:
    """The plan's windows' last days (plan.yaml: five_years → 2028-12-31 …)."""
    plan = yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))
    return {k: v["end"] for k, v in plan["windows"].items()}


def pool() -> list[dict]:
    """The report's targets: the catalog's indicators with a window (those without one have no
    number and no date in the report: 持续推进; the supporting series are no targets)."""
    return [i for i in entries() if i.get("window") and i.get("track", True)]


def factor(written: str, unit: str) -> float:
    return 1.0 if written == unit else FACTORS[(written, unit)]


def target_value(rng: random.Random, unit: str) -> float | int:
    """A target as written in `unit`."""
    if unit in ("元", "平方米"):
        return rng.randrange(1, 2000) * 10 ** rng.randrange(4, 8)
    if unit in ("万元", "亩", "公顷"):
        return rng.choice([rng.randrange(1, 100_000), rng.randrange(1, 10_000_000) / 100])
    if unit == "亿元":
        return rng.choice([rng.randrange(0, 2000), rng.randrange(0, 200_000) / 100])
    if unit in ("位次", "位"):
        return rng.randrange(1, 101)
    if unit == "百分点":
        return rng.randrange(0, 30) / 10
    return rng.randrange(0, 5000)  # 家, 个, 间


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def deadline_of(lay: Layout, rng: random.Random, ind: dict) -> tuple[object, dt.date]:
    """The 完成时限 as written, and the day a statistician reads in it: a year is its last day
    (`2028年`, `2028`, `2028年底`, `2028年底前`); a span ends with its last year (`2026—2028年`:
    the three years, done by the end of 2028); a month is its last day (`2025年6月底`), so is a
    half or a quarter (`2026年上半年`, `2026年三季度末`, `2026Q3`); a day is itself; a five-year
    plan's end its last year's (`十四五末`: 2025-12-31). Nothing (blank, `每年`, `持续推进`): the end of the indicator's window (plan.yaml)."""
    end = windows()[ind["window"]]
    year = rng.choice([end.year, end.year, rng.randrange(2025, 2029)])
    month, day = rng.randrange(1, 13), rng.randrange(1, 29)
    form = rng.choice(
        ["年", "bare", "number", "年底", "年底前", "年末", "span", "span年", "至", "月底", "月", "日", "date", "none", "每年",
         "持续推进", "上半年", "季度", "Q", "plan"]
    )  # fmt: skip
    quarter = rng.randrange(1, 5)
    if form == "上半年":
        return f"{year}年上半年", dt.date(year, 6, 30)
    if form in ("季度", "Q"):
        written_q = f"{year}年{'一二三四'[quarter - 1]}季度末" if form == "季度" else f"{year}Q{quarter}"
        return written_q, month_end(year, 3 * quarter)
    if form == "plan":  # a five-year plan's end
        return rng.choice([("十四五末", dt.date(2025, 12, 31)), ("“十五五”期末", dt.date(2030, 12, 31))])
    if form in ("number", "date") and lay.is_csv:
        form = {"number": "bare", "date": "日"}[form]
    if form in ("none", "每年", "持续推进"):
        return (None if form == "none" else form), end
    written: object = {
        "年": f"{year}年",
        "bare": str(year),
        "number": year,
        "年底": f"{year}年底",
        "年底前": f"{year}年底前",
        "年末": f"{year}年末",
        "span": f"{year - 2}—{year}年",
        "span年": f"{year - 2}年-{year}年",
        "至": f"{year - 2}年至{year}年",
        "月底": f"{year}年{month}月底",
        "月": f"{year}年{month}月",
        "日": f"{year}年{month}月{day}日",
        "date": dt.date(year, month, day),  # a date cell
    }[form]
    if form in ("月底", "月"):
        return written, month_end(year, month)
    if form in ("日", "date"):
        return written, dt.date(year, month, day)
    return written, dt.date(year, 12, 31)


def baseline_of(lay: Layout, rng: random.Random) -> tuple[object, str | None]:
    """The 基期 as written and the year it is (`2023年`, `2023`, `2023年底` → `2023`; blank → none)."""
    year = rng.choice([2023, 2023, 2022, 2024])
    form = rng.choice(["年", "bare", "number", "年底", "年末", "年度", "none"])
    if form == "number" and lay.is_csv:
        form = "bare"
    if form == "none":
        return None, None
    written = {
        "年": f"{year}年",
        "bare": str(year),
        "number": year,
        "年底": f"{year}年底",
        "年末": f"{year}年末",
        "年度": f"{year}年度",
    }
    return written[form], str(year)


def _indicators(lay: Layout, rng: random.Random) -> tuple[list[dict], str | None]:
    """The rows' indicators, and the one dimension they share when a unit above the table (a unit
    row, the title, the file name, the 目标值 header) speaks for all of them (else None)."""
    inds = pool()
    above = lay.unit_place in ("header", "unit_row", "title", "file_name")
    if above and rng.random() < 0.6:
        dim = rng.choice(["money", "money", "area"])
        same = [i for i in inds if DIMENSION.get(i["unit"]) == dim]
        return rng.sample(same, rng.randrange(1, len(same) + 1)), dim
    return rng.sample(inds, rng.randrange(2, 9)), None


def targets(lay: Layout) -> Case:
    """Indicators down; the unit in a 单位 column (each row's own), in each name (`三年新增挂钩（公顷）`),
    in the 目标值 header, a unit row, the title or the file name (a table of one dimension), or
    nowhere (the catalog's); blank targets (not yet set) kept as rows without a target; a 合计
    row, which a targets table should not have, skipped."""
    lay = dataclasses.replace(lay, parts=False)  # a target has no 其中 parts
    rng = random.Random(lay.seed)
    inds, dim = _indicators(lay, rng)
    one_unit = None
    if dim is not None:  # one unit above the table, for every row
        one_unit = lay.money_unit if dim == "money" else lay.area_unit
    # a 单位 column: each row's unit; beside one unit above the table, that unit again, sometimes
    unit_column = (dim is None and lay.unit_place in ("unit_row", "title", "file_name")) or (
        dim is not None and rng.random() < 0.3
    )
    unit_in_name = dim is None and lay.unit_place == "header"
    # no unit anywhere but in each target's cell (`1589亿元`, `300公顷`), as a report words it
    unit_in_cell = lay.unit_place == "spec" and rng.random() < 0.3
    recs = []
    for ind in inds:
        names = [ind["name_zh"], *ind.get("aliases", [])]
        name = rng.choice(names)
        if one_unit is not None:
            unit = one_unit
        elif unit_column or unit_in_name or unit_in_cell:
            unit = rng.choice(WRITTEN.get(ind["unit"], (ind["unit"],)))
        else:
            unit = ind["unit"]
        value = None if rng.random() < 0.25 else target_value(rng, unit)  # None: not yet set
        written_deadline, deadline = deadline_of(lay, rng, ind)
        written_base, base = baseline_of(lay, rng)
        note = MASKED if value is None else rng.choice([None, "确保", "三年累计", "力争"])
        recs.append(
            {"ind": ind, "name": name, "unit": unit, "value": value, "deadline_text": written_deadline,
             "deadline": deadline, "base_text": written_base, "base": base, "note": note}
        )  # fmt: skip
    if unit_in_name:
        brackets = rng.choice(["（）", "()"])
        for r in recs:
            r["name"] = f"{r['name']}{brackets[0]}{r['unit']}{brackets[1]}"
    if unit_in_cell:
        for r in recs:
            r["cell"] = None if r["value"] is None else f"{r['value']}{r['unit']}"
    cols = _columns(lay, rng, recs, unit_column, one_unit)
    label = next(c for c in cols if c.path[-1] in ("指标名称", "指标", "目标任务"))
    serial = next((c for c in cols if c.path == ("序号",)), None)
    cols = order_columns(cols, rng)
    # the 合计 in the 序号 column, else the name's; in the name's when the name is under the grouping
    # row (目标任务 over 指标 | 目标值 …): when every field is, the header found is its lowest row
    # alone (the rows above add no field), a 序号 labelled (or merged) above it is no label column and
    # its 合计 row is read as a nameless target — a finding of etl/extract/header.py, not of the
    # targets table, reported rather than fixed here
    named_below = len(label.path) > 1
    table = Table(cols, cols.index(serial) if serial is not None and not named_below else cols.index(label))
    title = rng.choice(["淮安区政府工作报告目标任务分解表", "2024年政府工作报告主要目标任务", None])
    if lay.unit_place == "title" and one_unit is not None:
        title = (
            f"{title or '目标任务表'}（单位：{one_unit}）"
            if rng.random() < 0.5
            else f"{title or '目标任务表'}（{one_unit}）"
        )
    if title:
        table.above.append(title)
    if lay.unit_place == "unit_row" and one_unit is not None:
        table.above.append(
            f"{'金额' if dim == 'money' else '面积'}单位：{one_unit}"
            if rng.random() < 0.5
            else f"单位：{one_unit}"
        )
    if lay.notes:
        table.notes = ["注：目标值待定的指标，待报告公开后补充。", "数据来源：区发改委"]
    sheet, _ = draw(table, lay, rng.choice(["目标任务", "Sheet1"]), rng)
    stem = "工作报告目标任务表"
    if lay.unit_place == "file_name" and one_unit is not None:
        stem += f"（{one_unit}）"
    has_base = any(c.path[-1] in ("基期", "基准年", "基数年份") for c in cols)
    has_note = any(c.path[-1] in ("备注", "说明") for c in cols)
    expected = [
        {"indicator_id": r["ind"]["id"], "unit": r["ind"]["unit"], "deadline": r["deadline"],
         "target": None if r["value"] is None else r["value"] * factor(r["unit"], r["ind"]["unit"]),
         "baseline_period": r["base"] if has_base else None, "note": r["note"] if has_note else None}
        for r in recs
    ]  # fmt: skip
    return Case("targets", lay, stem, sheet, "indicator_id", expected,
                ["target", "unit", "deadline", "baseline_period", "note"])  # fmt: skip


def _columns(
    lay: Layout, rng: random.Random, recs: list[dict], unit_column: bool, one_unit: str | None
) -> list[Column]:
    """The table's columns: 指标名称, 目标值 (under a 目标 parent with the 单位 and sometimes the
    完成时限 at depth 2; all under a grouping row at depth 3), 完成时限, 基期, 备注, 序号 and
    unmapped ones (牵头单位, 责任单位, 配合单位, the base year's figure)."""
    n = len(recs)
    d = lay.header_depth
    u = rng.choice(["（{}）", "({})"]).format(one_unit) if one_unit and lay.unit_place == "header" else ""
    group = (rng.choice(["目标", "预期目标", "目标任务"]),) if d >= 2 else ()
    if d == 3:
        group = (rng.choice(["主要目标任务", "工作目标"]), *group)
    target_h = rng.choice(["目标值", "目标数"] if d >= 2 else ["目标值", "目标", "目标数"])
    total = None
    values = [r["value"] for r in recs]
    if lay.total != "absent" and len({r["unit"] for r in recs}) == 1:
        total = sum(v for v in values if v is not None)  # a sum of like targets (the row is skipped)
    name_h: tuple[str, ...] = (
        rng.choice(["指标名称", "指标"] if "目标任务" in group else ["指标名称", "指标", "目标任务"]),
    )
    if group and group[-1] == "目标任务" and rng.random() < 0.5:  # 目标任务 over 指标 | 目标值 | 单位
        name_h = (*group, *name_h)
    written = [r.get("cell", _grouped(lay, rng, r["value"])) for r in recs]
    blank = [rng.choice([None, None, "—"]) if v is None else v for v in written]  # not yet set: blank or —
    cols = [Column(name_h, [r["name"] for r in recs]), Column((*group, f"{target_h}{u}"), blank, total)]
    if unit_column:
        cols.append(Column((*group, rng.choice(["单位", "计量单位"])), [r["unit"] for r in recs]))
    deadline_path = (
        (*group, "完成时限")
        if group and rng.random() < 0.5
        else (rng.choice(["完成时限", "时限", "目标年份"]),)
    )
    cols.append(Column(deadline_path, [r["deadline_text"] for r in recs]))
    if rng.random() < 0.7:
        cols.append(Column((rng.choice(["基期", "基准年", "基数年份"]),), [r["base_text"] for r in recs]))
    if rng.random() < 0.6:
        cols.append(Column((rng.choice(["备注", "说明"]),), [r["note"] for r in recs]))
    if lay.serial != "absent":
        cols.insert(0, Column(("序号",), [i + 1 if lay.serial == "int" else str(i + 1) for i in range(n)]))
    extras = [
        ("牵头单位", lambda: rng.choice(LEADS)),
        ("责任单位", lambda: "、".join(rng.sample(LEADS, 2))),
        ("配合单位", lambda: rng.choice([None, *LEADS])),
        ("2023年完成值", lambda: rng.randrange(0, 100_000) / 100),
    ]
    for text, make in rng.sample(extras, lay.extra_columns):
        cols.append(Column((text,), [make() for _ in range(n)]))
    return cols


def _grouped(lay: Layout, rng: random.Random, v: object) -> object:
    """A whole target of four digits or more typed as text with thousands separators (`10,000`),
    sometimes (a CSV writes it quoted)."""
    if isinstance(v, int) and v >= 1000 and rng.random() < 0.2:
        return f"{v:,}"
    return v

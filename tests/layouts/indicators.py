"""The 统计局 indicator tables: wide (regions down and periods across, as the 国家统计局 exports;
or indicators down), long (one value a row) and the 分乡镇 measures table (townships down,
several measures across). Indicator ids, units, kinds and frequencies come from
warehouse/catalog/indicators.yaml read with yaml (not through etl); conversions by our own factors;
periods by the statistician's rules in `truth_period` (never by statwh's code)."""

from __future__ import annotations

import dataclasses
import random
from functools import cache
from pathlib import Path

import yaml

from tests.layouts.case import Case
from tests.layouts.common import TOWNSHIPS
from tests.layouts.space import Layout
from tests.layouts.table import Column, Table, draw, order_columns

CATALOG_FILE = Path(__file__).resolve().parents[2] / "warehouse" / "catalog" / "indicators.yaml"
# the districts and counties of 淮安市 (统计用区划代码, 6 digits for a county-level region)
DISTRICTS = [("320803", "淮安区"), ("320804", "淮阴区"), ("320812", "清江浦区"), ("320813", "洪泽区"),
             ("320826", "涟水县"), ("320830", "盱眙县"), ("320831", "金湖县")]  # fmt: skip
# a figure written in a unit → the catalog's unit: how many of the catalog's unit one written unit is
TO_CATALOG = {
    ("元", "亿元"): 1e-8, ("万元", "亿元"): 1e-4, ("亿元", "亿元"): 1.0,
    ("亩", "亩"): 1.0, ("公顷", "亩"): 15.0, ("平方米", "亩"): 15 / 10_000,
}  # fmt: skip
DISTRICT = "320803"  # 淮安区, the warehouse's district (warehouse/catalog/plan.yaml)
WHOLE_DISTRICT = ("全区", "合计", "全区合计")  # how a long table's 地区 writes the district itself
KINDS = ("flow", "stock", "cumulative_new", "rate")  # those a 统计局 table reports (not gaps, ranks)


@cache
def entries() -> list[dict]:
    """Every indicator of the catalog, as the YAML writes it."""
    return yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))["indicators"]


@cache
def catalog() -> list[dict]:
    return [i for i in entries() if i["kind"] in KINDS]


def written_unit(lay: Layout, ind: dict) -> str:
    """The unit a department writes this indicator's figures in (the catalog's unless it converts)."""
    if lay.unit_place == "spec":
        return ind["unit"]
    return {"亿元": lay.money_unit, "亩": lay.area_unit}.get(ind["unit"], ind["unit"])


def figure(rng: random.Random, unit: str) -> float | int:
    if unit in ("家", "个", "间"):
        return rng.randrange(0, 5000)
    if unit == "%":
        return rng.randrange(-200, 300) / 10
    if unit in ("元", "平方米"):
        return rng.randrange(0, 90_000_000)
    return rng.randrange(0, 10_000_000) / 100


def converted(value: float, unit: str, ind: dict) -> float:
    return value * TO_CATALOG.get((unit, ind["unit"]), 1.0)


def basis_of(ind: dict, ytd: bool) -> str:
    """The statistician's rule: a stock is a level whatever the period; a rate is a rate; a flow
    over 1-m月 is year to date; a flow of a month alone or of a whole year is that period's."""
    if ind["kind"] == "stock":
        return "stock"
    if ind["kind"] == "rate":
        return "rate"
    return "ytd" if ytd else "period"


def truth_period(ind: dict, year: int, month: int | None, ytd: bool) -> str:
    """A whole year is `2025`; 1-m月 of a quarterly indicator at a quarter's end is the quarter
    (`2025Q1` for 1-3月: the statistician's rule); any other month is `2025-09`."""
    if month is None:
        return str(year)
    if ytd and ind["frequency"] == "quarter" and month % 3 == 0:
        return f"{year}Q{month // 3}"
    return f"{year}-{month:02d}"


def period_text(form: str, year: int, month: int | None) -> tuple[str, bool]:
    """A period column's header as written, and whether it is 1-m月 (year to date)."""
    if month is None:
        return f"{year}年", False
    text = {"ytd": f"{year}年1-{month}月", "dot": f"{year}.{month}", "iso": f"{year}-{month:02d}"}[form]
    return text, form == "ytd"


def months_for(inds: list[dict], form: str) -> list[int]:
    """The months a table may show: quarter ends for quarterly indicators (whose only figures are
    1-3月, 1-6月, 1-9月), 2-11 otherwise (1月 is both the month and year to date, 12 the year)."""
    if any(i["frequency"] == "quarter" for i in inds):
        return [3, 6, 9]
    return list(range(2, 12))


def name_of(rng: random.Random, ind: dict) -> str:
    """The name or an alias; not the names that carry their basis (`…累计值`, `…当季值`: outside
    the space, their basis is the name's, whatever the period says)."""
    names = [ind["name_zh"], *ind.get("aliases", [])]
    return rng.choice([n for n in names if not any(w in n for w in ("累计值", "当季值", "当月值"))])


def region_written(lay: Layout, rng: random.Random, regions: list) -> list[tuple[str, str]]:
    """(as written, code) for districts and townships."""
    out = []
    for code, full, short in regions:
        if short is None:
            out.append((full, code))
        else:
            out.append(({"full": full, "short": short, "code": f"{code}{full}"}[lay.township_form], code))
    return out


def draw_regions(lay: Layout, rng: random.Random) -> list[tuple[str, str]]:
    pool = [(c, n, None) for c, n in DISTRICTS] + list(TOWNSHIPS)
    return region_written(lay, rng, rng.sample(pool, rng.randrange(2, 7)))


def periods(lay: Layout, rng: random.Random, inds: list[dict]) -> list[tuple[str, int, int | None, bool]]:
    """Period columns, two or more (one period across is a long table without its period column, not
    a wide one): (as written, year, month or None, year to date)."""
    form = "ytd" if lay.period_form == "month_only" else lay.period_form
    if any(i["frequency"] == "quarter" for i in inds):
        form = "ytd"  # a quarterly indicator is reported 1-3月, 1-6月, 1-9月 only
    picks: list[tuple[int, int | None]] = [
        (y, None) for y in rng.sample([2022, 2023, 2024], rng.randrange(0, 3))
    ]
    months = months_for(inds, form)
    k = rng.randrange(max(1, 2 - len(picks)), min(3, len(months)) + 1)
    picks += [(2025, m) for m in sorted(rng.sample(months, k))]
    out = []
    for y, m in picks:
        text, ytd = period_text(form, y, m)
        out.append((text, y, m, ytd))
    return out


def _serial(lay: Layout, n: int) -> Column | None:
    if lay.serial == "absent":
        return None
    return Column(("序号",), [i + 1 if lay.serial == "int" else str(i + 1) for i in range(n)])


def _extras(lay: Layout, rng: random.Random, n: int) -> list[Column]:
    extras = [("备注", lambda: rng.choice([None, "快报", "初步核算"])), ("数据来源", lambda: "统计局")]
    return [Column((t,), [f() for _ in range(n)]) for t, f in extras[: min(lay.extra_columns, len(extras))]]


def indicators_wide(lay: Layout) -> Case:
    """Regions down, periods across; the indicator in a `指标：` line or the file name."""
    rng = random.Random(lay.seed)
    ind = rng.choice(catalog())
    unit = written_unit(lay, ind)
    name = name_of(rng, ind)
    regions = draw_regions(lay, rng)
    ps = periods(lay, rng, [ind])
    n = len(regions)
    values = [[figure(rng, unit) for _ in regions] for _ in ps]
    d = lay.header_depth
    label = Column(("地区",), [w for w, _ in regions])
    cols = [label]
    for (text, *_), vals in zip(ps, values, strict=True):
        path = (text,) if d == 1 else (f"{name}", text) if d == 2 else ("主要指标", f"{name}", text)
        cols.append(Column(path, vals))
    serial = _serial(lay, n)
    if serial is not None:
        cols.insert(0, serial)
    cols += _extras(lay, rng, n)
    table = Table(cols, 0)
    in_file = rng.random() < 0.3
    u = f"（{unit}）" if lay.unit_place == "header" else ""
    if not in_file:
        table.above.append(f"指标：{name}{u}")
    if lay.unit_place == "unit_row":
        table.above.append(f"单位：{unit}")
    if lay.notes:
        table.notes = ["注：本表数据为快报数。", "数据来源：淮安市统计局"]
    sheet, _ = draw(table, lay, "数据", rng)
    stem = "分地区数据" if not in_file else f"{name}{u or ''}"
    if lay.unit_place in ("title", "file_name"):
        stem += f"（{unit}）"
    expected = [
        {"region_code": code, "indicator_id": ind["id"], "period": truth_period(ind, y, m, ytd),
         "basis": basis_of(ind, ytd), "value": converted(v, unit, ind), "unit": ind["unit"]}
        for (text, y, m, ytd), vals in zip(ps, values, strict=True)
        for (_, code), v in zip(regions, vals, strict=True)
    ]  # fmt: skip
    return Case("indicators", lay, stem, sheet, ("region_code", "indicator_id", "period"), expected,
                ["value", "basis", "unit"])  # fmt: skip


def _unit_parts(lay: Layout, unit: str) -> tuple[str, bool]:
    """Where a row's unit goes in a table of several indicators: in its name (`（万元）`) for
    `header`, a 单位 column for a unit row, the title or the file name (a table of several units
    has one unit per row), nowhere for `spec` (the catalog's unit)."""
    if lay.unit_place == "spec":
        return "", False
    if lay.unit_place == "header":
        return f"（{unit}）", False
    return "", True


def indicators_down(lay: Layout) -> Case:
    """Indicators down, periods across, the region in the title (淮安区主要经济指标)."""
    rng = random.Random(lay.seed)
    pool = catalog()
    inds = rng.sample(pool, rng.randrange(2, 6))
    names = [name_of(rng, i) for i in inds]
    if len({n for n in names}) < len(names):
        names = [i["name_zh"] for i in inds]
    ps = periods(lay, rng, inds)
    units = [written_unit(lay, i) for i in inds]
    values = [[figure(rng, u) for u in units] for _ in ps]
    suffix, unit_column = _unit_parts(lay, "")
    label = Column(("指标名称",) if rng.random() < 0.5 else ("指标",),
                   [f"{n}（{u}）" if lay.unit_place == "header" else n for n, u in zip(names, units, strict=True)])  # fmt: skip
    d = lay.header_depth
    cols = [label]
    for (text, *_), vals in zip(ps, values, strict=True):
        cols.append(
            Column((text,) if d == 1 else ("淮安区", text) if d == 2 else ("主要指标", "淮安区", text), vals)
        )
    if unit_column:
        cols.insert(1, Column(("单位",) if rng.random() < 0.5 else ("计量单位",), units))
    serial = _serial(lay, len(inds))
    if serial is not None:
        cols.insert(0, serial)
    table = Table(cols, 0)
    table.above.append(rng.choice(["淮安区主要经济指标", "淮安区国民经济主要指标完成情况"]))
    if lay.notes:
        table.notes = ["注：地区生产总值为初步核算数。", "数据来源：淮安区统计局"]
    sheet, _ = draw(table, lay, "主要指标", rng)
    expected = [
        {"region_code": "320803", "indicator_id": ind["id"], "period": truth_period(ind, y, m, ytd),
         "basis": basis_of(ind, ytd), "value": converted(v, u, ind), "unit": ind["unit"]}
        for (text, y, m, ytd), vals in zip(ps, values, strict=True)
        for ind, u, v in zip(inds, units, vals, strict=True)
    ]  # fmt: skip
    return Case("indicators", lay, "主要指标", sheet, ("region_code", "indicator_id", "period"), expected,
                ["value", "basis", "unit"])  # fmt: skip


def indicators_long(lay: Layout) -> Case:
    """One value a row: 指标名称, 地区, 时期, 数值, 单位 (a 口径 column sometimes, blank)."""
    rng = random.Random(lay.seed)
    inds = rng.sample(catalog(), rng.randrange(1, 4))
    regions = draw_regions(lay, rng)
    if rng.random() < 0.4:  # the district's own figure, written as a long table's 地区 writes it
        regions = [(w, c) for w, c in regions if c != DISTRICT] + [(rng.choice(WHOLE_DISTRICT), DISTRICT)]
    ps = periods(lay, rng, inds)
    recs = []
    for ind in inds:
        name = name_of(rng, ind)
        unit = written_unit(lay, ind)
        for text, y, m, ytd in ps:
            for written, code in rng.sample(regions, rng.randrange(1, len(regions) + 1)):
                recs.append((ind, name, unit, written, code, text, y, m, ytd, figure(rng, unit)))
    rng.shuffle(recs)
    n = len(recs)
    d = lay.header_depth
    fig = ("数值",) if d == 1 else ("指标值", "数值") if d == 2 else ("指标值", "本期", "数值")
    name_col = Column(
        ("指标名称",), [r[1] + (f"（{r[2]}）" if lay.unit_place == "header" else "") for r in recs]
    )
    cols = [
        name_col,
        Column(("地区",), [r[3] for r in recs]),
        Column(("时期",), [r[5] for r in recs]),
        Column(fig, [r[9] for r in recs]),
    ]
    if lay.unit_place not in ("spec", "header"):
        cols.append(Column(("单位",), [r[2] for r in recs]))
    serial = _serial(lay, n)
    if serial is not None:
        cols.append(serial)
    cols += _extras(lay, rng, n)
    cols = order_columns(cols, rng)
    table = Table(cols, cols.index(serial) if serial is not None else cols.index(name_col))
    if rng.random() < 0.5:
        table.above.append("淮安市分县区主要指标")
    if lay.notes:
        table.notes = ["注：快报数据。", "数据来源：淮安市统计局"]
    sheet, _ = draw(table, lay, "长表", rng)
    expected = [
        {"region_code": code, "indicator_id": ind["id"], "period": truth_period(ind, y, m, ytd),
         "basis": basis_of(ind, ytd), "value": converted(v, unit, ind), "unit": ind["unit"]}
        for ind, _, unit, _, code, _, y, m, ytd, v in recs
    ]  # fmt: skip
    return Case("indicators", lay, "指标长表", sheet, ("region_code", "indicator_id", "period"), expected,
                ["value", "basis", "unit"])  # fmt: skip


def _measure_columns(lay: Layout, money: str, count: str) -> list[tuple[tuple[str, ...], str, str, bool]]:
    """(header path, indicator id, written unit, a year earlier) of each measure column; a measures
    table has its grouping row always (a one-row header is drawn as two)."""
    hu = lay.unit_place == "header"
    firms = f"规上工业企业数（{count}）" if hu else "规上工业企业数"
    output = f"工业总产值（{money}）" if hu else "工业总产值"
    cols = [
        ((firms, "本期"), "above_scale_enterprises", count, False),
        ((firms, "上年同期"), "above_scale_enterprises", count, True),
        ((output, "累计"), "industrial_output", money, False),
        ((output, "上年同期"), "industrial_output", money, True),
        ((output, "同比增长（%）"), "industrial_output_growth", "%", False),
    ]
    if lay.header_depth == 3:
        cols = [(("规模以上工业", *p), *rest) for p, *rest in cols]
    return cols


def indicators_measures(lay: Layout) -> Case:
    """The 分乡镇 table: townships down, 规上工业企业数 本期 / 上年同期 and 工业总产值 累计 /
    上年同期 / 同比增长 across, the period in the title, the sheet or the file name."""
    # 2025.9 / 2025-09 in the title do not say whether 上年同期 is a month or year to date: outside
    lay = dataclasses.replace(
        lay,
        header_depth=max(2, lay.header_depth),
        period_form="ytd" if lay.period_form in ("dot", "iso") else lay.period_form,
    )
    rng = random.Random(lay.seed)
    by_id = {i["id"]: i for i in catalog()}
    money = lay.money_unit if lay.unit_place != "spec" else "亿元"
    count = rng.choice(["个", "家"]) if lay.unit_place != "spec" else "家"
    year, month = 2025, rng.randrange(2, 12)
    towns = rng.sample(TOWNSHIPS, rng.randrange(2, 8))
    regions = region_written(lay, rng, towns)
    mcols = _measure_columns(lay, money, count)
    cols = [Column(("乡镇（街道）",) if rng.random() < 0.5 else ("镇（街道）",), [w for w, _ in regions])]
    values = []
    for path, _, unit, _ in mcols:
        vals = [figure(rng, unit) for _ in towns]
        values.append(vals)
        total = None if unit == "%" else round(sum(vals), 2)
        cols.append(Column(path, vals, total))
    serial = _serial(lay, len(towns))
    if serial is not None:
        cols.insert(0, serial)
    cols += _extras(lay, rng, len(towns))[:1]
    table = Table(cols, 0)
    place = (
        "title"
        if lay.period_place == "column" or (lay.period_place == "sheet" and lay.is_csv)
        else lay.period_place
    )
    written = {"ytd": f"{year}年1-{month}月", "dot": f"{year}.{month}", "iso": f"{year}-{month:02d}",
               "month_only": f"1-{month}月"}[lay.period_form]  # fmt: skip
    year_text = f"{year}年" if lay.period_form == "month_only" else ""
    title = f"{year_text}淮安区分乡镇规模以上工业主要指标"  # 1-9月: the year in the title
    title += f"（{written}）" if place == "title" else ""
    if lay.unit_place == "title":
        title += f"（{money}）"
    table.above.append(title)
    if lay.unit_place == "unit_row":
        table.above.append(f"单位：{count}，{money}")
    if lay.notes:
        table.notes = [
            "注：规模以上工业指年主营业务收入2000万元及以上的工业法人单位。",
            "数据来源：淮安区统计局",
        ]
    sheet, _ = draw(table, lay, written if place == "sheet" else "分乡镇", rng)
    stem = "分乡镇规上工业" + (f"_{written}" if place == "file_name" else "")
    if lay.unit_place == "file_name":
        stem += f"（{money}）"
    expected = []
    for (_, iid, unit, prior), vals in zip(mcols, values, strict=True):
        ind = by_id[iid]
        for (_, code), v in zip(regions, vals, strict=True):
            expected.append(
                {"region_code": code, "indicator_id": iid, "period": f"{year - prior}-{month:02d}",
                 "basis": basis_of(ind, True), "value": converted(v, unit, ind), "unit": ind["unit"]}
            )  # fmt: skip
    return Case("indicators", lay, stem, sheet, ("region_code", "indicator_id", "period"), expected,
                ["value", "basis", "unit"])  # fmt: skip

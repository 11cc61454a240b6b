"""One unit path: wherever a file writes a unit (header, unit row, 指标 line, title, file name,
the spec), the stored figure is in its field's or indicator's unit — and `statwh check` prints
exactly what the load applies. Generated files, ground truth computed here from the factors."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
import yaml

from etl.base.codes import make_credit_code
from etl.base.paths import SPEC_DIR
from etl.extract import extract
from tests.hostile.corpus import write_xlsx

TO_BASE = {"元": 1, "万元": 1e4, "亿元": 1e8, "平方米": 1, "公顷": 1e4, "亩": 10000 / 15, "个": 1, "家": 1}


def factor(u: str, to: str) -> float:
    return TO_BASE[u] / TO_BASE[to]


# dataset: spec file, field, the file's header / row (`{U}` where a header writes the unit),
# file-name stem, field or indicator unit, units to try, the value written
CASES = {
    "enterprise_periods": (
        "enterprises_roster.yaml", "output_ytd",
        ["统一社会信用代码", "企业名称", "所在镇（街道）", "是否规上", "工业总产值{U}"],
        ["91320803MA00000001", "甲公司", "平桥镇", "是", 12.5],
        "规上工业企业主要指标_2025年1-6月", "万元", ("元", "万元", "亿元"), 12.5,
    ),
    "land_projects": (
        "land_linkage.yaml", "area_mu",
        ["项目名称", "所在镇", "复垦面积{U}", "验收日期"], ["甲项目", "平桥镇", 12.5, "2025-03-01"],
        "2025年增减挂钩验收台账", "亩", ("亩", "公顷", "平方米"), 12.5,
    ),
    "hightech_counts": (
        "hightech_counts.yaml", "new_first",
        ["镇（街道）", "首次认定{U}"], ["平桥镇", 12],
        "2025年高新技术企业认定情况统计表", "家", ("个", "家"), 12,
    ),
    "indicator_obs": (
        "indicators_long.yaml", "value",
        ["指标名称", "时期", "数值{U}"], ["地区生产总值", "2024", 12.5],
        "指标长表", "亿元", ("元", "万元", "亿元"), 12.5,
    ),
    "targets": (
        "targets.yaml", "target",
        ["指标名称", "目标值{U}", "完成时限"], ["地区生产总值", 12.5, "2028年"],
        "目标任务表", "亿元", ("元", "万元", "亿元"), 12.5,
    ),
}  # fmt: skip
PLACES = (
    "header",
    "unit row",
    "title",
    "file name",
    "spec",
    "unit sub-header",
    "row under the header",
    "footnote",
)
SHOWN_AS = {"unit sub-header": "header"}  # a row of units under the names joins the header


def write_case(tmp_path: Path, dataset: str, place: str, unit: str, fmt: str = "csv") -> tuple[Path, str]:
    """The file (and the source: a spec path) for one dataset with `unit` written at `place`. As
    `xlsx`, the footnote is below `XLSX_GAP` blank rows: further down than the rows an .xlsx's
    header is looked for in (the rows under them are read from the file by column)."""
    spec_file, field, header, row, stem, _, _, _ = CASES[dataset]
    spec = yaml.safe_load((SPEC_DIR / spec_file).read_text(encoding="utf-8"))
    spec["fields"][field].pop("default_unit", None)
    if place == "spec":
        spec["fields"][field]["default_unit"] = unit
    spec_path = tmp_path / f"{dataset}.yaml"
    spec_path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    rows = []
    if place == "title":
        rows.append([f"淮安区统计表（{unit}）"])
    if place == "unit row":
        rows.append([f"单位：{unit}"])
    rows.append([h.replace("{U}", f"（{unit}）" if place == "header" else "") for h in header])
    if place == "unit sub-header":
        rows.append([unit if "{U}" in h else "" for h in header])
    if place == "row under the header":
        rows.append([f"单位：{unit}"])
    rows.append(row)
    if place == "footnote":
        rows += [[]] * (XLSX_GAP if fmt == "xlsx" else 0) + [[f"注：本表数值单位为{unit}。"]]
    name = f"{stem} {unit}.{fmt}" if place == "file name" else f"{stem}.{fmt}"
    f = tmp_path / name
    if fmt == "xlsx":
        write_xlsx(f, rows)
    else:
        with f.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
    return f, str(spec_path)


XLSX_GAP = 60


GRID = [
    (d, p, u, fmt) for d, case in CASES.items() for p in PLACES for u in case[6] for fmt in ("csv", "xlsx")
]


@pytest.mark.parametrize(
    ("dataset", "place", "unit", "fmt"), GRID, ids=[f"{d}-{p}-{u}-{fmt}" for d, p, u, fmt in GRID]
)
def test_the_stored_value_is_in_its_fields_unit(tmp_path, dataset, place, unit, fmt):
    f, source = write_case(tmp_path, dataset, place, unit, fmt)
    _, field, _, _, _, to, _, written = CASES[dataset]
    ex = extract(f, source)
    assert not ex.critical, ex.critical
    assert not [i for i in ex.issues if i.severity == "row"], ex.issues
    (value,) = ex.frame[field].tolist()
    assert math.isclose(value, written * factor(unit, to), rel_tol=1e-12), (value, unit, to)
    if "unit" in ex.frame:  # indicators and targets carry their unit: always the catalog's
        assert ex.frame["unit"].tolist() == [to]
    # what `statwh check` prints is what was applied
    shown = ex.sheets[0].units[field]
    where = SHOWN_AS.get(place, place)
    assert f"{unit} ({where})" in shown
    if unit != to:
        assert f"→ {to} ×{factor(unit, to):g}" in shown


def test_a_unit_column_in_a_long_table_is_applied_per_row(tmp_path):
    f = tmp_path / "指标长表.csv"
    f.write_text(
        "指标名称,时期,数值,单位\n地区生产总值,2024,265432.1,万元\n地区生产总值,2023,25.1,亿元\n",
        encoding="utf-8",
    )
    ex = extract(f, "indicators")
    got = dict(zip(ex.frame["period"], ex.frame["value"], strict=True))
    assert math.isclose(got["2024"], 26.54321) and got["2023"] == 25.1
    assert set(ex.frame["unit"]) == {"亿元"}


def test_the_header_unit_of_an_indicator_value_is_applied_not_only_shown(tmp_path):
    """The issue's case: `数值（万元）` showed `[万元 (header)]` in check and loaded 265432.1 as 亿元."""
    f = tmp_path / "指标长表.csv"
    f.write_text("指标名称,时期,数值（万元）\n地区生产总值,2024,265432.1\n", encoding="utf-8")
    ex = extract(f, "indicators")
    assert ex.frame["value"].tolist() == [pytest.approx(26.54321)]
    assert ex.sheets[0].units["value"] == "地区生产总值: 万元 (header) → 亿元 ×0.0001"


@pytest.mark.parametrize(
    ("above", "header", "names"),
    [(["单位：亿元"], "工业总产值（万元）", ("header", "unit row")),
     (["规上工业企业表（亿元）"], "工业总产值（万元）", ("header", "title")),
     (["单位：万元"], "工业总产值", ("unit row", "file name"))],
)  # fmt: skip
def test_two_places_that_disagree_reject_the_file_naming_both(tmp_path, above, header, names):
    f = tmp_path / "规上工业企业主要指标_2025年1-6月 元.csv"
    rows = [
        above,
        ["统一社会信用代码", "企业名称", "所在镇（街道）", header],
        ["91320803MA00000001", "甲公司", "平桥镇", "1"],
    ]
    with f.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    ex = extract(f, "enterprises")
    (crit,) = ex.critical
    assert (
        crit.rule == "unit_conflict"
        and crit.sheet
        and crit.row == len(above) + 1
        and crit.column == "output_ytd"
    )
    assert all(n in crit.message for n in names) and "\n" not in crit.message


def test_a_unit_of_another_kind_above_the_table_speaks_of_other_columns(tmp_path):
    f = tmp_path / "规上工业企业主要指标_2025年1-6月.csv"
    rows = [["单位：万元"], ["统一社会信用代码", "企业名称", "所在镇（街道）", "工业总产值", "从业人员（人）"],
            ["91320803MA00000001", "甲公司", "平桥镇", "3", "40"]]  # fmt: skip
    with f.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    ex = extract(f, "enterprises")
    assert not ex.critical and ex.frame["employees"].tolist() == [40]


@pytest.mark.parametrize("cell", ["inf", "1e400", "-inf", "nan", "Infinity"])
def test_only_finite_figures_load(tmp_path, cell):
    f = tmp_path / "2025年增减挂钩验收台账.csv"
    f.write_text(
        f"项目名称,所在镇,复垦面积,验收日期\n甲,平桥镇,{cell},2025-03-01\n乙,平桥镇,3,2025-03-01\n",
        encoding="utf-8",
    )
    ex = extract(f, "land_use")
    (bad,) = [i for i in ex.issues if i.severity == "row"]
    assert bad.row == 2 and cell in bad.value
    assert all(math.isfinite(v) for v in ex.frame["area_mu"].dropna())


def test_overflow_after_conversion_is_a_rejected_row_not_infinity(tmp_path):
    f = tmp_path / "2025年增减挂钩验收台账.csv"
    f.write_text(
        "项目名称,所在镇,复垦面积（平方公里）,验收日期\n甲,平桥镇,1e306,2025-03-01\n乙,平桥镇,1,2025-03-01\n",
        encoding="utf-8",
    )
    ex = extract(f, "land_use")
    (bad,) = [i for i in ex.issues if i.severity == "row"]
    assert bad.row == 2 and "超出范围" in bad.message
    fr = ex.frame.sort_values("_row")
    assert math.isnan(fr["area_mu"].iloc[0]) and fr["area_mu"].iloc[1] == pytest.approx(1500)


def test_an_indicator_figure_that_overflows_is_a_rejected_row(tmp_path):
    f = tmp_path / "指标长表.csv"
    f.write_text(
        "指标名称,时期,数值,单位\n新增城乡建设用地增减挂钩,2024,1e306,平方公里\n新增城乡建设用地增减挂钩,2023,2,公顷\n",
        encoding="utf-8",
    )
    ex = extract(f, "indicators")
    (bad,) = [i for i in ex.issues if i.severity == "row"]
    assert bad.row == 2 and "超出范围" in bad.message
    fr = ex.frame.set_index("period")
    assert fr.loc["2023", "value"] == pytest.approx(30) and fr.loc["2023", "unit"] == "亩"
    assert all(math.isfinite(v) for v in fr["value"])


def test_employees_ignore_a_money_unit_row_but_not_a_money_header(tmp_path):
    f = tmp_path / "规上工业企业主要指标_2025年1-6月.csv"
    f.write_text(
        "统一社会信用代码,企业名称,所在镇（街道）,工业总产值,从业人员（万元）\n91320803MA00000001,甲公司,平桥镇,3,40\n",
        encoding="utf-8",
    )
    (crit,) = extract(f, "enterprises").critical
    assert crit.rule == "unit_mismatch" and crit.column == "employees"


def test_check_prints_the_conversion_the_load_applies(tmp_path, capsys, home):
    from tests.conftest import run_cli

    f = tmp_path / "指标长表.csv"
    f.write_text("指标名称,时期,数值（万元）\n地区生产总值,2024,265432.1\n", encoding="utf-8")
    run_cli("check", "indicators", str(f))
    out = capsys.readouterr().out
    assert "[地区生产总值: 万元 (header) → 亿元 ×0.0001]" in out


def test_a_wide_table_whose_unit_row_and_indicator_line_disagree_is_rejected(tmp_path):
    f = tmp_path / "分省年度数据.csv"
    f.write_text("指标：地区生产总值(亿元)\n单位：万元\n地区,2024年,2023年\n北京市,1,2\n", encoding="utf-8")
    (crit,) = extract(f, "indicators").critical
    assert crit.rule == "unit_conflict" and "单位行" in crit.message and "指标行" in crit.message


def test_a_wide_table_in_wan_yuan_is_stored_in_yi_yuan(tmp_path):
    f = tmp_path / "分省年度数据.csv"
    f.write_text("指标：地区生产总值(万元)\n地区,2024年,2023年\n北京市,10000,20000\n", encoding="utf-8")
    ex = extract(f, "indicators")
    assert sorted(ex.frame["value"]) == [1.0, 2.0] and set(ex.frame["unit"]) == {"亿元"}
    assert ex.sheets[0].units["value"] == "地区生产总值: 万元 (指标 line) → 亿元 ×0.0001"


WIDE_PLACES = ("指标 line", "unit row", "title", "file name")


@pytest.mark.parametrize("place", WIDE_PLACES)
@pytest.mark.parametrize("unit", ["元", "万元", "亿元"])
def test_a_wide_table_stores_its_indicators_unit_wherever_the_unit_is_written(tmp_path, place, unit):
    rows = ["指标：地区生产总值" + (f"({unit})" if place == "指标 line" else "")]
    if place == "title":
        rows.insert(0, f"分省年度数据（{unit}）")
    if place == "unit row":
        rows.append(f"单位：{unit}")
    rows += ["地区,2024年,2023年", "北京市,12.5,25"]
    f = tmp_path / (f"分省年度数据 {unit}.csv" if place == "file name" else "分省年度数据.csv")
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ex = extract(f, "indicators")
    assert not ex.critical, ex.critical
    got = dict(zip(ex.frame["period"], ex.frame["value"], strict=True))
    k = factor(unit, "亿元")
    assert math.isclose(got["2024"], 12.5 * k) and math.isclose(got["2023"], 25 * k)
    assert set(ex.frame["unit"]) == {"亿元"} and f"{unit} ({place})" in ex.sheets[0].units["value"]


def test_a_unit_column_that_contradicts_the_header_rejects_the_row_naming_both(tmp_path):
    f = tmp_path / "指标长表.csv"
    f.write_text(
        "指标名称,时期,数值（万元）,单位\n地区生产总值,2024,5,亿元\n地区生产总值,2023,20000,万元\n",
        encoding="utf-8",
    )
    ex = extract(f, "indicators")
    (bad,) = [i for i in ex.issues if i.severity == "row"]
    assert bad.row == 2 and "单位列" in bad.message and "表头" in bad.message
    assert ex.frame.set_index("period").loc["2023", "value"] == pytest.approx(2.0)


def test_a_percent_in_a_money_column_is_a_rejected_row_not_a_figure(tmp_path):
    """`15.2%` in a 万元 column is not 15.2 万元 (found by an adversarial sweep: it loaded silently)."""
    f = tmp_path / "2025年增减挂钩验收台账.csv"
    f.write_text(
        "项目名称,所在镇,复垦面积（亩）,验收日期\n甲,平桥镇,15.2%,2025-03-01\n乙,平桥镇,3,2025-03-01\n",
        encoding="utf-8",
    )
    ex = extract(f, "land_use")
    (bad,) = [i for i in ex.issues if i.severity == "row"]
    assert bad.row == 2 and "%" in bad.message
    fr = ex.frame.sort_values("_row")
    assert math.isnan(fr["area_mu"].iloc[0]) and fr["area_mu"].iloc[1] == pytest.approx(3)


def test_a_percent_in_an_indicator_value_column_is_the_rates_own(tmp_path):
    f = tmp_path / "指标长表.csv"
    f.write_text("指标名称,时期,数值\n地区生产总值增长率,2024,6.1%\n", encoding="utf-8")
    ex = extract(f, "indicators")
    assert not [i for i in ex.issues if i.severity in ("row", "critical")]
    assert ex.frame["value"].tolist() == [pytest.approx(6.1)]


@pytest.mark.parametrize(
    ("unit", "stored"),
    [
        ("百万元", 1000 * 100),  # 1000 百万元 = 100,000 万元
        ("十万元", 1000 * 10),
        ("千元", 1000 / 10),
        ("元人民币", 1000 / 10_000),
        ("人民币万元", 1000),
        ("万亿元", 1000 * 1e8),
    ],
)
def test_money_in_every_scale_is_converted_not_taken_as_wan_yuan(tmp_path, unit, stored):
    """A header unit statwh did not know was ignored and the figure taken as 万元 (found by an
    adversarial sweep: 1000 百万元 loaded as 1000 万元)."""
    f = tmp_path / "规上工业企业主要指标_2025年1-9月.csv"
    f.write_text(
        f"统一社会信用代码,企业名称,所在镇（街道）,工业总产值（{unit}）\n91320803MA0BK5CX60,甲公司,车桥镇,1000\n",
        encoding="utf-8",
    )
    ex = extract(f, "enterprises")
    assert not ex.critical, [i.describe() for i in ex.critical]
    assert ex.frame["output_ytd"].tolist() == [pytest.approx(stored)]


@pytest.mark.parametrize(
    ("where", "unit"),
    [
        ("header", "万美元"),
        ("header", "亿美元"),
        ("header", "万卢布"),
        ("unit_row", "万美元"),
        ("unit_row", "千港币"),
    ],
)
def test_a_foreign_currency_rejects_the_column_instead_of_loading_as_yuan(tmp_path, where, unit):
    f = tmp_path / "规上工业企业主要指标_2025年1-9月.csv"
    head = f"工业总产值（{unit}）" if where == "header" else "工业总产值"
    above = f",,单位：{unit}\n" if where == "unit_row" else ""
    f.write_text(
        f"{above}统一社会信用代码,企业名称,所在镇（街道）,{head}\n91320803MA0BK5CX60,甲公司,车桥镇,1000\n",
        encoding="utf-8",
    )
    (crit,) = extract(f, "enterprises").critical
    assert crit.rule == "unit_mismatch" and unit in crit.message


def test_a_qualifier_beside_the_unit_in_brackets_leaves_the_unit(tmp_path):
    f = tmp_path / "规上工业企业主要指标_2025年1-9月.csv"
    f.write_text(
        "统一社会信用代码,企业名称,所在镇（街道）,工业总产值（当年价，亿元）\n91320803MA0BK5CX60,甲公司,车桥镇,2\n",
        encoding="utf-8",
    )
    ex = extract(f, "enterprises")
    assert not ex.critical and ex.frame["output_ytd"].tolist() == [pytest.approx(20_000)]


def _ledger_with_unit_column(tmp_path, units: list[str]):
    f = tmp_path / "2025年增减挂钩验收台账.csv"
    rows = "".join(f"{i},项目{i},平桥镇,10,{u},2025-03-0{i}\n" for i, u in enumerate(units, 1))
    f.write_text("序号,项目名称,所在镇,复垦面积,单位,验收日期\n" + rows, encoding="utf-8")
    return extract(f, "land_use")


def test_a_unit_column_saying_one_unit_is_the_figures_unit(tmp_path):
    """A rows table's 单位 column was ignored: 10 公顷 loaded as 10 亩 (found by an adversarial sweep)."""
    ex = _ledger_with_unit_column(tmp_path, ["公顷", "公顷"])
    assert not ex.critical and not [i for i in ex.issues if i.severity == "row"]
    assert ex.frame["area_mu"].tolist() == [pytest.approx(150), pytest.approx(150)]
    assert "unit column" in ex.sheets[0].units["area_mu"]


def test_a_unit_column_that_mixes_units_rejects_the_rows_in_the_other_units(tmp_path):
    ex = _ledger_with_unit_column(tmp_path, ["亩", "公顷", "亩", "平方米"])
    bad = sorted(i.row for i in ex.issues if i.severity == "row")
    assert bad == [3, 5]
    fr = ex.frame.sort_values("_row")
    assert fr["area_mu"].tolist()[0] == 10 and math.isnan(fr["area_mu"].tolist()[1])


def test_a_unit_column_that_contradicts_the_header_rejects_the_rows(tmp_path):
    f = tmp_path / "2025年增减挂钩验收台账.csv"
    f.write_text(
        "项目名称,所在镇,复垦面积（亩）,单位,验收日期\n甲,平桥镇,10,亩,2025-03-01\n乙,平桥镇,2,公顷,2025-03-01\n",
        encoding="utf-8",
    )
    ex = extract(f, "land_use")
    assert [i.row for i in ex.issues if i.severity == "row"] == [3]


def test_a_column_headed_danwei_of_names_is_not_a_unit_column(tmp_path):
    """`单位` may head the enterprises' names too: words that are no unit say nothing of the figures."""
    f = tmp_path / "规上工业企业主要指标_2025年1-9月.csv"
    f.write_text(
        "统一社会信用代码,企业名称,单位,所在镇（街道）,工业总产值（万元）\n"
        "91320803MA0BK5CX60,甲公司,江苏甲机械有限公司,车桥镇,100\n",
        encoding="utf-8",
    )
    ex = extract(f, "enterprises")
    assert not ex.critical and ex.frame["output_ytd"].tolist() == [100]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_footnote_that_states_another_unit_than_the_unit_row_rejects_the_file(tmp_path, fmt):
    """A unit the sheet states anywhere is read or contested, never passed over: `注：金额单位为亿元`
    under a table whose 单位 row says 万元 had loaded the figures as 万元 — and under a long .xlsx
    table (300 enterprises), whose last rows the header search does not read, it still did."""
    f = tmp_path / f"规上工业企业主要指标_2025年1-6月.{fmt}"
    firms = [[make_credit_code("320803", f"M{i:07d}"), f"甲{i}公司", "平桥镇", 3 + i] for i in range(300)]
    rows = [["单位：万元"], ["统一社会信用代码", "企业名称", "所在镇（街道）", "工业总产值"],
            *(firms if fmt == "xlsx" else firms[:1]), [], ["注：金额单位为亿元。"]]  # fmt: skip
    if fmt == "xlsx":
        write_xlsx(f, rows)
    else:
        with f.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
    (crit,) = extract(f, "enterprises").critical
    assert crit.rule == "unit_conflict" and "单位行" in crit.message and "表注" in crit.message


def test_a_unit_in_the_sheet_name_is_applied(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "产值（千元）"
    ws.append(["统一社会信用代码", "企业名称", "所在镇（街道）", "工业总产值"])
    ws.append(["91320803MA00000001", "甲公司", "平桥镇", 250])
    f = tmp_path / "规上工业企业主要指标_2025年1-6月.xlsx"
    wb.save(f)
    ex = extract(f, "enterprises")
    assert ex.frame["output_ytd"].tolist() == [pytest.approx(25.0)]
    assert "千元 (sheet name)" in ex.sheets[0].units["output_ytd"]


def test_a_unit_row_under_a_wide_tables_header_is_its_unit_not_a_region(tmp_path):
    f = tmp_path / "地区生产总值.csv"
    rows = [["地区", "2024年", "2025年"], ["单位：万元"], ["车桥镇", "500000", "520000"]]
    with f.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    ex = extract(f, "indicators")
    assert not ex.critical and not [i for i in ex.issues if i.severity == "row"], ex.issues
    assert sorted(ex.frame["value"]) == [pytest.approx(50.0), pytest.approx(52.0)]  # 亿元


def test_a_csvs_unit_in_its_file_name_is_the_file_names(tmp_path):
    """A CSV's one sheet is named after its file: the unit is shown as the file name's, once."""
    f = tmp_path / "规上工业企业主要指标_2025年1-6月（千元）.csv"
    f.write_text(
        "统一社会信用代码,企业名称,所在镇（街道）,工业总产值\n91320803MA00000001,甲公司,平桥镇,250\n", "utf-8"
    )
    ex = extract(f, "enterprises")
    assert ex.frame["output_ytd"].tolist() == [pytest.approx(25.0)]
    assert "千元 (file name)" in ex.sheets[0].units["output_ytd"]

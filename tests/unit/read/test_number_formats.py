"""Cells shown as percentages (`5.2%`, stored as 0.052 with a percent format) read as Excel shows
them — 5.2 with the unit % written in the cell — never as 0.052 (a hundred times too small, which
every reader gives). Ground truth: each figure is written as its percentage and stored as a fraction."""

from __future__ import annotations

import openpyxl
import pytest

from etl.base.cells import parse_number
from etl.extract import extract
from etl.read.number_formats import as_shown, format_kind, shown_cells

RATES = {"2023年": 4.8, "2024年": 5.2, "2025年": 6.1}


def _long_table(path, number_format: str = "0.0%"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["指标名称", "地区", "时期", "数值", "单位"])
    for period, rate in RATES.items():
        ws.append(["地区生产总值增长率", "淮安区", period, rate / 100, "%"])
        ws.cell(ws.max_row, 4).number_format = number_format
    ws.append(["新增公共停车位", "淮安区", "2025年", 1500, "个"])  # a count beside them: as written
    wb.save(path)
    return path


@pytest.mark.parametrize("number_format", ["0.0%", "0%", "0.00%", "[Red]0.0%", "0.0%;-0.0%"])
def test_a_long_tables_rates_in_percent_format_read_as_shown(tmp_path, number_format):
    ex = extract(_long_table(tmp_path / "指标.xlsx", number_format), "indicators")
    assert not ex.critical, [i.describe() for i in ex.critical]
    got = ex.frame.set_index(["indicator_id", "period"])["value"].to_dict()
    assert {p: got[("gdp_growth", p[:4])] for p in RATES} == pytest.approx(RATES)
    assert got[("public_parking_new", "2025")] == 1500


def test_a_wide_tables_rates_in_percent_format_read_as_shown(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["地区生产总值增长率（%）"])
    ws.append(["地区", "2024年", "2025年"])
    ws.append(["淮安区", 0.052, 0.061])
    for c in ("B3", "C3"):
        ws[c].number_format = "0.0%"
    f = tmp_path / "地区生产总值增长率.xlsx"
    wb.save(f)
    ex = extract(f, "indicators")
    assert not ex.critical, [i.describe() for i in ex.critical]
    got = ex.frame.set_index("period")["value"].to_dict()
    assert got == pytest.approx({"2024": 5.2, "2025": 6.1})


def test_a_percent_in_a_money_column_is_a_rejected_row_not_a_figure(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2025年9月"
    ws.append(["统一社会信用代码", "企业名称", "所在镇（街道）", "工业总产值（万元）", "同比增长"])
    ws.append(["91320803MA0BK5CX60", "甲公司", "车桥镇", 0.35, 0.052])
    ws["D2"].number_format = "0%"  # a slip: the output formatted as a percentage
    ws["E2"].number_format = "0.0%"  # an unmapped growth column: not read at all
    f = tmp_path / "规上工业企业主要指标_2025年1-9月.xlsx"
    wb.save(f)
    ex = extract(f, "enterprises")
    (bad,) = [i for i in ex.issues if i.severity == "row"]
    assert bad.row == 2 and "35%" in (bad.value or bad.message)


def test_only_numbers_in_a_percent_format_and_only_where_asked(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["a", 0.5, "text", True])
    for c in ("A1", "B1", "C1", "D1"):
        ws[c].number_format = "0%"
    ws.append([0.25, 3])
    ws["A2"].number_format = "0.00%"
    f = tmp_path / "t.xlsx"
    wb.save(f)
    assert set(shown_cells(f, "Sheet")) == {(0, 1), (1, 0)}  # not the text, the flag, or the plain 3
    assert shown_cells(f, "Sheet", {0}) == {(1, 0): ("percent", "0.00%")}
    assert set(shown_cells(f, "Sheet", None, 1)) == {(1, 0)}


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("0.0%", "percent"),
        ("#,##0.00%;[Red]-#,##0.00%", "percent"),
        ('0.0"%"', None),  # a quoted %: shown, not applied
        ("0.0\\%", None),
        ("[$%-804]0.0", None),
        ("General", None),
        ("0.0;-0.0%", None),  # judged on the first section: positives show no %
        ("#,##0", None),
        ("#,##0.00_);(#,##0.00)", None),
        ("#,##0,", "scaled"),  # thousands
        ("0.0,,", "scaled"),  # millions
        ('#,##0,"千元"', "scaled"),
        ("0!.0000", "scaled"),  # the stored 元 shown as 万元
        ("0\\.0000", "scaled"),
        ('0"."0000', "scaled"),  # the point as quoted text: the same 元 shown as 万元
        ('#,##0"."00', "scaled"),
        ('0.00"万元"', None),
    ],
)
def test_format_kinds(code, kind):
    assert format_kind(code) == kind


def test_how_a_figure_is_shown():
    pct = ("percent", "0.0%")
    assert as_shown(0.061, pct) == "6.1%" and as_shown(1, pct) == "100%" and as_shown(-0.032, pct) == "-3.2%"
    assert (
        as_shown("0.05", pct) is None and as_shown(True, pct) is None and as_shown(float("nan"), pct) is None
    )
    scaled = as_shown(12345678, ("scaled", "#,##0,"))
    assert scaled.startswith("12345678〔不作数值〕数字格式“#,##0,”按比例缩放显示")
    parsed = parse_number(scaled)  # refused with the reason, never the stored number
    assert parsed.value is None and parsed.problem.startswith("数字格式“#,##0,”按比例缩放显示")


def test_an_xls_reads_its_percent_cells_as_shown_too(tmp_path):
    """BIFF: the XF records' formats (a custom `0.0%`, the built-in `0.00%`), then the sheet's
    NUMBER, RK and MULRK cells (xlwt writes 1 and 0.25 as RK, a row of them as MULRK)."""
    import xlwt

    from etl.read.biff import xls_shown_cells

    wb = xlwt.Workbook()
    ws = wb.add_sheet("Sheet1")
    one, two = xlwt.easyxf(num_format_str="0.0%"), xlwt.easyxf(num_format_str="0.00%")
    for c, h in enumerate(["指标名称", "地区", "时期", "数值", "单位"]):
        ws.write(0, c, h)
    rows = [("2023年", 1, one), ("2024年", 0.052, one), ("2025年", 0.25, two)]
    for r, (period, stored, style) in enumerate(rows, start=1):
        for c, v in enumerate(["地区生产总值增长率", "淮安区", period]):
            ws.write(r, c, v)
        ws.write(r, 3, stored, style)
        ws.write(r, 4, "%")
    ws.write(4, 5, 0.5, one)  # beside the table, then a row of percent cells
    ws.write(4, 6, 0.75, one)
    f = tmp_path / "指标.xls"
    wb.save(f)
    assert set(xls_shown_cells(f)["Sheet1"]) == {(1, 3), (2, 3), (3, 3), (4, 5), (4, 6)}
    ex = extract(f, "indicators")
    assert not ex.critical, [i.describe() for i in ex.critical]
    got = ex.frame.set_index("period")["value"].to_dict()
    assert got == pytest.approx({"2023": 100.0, "2024": 5.2, "2025": 25.0})


@pytest.mark.parametrize("code", ["0!.0000", '0"."0000'])
@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_a_figure_shown_scaled_is_a_rejected_row_not_a_figure_ten_thousand_times_off(tmp_path, suffix, code):
    """工业总产值（万元） holding 12,345,678 (元) shown as 1234.5678 by `0!.0000`: which one the
    header means cannot be told, so the row is refused, naming the format; the others load."""
    header = ["统一社会信用代码", "企业名称", "所在镇（街道）", "工业总产值（万元）"]
    rows = [
        ["91320803MA0BK5CX60", "甲公司", "车桥镇", 12345678],
        ["91320803MA1MDEF972", "乙公司", "平桥镇", 50],
    ]
    f = tmp_path / f"规上工业企业主要指标_2025年1-9月{suffix}"
    if suffix == ".xls":
        import xlwt

        wb = xlwt.Workbook()
        ws = wb.add_sheet("2025年9月")
        for r, line in enumerate([header, *rows]):
            for c, v in enumerate(line):
                ws.write(
                    r,
                    c,
                    v,
                    xlwt.easyxf(num_format_str=code) if (r, c) == (1, 3) else xlwt.Style.default_style,
                )
        wb.save(f)
    else:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "2025年9月"
        for line in [header, *rows]:
            ws.append(line)
        ws["D2"].number_format = code
        wb.save(f)
    ex = extract(f, "enterprises")
    (bad,) = [i for i in ex.issues if i.severity == "row"]
    assert bad.row == 2 and code in (bad.value or "") + bad.message
    assert sorted(ex.frame["output_ytd"].dropna()) == [50.0]


def test_a_sheet_whose_cells_omit_their_references_reads_percent_cells_as_shown(tmp_path):
    """`<c>` without `r` (allowed; the Open XML SDK writes sheets so): 6.3% had been read as 0.063,
    the cells' formats never found. Cells are placed by counting along their rows."""
    import re
    import zipfile

    src, f = tmp_path / "with_refs.xlsx", tmp_path / "主要经济指标_地区生产总值增长率.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["指标：地区生产总值增长率(%)"])
    ws.append(["地区", "2025年", "2024年"])
    ws.append(["淮安区", 0.063, None])
    ws["C3"] = 0.058
    for c in ws[3][1:]:
        c.number_format = "0.0%"
    wb.save(src)
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as zo:
        for item in zi.infolist():
            data = zi.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'(<c)\s+r="[A-Z]+\d+"', rb"\1", data)
                assert b' r="B3"' not in data
            zo.writestr(item, data)
    ex = extract(f, "indicators")
    assert not ex.critical, [i.describe() for i in ex.critical]
    got = ex.frame.set_index("period")["value"].to_dict()
    assert got == pytest.approx({"2025": 6.3, "2024": 5.8})

"""Formulas never calculated (a workbook written by a program, not saved by Excel or WPS): readers
give such cells as blank, so the load and `statwh check` say so (`formula_not_calculated`), for
every form such writers use — no `<v>`, an empty `<v/>` or `<v></v>`, a shared formula's
`<f .../>`, a namespace prefix."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from etl.read.ooxml import check_extent, uncached_formula
from etl.warehouse.sandbox import file_issues
from tests.unit.read.test_extent import RELS, WORKBOOK

CELLS = [
    ('<c r="D3"><f>B3*2</f></c>', "D3"),
    ('<c r="D4" s="1"><f>B4*2</f><v /></c>', "D4"),
    ('<c r="D5"><f>B5*2</f><v></v></c>', "D5"),
    ('<c r="E9"><f t="shared" si="0"/></c>', "E9"),
    ('<x:c r="F2"><x:f>1+1</x:f></x:c>', "F2"),
    ('<c r="G4" t="str"><f>A1</f></c>', "G4"),
    # calculated: never said
    ('<c r="D3"><f>B3*2</f><v>4</v></c>', None),
    ('<c r="E9"><f t="shared" si="0"/><v>7</v></c>', None),
    ('<c r="G4" t="str"><f>IF(A1="","",A1)</f><v></v></c>', None),  # a text result that is ""
    ('<c r="A1" t="s"><v>0</v></c>', None),
]


@pytest.mark.parametrize(("cell", "ref"), CELLS)
def test_each_form_of_an_uncalculated_formula_and_none_of_a_calculated_one(cell, ref):
    xml = f'<sheetData><row r="1"><c r="A1"><v>1</v></c>{cell}</row></sheetData>'.encode()
    assert uncached_formula(xml) == ref


def test_an_autofilter_is_no_formula():
    assert (
        uncached_formula(
            b'<autoFilter ref="A1:B2"><filterColumn colId="0"><filters/></filterColumn></autoFilter>'
        )
        is None
    )


def _package(sheet_xml: str) -> zipfile.ZipFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return zipfile.ZipFile(io.BytesIO(buf.getvalue()))


@pytest.mark.parametrize("scan_bytes", [10_000_000, 0])  # the sheet scanned whole, or streamed
def test_check_extent_names_the_first_uncalculated_cell_of_each_sheet(scan_bytes):
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 300))
    xml = f'<worksheet><sheetData>{rows}<row r="300"><c r="C300"><f>A1</f></c></row></sheetData></worksheet>'
    with _package(xml) as z:
        assert check_extent(z, 60_000_000, scan_bytes=scan_bytes) == {"S": "C300"}
    with _package(xml.replace("<f>A1</f>", "<f>A1</f><v>1</v>")) as z:
        assert check_extent(z, 60_000_000, scan_bytes=scan_bytes) == {}


def test_an_openpyxl_roster_with_a_formula_is_said_to_read_it_as_blank(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2025年9月"
    ws.append(["统一社会信用代码", "企业名称", "工业总产值（万元）"])
    ws.append(["91320803MA0BK5CX60", "甲公司", 100.5])
    ws.append(["91320803MA1MDEF972", "乙公司", "=C2*2"])
    f = tmp_path / "名录.xlsx"
    wb.save(f)
    (said,) = file_issues(f, 60_000_000)
    assert (said.severity, said.rule, said.sheet, said.row, said.column) == (
        "warning",
        "formula_not_calculated",
        "2025年9月",
        3,
        "C",
    )
    assert "C3" in said.message and "按空白读取" in said.message


def test_an_xlsxwriter_workbook_of_formulas_stored_as_zero_is_rejected(tmp_path):
    """xlsxwriter stores every formula's result as 0 and asks Excel to calculate on opening
    (`fullCalcOnLoad`): 复垦面积 = 宅基地 + 其他 had loaded as 0 with no word. Such a file is
    rejected (its stored results are no values); the same workbook without formulas loads."""
    import xlsxwriter

    def write(name: str, formulas: bool):
        f = tmp_path / name
        wb = xlsxwriter.Workbook(str(f))
        ws = wb.add_worksheet("Sheet1")
        ws.write_row(0, 0, ["项目名称", "宅基地", "其他", "复垦面积"])
        ws.write_row(1, 0, ["甲项目", 100.5, 20.25])
        if formulas:
            ws.write_formula(1, 3, "=B2+C2")
        else:
            ws.write_number(1, 3, 120.75)
        wb.close()
        return f

    (said,) = file_issues(write("公式.xlsx", True), 60_000_000)
    assert (said.severity, said.rule, said.sheet) == ("critical", "formula_not_calculated", "Sheet1")
    assert file_issues(write("数值.xlsx", False), 60_000_000) == []


def test_check_says_it_as_a_load_does(tmp_path, capsys):
    from tests.conftest import run_cli

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2025年9月"
    ws.append(["统一社会信用代码", "企业名称", "所在镇（街道）", "工业总产值（万元）", "是否规上"])
    ws.append(["91320803MA0BK5CX60", "甲公司", "车桥镇", "=100*2", "是"])
    f = tmp_path / "规上工业企业主要指标_2025年1-9月.xlsx"
    wb.save(f)
    run_cli("check", "enterprises", str(f))
    out = capsys.readouterr().out
    assert "warning: sheet 2025年9月, row 2, column D: 工作表“2025年9月”中的公式没有计算结果（如 D2）" in out

"""Rows and columns a sheet hides are read like any other, and a warning names them.

A clerk hides the rows of an enterprise that closed instead of deleting them, or a filter leaves
rows out: their figures are in the file but not on the department's screen. They had loaded
without a word. Now `hidden_rows` / `hidden_columns` warnings name them (the figures still load:
nothing sent is passed over)."""

from __future__ import annotations

import openpyxl
import pytest
import xlsxwriter
import xlwt

from etl.extract import extract
from etl.extract.hidden import _spans
from etl.read.biff import xls_hidden_marks
from etl.read.ooxml import hidden_marks
from tests.hostile.corpus import ROSTER_HEADER, ROSTER_NAME, roster_rows

TITLE = "规上工业企业主要指标（2025年1-6月）"
UNIT = "单位：万元"
HIDDEN_DATA = [4, 5, 9]  # 0-based indexes into the 10 roster rows
OUTPUT_COL = 5  # F: 本月工业总产值


def _table():
    return [[TITLE], [UNIT], ROSTER_HEADER, *roster_rows(10)]


def _write_xlsxwriter(path, hide_rows, hide_cols):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Sheet1")
    for r, row in enumerate(_table()):
        ws.write_row(r, 0, row)
        if r in hide_rows:
            ws.set_row(r, None, None, {"hidden": True})
    for c in hide_cols:
        ws.set_column(c, c, None, None, {"hidden": True})
    wb.close()


def _write_openpyxl(path, hide_rows, hide_cols):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for row in _table():
        ws.append(row)
    for r in hide_rows:
        ws.row_dimensions[r + 1].hidden = True
    for c in hide_cols:
        ws.column_dimensions[openpyxl.utils.get_column_letter(c + 1)].hidden = True
    wb.save(path)


def _write_xls(path, hide_rows, hide_cols):
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Sheet1")
    for r, row in enumerate(_table()):
        for c, v in enumerate(row):
            ws.write(r, c, v)
        if r in hide_rows:
            ws.row(r).hidden = True
    for c in hide_cols:
        ws.col(c).hidden = True
    wb.save(str(path))


WRITERS = {
    "xlsxwriter": (_write_xlsxwriter, ".xlsx"),
    "openpyxl": (_write_openpyxl, ".xlsx"),
    "xlwt": (_write_xls, ".xls"),
}


@pytest.mark.parametrize("writer", WRITERS)
def test_hidden_data_rows_load_and_are_named(tmp_path, writer):
    write, ext = WRITERS[writer]
    path = tmp_path / ROSTER_NAME.replace(".xlsx", ext)
    first = 3  # the table's first data row, 0-based: title, unit, header above it
    write(path, {first + i for i in HIDDEN_DATA} | {0}, [])  # the title row hidden too: not data
    ex = extract(path, "enterprises")
    assert not ex.critical, [i.message for i in ex.issues]
    assert len(ex.frame) == 10  # every row loads, hidden or not
    warned = [i for i in ex.issues if i.rule == "hidden_rows"]
    assert len(warned) == 1, [i.message for i in ex.issues]
    excel_rows = [first + i + 1 for i in HIDDEN_DATA]  # 8, 9, 13
    assert warned[0].row == excel_rows[0]
    assert "第 8–9、13 行" in warned[0].message and "3 行" in warned[0].message
    assert warned[0].severity == "warning"
    assert not [i for i in ex.issues if i.rule == "hidden_columns"]


@pytest.mark.parametrize("writer", WRITERS)
def test_a_hidden_figure_column_is_named(tmp_path, writer):
    write, ext = WRITERS[writer]
    path = tmp_path / ROSTER_NAME.replace(".xlsx", ext)
    write(path, set(), [OUTPUT_COL, 12])  # M is empty: hiding it says nothing
    ex = extract(path, "enterprises")
    assert not ex.critical, [i.message for i in ex.issues]
    cols = [i for i in ex.issues if i.rule == "hidden_columns"]
    assert len(cols) == 1 and "(F)" in cols[0].column and "本月工业总产值" in cols[0].column
    assert not [i for i in ex.issues if i.rule == "hidden_rows"]


@pytest.mark.parametrize("writer", WRITERS)
def test_nothing_hidden_says_nothing(tmp_path, writer):
    write, ext = WRITERS[writer]
    path = tmp_path / ROSTER_NAME.replace(".xlsx", ext)
    write(path, set(), [])
    ex = extract(path, "enterprises")
    assert not [i for i in ex.issues if i.rule in ("hidden_rows", "hidden_columns")]


def test_readers_give_excel_row_numbers_and_column_indexes(tmp_path):
    x, xl = tmp_path / "a.xlsx", tmp_path / "a.xls"
    _write_xlsxwriter(x, {3, 7}, [2, 3])
    _write_xls(xl, {3, 7}, [2, 3])
    assert hidden_marks(x, "Sheet1") == ({4, 8}, {2, 3})
    assert xls_hidden_marks(xl) == {"Sheet1": ({4, 8}, {2, 3})}


def test_rows_without_their_number_count_on(tmp_path):
    """A writer may leave out `r` on `<row>`: rows are then numbered in order."""
    import zipfile

    src = tmp_path / "a.xlsx"
    _write_xlsxwriter(src, {3}, [])
    out = tmp_path / "b.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                import re

                data = re.sub(rb'(<row) r="\d+"', rb"\1", data)
            zout.writestr(item, data)
    assert hidden_marks(out, "Sheet1")[0] == {4}


def test_row_spans_are_written_short():
    assert _spans([5, 7, 8, 9, 12]) == "5、7–9、12"
    assert _spans(list(range(1, 60, 2))).endswith("等")


def test_a_chunk_without_hidden_rows_moves_the_row_count_on():
    """Sheets are read in chunks; one that hides nothing is skipped but for where its rows got to."""
    from etl.read.ooxml import _last_row

    assert _last_row(b'<row r="7" spans="1:3"><c r="A7"/></row><row r="9"><c r="A9"/></row>', 0) == 9
    assert _last_row(b"<x:row><x:c/></x:row><x:row><x:c/></x:row>", 4) == 6  # no r: counted on
    assert _last_row(b"<c r='A1'/>", 5) == 5


def test_a_row_hidden_past_the_first_chunk_of_a_long_sheet_is_numbered_right(tmp_path):
    path = tmp_path / "long.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Sheet1")
    for r in range(90_000):
        if r == 88_000:
            ws.set_row(r, None, None, {"hidden": True})
        ws.write_row(r, 0, [r, "淮安测试机械有限公司", 100.5])
    wb.close()
    assert hidden_marks(path, "Sheet1") == ({88_001}, set())

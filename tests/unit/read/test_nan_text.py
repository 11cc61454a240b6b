"""The text `nan` (or `NaN`) typed into a figure cell of an .xlsx: fastexcel's float parser takes it
as NaN without a word, and pandas shows NaN as a blank. It must reach the parsers as its text, so
the row is quarantined (`无法识别的数值“nan”`), never loaded as a missing figure. `null`, `None`
and `NULL` (what a program's export writes) are no missing markers either: not numbers, row problems.
Blank cells stay blank."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import xlsxwriter

import etl.read.sheetparts as sp
from etl.base.cells import parse_number
from etl.extract import extract
from etl.read.fastsheet import load_columns

SHEET = "表1"
FIGURES = [12.5, "nan", None, "NaN", 7.0, "null", "NULL", "None", "NAN", 3.0]


def book(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(SHEET)
    ws.write_row(0, 0, ["名称", "数值"])
    for i, v in enumerate(FIGURES * 20, start=1):
        ws.write_string(i, 0, f"甲{i}")
        if isinstance(v, str):
            ws.write_string(i, 1, v)
        elif v is not None:
            ws.write_number(i, 1, v)
    wb.close()
    return path


@pytest.mark.parametrize("parts", [False, True], ids=["whole", "in parts"])
def test_nan_text_reaches_the_parsers_as_text(tmp_path, monkeypatch, parts):
    if parts:  # the big-sheet path (etl.read.sheetparts) for a sheet of any size
        monkeypatch.setattr(sp, "MIN_BYTES", 0)
        monkeypatch.setattr(sp, "SAMPLE_ROWS", 3)
    col = load_columns(book(tmp_path / "b.xlsx"), SHEET, 1, {1: "number"})[1]
    for r, want in zip(range(1, 201), FIGURES * 20, strict=True):
        got = col[r]
        if want is None:
            assert isinstance(got, float) and math.isnan(got), r  # a blank cell is still blank
        elif isinstance(want, float):
            assert got == want, r
        else:
            assert isinstance(got, str) and got.lower() == want.lower(), (r, got)
            p = parse_number(got)
            assert p.value is None and p.missing is None and p.problem, (r, got)


@pytest.mark.parametrize("text", ["nan", "NaN", "null", "None"])
def test_a_roster_with_nan_text_quarantines_that_row(tmp_path, text):
    wb = xlsxwriter.Workbook(str(tmp_path / "规上工业企业主要指标_2025年1-6月.xlsx"))
    ws = wb.add_worksheet("Sheet1")
    ws.write_row(0, 0, ["统一社会信用代码", "企业名称", "所在镇（街道）", "是否规上", "工业总产值（万元）"])
    ws.write_row(1, 0, ["91320803MA00000001", "甲公司", "平桥镇", "是"])
    ws.write_number(1, 4, 100.0)
    ws.write_row(2, 0, ["91320803MA00000002", "乙公司", "平桥镇", "是", text])
    ws.write_row(3, 0, ["91320803MA00000003", "丙公司", "平桥镇", "是"])  # blank: a missing figure
    wb.close()
    ex = extract(Path(wb.filename), "enterprises")
    rows = [i for i in ex.issues if i.severity == "row"]
    assert [(i.row, i.column) for i in rows] == [(3, rows[0].column)], ex.issues
    assert text in rows[0].describe() or text.lower() in rows[0].describe()

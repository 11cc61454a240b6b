"""The receipt (回执): the department's own workbook, each refused cell red with a Chinese comment,
and a first sheet with the counts and the reasons (`statwh check --receipt`, `etl.receipt`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from etl.base.settings import limits
from etl.extract import extract
from etl.receipt import RED, SUMMARY_SHEET, receipt_name
from tests.conftest import run_cli

ROSTER = "规上工业企业主要指标_2025年1-6月.xlsx"


def _summary(book) -> dict:
    """The summary sheet's label → value rows (labels in column A)."""
    return {r[0]: r[1] for r in book[SUMMARY_SHEET].iter_rows(values_only=True) if r[0]}


def _red_cells(ws) -> list[str]:
    return [c.coordinate for row in ws.iter_rows() for c in row if c.fill.fgColor.rgb == RED.fgColor.rgb]


def _column_of(ws, header: str, row: int) -> int:
    return next(c.column for c in ws[row] if c.value == header)


@pytest.fixture
def bad_figure(demo_files, tmp_path) -> tuple[Path, str]:
    """The roster with one figure written as text; its path and the cell's address."""
    path = tmp_path / ROSTER
    shutil.copy(demo_files / "enterprises" / ROSTER, path)
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[0]
    cell = ws.cell(row=10, column=_column_of(ws, "从业人员（人）", 3))
    cell.value = "二百人"
    book.save(path)
    return path, cell.coordinate


def test_a_bad_figure_is_commented_on_exactly_its_cell(bad_figure, demo_files, tmp_path, capsys):
    path, address = bad_figure
    out = tmp_path / "回执.xlsx"
    assert run_cli("check", "enterprises", str(path), "--receipt", str(out)) == 1
    assert f"receipt: {out}" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == SUMMARY_SHEET and book.active.title == SUMMARY_SHEET
    ws = book[openpyxl.load_workbook(path).sheetnames[0]]
    assert _red_cells(ws) == [address]
    comment = ws[address].comment.text
    assert "隔离" in comment and "二百人" in comment and "问题：" in comment
    # the other cells of the department's workbook are as they sent them
    assert ws["C6"].value == openpyxl.load_workbook(path).worksheets[0]["C6"].value
    read = extract(demo_files / "enterprises" / ROSTER, "enterprises", limits=limits()).rows_read
    summary = _summary(book)
    assert summary["读取行数 / rows read"] == read
    assert summary["隔离行数 / rows quarantined"] == 1
    assert summary["可入库行数 / rows that would load"] == read - 1


def test_a_rejected_file_gives_the_reason_on_the_first_sheet(demo_files, tmp_path):
    path = tmp_path / ROSTER
    shutil.copy(demo_files / "enterprises" / ROSTER, path)
    book = openpyxl.load_workbook(path)
    for c in book.worksheets[0][3]:  # the header row: nothing a spec can match
        if c.value:  # (merged cells have none)
            c.value = f"栏目{c.column}"
    book.save(path)
    reasons = [i.message for i in extract(path, "enterprises", limits=limits()).critical]
    assert reasons
    assert run_cli("check", "enterprises", str(path), "--receipt", str(tmp_path)) == 1
    receipt = openpyxl.load_workbook(tmp_path / receipt_name(ROSTER))
    summary = _summary(receipt)
    assert "拒收" in summary["处理结果 / outcome"]
    assert summary["可入库行数 / rows that would load"] == 0
    listed = [r[1] for r in receipt[SUMMARY_SHEET].iter_rows(values_only=True) if r[0] in ("", None) and r[1]]
    assert any(reasons[0] in str(x) for x in listed)


def test_a_csv_becomes_a_workbook_with_its_data_and_the_comment(tmp_path):
    path = tmp_path / "增减挂钩项目验收台账.csv"
    rows = [
        "项目名称,所在镇（街道）,验收日期,复垦面积（亩）",
        "项目一,施河镇,2025-03-01,12.5",
        "项目二,车桥镇,2025-04-02,-3",
        "项目三,施河镇,2025-05-03,8",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    run_cli("check", "land_use", str(path), "--receipt", str(out))
    book = openpyxl.load_workbook(out)
    ws = book[book.sheetnames[1]]
    assert [c.value for c in ws[1]] == rows[0].split(",")
    assert ws["A3"].value == "项目二"
    red = _red_cells(ws)
    assert red and all(ws[a].comment is not None for a in red)
    assert "D3" in red, (red, [r for r in book[SUMMARY_SHEET].iter_rows(values_only=True)][-5:])

"""Cells merged down over data rows (a township written once over its enterprises, a 是否规上
over a group): Excel stores the value in the first cell only; every row of the block is read with
it, as the sheet shows. A figure merged over rows is no single row's: each row is refused, named."""

from __future__ import annotations

import openpyxl
import pytest

from etl.extract import extract
from tests.fixtures.layouts.books import Sheet, write_book

HEADER = ["统一社会信用代码", "企业名称", "所在镇（街道）", "工业总产值（万元）", "是否规上"]
ROWS = [
    ["91320803MA0BK5CX60", "甲公司", "车桥镇", 100, "是"],
    ["91320803MA1MDEF972", "乙公司", None, 200, None],
    ["91320803MA00000001", "丙公司", None, 300, None],
    ["91320803MA00000002", "丁公司", "平桥镇", 400, "否"],
]


def _roster(tmp_path, merges: list[str], suffix: str = ".xlsx", rows=ROWS):
    f = tmp_path / f"规上工业企业主要指标_2025年1-9月{suffix}"
    return write_book(f, [Sheet("2025年9月", [HEADER, *rows], merges=merges)])


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_a_township_and_a_flag_merged_over_their_rows_are_every_rows(tmp_path, suffix):
    ex = extract(_roster(tmp_path, ["C2:C4", "E2:E4"], suffix), "enterprises")
    assert not ex.critical, [i.describe() for i in ex.critical]
    f = ex.frame.set_index("name")
    assert f["township"].to_dict() == {
        "甲公司": "车桥镇",
        "乙公司": "车桥镇",
        "丙公司": "车桥镇",
        "丁公司": "平桥镇",
    }
    assert f["is_above_scale"].to_dict() == {"甲公司": True, "乙公司": True, "丙公司": True, "丁公司": False}


def test_a_figure_merged_over_rows_refuses_each_of_them(tmp_path):
    rows = [r.copy() for r in ROWS]
    rows[1][3] = rows[2][3] = None
    ex = extract(_roster(tmp_path, ["D2:D4"], rows=rows), "enterprises")
    refused = sorted(i.row for i in ex.issues if i.severity == "row")
    assert refused == [2, 3, 4]
    assert all("合并单元格 D2:D4" in ((i.value or "") + i.message) for i in ex.issues if i.severity == "row")


def test_without_merges_blank_cells_stay_blank(tmp_path):
    ex = extract(_roster(tmp_path, []), "enterprises")
    assert ex.frame.set_index("name")["township"].isna().sum() == 2


def test_a_figure_merged_over_two_years_or_two_townships_of_a_wide_table_is_refused(tmp_path):
    """`fill_merged` copies a merged block into its cells (right for labels): a figure so copied
    would be 车桥镇's 2025 as well as its 2024, and 流均镇's as well as 施河镇's."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in (
        ["规模以上工业企业数（个）"],
        ["地区", "2024年", "2025年"],
        ["车桥镇", 10, None],
        ["平桥镇", 20, 21],
        ["施河镇", 30, 31],
        ["流均镇", 40, None],
    ):
        ws.append(line)
    ws.merge_cells("B3:C3")
    ws.merge_cells("C5:C6")
    f = tmp_path / "规模以上工业企业数.xlsx"
    wb.save(f)
    ex = extract(f, "indicators")
    refused = sorted((i.row, i.column[-2]) for i in ex.issues if "合并单元格" in i.message)
    assert refused == [(3, "B"), (3, "C"), (5, "C"), (6, "C")]
    assert all(i.value in ("10", "10.0", "31", "31.0") for i in ex.issues if "合并单元格" in i.message)
    loaded = {(r, p): v for r, p, v in ex.frame[["_row", "period", "value"]].itertuples(index=False)}
    assert loaded == {(4, "2024"): 20, (4, "2025"): 21, (5, "2024"): 30, (6, "2024"): 40}


def test_a_figure_merged_over_two_townships_of_a_measures_table_is_refused(tmp_path):
    from tests.fixtures.layouts.township_measures import write_township_measures

    f = tmp_path / "分乡镇.xlsx"
    places = write_township_measures(f)
    wb = openpyxl.load_workbook(f)
    ws = wb.active
    ws["B6"] = None
    ws.merge_cells("B5:B6")  # one 规上工业企业数 over the first two townships
    wb.save(f)
    ex = extract(f, "indicators")
    refused = sorted(i.row for i in ex.issues if "合并单元格 B5:B6" in i.message)
    assert refused == [5, 6]
    firms = ex.frame[(ex.frame.indicator_id == "above_scale_enterprises") & ex.frame._col.eq("B")]
    assert set(firms["_row"]) == {r + 7 for r in range(len(places) - 2)}  # neither township's count loads

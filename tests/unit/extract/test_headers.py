"""Headers as people draw them (#20): one to three rows, merged and unmerged parents, children
with no parent, a header starting in any column, the header repeated on each printed page."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
import xlwt

from etl.extract import extract, find_header
from etl.read import Grid
from etl.spec.model import specs_for

CODES = ["91320803MA1XXXXX1X", "91320803MA1YYYYY2Y"]


def _roster_rows() -> list[list]:
    """The issue's roster: a merged parent over three children beside an unmerged parent over one."""
    return [
        ["规上工业企业主要指标 2025年1-9月"],
        [
            "序号",
            "统一社会信用代码",
            "企业名称",
            "所在镇（街道）",
            "工业总产值（万元）",
            None,
            None,
            "营业收入（万元）",
        ],
        [None, None, None, None, "本年累计", "上年同期", "同比增长（%）", "本年累计"],
        [1, CODES[0], "甲公司", "车桥镇", 100.5, 90, 11.7, 80],
        [2, CODES[1], "乙公司", "苏嘴镇", 200, 180, 11.1, 150],
    ]


def _xlsx(path: Path, rows: list[list], merges: list[str]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2025年9月"
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    wb.save(path)
    return path


def _xls(path: Path, rows: list[list], merges: list[tuple[int, int, int, int]]) -> Path:
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("2025年9月")
    merged_cells = set()
    for r0, r1, c0, c1 in merges:
        ws.write_merge(r0, r1, c0, c1, rows[r0][c0])
        merged_cells |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None and (r, c) not in merged_cells:
                ws.write(r, c, v)
    wb.save(str(path))
    return path


def _csv(path: Path, rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([["" if v is None else v for v in r] for r in rows])
    return path


def _figures(ex) -> list[tuple]:
    assert not ex.critical, ex.critical
    assert not [i for i in ex.issues if i.severity == "row"], [
        i.message for i in ex.issues if i.severity == "row"
    ]
    f = ex.frame
    return list(zip(f["credit_code"], f["output_ytd"], f["revenue_ytd"], strict=True))


EXPECTED = [(CODES[0], 100.5, 80.0), (CODES[1], 200.0, 150.0)]


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "csv"])
def test_sub_header_under_merged_and_unmerged_parents_is_not_a_data_row(tmp_path, fmt):
    rows = _roster_rows()
    if fmt == "xlsx":
        path = _xlsx(tmp_path / "r.xlsx", rows, ["A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:G2"])
    elif fmt == "xls":
        path = _xls(tmp_path / "r.xls", rows, [(1, 2, c, c) for c in range(4)] + [(1, 1, 4, 6)])
    else:
        path = _csv(tmp_path / "r.csv", rows)
    ex = extract(path, "enterprises", file_name="规上工业企业_2025年1-9月.xlsx")
    assert _figures(ex) == EXPECTED
    assert ex.sheets[0].header_rows == "2-3"
    assert ex.sheets[0].columns["output_ytd"].startswith("工业总产值(万元)/本年累计")


def test_last_years_figure_is_never_taken_for_this_years(tmp_path):
    """上年同期 first under the parent: the field is the 本年累计 column, not the first child."""
    rows = _roster_rows()
    rows[2][4:7] = ["上年同期", "本年累计", "同比增长（%）"]
    rows[3][4:7] = [90, 100.5, 11.7]
    rows[4][4:7] = [180, 200, 11.1]
    ex = extract(_csv(tmp_path / "r.csv", rows), "enterprises", file_name="规上_2025年1-9月.csv")
    assert _figures(ex) == EXPECTED


def test_only_last_years_child_is_no_header_rather_than_a_wrong_figure():
    """工业总产值 over 上年同期 alone: neither the parent (its child row would be read as data) nor
    the child (last year's figure) is this year's 工业总产值, so no header fits (a rejection)."""
    spec = specs_for("enterprises")[0]
    rows = [
        ["统一社会信用代码", "企业名称", "所在镇", "工业总产值（万元）", "营业收入"],
        [None, None, None, "上年同期", None],
        [CODES[0], "甲公司", "车桥镇", 1.0, 2.0],
    ]
    best, cands = find_header(Grid("s", rows), spec)
    assert best is None
    assert any(c.depth == 2 and "output_ytd" not in c.mapping for c in cands)


def test_three_header_rows_and_a_child_with_no_parent(tmp_path):
    """工业总产值 over 本月 / 本年累计, each over 金额 / 同比; 从业人员 only in the lowest row."""
    rows = [
        ["统一社会信用代码", "企业名称", "所在镇（街道）", "工业总产值（万元）", None, None, None, None],
        [None, None, None, "本月", None, "本年累计", None, None],
        [None, None, None, "金额", "同比（%）", "金额", "同比（%）", "从业人员（人）"],
        [CODES[0], "甲公司", "车桥镇", 10, 1.5, 100.5, 2.5, 30],
        [CODES[1], "乙公司", "苏嘴镇", 20, 1.1, 200, 3.1, 40],
    ]
    merges = ["A1:A3", "B1:B3", "C1:C3", "D1:G1", "D2:E2", "F2:G2"]
    for path in (_xlsx(tmp_path / "r.xlsx", rows, merges), _csv(tmp_path / "r.csv", rows)):
        ex = extract(path, "enterprises", file_name="规上工业_2025年9月.xlsx")
        assert not ex.critical, ex.critical
        assert not [i for i in ex.issues if i.severity == "row"]
        f = ex.frame
        assert f["output_month"].tolist() == [10, 20] and f["output_ytd"].tolist() == [100.5, 200]
        assert f["employees"].tolist() == [30, 40]
        assert ex.sheets[0].header_rows == "1-3"


def test_header_in_column_d_with_a_total_row_and_repeated_header_blocks(tmp_path):
    pad = [None, None, None]
    head = [
        pad
        + ["序号", "统一社会信用代码", "企业名称", "所在镇（街道）", "工业总产值（万元）", "营业收入（万元）"]
    ]
    head.append(pad + [None, None, None, None, "本年累计", "本年累计"])
    rows = [pad + ["2025年1-9月 规上工业企业"], *head]
    rows.append(pad + ["合计", None, None, None, 300.5, 230])
    rows.append(pad + [1, CODES[0], "甲公司", "车桥镇", 100.5, 80])
    rows += head  # the next printed page starts with the header again
    rows.append(pad + [2, CODES[1], "乙公司", "苏嘴镇", 200, 150])
    ex = extract(_xlsx(tmp_path / "r.xlsx", rows, []), "enterprises", file_name="r.xlsx")
    assert _figures(ex) == EXPECTED
    info = ex.sheets[0]
    assert info.dropped_totals == 1 and info.dropped_headers == 2
    assert not [i for i in ex.issues if i.rule == "total_mismatch"]


def test_a_column_headed_qizhong_is_the_column_it_names(tmp_path):
    """`其中：首次认定` beside 认定总数 is the 首次认定 column (the file was rejected as having none)."""
    from etl.extract import extract

    f = tmp_path / "2025年高企认定统计.csv"
    f.write_text(
        "2025年高新技术企业认定情况统计表\n镇（街道）,认定总数,其中：首次认定,其中：重新认定,有效期内高企\n"
        "平桥镇,5,3,2,20\n车桥镇,4,4,0,11\n合计,9,7,2,31\n",
        encoding="utf-8",
    )
    ex = extract(f, "hightech", file_name=f.name)
    assert not ex.critical, [i.describe() for i in ex.critical]
    fr = ex.frame.set_index("township")
    assert fr.loc["平桥镇", ["new_first", "renewed", "valid_total"]].tolist() == [3, 2, 20]
    assert all(r["passed"] for r in ex.reconciliations) and len(ex.reconciliations) == 3


def _roster_with_month_children(tmp_path, ytd: str, month: str):
    import openpyxl

    from etl.extract import extract

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["淮安区规模以上工业企业主要经济指标（2025年1-9月）"])
    ws.append(["统一社会信用代码", "企业名称", "所在镇（街道）", "工业总产值（万元）", None])
    ws.append([None, None, None, ytd, month])
    ws.merge_cells("D2:E2")
    for c in "ABC":
        ws.merge_cells(f"{c}2:{c}3")
    ws.append(["91320803MA0BK5CX60", "甲公司", "车桥镇", 900, 100])
    f = tmp_path / "规上工业企业.xlsx"
    wb.save(f)
    return extract(f, "enterprises", file_name=f.name)


def test_children_headed_by_months_are_the_year_to_date_and_the_month(tmp_path):
    """工业总产值 over `1-9月` / `9月` (as often as 本年累计 / 本月): the file was rejected."""
    ex = _roster_with_month_children(tmp_path, "1-9月", "9月")
    assert not ex.critical, [i.describe() for i in ex.critical]
    assert ex.frame[["output_ytd", "output_month"]].values.tolist() == [[900, 100]]


def test_children_headed_by_another_month_than_the_period_reject_the_sheet(tmp_path):
    (crit,) = _roster_with_month_children(tmp_path, "1-8月", "8月").critical
    assert crit.rule == "period_conflict" and "2025-09" in crit.message

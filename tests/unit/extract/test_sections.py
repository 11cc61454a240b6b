"""A second table below the first, or a section heading that changes what the rows are, is not
read as more rows of the first table (found by an adversarial sweep: the 规下 enterprises of a
second table under `二、规模以下工业企业` were counted as 规上, from the sheet's title)."""

from __future__ import annotations

import pytest

from etl.extract import extract
from etl.extract.workbook import HIDDEN_SHEET
from tests.fixtures.layouts.books import Sheet, write_book

TITLE = "淮安区规模以上工业企业主要经济指标（2025年1-9月）\n"
HEAD = "统一社会信用代码,企业名称,所在镇（街道）,工业总产值（万元）\n"
A = "91320803MA0BK5CX60,甲公司,车桥镇,900\n"
B = "91320803MA1MDEF972,乙公司,平桥镇,50\n"


def _extract(tmp_path, text: str, head: str = HEAD):
    f = tmp_path / "规上工业企业.csv"
    f.write_text(TITLE + head + text, encoding="utf-8")
    return extract(f, "enterprises", file_name=f.name)


def test_a_second_table_under_its_own_heading_rejects_the_sheet_naming_the_row(tmp_path):
    ex = _extract(tmp_path, A + ",,,\n二、重点企业名单\n" + HEAD + B)
    (crit,) = ex.critical
    assert crit.rule == "second_table" and crit.row == 5 and "二、重点企业名单" in crit.message


def test_a_heading_that_says_below_scale_in_a_roster_without_a_flag_column_rejects_the_sheet(tmp_path):
    (crit,) = _extract(tmp_path, A + "二、规模以下工业企业\n" + B).critical
    assert crit.rule == "second_table" and "规模以下" in crit.message


def test_with_a_flag_column_the_same_heading_says_nothing_the_rows_do_not(tmp_path):
    head = HEAD.strip() + ",是否规上\n"
    ex = _extract(tmp_path, A.strip() + ",是\n二、规模以下工业企业\n" + B.strip() + ",否\n", head)
    assert not ex.critical
    named = ex.frame.dropna(subset=["name"]).set_index("name")["is_above_scale"].to_dict()
    assert named == {"甲公司": True, "乙公司": False}


def test_township_headings_and_a_printouts_page_lines_are_no_second_table(tmp_path):
    ex = _extract(tmp_path, "一、车桥镇\n" + A + "二、平桥镇\n" + B + "续表\n" + HEAD + A.replace("甲", "丙"))
    assert not ex.critical, [i.describe() for i in ex.critical]
    assert set(ex.frame["name"].dropna()) == {"甲公司", "乙公司", "丙公司"}


def test_a_sheet_of_instructions_or_a_summary_beside_the_table_is_said_not_read(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "填表说明"
    ws.append(["1. 金额单位为万元。"])
    data = wb.create_sheet("2025年9月")
    for line in (TITLE, HEAD, A):
        data.append(line.strip().split(","))
    wb.create_sheet("空白")
    summary = wb.create_sheet("汇总")
    summary.append(["镇街", "企业数"])
    summary.append(["车桥镇", 1])
    f = tmp_path / "规上工业企业.xlsx"
    wb.save(f)
    ex = extract(f, "enterprises", file_name=f.name)
    assert not ex.critical and ex.frame["name"].tolist() == ["甲公司"]
    said = sorted(i.sheet for i in ex.issues if i.rule == "sheet_not_read")
    assert said == sorted(["汇总", "填表说明"]) and all(
        i.severity == "warning" for i in ex.issues if i.rule == "sheet_not_read"
    )


def test_numbered_section_headings_are_counted_not_read_as_enterprises(tmp_path):
    ex = _extract(tmp_path, "一、车桥镇\n" + A + "（二）平桥镇\n" + B + "3、其他\n" + A.replace("甲", "丙"))
    assert not ex.critical and not [i for i in ex.issues if i.severity == "row"], ex.issues
    assert list(ex.frame["name"]) == ["甲公司", "乙公司", "丙公司"]
    (sheet,) = ex.sheets
    assert (sheet.dropped_headings, sheet.rows_read) == (3, 3)


def test_a_lone_text_that_is_no_heading_stays_a_row_and_is_refused(tmp_path):
    """A lone text that is no numbered heading nor a township (`甲公司` alone), or a township alone
    in the township column, could be a record missing its cells: a row, which the suite then
    refuses (its credit code), never dropped."""
    for lone, col in ((",甲公司", "name"), (",,车桥镇", "township")):
        ex = _extract(tmp_path, lone + "\n" + A + B)
        (sheet,) = ex.sheets
        assert sheet.dropped_headings == 0 and sheet.rows_read == 3, lone
        assert list(ex.frame[col])[0] == lone.strip(","), lone


def test_section_rows_between_the_targets_are_headings_not_unknown_indicators(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (
        ["淮安区2025年政府工作报告主要目标任务"],
        ["序号", "指标", "单位", "目标值", "完成时限"],
        [None, "一、经济发展"],
        [1, "地区生产总值增长", "%", 6, "2025年"],
        [None, "（二）创新驱动"],
        [2, "地区生产总值增长", "%", 6, "2026年"],
    ):
        ws.append(row)
    f = tmp_path / "目标任务.xlsx"
    wb.save(f)
    ex = extract(f, "targets")
    # (a growth target is shown, never judged: the report sets none for gdp_growth — said, each row)
    assert [i.rule for i in ex.issues] == ["target_not_judged"] * 2, [i.describe() for i in ex.issues]
    assert list(ex.frame["_row"]) == [4, 6] and ex.sheets[0].dropped_headings == 2


HIDDEN_ROWS = (
    ["统一社会信用代码", "企业名称", "所在镇（街道）", "工业总产值（万元）"],
    ["91320803MA0BK5CX60", "甲公司", "车桥镇", 1],
)


def _with_hidden_template(tmp_path, suffix: str):
    """A roster on its sheet, and a hidden copy of the template without a period."""
    rows = [[TITLE.strip()], HEAD.strip().split(","), A.strip().split(",")]
    sheets = [Sheet("2025年9月", rows), Sheet("模板", list(HIDDEN_ROWS), hidden=True)]
    return write_book(tmp_path / f"规上工业企业{suffix}", sheets)


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_a_rejection_on_a_hidden_sheet_says_it_is_hidden(tmp_path, suffix):
    ex = extract(_with_hidden_template(tmp_path, suffix), "enterprises")
    (crit,) = ex.critical
    assert crit.sheet == "模板" and crit.rule == "period_not_found"
    assert crit.message.endswith(HIDDEN_SHEET)


def test_a_visible_sheet_is_not_said_hidden(tmp_path):
    f = tmp_path / "规上工业企业.csv"
    f.write_text(HEAD + A, encoding="utf-8")  # no period anywhere
    (crit,) = extract(f, "enterprises").critical
    assert crit.rule == "period_not_found" and HIDDEN_SHEET not in crit.message


@pytest.mark.parametrize("xlsx", [False, True])
def test_township_names_alone_heading_their_groups_are_no_record_nor_a_header_row(tmp_path, xlsx):
    """`石塘镇` alone on the row below the header had been read as the header's second row (the
    columns renamed `序号/石塘镇`), and the next group's `平桥镇` as an enterprise without a credit
    code (quarantined)."""
    rows = [TITLE.strip(), "序号," + HEAD.strip(), "车桥镇", "1," + A.strip(), "平桥镇：", "2," + B.strip()]
    if xlsx:
        import openpyxl

        wb = openpyxl.Workbook()
        for line in rows:
            wb.active.append([(int(v) if v.isdigit() and len(v) < 3 else v) or None for v in line.split(",")])
        f = tmp_path / "规上工业企业.xlsx"
        wb.save(f)
        ex = extract(f, "enterprises", file_name=f.name)
    else:
        ex = _extract(tmp_path, "车桥镇\n1," + A + "平桥镇：\n2," + B, "序号," + HEAD)
    assert not ex.critical and not [i for i in ex.issues if i.severity == "row"], ex.issues
    assert list(ex.frame["name"]) == ["甲公司", "乙公司"]
    (sheet,) = ex.sheets
    assert sheet.header_rows == "2" and sheet.dropped_headings == 2

"""A two-row header may group the figures by their span (`本月` over 工业总产值 and 营业收入,
`本年累计` over the same two) instead of by measure (`工业总产值` over `本月` and `本年累计`). The
span is the parent then: each child is read as the span's figure, never both as 本年累计 (the roster
had been rejected for two 工业总产值 columns) — and a group of 上年同期 is no field at all."""

from __future__ import annotations

import pytest
import xlsxwriter

from etl.extract import extract

CODES = ["91320803MA0BK5CX60", "91320803MA1XXXXX1X"]


def write(path, groups: list[str], measures: list[str], values: list[list[float]]):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Sheet1")
    ws.write(0, 0, "2025年1-6月规上工业企业主要指标")
    lead = ["统一社会信用代码", "企业名称", "所在镇（街道）"]
    for c, t in enumerate(lead):
        ws.merge_range(1, c, 2, c, t)
    c = len(lead)
    for g in groups:
        if len(measures) > 1:
            ws.merge_range(1, c, 1, c + len(measures) - 1, g)
        else:
            ws.write_string(1, c, g)
        for m in measures:
            ws.write(2, c, m)
            c += 1
    for r, (code, row) in enumerate(zip(CODES, values, strict=True)):
        ws.write_string(3 + r, 0, code)
        ws.write_string(3 + r, 1, f"甲{r}公司")
        ws.write_string(3 + r, 2, "车桥镇")
        for k, v in enumerate(row):
            ws.write_number(3 + r, 3 + k, v)
    wb.close()
    return path


@pytest.mark.parametrize(
    ("month", "ytd"),
    [("本月", "本年累计"), ("当月", "1-6月累计"), ("6月", "1-6月"), ("2025年6月", "2025年1-6月")],
)
def test_figures_grouped_by_span_are_each_spans_figures(tmp_path, month, ytd):
    f = write(
        tmp_path / "规上工业企业主要指标_2025年1-6月.xlsx",
        [month, ytd],
        ["工业总产值", "营业收入"],
        [[10, 11, 60, 66], [20, 22, 120, 132]],
    )
    ex = extract(f, "enterprises")
    assert not ex.critical, ex.critical
    got = ex.frame[["output_month", "revenue_month", "output_ytd", "revenue_ytd"]].values.tolist()
    assert got == [[10, 11, 60, 66], [20, 22, 120, 132]]


def test_a_group_of_last_years_figures_is_no_field(tmp_path):
    """本年累计 and 上年同期 over 工业总产值: last year's column is left unmapped (not a second
    工业总产值, not this year's)."""
    f = write(
        tmp_path / "规上工业企业主要指标_2025年1-6月.xlsx",
        ["本年累计", "上年同期"],
        ["工业总产值"],
        [[60, 50], [120, 100]],
    )
    ex = extract(f, "enterprises")
    assert not ex.critical, ex.critical
    assert ex.frame["output_ytd"].tolist() == [60, 120]
    assert ex.frame["output_month"].isna().all()
    assert any("上年同期/工业总产值" in c for c in ex.sheets[0].unmapped)


def test_spans_written_with_their_year_under_the_measure_are_read(tmp_path):
    """工业总产值 over `2025年6月` / `2025年1-6月`: the month and the year to date (the roster had
    been rejected for two 工业总产值 columns)."""
    f = write(
        tmp_path / "规上工业企业主要指标_2025年1-6月.xlsx",
        ["工业总产值"],
        ["2025年6月", "2025年1-6月"],
        [[10, 60], [20, 120]],
    )
    ex = extract(f, "enterprises")
    assert not ex.critical, ex.critical
    assert ex.frame[["output_month", "output_ytd"]].values.tolist() == [[10, 60], [20, 120]]


@pytest.mark.parametrize(("child", "said"), [("2024年1-6月", "2024年"), ("2025年1-5月", "5月")])
def test_a_figure_headed_by_another_year_or_month_than_the_sheets_is_refused(tmp_path, child, said):
    """工业总产值 over `2024年1-6月` alone under a 2025年1-6月 title: last year's figures, which had
    loaded as this year's; `2025年1-5月`: May's, which had loaded as June's. The sheet is refused,
    naming the header and both periods."""
    f = write(tmp_path / "规上工业企业主要指标_2025年1-6月.xlsx", ["工业总产值"], [child], [[60], [120]])
    (crit,) = extract(f, "enterprises").critical
    assert (
        crit.rule == "period_conflict" and f"/{child}”为{said}" in crit.message and "2025-06" in crit.message
    )


@pytest.mark.parametrize(("group", "said"), [("2024年1-6月", "2024年"), ("1-5月", "5月")])
def test_a_group_of_another_year_or_month_than_the_sheets_is_refused(tmp_path, group, said):
    """`2024年1-6月` over 工业总产值 and 营业收入 under a 2025年1-6月 title: last year's figures; they are
    not read as this year's, the sheet is refused naming the header."""
    f = write(
        tmp_path / "规上工业企业主要指标_2025年1-6月.xlsx",
        [group],
        ["工业总产值", "营业收入"],
        [[60, 66], [120, 132]],
    )
    (crit,) = extract(f, "enterprises").critical
    assert crit.rule == "period_conflict" and f"“{group}/工业总产值”为{said}" in crit.message


def test_this_years_column_is_the_field_and_last_years_is_left_unmapped(tmp_path):
    """工业总产值 over `2025年1-6月` / `2024年1-6月` (the 上年同期 written as its year): the sheet had
    been rejected as two 工业总产值 columns; the year of the sheet's period is the figure."""
    f = write(
        tmp_path / "规上工业企业主要指标_2025年1-6月.xlsx",
        ["工业总产值"],
        ["2025年1-6月", "2024年1-6月"],
        [[60, 50], [120, 100]],
    )
    ex = extract(f, "enterprises")
    assert not ex.critical, ex.critical
    assert ex.frame["output_ytd"].tolist() == [60, 120]
    assert any("2024年1-6月" in c for c in ex.sheets[0].unmapped)


def test_groups_of_this_year_and_last_year_over_the_measures(tmp_path):
    f = write(
        tmp_path / "规上工业企业主要指标_2025年1-6月.xlsx",
        ["2024年1-6月", "2025年1-6月"],
        ["工业总产值", "营业收入"],
        [[50, 55, 60, 66], [100, 110, 120, 132]],
    )
    ex = extract(f, "enterprises")
    assert not ex.critical, ex.critical
    assert ex.frame[["output_ytd", "revenue_ytd"]].values.tolist() == [[60, 66], [120, 132]]
    assert sum("2024年1-6月" in c for c in ex.sheets[0].unmapped) == 2


def test_a_parent_written_once_unmerged_in_an_xls_with_a_merged_title_spans_its_children(tmp_path):
    """`工业总产值（万元）` written once over `本月 | 本年累计`, no merge, in an .xls whose title is
    merged: every 本年累计 had been dropped (the carry-over applied only to sheets without any merge)."""
    import xlwt

    f = tmp_path / "规上工业企业主要指标_2025年1-3月.xls"
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Sheet1")
    ws.write_merge(0, 0, 0, 6, "淮安区规上工业企业主要指标（2025年1-3月）")
    lead = ["统一社会信用代码", "企业名称", "所在镇（街道）"]
    for c, t in enumerate(lead):
        ws.write_merge(1, 2, c, c, t)
    ws.write(1, 3, "工业总产值（万元）")
    ws.write(1, 5, "营业收入（万元）")
    for c, t in enumerate(["本月", "本年累计", "本月", "本年累计"], start=3):
        ws.write(2, c, t)
    rows = [
        [CODES[0], "甲公司", "车桥镇", 10.5, 30.25, 9.0, 27.0],
        [CODES[1], "乙公司", "平桥镇", 20.0, 61.5, 18.0, 50.0],
    ]
    for r, line in enumerate(rows, start=3):
        for c, v in enumerate(line):
            ws.write(r, c, v)
    wb.save(str(f))
    ex = extract(f, "enterprises")
    assert not ex.critical, [i.message for i in ex.critical]
    assert ex.frame["output_ytd"].tolist() == [30.25, 61.5]
    assert ex.frame["output_month"].tolist() == [10.5, 20.0]
    assert ex.frame["revenue_ytd"].tolist() == [27.0, 50.0]

"""The places that state a sheet's period (sheet name, title, file name) must agree: August's
figures under a September title would otherwise load as September's, silently replacing them."""

from __future__ import annotations

import pytest

from etl.extract import extract

HEADER = "统一社会信用代码,企业名称,所在镇（街道）,工业总产值（万元）,是否规上\n"
ROW = "91320803MA0BK5CX60,甲公司,车桥镇,100.5,是\n"


def roster(tmp_path, file_name: str, title: str | None):
    f = tmp_path / file_name
    f.write_text((f"{title}\n" if title else "") + HEADER + ROW, encoding="utf-8")
    return extract(f, "enterprises", file_name=f.name)


@pytest.mark.parametrize(
    ("file_name", "title"),
    [
        ("规上工业企业主要指标_2025年1-8月.csv", "淮安区工业企业主要经济指标（2025年1-9月）"),
        ("规上工业企业主要指标_2025.8.csv", "2025年9月规上工业企业"),
        ("规上工业企业_2025年第二季度.csv", "2025年1-9月规上工业企业"),
    ],
)
def test_a_title_and_a_file_name_that_disagree_reject_the_sheet_naming_both(tmp_path, file_name, title):
    ex = roster(tmp_path, file_name, title)
    (crit,) = ex.critical
    assert crit.rule == "period_conflict" and "标题" in crit.message and "文件名" in crit.message
    assert ex.frame is None or ex.frame.empty


@pytest.mark.parametrize(
    ("file_name", "title", "period"),
    [
        # the same month written two ways
        ("规上工业企业主要指标_2025-09.csv", "淮安区工业企业主要经济指标（2025年1-9月）", "2025-09"),
        # a date with a day is when the file was made or sent, not its period
        ("工信局报送_2025-10-15.csv", "淮安区工业企业主要经济指标（2025年1-9月）", "2025-09"),
        ("工信局报送_20251015.csv", "2025年1-9月", "2025-09"),
        # the year alone says nothing against the months
        ("2025年规上工业企业.csv", "1-9月主要经济指标", "2025-09"),
    ],
)
def test_places_that_agree_or_say_less_load(tmp_path, file_name, title, period):
    ex = roster(tmp_path, file_name, title)
    assert not ex.critical, [i.describe() for i in ex.critical]
    assert set(ex.frame["period"]) == {period}


def test_a_sheet_named_for_another_month_than_its_title_is_rejected(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "8月"
    for row in (
        ["淮安区工业企业主要经济指标（2025年1-9月）"],
        HEADER.strip().split(","),
        ROW.strip().split(","),
    ):
        ws.append(row)
    f = tmp_path / "规上工业企业主要指标.xlsx"
    wb.save(f)
    (crit,) = extract(f, "enterprises", file_name=f.name).critical
    assert crit.rule == "period_conflict" and "8月" in crit.message and "2025-09" in crit.message


@pytest.mark.parametrize(
    ("file_name", "title", "date"),
    [
        # the only date is a day in the month: when the file was sent (a 1—9月 roster goes out in
        # October), not the month of its figures
        ("工信局报送_2025-10-15.csv", None, "2025-10-15"),
        ("规上工业企业主要指标.csv", "报送日期：2025年10月15日", "2025年10月15日"),
        # a month's last day, but written as when the table was filled in
        ("规上工业企业主要指标.csv", "填报日期：2025年10月31日", "2025年10月31日"),
        # December's figures sent in January: the months without a year take no year from it
        ("报送_2026-01-10.csv", "1-12月主要经济指标", "2026-01-10"),
    ],
)
def test_a_sending_date_is_no_period_and_the_message_says_so(tmp_path, file_name, title, date):
    ex = roster(tmp_path, file_name, title)
    (crit,) = ex.critical
    assert crit.rule == "period_not_found"
    assert f"“{date}”是日期，不是报告期" in crit.message
    assert ex.frame is None or ex.frame.empty


@pytest.mark.parametrize(
    ("file_name", "title", "period"),
    [
        # a stock at its month's last day is that month's
        ("规上工业企业名录.csv", "截至2025年10月31日", "2025-10"),
        ("规上工业企业名录_2025-09-30.csv", None, "2025-09"),
        ("规上工业企业名录_2024.2.29.csv", None, "2024-02"),
        # a period beside a sending date is the period
        ("规上工业企业主要指标.csv", "2025年1-9月（2025-10-15报送）", "2025-09"),
    ],
)
def test_a_month_end_date_or_a_period_beside_a_date_is_read(tmp_path, file_name, title, period):
    ex = roster(tmp_path, file_name, title)
    assert not ex.critical, [i.describe() for i in ex.critical]
    assert set(ex.frame["period"]) == {period}


@pytest.mark.parametrize(
    ("title", "header", "warned"),
    [
        # one month named, a figure that does not say its span: maybe that month's alone
        ("2025年6月规上工业企业主要指标", "工业总产值（万元）", True),
        ("2025年6月份规上工业企业主要指标", "工业总产值", True),
        # the span is said by the period (1-6月, 上半年), by January, or by the header
        ("2025年1-6月规上工业企业主要指标", "工业总产值（万元）", False),
        ("2025年上半年规上工业企业主要指标", "工业总产值（万元）", False),
        ("2025年1月规上工业企业主要指标", "工业总产值（万元）", False),
        ("2025年6月规上工业企业主要指标", "本年累计工业总产值", False),
        ("2025年6月规上工业企业主要指标", "工业总产值（1-6月）", False),
    ],
)
def test_a_figure_read_as_the_year_to_date_under_one_month_says_so(tmp_path, title, header, warned):
    """A bare `工业总产值` is read as 本年累计 (the spec's output_ytd): under a title naming one
    month (2025年6月) that may be June's figure alone, loaded as January to June — a warning
    names the column; the figures load as before (a guess either way would be silent)."""
    f = tmp_path / "规上工业企业主要指标.csv"
    f.write_text(
        f"{title}\n统一社会信用代码,企业名称,所在镇（街道）,{header},是否规上\n" + ROW, encoding="utf-8"
    )
    ex = extract(f, "enterprises", file_name=f.name)
    assert not ex.critical
    assert ex.frame["output_ytd"].tolist() == [100.5]
    said = [i for i in ex.issues if i.rule == "year_to_date_assumed"]
    assert [(i.severity, i.row, i.column) for i in said] == (
        [("warning", 2, f"{header.replace('（', '(').replace('）', ')')} (D)")] if warned else []
    )
    if warned:
        assert "按1-6月累计读取" in said[0].message and "本月" in said[0].message

"""Periods written in the 统计局's words: a span to date is the span to date (`前三季度` is
`1-9月`, `上半年` `1-6月`), a quarter's three months the quarter, and what names a part of a
year that no period here places (`下半年`, `5-9月`, `2024年同期`) is no period, never the year."""

from __future__ import annotations

import pytest

from etl.base.cells import parse_period
from etl.extract.meta import stated_period


@pytest.mark.parametrize(
    ("text", "period", "basis"),
    [
        ("2025年前三季度", "2025-09", "ytd"),
        ("2025年前3季度", "2025-09", "ytd"),
        ("2025年一至三季度", "2025-09", "ytd"),
        ("2025年1-3季度", "2025-09", "ytd"),
        ("2025年前两季度", "2025-06", "ytd"),
        ("2025年上半年", "2025-06", "ytd"),
        ("2025年一至九月", "2025-09", "ytd"),
        ("2025年1-9", "2025-09", "ytd"),
        ("2025.1-9", "2025-09", "ytd"),
        ("2025年十月", "2025-10", "period"),
        ("2025年7-9月", "2025Q3", "period"),
        ("2025年1-12月", "2025", "period"),
        ("2025年第三季度", "2025Q3", "period"),
        ("2025年度", "2025", "period"),
        # both ends written (each had read as the first month alone, or the year)
        ("2025年10月-12月", "2025Q4", "period"),
        ("2025年1月至6月", "2025-06", "ytd"),
        ("2025年一月至六月", "2025-06", "ytd"),
        ("2025年第1-6月", "2025-06", "ytd"),
        ("2025年1月1日至2025年9月30日", "2025-09", "ytd"),
        ("2025年1月1日-6月30日", "2025-06", "ytd"),
        ("2025年前两个月", "2025-02", "ytd"),
        ("2025年前6个月", "2025-06", "ytd"),
        # tags and numerals (each had read as the year, or as nothing)
        ("2025年H1", "2025-06", "ytd"),
        ("2025H1规上工业", "2025-06", "ytd"),
        ("2025年Q2", "2025Q2", "period"),
        ("2025 q3 名录", "2025Q3", "period"),
        ("2025Q3名录", "2025Q3", "period"),
        ("2025.Q4", "2025Q4", "period"),
        ("2025年元月", "2025-01", "period"),
        ("二〇二五年六月", "2025-06", "period"),
        ("二〇二五年1-9月", "2025-09", "ytd"),
    ],
)
def test_a_span_of_the_year_is_read_as_that_span(text, period, basis):
    p = parse_period(text)
    assert p is not None and (p.text, p.basis) == (period, basis)


@pytest.mark.parametrize(
    "text",
    [
        "2025年下半年",
        "2025年5-9月",
        "2024年同期",
        "2025年二、三季度",
        # each of these had read as the whole year (or its first month): figures of a part filed
        # under the year's end
        "淮安区2025年H2工业企业",
        "2025年年中",
        "2025年初",
        "截至2025年初",
        "2025年年初余额",
        "2025年6月初",
        "2025年上旬",
        "2025年第6期",
        "2025年第25周",
        "2025年6月上旬",
        "2025年6月第2周",
        "2025年5月、6月",
        "2024-2025年",
        "2024—2025年度",
        "2024年6月末至2025年6月末",
        "2025年1月2日至6月30日",
        "2025年1月1日至6月29日",
    ],
)
def test_a_part_of_a_year_it_cannot_place_is_no_period_not_the_year(text):
    assert parse_period(text) is None


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2025年第一批高新技术企业", "2025"),
        ("2025年初步核算", "2025"),
        ("2025年初中在校学生数", "2025"),
        ("2025年初级职称人数", "2025"),
        ("2025年6月中小企业名录", "2025-06"),
    ],
)
def test_words_that_only_look_like_a_part_of_the_year_leave_the_period_alone(text, period):
    p = parse_period(text)
    assert p is not None and p.text == period


def test_a_title_giving_a_span_by_its_days_states_that_span_not_a_sending_date():
    """`stated_period` refuses a day date that is not a month's end (it is when the file was sent);
    the two days that bound a span are the span's."""
    p = stated_period("高新技术企业认定情况（2025年1月1日至2025年9月30日）")
    assert p is not None and (p.text, p.basis) == ("2025-09", "ytd")
    assert stated_period("填报日期：2025年10月15日") is None


def test_a_period_columns_spans_without_their_year_take_the_titles(tmp_path):
    """A long table's 时期 column saying `上半年`, `前三季度`, `1-9月` under a file or title that says
    2025: each that span of 2025 (they had been rejected rows, as the long layout reads its
    period from the column only); `本期` names no span and stays a rejected row."""
    from etl.extract import extract

    f = tmp_path / "2025年主要指标长表.csv"
    f.write_text(
        "指标名称,时期,数值,单位\n地区生产总值,上半年,520.5,亿元\n地区生产总值,前三季度,790.1,亿元\n"
        "规模以上工业总产值,1-9月,830,亿元\n地区生产总值,本期,1,亿元\n",
        encoding="utf-8",
    )
    ex = extract(f, "indicators")
    got = {(r.indicator_id, r.period, r.basis) for r in ex.frame.dropna(subset=["period"]).itertuples()}
    assert ("gdp", "2025Q2", "ytd") in got and ("gdp", "2025Q3", "ytd") in got, got
    assert len(got) == 3
    assert {i.value for i in ex.issues if i.severity == "row"} == {"本期"}

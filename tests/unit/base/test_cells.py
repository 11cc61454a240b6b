"""Cell parsers and unit conversions: examples and properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.base import cells
from etl.base.cells import parse_number, parse_period, unit_factor, unit_from_unit_row

UNITS = list(cells.UNIT_FACTORS)


@pytest.mark.parametrize(
    ("raw", "value", "missing"),
    [
        ("1,234.5", 1234.5, None),
        ("１２３", 123.0, None),
        ("12.5%", 12.5, None),
        ("300万元", 300.0, None),
        ("—", None, "—"),
        ("…", None, "…"),
        ("/", None, "/"),
        ("-", None, "-"),
        (None, None, ""),
        ("  ", None, ""),
        (3599, 3599.0, None),
        ("-4.7", -4.7, None),
    ],
)
def test_numbers_as_written(raw, value, missing):
    p = parse_number(raw)
    assert p.value == value and p.missing == missing and p.problem is None


@pytest.mark.parametrize("raw", ["#REF!", "#DIV/0!", "abc", "1.2.3"])
def test_not_numbers_say_why(raw):
    p = parse_number(raw)
    assert p.value is None and p.problem


@pytest.mark.parametrize("text", ["12,026.31,5", "1,234.5,6", "1,234,5678"])
def test_digits_after_a_grouped_number_refuse_it(text):
    """`12,026.31,5` had loaded as 12026.315 (the grouping matched its start, then every comma went)."""
    got = cells.parse_number(text)
    assert got.value is None and "逗号" in got.problem


@pytest.mark.parametrize(
    ("raw", "text", "basis"),
    [
        ("2025年1-6月", "2025-06", "ytd"),
        ("2024年12月末", "2024-12", "period"),
        ("（截至2025年6月）", "2025-06", "period"),
        ("2025年第二季度", "2025Q2", "period"),
        ("2024Q2", "2024Q2", "period"),
        ("2024年", "2024", "period"),
        (2005.0, "2005", "period"),
        ("2023年1-12月", "2023", "period"),
        ("淮安区2024年度高新技术企业认定名单", "2024", "period"),
    ],
)
def test_periods_as_written(raw, text, basis):
    p = parse_period(raw)
    assert (p.text, p.basis) == (text, basis)


def test_the_number_2025_1_is_no_period_but_the_text_is_january():
    """A header typed `2025.10` in a number cell is kept by Excel as 2025.1: it had loaded as January
    (a wide table's October under 2025-01). As a number it is no period (the column is left out with
    a warning); the text `2025.1` is January, `2025.9` and `2025.11` the months they say."""
    assert parse_period(2025.1) is None
    assert parse_period("2025.1").text == "2025-01"
    assert [parse_period(v).text for v in (2025.9, 2025.11, 2025.12)] == ["2025-09", "2025-11", "2025-12"]


@pytest.mark.parametrize(
    ("row", "unit"),
    [
        ("单位：万元", "万元"),
        ("填报单位：淮安区统计局　　金额单位：亿元", "亿元"),
        ("计量单位：亩", "亩"),
        ("填报单位：淮安区统计局", None),
        ("面积单位:公顷", "公顷"),
    ],
)
def test_unit_rows_never_take_the_reporting_office(row, unit):
    assert unit_from_unit_row(row) == unit


def test_conversions():
    assert unit_factor("公顷", "亩") == pytest.approx(15)
    assert unit_factor("万元", "亿元") == pytest.approx(1e-4)
    assert unit_factor("元", "万元") == pytest.approx(1e-4)
    assert unit_factor("万人", "人") == pytest.approx(1e4)
    with pytest.raises(ValueError):
        unit_factor("万元", "亩")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.sampled_from(UNITS), st.sampled_from(UNITS), st.sampled_from(UNITS))
def test_conversion_composes_and_inverts(a, b, c):
    try:
        ab = unit_factor(a, b)
    except ValueError:
        assert cells.UNIT_FACTORS[a][0] != cells.UNIT_FACTORS[b][0]
        return
    assert ab * unit_factor(b, a) == pytest.approx(1.0)
    if cells.UNIT_FACTORS[c][0] == cells.UNIT_FACTORS[a][0]:
        assert ab * unit_factor(b, c) == pytest.approx(unit_factor(a, c))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False).map(lambda x: round(x, 2)))
def test_a_number_written_with_separators_reads_back(x):
    assert parse_number(f"{x:,.2f}").value == pytest.approx(x)
    assert parse_number(x).value == x


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31)))
def test_dates_in_every_form_agree(d):
    serial = (d - dt.date(1899, 12, 30)).days
    forms = [
        d,
        serial,
        float(serial),
        d.isoformat(),
        f"{d.year}年{d.month}月{d.day}日",
        f"{d.year}/{d.month}/{d.day}",
        f"{d.isoformat()} 00:00:00",
        f"{d.year}/{d.month:02d}/{d.day:02d} 00:00:00",  # a date cell a system exported as text
        f"{d.year}.{d.month}.{d.day} 8:30",
        f"{d.year}年{d.month}月{d.day}号",
    ]
    for f in forms:
        assert cells.parse_date(f).value == d, f


def test_dates_that_could_be_read_two_ways_are_not_guessed():
    for text in ("3/15/2025", "15/03/2025", "25.3.15", "2025/03-15 00:00"):
        assert cells.parse_date(text).value is None, text


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.integers(1990, 2090), st.integers(1, 12))
def test_month_periods_end_on_the_last_day(y, m):
    p = parse_period(f"{y}年{m}月")
    assert p.text == f"{y}-{m:02d}"
    assert (p.end + dt.timedelta(days=1)).day == 1 and p.end.month == m


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(
                list("淮安（）()〔〕【】 　\u200b\u00a0\ufeff\t\nＡａ1１-—科技有限公司")
            ),
            max_size=20,
        ),
        min_size=1,
        max_size=5,
    )
)
def test_column_name_keys_equal_the_one_name_function(names):
    import pandas as pd

    from etl.base.names import normalize_name, normalize_names

    got = normalize_names(pd.Series(names, dtype="string")).tolist()
    assert got == [normalize_name(n) for n in names]


def test_a_footnote_marker_after_a_figure_is_no_digit_of_it():
    """NFKC turns ① and ² into digits: `12.3①` was read as 12.31 in rosters and long tables."""
    assert parse_number("12.3①").value == pytest.approx(12.3)
    assert parse_number("1,234.5 ②").value == pytest.approx(1234.5)
    assert parse_number("30²").value == 30
    for text in ("①12", "1²3"):  # a marker where no note goes: refused, never 112 or 123
        p = parse_number(text)
        assert p.value is None and p.problem


def test_the_minus_sign_of_typeset_text_is_a_minus():
    assert parse_number("\u22123.2").value == pytest.approx(-3.2)
    assert parse_number("\u221212.5%").value == pytest.approx(-12.5)


@pytest.mark.parametrize(
    ("text", "value"), [("12 345", 12345.0), ("1 234 567.8", 1234567.8), (" 123 ", 123.0)]
)
def test_a_space_as_the_thousands_separator_is_read(text, value):
    assert cells.parse_number(text).value == value


@pytest.mark.parametrize("text", ["12 34", "1 2345", "123 45.6", "12 026.31 5", "12 026 .5"])
def test_digits_split_by_a_space_that_is_no_grouping_are_refused(text):
    """`12 34` had loaded as 1234: two figures in one cell, or a slip — never one number."""
    got = cells.parse_number(text)
    assert got.value is None and "空格" in got.problem


@pytest.mark.parametrize(
    ("raw", "text", "basis"),
    [
        ("2025年①", "2025", "period"), ("2024年²", "2024", "period"), ("2025年¹", "2025", "period"),
        ("2025年1-9月①", "2025-09", "ytd"), ("2025-1-9月", "2025-09", "ytd"), ("2025/1-9月", "2025-09", "ytd"),
        ("2025-1-2月", "2025-02", "ytd"), ("2025-10-12月", "2025Q4", "period"),
    ],
)  # fmt: skip
def test_a_footnote_marker_or_a_dashed_year_never_makes_a_month(raw, text, basis):
    """NFKC makes `①` and `¹` digits: `2025年①` had been January 2025, `2025-1-9月` January too."""
    p = parse_period(raw)
    assert p is not None and (p.text, p.basis) == (text, basis)


def test_a_labels_footnote_marker_is_dropped_but_a_units_superscript_stays():
    from etl.extract.header import label_text

    assert [label_text(t) for t in ("石塘镇①", "从业人员 ②", "2025年¹", "复垦面积（m²）", "km²")] == [
        "石塘镇",
        "从业人员",
        "2025年",
        "复垦面积(m2)",
        "km2",
    ]

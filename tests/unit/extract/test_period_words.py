"""Periods written in the 统计局's words: a span to date is the span to date (`前三季度` is
`1-9月`, `上半年` `1-6月`), a quarter's three months the quarter, and what names a part of a
year that no period here places (`下半年`, `5-9月`, `2024年同期`) is no period, never the year."""

from __future__ import annotations

import pytest

from etl.base.cells import parse_period


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
    ],
)
def test_a_span_of_the_year_is_read_as_that_span(text, period, basis):
    p = parse_period(text)
    assert p is not None and (p.text, p.basis) == (period, basis)


@pytest.mark.parametrize("text", ["2025年下半年", "2025年5-9月", "2024年同期", "2025年二、三季度"])
def test_a_part_of_a_year_it_cannot_place_is_no_period_not_the_year(text):
    assert parse_period(text) is None

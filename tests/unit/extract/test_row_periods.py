"""A roster's period column against the month its title gives: a column saying only the year
(`2025年`, 2025) had filed a half-year's figures as the whole year's (December), another year as
that year's; such rows are refused now, naming both. A month of the title's year is the row's own."""

from __future__ import annotations

import pytest

from etl.extract import extract
from tests.hostile.corpus import ROSTER_HEADER, roster_rows, write_xlsx

TITLE = "淮安区规上工业企业主要经济指标（2025年1-6月）"


def _roster(tmp_path, periods):
    rows = [r + [p] for r, p in zip(roster_rows(len(periods)), periods, strict=True)]
    return write_xlsx(
        tmp_path / "roster.xlsx", [[*ROSTER_HEADER, "统计期"], *rows], title=TITLE, unit_row="单位：万元"
    )


@pytest.mark.parametrize(
    ("periods", "refused"),
    [
        (["2025年"] * 4, [4, 5, 6, 7]),  # the year alone: the half-year had loaded as 2025-12
        ([2025] * 4, [4, 5, 6, 7]),
        (["2025年1-6月"] * 3 + ["2024年1-6月"], [7]),  # last year's in one row
        (["2025年1-6月"] * 4, []),
        (["2025年6月", "2025年6月", "2025年5月", "2025年5月"], []),  # months of the title's year
    ],
)
def test_a_row_period_saying_less_or_another_year_than_the_title_is_refused(tmp_path, periods, refused):
    ex = extract(_roster(tmp_path, periods), "enterprises")
    clashes = [i for i in ex.issues if i.rule == "period_conflict"]
    assert [i.row for i in clashes] == refused
    assert all(i.severity == "row" and "标题写明 2025-06" in i.message for i in clashes)


@pytest.mark.parametrize(
    "text",
    ["2025年13月", "2025年2月30日", "2025-06-31", "2025年（预期）", "2025年预估", "2025年(力争)", "2025年考核",
     "2025年考核数", "2025年预算数"],
)  # fmt: skip
def test_an_impossible_period_or_a_forecast_is_no_period(text):
    """`2025年13月` had been the year 2025 and `2025年2月30日` February; a forecast or a target
    column (`2025年（预期）`, `2025年力争`) had loaded as the year's actual."""
    from etl.base.cells import parse_period

    assert parse_period(text) is None


@pytest.mark.parametrize(
    ("text", "period"), [("2025年2月28日", "2025-02"), ("2025年6月", "2025-06"), ("2025年", "2025")]
)
def test_a_real_period_is_still_read(text, period):
    from etl.base.cells import parse_period

    assert parse_period(text).text == period

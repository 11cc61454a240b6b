"""A target's 完成时限 read as the last day it allows, or the row refused: deadlines the parser did
not know (`十四五末`, `2026年上半年`, `2026年三季度`, `2027年一季度末`) had become the year's end or the
window's, and impossible ones (`2026年13月`, `2025年2月30日`, `9999年`) a date near them — each
target's pace then judged against the wrong day, without a word."""

from __future__ import annotations

import datetime as dt

import pytest

from etl.extract.deadlines import parse_deadline

D = dt.date


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2028年", D(2028, 12, 31)), ("2028", D(2028, 12, 31)), (2028, D(2028, 12, 31)),
        (2028.0, D(2028, 12, 31)), ("2028年底前", D(2028, 12, 31)), ("2026—2028年", D(2028, 12, 31)),
        ("2026年至2028年", D(2028, 12, 31)), ("2025年6月底", D(2025, 6, 30)), ("2025.6", D(2025, 6, 30)),
        ("2025年6月30日", D(2025, 6, 30)), ("2025-06-30", D(2025, 6, 30)), (D(2025, 6, 15), D(2025, 6, 15)),
        (dt.datetime(2025, 6, 15), D(2025, 6, 15)), ("2025-09-01 00:00:00", D(2025, 9, 1)),
        ("2026年上半年", D(2026, 6, 30)), ("2026年下半年", D(2026, 12, 31)), ("2026年Q3", D(2026, 9, 30)),
        ("2026年三季度", D(2026, 9, 30)), ("2027年一季度末", D(2027, 3, 31)), ("2026年前三季度", D(2026, 9, 30)),
        ("2026年第4季度", D(2026, 12, 31)), ("到2025年", D(2025, 12, 31)), ("2026年底前完成", D(2026, 12, 31)),
        ("截至2026年6月底", D(2026, 6, 30)),
        ("十四五末", D(2025, 12, 31)), ("十四五期末", D(2025, 12, 31)), ("“十五五”末", D(2030, 12, 31)),
        ("十三五期间", D(2020, 12, 31)), ("十五五规划期末", D(2030, 12, 31)),
    ],
)  # fmt: skip
def test_a_deadline_is_its_last_day(text, day):
    assert parse_deadline(text) == (day, None)


@pytest.mark.parametrize("text", [None, "", " ", "每年", "持续推进", "长期", float("nan")])
def test_no_deadline_written_leaves_the_window_end(text):
    assert parse_deadline(text) == (None, None)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2026年13月", "没有 13 月"), ("2025年2月30日", "2025年2月没有 30 日"), ("9999年", "年份 9999"),
        ("年底", "不是可识别"), ("前三季度", "不是可识别"), ("尽快", "不是可识别"), ("2026年6月份左右", "不是可识别"), ("三年内", "不是可识别"),
        ("2028—2026年", "年份 2026"), ("2025.0", "没有 0 月"),
    ],
)  # fmt: skip
def test_a_deadline_that_cannot_be_read_says_why(text, why):
    day, problem = parse_deadline(text)
    assert day is None and why in problem and "完成时限" in problem

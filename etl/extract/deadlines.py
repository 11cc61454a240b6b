"""A target's 完成时限 as the last day it allows, or why it cannot be read.

Written as a year (`2028年`, `2028年底前`), a span (`2026—2028年`: its last year), a half or a
quarter (`2026年上半年`, `2026年三季度`, `2026Q3`, `2027年一季度末`, `前三季度`), a month
(`2025年6月底`), a day (`2025年6月30日`, `2025-06-30`) or a five-year plan (`十四五末`,
`“十五五”期末`: 2025-12-31, 2030-12-31). Anything else — a month 13, 30 February, a year 9999, a
plan word with no year — is not guessed: the pace of a target is judged against its deadline, so a
deadline read as the year's end when it said June would make every status wrong without a word.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from etl.base.cells import clean_text

NONE_WRITTEN = frozenset({"", "每年", "逐年", "年度", "长期", "常年", "持续", "持续推进", "无"})
"""A 完成时限 that names no date: the end of the indicator's window."""
_QUOTES = re.compile(r"[\s\"'“”‘’「」『』《》〈〉()（）【】\[\]]")
_TIME = re.compile(r"(?<=\d)[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
"""The time a date cell read as text carries (`2025-09-01 00:00:00`)."""
_BEFORE = r"(?:前|以前|之前|内)?(?:完成|实现|达到|达成|建成|截止|止)?"
_BY = re.compile(r"^(?:截至|截止到?|到|至|于|在)")
"""`到2025年`, `截至2026年6月底`: by the day that follows."""
_CN = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PLAN = re.compile(rf"(十[一二三四五六七八九]?|二十)五(?:规划)?(?:期间|时期|期)?(?:末|底|结束)?{_BEFORE}")
_YEAR = r"(?:(\d{4})年?[-—–~～至到])?(\d{4})"
_FORMS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"{_YEAR}年?(?:底|末|年底|年末|全年|年内)?{_BEFORE}"), "year"),
    (re.compile(rf"{_YEAR}年?上半年(?:底|末)?{_BEFORE}"), "half"),
    (re.compile(rf"{_YEAR}年?下半年(?:底|末)?{_BEFORE}"), "year"),
    (re.compile(rf"{_YEAR}年?(?:第|前)?([一二三四1-4])季度(?:末|底)?{_BEFORE}"), "quarter"),
    (re.compile(rf"{_YEAR}年?[qQ]([1-4])(?:末|底)?{_BEFORE}"), "quarter"),
    (re.compile(rf"{_YEAR}(?:年|[-./])(\d{{1,2}})(?:月份?)?(?:底|末)?{_BEFORE}"), "month"),
    (re.compile(rf"{_YEAR}(?:年|[-./])(\d{{1,2}})(?:月|[-./])(\d{{1,2}})日?{_BEFORE}"), "day"),
]
UNREADABLE = (
    "完成时限“{}”无法识别（{}）：请写成 2026年、2026年6月底、2026年三季度、2026年6月30日或十四五末"
    " / deadline not understood ({}): write 2026年, 2026年6月底, 2026年三季度, 2026-06-30 or 十四五末"
)


def parse_deadline(text: object) -> tuple[dt.date | None, str | None]:
    """(the last day `text` allows, None); (None, None) when it names no date (the window's end
    applies); (None, why) when it cannot be read."""
    if isinstance(text, dt.datetime):
        return text.date(), None
    if isinstance(text, dt.date):
        return text, None
    if isinstance(text, float) and text != text:  # NaN: a blank cell
        return None, None
    if isinstance(text, float) and text.is_integer():
        text = int(text)  # a year typed into a number cell: 2028.0
    raw = "" if text is None else clean_text(text)
    s = _BY.sub("", _QUOTES.sub("", _TIME.sub("", raw)))
    if s in NONE_WRITTEN:
        return None, None
    if m := _PLAN.fullmatch(s):
        n = (
            20
            if m.group(1) == "二十"
            else 10 + ("一二三四五六七八九".find(m.group(1)[1:]) + 1 if len(m.group(1)) > 1 else 0)
        )
        return dt.date(2025 + 5 * (n - 14), 12, 31), None
    for pat, kind in _FORMS:
        m = pat.fullmatch(s)
        if m:
            return _last_day(raw, kind, m)
    return None, UNREADABLE.format(raw, "不是可识别的日期或期限", "not a date or a period")


def _last_day(raw: str, kind: str, m: re.Match[str]) -> tuple[dt.date | None, str | None]:
    first, year = m.group(1), int(m.group(2))
    if not 1900 <= year <= 2199 or (first is not None and not int(first) <= year):
        return None, UNREADABLE.format(raw, f"年份 {year} 不合理", f"year {year}")
    if kind == "year":
        return dt.date(year, 12, 31), None
    if kind == "half":
        return dt.date(year, 6, 30), None
    if kind == "quarter":
        q = _CN[m.group(3)]
        return dt.date(year, 3 * q, calendar.monthrange(year, 3 * q)[1]), None
    month = int(m.group(3))
    if not 1 <= month <= 12:
        return None, UNREADABLE.format(raw, f"没有 {month} 月", f"no month {month}")
    last = calendar.monthrange(year, month)[1]
    if kind == "month":
        return dt.date(year, month, last), None
    day = int(m.group(4))
    if not 1 <= day <= last:
        return None, UNREADABLE.format(raw, f"{year}年{month}月没有 {day} 日", "no such day")
    return dt.date(year, month, day), None

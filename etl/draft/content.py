"""What a column holds, sniffed from its values: credit codes, places, dates, periods, figures, names, text."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from etl.base import cells
from etl.base.codes import is_valid_credit_code
from etl.draft.cell_kinds import cell_text, is_blank, is_number
from etl.reference.regions import RegionResolver

_NAME_SUFFIXES = (
    "公司",
    "厂",
    "合作社",
    "中心",
    "研究院",
    "院",
    "店",
    "社",
    "所",
    "集团",
    "企业",
    "场",
    "馆",
    "部",
)


@dataclass
class Content:
    """A column's kind of content, how many of its values are filled, and what showed it."""

    kind: str
    filled: int
    total: int
    detail: str = ""


@dataclass
class _Column:
    """The filled values of a column, their texts, and the counts every sniffer shares."""

    vals: list[Any]
    texts: list[str]
    total: int
    header: str

    @property
    def n(self) -> int:
        return len(self.vals)

    def share(self, k: int) -> float:
        return k / self.n

    def found(self, kind: str, detail: str) -> Content:
        return Content(kind, self.n, self.total, detail)


def column_content(values: list[Any], header: str) -> Content:
    """What a column's values are (see `DraftColumn.kind`), tried from the most specific kind down."""
    vals = [v for v in values if not is_blank(v) and cell_text(v) not in cells.MISSING_MARKERS]
    if not vals:
        return Content("empty", 0, len(values), "no values")
    col = _Column(vals, [cell_text(v) for v in vals], len(values), header)
    for sniff in (_row_numbers, _credit_codes, _flags, _dates_or_periods, _figures, _places, _names):
        found = sniff(col)
        if found is not None:
            return found
    return col.found("text", f"text, {len(set(col.texts))} distinct in {col.n} of {col.total} rows")


def _row_numbers(col: _Column) -> Content | None:
    """序号: row numbers 1, 2, 3 … (or a column headed 序号 holding numbers)."""
    if not all(is_number(v) for v in col.vals):
        return None
    nums = [cells.parse_number(v).value for v in col.vals]
    n = col.n
    if "序号" in col.header or (n >= 3 and nums == [float(i) for i in range(int(nums[0]), int(nums[0]) + n)]):
        return col.found("rownum", "row numbers")
    return None


def _credit_codes(col: _Column) -> Content | None:
    """Mostly 18-character values, most of them valid 统一社会信用代码."""
    codes = [t for t in col.texts if len(t.replace(" ", "")) == 18]
    if col.share(len(codes)) < 0.8:
        return None
    valid = sum(1 for t in codes if is_valid_credit_code(t.replace(" ", "").upper()))
    if col.share(valid) >= 0.6:
        return col.found("credit_code", f"{valid} of {col.n} values are valid 统一社会信用代码")
    return None


def _flags(col: _Column) -> Content | None:
    """Yes/no marks only (是/否, √/×, Y/N, 有/无)."""
    flag_words = {"是", "否", "√", "×", "✓", "✔", "y", "n", "yes", "no", "有", "无"}
    if all(isinstance(v, str) for v in col.vals) and all(t.lower() in flag_words for t in col.texts):
        return col.found("flag", "yes/no marks: " + "、".join(sorted(set(col.texts))))
    return None


def _dates_or_periods(col: _Column) -> Content | None:
    """Dates (date cells or dated text), else periods written as text (2025年1-9月, 2024年)."""
    is_dt = sum(1 for v in col.vals if isinstance(v, dt.date | dt.datetime))
    date_text = sum(
        1
        for v in col.vals
        if isinstance(v, str) and re.search(r"\d{4}\D+\d{1,2}", v) and cells.parse_date(v).value is not None
    )
    if col.share(is_dt + date_text) >= 0.8:
        return col.found("date", "dates")
    if (
        all(isinstance(v, str) for v in col.vals)
        and col.share(sum(1 for t in col.texts if cells.parse_period(t))) >= 0.8
        and col.share(date_text) < 0.5
    ):
        return col.found("period", "periods: " + "、".join(sorted(set(col.texts))[:3]))
    return None


def _figures(col: _Column) -> Content | None:
    """Mostly numbers: fixed-width codes written as text, whole numbers, or figures."""
    nums_ok = [v for v in col.vals if is_number(v)]
    if col.share(len(nums_ok)) < 0.8:
        return None
    if (
        all(isinstance(v, str) for v in col.vals)
        and len({len(t) for t in col.texts}) == 1
        and any(t.startswith("0") for t in col.texts)
    ):
        return col.found("code", "fixed-width codes written as text")
    whole = all(float(cells.parse_number(v).value).is_integer() for v in nums_ok)
    return col.found("integer" if whole else "number", "whole numbers" if whole else "figures")


def _places(col: _Column) -> Content | None:
    """Most distinct values resolve as places of the 统计用区划代码."""
    resolver = RegionResolver.default()
    distinct = list(dict.fromkeys(col.texts))[:60]
    hits = [t for t in distinct if resolver.resolve(t).code is not None]
    if len(hits) < max(1, 0.6 * len(distinct)):
        return None
    level = Counter(resolver.resolve(t).level for t in hits).most_common(1)[0][0]
    return col.found(
        "region",
        f"{len(hits)} of {len(distinct)} distinct values resolve as places (mostly {level}: {'、'.join(hits[:3])})",
    )


def _names(col: _Column) -> Content | None:
    """Most distinct values end like the names of enterprises or organisations (公司, 厂, 合作社 …)."""
    distinct = list(dict.fromkeys(col.texts))[:60]
    named = sum(1 for t in distinct if t.endswith(_NAME_SUFFIXES))
    if len(distinct) >= 2 and named >= 0.7 * len(distinct):
        return col.found("names", "names of enterprises or organisations")
    return None

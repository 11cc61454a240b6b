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


def column_content(values: list[Any], header: str) -> Content:
    """What a column's values are (see `DraftColumn.kind`), tried from the most specific kind down."""
    total = len(values)
    vals = [v for v in values if not is_blank(v) and cell_text(v) not in cells.MISSING_MARKERS]
    n = len(vals)
    if not vals:
        return Content("empty", 0, total, "no values")
    texts = [cell_text(v) for v in vals]
    share = lambda k: k / n  # noqa: E731
    # row numbers 1, 2, 3 …
    if all(is_number(v) for v in vals):
        nums = [cells.parse_number(v).value for v in vals]
        if "序号" in header or (n >= 3 and nums == [float(i) for i in range(int(nums[0]), int(nums[0]) + n)]):
            return Content("rownum", n, total, "row numbers")
    codes = [t for t in texts if len(t.replace(" ", "")) == 18]
    if share(len(codes)) >= 0.8:
        valid = sum(1 for t in codes if is_valid_credit_code(t.replace(" ", "").upper()))
        if share(valid) >= 0.6:
            return Content("credit_code", n, total, f"{valid} of {n} values are valid 统一社会信用代码")
    flag_words = {"是", "否", "√", "×", "✓", "✔", "y", "n", "yes", "no", "有", "无"}
    if all(isinstance(v, str) for v in vals) and all(t.lower() in flag_words for t in texts):
        return Content("flag", n, total, "yes/no marks: " + "、".join(sorted(set(texts))))
    is_dt = sum(1 for v in vals if isinstance(v, dt.date | dt.datetime))
    date_text = sum(
        1
        for v in vals
        if isinstance(v, str) and re.search(r"\d{4}\D+\d{1,2}", v) and cells.parse_date(v).value is not None
    )
    if share(is_dt + date_text) >= 0.8:
        return Content("date", n, total, "dates")
    if (
        all(isinstance(v, str) for v in vals)
        and share(sum(1 for t in texts if cells.parse_period(t))) >= 0.8
        and share(date_text) < 0.5
    ):
        return Content("period", n, total, "periods: " + "、".join(sorted(set(texts))[:3]))
    nums_ok = [v for v in vals if is_number(v)]
    if share(len(nums_ok)) >= 0.8:
        numbers = [cells.parse_number(v).value for v in nums_ok]
        if (
            all(isinstance(v, str) for v in vals)
            and len({len(t) for t in texts}) == 1
            and any(t.startswith("0") for t in texts)
        ):
            return Content("code", n, total, "fixed-width codes written as text")
        whole = all(float(x).is_integer() for x in numbers)
        kind = "integer" if whole else "number"
        return Content(kind, n, total, "whole numbers" if whole else "figures")

    resolver = RegionResolver.default()
    distinct = list(dict.fromkeys(texts))[:60]
    hits = [t for t in distinct if resolver.resolve(t).code is not None]
    if len(hits) >= max(1, 0.6 * len(distinct)):
        levels = Counter(resolver.resolve(t).level for t in hits)
        level = levels.most_common(1)[0][0]
        return Content(
            "region",
            n,
            total,
            f"{len(hits)} of {len(distinct)} distinct values resolve as places"
            f" (mostly {level}: {'、'.join(hits[:3])})",
        )
    named = sum(1 for t in distinct if t.endswith(_NAME_SUFFIXES))
    if len(distinct) >= 2 and named >= 0.7 * len(distinct):
        return Content("names", n, total, "names of enterprises or organisations")
    return Content("text", n, total, f"text, {len(set(texts))} distinct in {n} of {total} rows")

"""What a single cell is, read without a spec: blank, a number, a label that can name a column.

(Named `cell_kinds`, not `cells`, so that it is never mistaken for `etl.base.cells`, which it uses.)
"""

from __future__ import annotations

import re
from typing import Any

from etl.base import cells
from etl.base.cells import clean_text

# a line above or below a table that says who, what or when (填报单位：…, 指标：…), never a heading
META_PREFIX = re.compile(
    r"^(?:填报|编制|报送|制表)?(?:单位|数据库|指标|时间|地区|填报人|审核人|制表人|负责人|联系电话)\s*[:：]"
)


def cell_text(v: Any) -> str:
    """The cell as clean text; '' for an empty cell."""
    return clean_text(v) if v is not None else ""


def is_number(v: Any) -> bool:
    """A figure: a number, or text that parses as one (never True/False)."""
    if isinstance(v, bool):
        return False
    if isinstance(v, int | float):
        return True
    return isinstance(v, str) and cells.parse_number(v).value is not None


def is_label(v: Any) -> bool:
    """A short text that can name a column."""
    if not isinstance(v, str):
        return False
    t = cell_text(v)
    if not t or t in cells.MISSING_MARKERS or len(t) > 40:
        return False
    if META_PREFIX.match(t) or t.startswith(("注", "数据来源", "资料来源")) and ("：" in t or ":" in t):
        return False
    if cells.parse_number(t).value is not None:
        return False
    return not (re.search(r"\d", t) and cells.parse_date(t).value is not None and len(t) <= 12)


def is_blank(v: Any) -> bool:
    """None, or text that cleans to nothing."""
    return v is None or cell_text(v) == ""


def cell_at(row: list[Any], c: int) -> Any:
    """Column `c` of `row`; None past its end (a row can be shorter than the header)."""
    return row[c] if c < len(row) else None

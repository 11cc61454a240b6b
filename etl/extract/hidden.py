"""Rows and columns the sheet hides: read like any other, and said.

A clerk hides rows rather than deleting them (an enterprise that closed, last month's rows, rows a
filter leaves out) and hides columns (an old figure, a helper). Everything sent is read — nothing
is passed over — but figures the department's own screen does not show are not loaded without a
word: a warning names the hidden rows and the hidden columns that were read, per sheet.
"""

from __future__ import annotations

import logging
import re

import pandas as pd

from etl.base.issues import Issue
from etl.extract.model import Extraction
from etl.read.biff import xls_hidden_marks
from etl.read.ooxml import col_index, hidden_marks

log = logging.getLogger(__name__)
_LETTER = re.compile(r"\(([A-Z]{1,3})\)\s*$")
SHOWN_ROWS = 12
"""Row numbers spelt out in a warning; more are counted."""


def say_hidden(ex: Extraction) -> None:
    """Add a warning to `ex` for each sheet whose loaded rows or mapped columns the sheet hides."""
    frame = ex.frame
    if frame is None or frame.empty or ex.format not in ("xlsx", "xls"):
        return
    try:
        marks = _marks(ex)
    except Exception:  # noqa: BLE001 - the rows were read; not knowing what is hidden loses nothing
        log.debug("reading hidden rows of %s failed", ex.path, exc_info=True)
        return
    for info in ex.sheets:
        rows, cols = marks.get(info.sheet, (set(), set()))
        if not rows and not cols:
            continue
        part = frame[frame["_sheet"] == info.sheet]
        _hidden_rows(ex, info.sheet, part, rows)
        _hidden_columns(ex, info.sheet, info.columns, part, cols)


def _marks(ex: Extraction) -> dict[str, tuple[set[int], set[int]]]:
    if ex.format == "xls":
        return xls_hidden_marks(ex.path)
    return {info.sheet: hidden_marks(ex.path, info.sheet) for info in ex.sheets}


def _hidden_rows(ex: Extraction, sheet: str, part: pd.DataFrame, hidden: set[int]) -> None:
    read = sorted({int(r) for r in part["_row"].dropna()} & hidden)
    if not read:
        return
    ex.issues.append(
        Issue(
            "warning",
            "hidden_rows",
            f"工作表“{sheet}”有 {len(read)} 行数据是隐藏的（隐藏、筛选掉或分级折叠）：第 {_spans(read)} 行，"
            f"已照常读入；如这些行不应报送，请删除后重新报送 / {len(read)} hidden rows of sheet"
            f" {sheet!r} were read like any other",
            sheet,
            read[0],
        )
    )


def _hidden_columns(
    ex: Extraction, sheet: str, columns: dict[str, str], part: pd.DataFrame, hidden: set[int]
) -> None:
    shown = {}
    for field, where in columns.items():
        m = _LETTER.search(where)
        if m and col_index(m.group(1)) in hidden:
            shown[where] = field
    if "_col" in part:  # a wide table's value columns
        for letter in sorted(set(part["_col"].dropna()), key=col_index):
            if col_index(letter) in hidden:
                shown.setdefault(f"({letter})", "values")
    if not shown:
        return
    names = "、".join(shown)
    ex.issues.append(
        Issue(
            "warning",
            "hidden_columns",
            f"工作表“{sheet}”的列 {names} 是隐藏的，已照常读入；如不应报送，请删除后重新报送"
            f" / hidden columns of sheet {sheet!r} were read like any other: {', '.join(shown.values())}",
            sheet,
            None,
            names,
        )
    )


def _spans(rows: list[int]) -> str:
    """`5、7–9、12` for [5, 7, 8, 9, 12], the first `SHOWN_ROWS` runs, then `等`."""
    runs: list[list[int]] = []
    for r in rows:
        if runs and r == runs[-1][1] + 1:
            runs[-1][1] = r
        else:
            runs.append([r, r])
    text = "、".join(f"{a}" if a == b else f"{a}–{b}" for a, b in runs[:SHOWN_ROWS])
    return text + ("等" if len(runs) > SHOWN_ROWS else "")

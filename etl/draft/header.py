"""Finding the header of a table without a spec: which row (or two rows) names the columns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from etl.base import cells
from etl.base.cells import column_letter
from etl.draft.cell_kinds import cell_at, cell_text, is_blank, is_label, is_number
from etl.extract import header_names
from etl.read import Grid

SCAN_ROWS = 30


@dataclass
class Header:
    """A candidate header: its first row (0-based), one or two rows, the joined names, its score."""

    row: int
    depth: int
    names: list[str]
    score: float
    why_depth: str = ""


def body_rows(grid: Grid, start: int, limit: int = 25) -> list[list[Any]]:
    """Up to `limit` non-blank rows from `start`, stopping at a note (注：, 数据来源：, 说明)."""
    out = []
    for r in range(start, len(grid.rows)):
        row = grid.rows[r]
        if all(is_blank(v) for v in row):
            continue
        first = next((cell_text(v) for v in row if not is_blank(v)), "")
        if (
            first.startswith(("注", "数据来源", "资料来源", "说明"))
            and sum(not is_blank(v) for v in row) <= 2
        ):
            break
        out.append(row)
        if len(out) >= limit:
            break
    return out


def _two_row_evidence(grid: Grid, r: int) -> str:
    """Why rows r and r+1 form one header ('' when they do not)."""
    if r + 1 >= len(grid.rows):
        return ""
    top, sub = grid.rows[r], grid.rows[r + 1]
    sub_cells = [(c, v) for c, v in enumerate(sub) if not is_blank(v)]
    if len(sub_cells) < 2 or not all(is_label(v) for _, v in sub_cells):
        return ""
    width = max(len(top), len(sub))
    if grid.merged:
        across = [
            m
            for m in grid.merged
            if m[0][0] == r
            and m[1][0] == r
            and m[1][1] > m[0][1]
            and m[1][1] - m[0][1] + 1 < width
            and any(m[0][1] <= c <= m[1][1] for c, _ in sub_cells)
        ]
        down = [m for m in grid.merged if m[0][0] == r and m[1][0] == r + 1]
        if across:
            (_, c0), (_, c1) = across[0]
            return (
                f"merged cells: “{cell_text(top[c0])}” spans {column_letter(c0)}–{column_letter(c1)} "
                f"over its sub-headings"
            )
        if down and any(is_blank(cell_at(top, c)) for c, _ in sub_cells):
            return "merged cells: single headings merged down over both rows"
        return ""
    # no merge information (CSV, some .xls): children under the gap after their parent
    for c, _ in sub_cells:
        if is_blank(cell_at(top, c)) and c > 0 and any(is_label(cell_at(top, k)) for k in range(c)):
            k = max(k for k in range(c) if is_label(cell_at(top, k)))
            if not is_blank(cell_at(sub, k)):
                return f"parent/child pattern: “{cell_text(top[k])}” over “{cell_text(sub[k])}”, “{cell_text(sub[c])}”"
    return ""


def _score_header(grid: Grid, r: int, depth: int) -> Header | None:
    """Rows r.. r+depth-1 as a header: a point per label over a filled column, less numbers and dates."""
    names = header_names(grid, r, depth)
    body = body_rows(grid, r + depth)
    if not body:
        return None
    score = 0.0
    for c, name in enumerate(names):
        if not name or not is_label(name.split("/")[-1]) and not is_label(name):
            continue
        below = [cell_at(b, c) for b in body]
        filled = [v for v in below if not is_blank(v)]
        if not filled:
            continue
        if any(cell_text(v) == name for v in filled):
            continue  # a value that repeats down the column is data, not a heading
        score += 1
    raw_cells = [v for rr in grid.rows[r : r + depth] for v in rr if not is_blank(v)]
    score -= sum(1 for v in raw_cells if is_number(v) and not cells.parse_period(v))
    score -= 0.5 * sum(1 for v in raw_cells if isinstance(v, dt.date | dt.datetime))
    if score < 2:
        return None
    return Header(r, depth, names, score)


def find_header(grid: Grid) -> Header | None:
    """The best-scoring header in the top SCAN_ROWS rows, one row or two; None when none names columns."""
    best: Header | None = None
    for r in range(min(SCAN_ROWS, len(grid.rows))):
        if sum(1 for v in grid.rows[r] if not is_blank(v)) < 2:
            continue
        cands = []
        h1 = _score_header(grid, r, 1)
        if h1:
            cands.append(h1)
        why = _two_row_evidence(grid, r)
        if why:
            h2 = _score_header(grid, r, 2)
            if h2 and (h1 is None or h2.score >= h1.score):
                h2.why_depth = why
                h2.score += 0.5
                cands.append(h2)
        for h in cands:
            if best is None or h.score > best.score:
                best = h
    return best

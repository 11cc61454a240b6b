"""Finding a wide table: a row of periods (`2024年`, `2025年1-6月`) across, over columns of figures."""

from __future__ import annotations

import datetime as dt

from etl.base import cells
from etl.base.cells import Period
from etl.draft.cell_kinds import cell_at, cell_text, is_blank, is_label, is_number
from etl.draft.header import SCAN_ROWS, body_rows
from etl.read import Grid


def find_wide(grid: Grid) -> tuple[int, dict[int, Period]] | None:
    """The first row with ≥ 2 period-like cells standing over columns of figures."""
    for r in range(min(SCAN_ROWS, len(grid.rows))):
        pcs = {c: p for c, v in enumerate(grid.rows[r]) if not is_blank(v) and (p := cells.parse_period(v))}
        if len(pcs) < 2:
            continue
        rest = [v for c, v in enumerate(grid.rows[r]) if c not in pcs and not is_blank(v)]
        if not all(is_label(v) for v in rest) or all(
            isinstance(v, dt.date | dt.datetime) for v in (grid.rows[r][c] for c in pcs)
        ):
            continue  # a row of data (figures, dates) that happens to hold two year-like values
        body = body_rows(grid, r + 1, 40)
        vals = [cell_at(b, c) for b in body for c in pcs]
        filled = [v for v in vals if not is_blank(v)]
        if not filled:
            # every period column empty below: still periods across when a label column has text
            if body and any(isinstance(cell_at(b, c), str) for b in body for c in range(min(pcs))):
                return r, pcs
            continue
        numeric = [v for v in filled if is_number(v) or cell_text(v) in cells.MISSING_MARKERS]
        dates = [
            v
            for v in filled
            if isinstance(v, dt.date | dt.datetime) or (isinstance(v, str) and cells.parse_period(v))
        ]
        if len(numeric) >= 0.6 * len(filled) and len(dates) < 0.3 * len(filled):
            return r, pcs
    return None

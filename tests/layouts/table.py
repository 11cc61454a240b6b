"""One table drawn on a sheet as a layout says: lines above it, a header of 1–3 rows with merged
or unmerged parents, the records (a 合计 above or below, 其中 rows, the header repeated, hidden rows
and columns), a notes block and a small second table beside it."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from tests.layouts.space import Layout
from tests.layouts.writers import Sheet


@dataclass
class Column:
    """A column as drawn: its header path (parent … child) and one written value per record."""

    path: tuple[str, ...]
    values: list[Any]
    total: Any = None  # what the 合计 row holds in this column (None: blank)
    parts: list[Any] = field(default_factory=list)  # what each 其中 row holds


@dataclass
class Table:
    columns: list[Column]
    label_column: int  # index in `columns` where 合计 / 其中 labels go
    above: list[str] = field(default_factory=list)  # title, unit row … (top to bottom)
    part_labels: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def order_columns(columns: list[Column], rng: random.Random) -> list[Column]:
    """Columns permuted as a department may order them: groups that share a parent stay together."""
    groups: dict[str, list[Column]] = {}
    for c in columns:
        groups.setdefault(c.path[0] if len(c.path) > 1 else f"\0{id(c)}", []).append(c)
    keys = list(groups)
    rng.shuffle(keys)
    out: list[Column] = []
    for k in keys:
        sub: dict[tuple[str, ...], list[Column]] = {}
        for c in groups[k]:
            sub.setdefault(c.path[:2] if len(c.path) > 2 else (str(id(c)),), []).append(c)
        parts = list(sub.values())
        rng.shuffle(parts)
        for p in parts:
            rng.shuffle(p)
            out.extend(p)
    return out


def _header_cells(cols: list[Column], lay: Layout) -> tuple[list[list[Any]], list[tuple[int, int, int, int]]]:
    """The header rows (depth × width) and their merges (relative to the header's first cell)."""
    d = lay.header_depth
    rows: list[list[Any]] = [[None] * len(cols) for _ in range(d)]
    merges = []
    for j, col in enumerate(cols):
        p = col.path
        start = (
            0 if len(p) > 1 or lay.single_label_at == "top" else d - 1
        )  # a label without children: top or lowest row
        for k, text in enumerate(p):
            rows[start + k][j] = text
        if len(p) == 1 and d > 1 and lay.merges and start == 0:
            merges.append((0, j, d - 1, j))
        elif len(p) < d and lay.merges and start == 0:
            merges.append((len(p) - 1, j, d - 1, j))  # the child reaches down to the lowest row
    # parents over several children: written once (merged or not) or over every child
    for lvl in range(d - 1):
        j = 0
        while j < len(cols):
            text = rows[lvl][j]
            k = j + 1
            while (
                text is not None
                and k < len(cols)
                and rows[lvl][k] == text
                and rows[lvl + 1][k] is not None
                and _same_above(rows, lvl, j, k)
            ):
                k += 1
            if lay.merges or not lay.parent_repeated:
                for m in range(j + 1, k):
                    rows[lvl][m] = None
                if lay.merges and k - j > 1:
                    merges.append((lvl, j, lvl, k - 1))
            j = k
    return rows, merges


def _same_above(rows: list[list[Any]], lvl: int, j: int, k: int) -> bool:
    return all(rows[u][k] in (rows[u][j], None) for u in range(lvl))


def draw(table: Table, lay: Layout, sheet_name: str, rng: random.Random) -> tuple[Sheet, list[int]]:
    """The sheet, and the 0-based sheet row of every record (in order)."""
    sh = Sheet(sheet_name)
    c0 = lay.origin_col
    width = len(table.columns)
    r = 0
    for line in table.above:
        sh.cells[(r, c0)] = line
        if lay.merges and width > 1:
            sh.merges.append((r, c0, r, c0 + width - 1))
        r += 1
    r = max(r, lay.origin_row)
    head, head_merges = _header_cells(table.columns, lay)
    header_at = r
    for k, row in enumerate(head):
        sh.put_row(r + k, c0, row)
    sh.merges += [(a + r, b + c0, c + r, d + c0) for a, b, c, d in head_merges]
    r += len(head)
    n = len(table.columns[0].values)
    special = [
        (table.part_labels[i], [c.parts[i] if c.parts else None for c in table.columns])
        for i in range(len(table.part_labels))
    ]
    total = [c.total for c in table.columns]
    total[table.label_column] = "合计"
    for i, (label, vals) in enumerate(special):
        vals[table.label_column] = label
        special[i] = (label, vals)
    if lay.total == "above":
        sh.put_row(r, c0, total)
        r += 1
        for _, vals in special:
            sh.put_row(r, c0, vals)
            r += 1
    record_rows = []
    every = rng.choice([2, 3, 5])
    for i in range(n):
        if lay.repeated_header and i and i % every == 0:
            for k, row in enumerate(head):
                sh.put_row(r + k, c0, row)
            r += len(head)
        sh.put_row(r, c0, [c.values[i] for c in table.columns])
        record_rows.append(r)
        r += 1
    if lay.total == "below":
        sh.put_row(r, c0, total)
        r += 1
        for _, vals in special:
            sh.put_row(r, c0, vals)
            r += 1
    if table.notes:
        r += 1
        for line in table.notes:
            sh.cells[(r, c0)] = line
            r += 1
    if lay.side_table and n >= 2:
        s0, s_at = c0 + width + 1, header_at + len(head) - 1
        sh.put_row(s_at, s0, ["附：分类", "家数"])
        for k in range(min(n, 3) - 1):
            sh.put_row(s_at + 1 + k, s0, [f"类别{k + 1}", k + 3])
    if lay.hidden_rows and record_rows:
        sh.hidden_rows.add(rng.choice(record_rows))
    if lay.hidden_cols:
        sh.hidden_cols.add(c0 + rng.randrange(width))
    return sh, record_rows

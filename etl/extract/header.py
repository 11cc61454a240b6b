"""Header finding: the row (or two or three rows) whose labels best match a spec's fields."""

from __future__ import annotations

from typing import Any

from etl.base.cells import clean_text, header_key
from etl.extract.model import HeaderMatch
from etl.read import Grid
from etl.spec.model import SourceSpec

# ---------------------------------------------------------------- header finding


def label_text(v: Any) -> str:
    return clean_text(v) if v is not None else ""


def header_names(grid: Grid, r: int, depth: int) -> list[str]:
    """Joined header texts of rows r..r+depth-1; merged parent cells are carried over children."""
    rows = grid.rows
    width = max((len(x) for x in rows[r : r + depth]), default=0)
    top = [label_text(c) for c in rows[r]] + [""] * (width - len(rows[r]))
    if depth == 1:
        return top
    sub = [label_text(c) for c in rows[r + 1]] + [""] * (width - len(rows[r + 1]))
    merged_parent: dict[int, int] = {}
    for (r0, c0), (r1, c1) in grid.merged:
        if r0 == r and r1 == r:
            for c in range(c0 + 1, c1 + 1):
                merged_parent[c] = c0
    parent = list(top)
    for c in range(width):
        if parent[c] or not sub[c]:
            continue
        if c in merged_parent:
            parent[c] = top[merged_parent[c]]
        elif not grid.merged and c > 0 and sub[c - 1] and parent[c - 1]:
            parent[c] = parent[c - 1]  # no merge information: carry the group's parent along
    out = []
    for p, s in zip(parent, sub, strict=True):
        if p and s and p != s:
            out.append(f"{p}/{s}")
        else:
            out.append(p or s)
    return out


def match_header(names: list[str], spec: SourceSpec) -> tuple[dict[str, int], dict[str, list[int]]]:
    index = spec.alias_index
    mapping: dict[str, int] = {}
    dups: dict[str, list[int]] = {}
    for c, name in enumerate(names):
        if not name:
            continue
        key = header_key(name)
        f = index.get(key)
        if f is None and "/" in key:  # `从业人员/人` or a parent that is the field itself
            parent, child = key.split("/", 1)
            f = index.get(child) if child not in {"本月", "本年累计", "累计", "当月"} else None
            f = f or index.get(parent)
            if f is not None and f in mapping:
                continue
        if f is None:
            continue
        if f in mapping:
            dups.setdefault(f, [mapping[f]]).append(c)
        else:
            mapping[f] = c
    return mapping, dups


def find_header(grid: Grid, spec: SourceSpec) -> tuple[HeaderMatch | None, list[HeaderMatch]]:
    """The best header of `grid` for `spec`, and every candidate considered (for error messages)."""
    required = [f.name for f in spec.fields if f.required]
    candidates: list[HeaderMatch] = []
    limit = min(spec.header_scan_rows, len(grid.rows))
    for r in range(limit):
        if not any(c is not None for c in grid.rows[r]):
            continue
        for depth in (1, 2):
            if r + depth > len(grid.rows):
                continue
            names = header_names(grid, r, depth)
            mapping, dups = match_header(names, spec)
            if not mapping:
                continue
            missing = [f for f in required if f not in mapping]
            missing += ["/".join(g) for g in spec.required_any if not any(x in mapping for x in g)]
            candidates.append(HeaderMatch(r, depth, names, mapping, dups, len(mapping), missing))
    valid = [c for c in candidates if not c.missing_required]
    if not valid:
        return None, candidates
    best = max(valid, key=lambda c: (c.score, -c.depth, -c.row))
    return best, candidates

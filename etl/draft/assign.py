"""Assignment of columns to the fields of a dataset: by alias, by content, by header similarity."""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.base import cells
from etl.base.cells import column_letter, header_key
from etl.draft.aliases import Known, similarity
from etl.draft.content import Content
from etl.draft.results import DraftColumn
from etl.extract import match_header
from etl.spec.model import FieldSpec, SourceSpec

GUESS_RATIO = 0.5  # header similarity needed to propose a field by its name
GUESS_MARGIN = 0.1  # ... and its lead over the next candidate
_SPECIFIC = {"credit_code", "region"}  # content kinds that decide a field on their own
_COMPATIBLE = {
    "credit_code": {"credit_code"},
    "region": {"region"},
    "date": {"date"},
    "period": {"period", "year"},
    "flag": {"flag"},
    "integer": {"integer", "number"},
    "number": {"number"},
    "text": {"text", "industry"},
    "names": {"text"},
    "code": {"industry", "text"},
}


@dataclass
class Plan:
    """One dataset's reading of the columns: what each column fills, and how well they fit it."""

    dataset: str
    columns: list[DraftColumn]
    score: float
    exact: int


def _unit_fits(unit: str | None, f: FieldSpec) -> bool:
    if f.type not in {"number", "integer"} or not f.unit or unit is None:
        return True
    try:
        cells.unit_factor(unit, f.unit)
        return True
    except ValueError:
        return False


def plan_columns(
    known: Known, names: list[str], contents: dict[int, Content], units: dict[int, tuple]
) -> Plan:
    """How the columns would fill the fields of `known`'s dataset, scored: alias 3, content 2, guess 1."""
    cols, taken = _alias_columns(known, names, contents, units)
    exact = len(taken)
    score = 3.0 * exact
    for c, name in enumerate(names):
        if not name or c in cols:
            continue
        ct = contents[c]
        col = DraftColumn(column_letter(c), name, ct.kind, None, "none", ct.detail, *units[c])
        cols[c] = col
        ct = _set_aside(col, ct)
        if ct.kind in {"rownum", "empty", "total", "part"}:
            col.how = "skipped"
            continue
        pick = _pick_field(known, col, ct, taken)
        if pick:
            taken.add(pick)
            score += 2.0 if col.how == "content" else 1.0
    ordered = [cols[c] for c in sorted(cols)]
    return Plan(known.dataset, ordered, score, exact)


def _alias_columns(
    known: Known, names: list[str], contents: dict[int, Content], units: dict[int, tuple]
) -> tuple[dict[int, DraftColumn], set[str]]:
    """The columns whose header is a known alias, and the fields they take (a second column with
    the alias of a taken field gets none, with a note)."""
    mapping, dups = match_header(names, known.combined)
    cols: dict[int, DraftColumn] = {}
    for f, c in mapping.items():
        cols[c] = DraftColumn(
            column_letter(c),
            names[c],
            contents[c].kind,
            f,
            "alias",
            f"header is a known alias of {f}",
            *units[c],
        )
    for f, cs in dups.items():
        for c in cs:
            if c not in cols:
                cols[c] = DraftColumn(
                    column_letter(c),
                    names[c],
                    contents[c].kind,
                    None,
                    "none",
                    f"also a known alias of {f}, which column {column_letter(mapping[f])} takes",
                    *units[c],
                    candidates=[f],
                )
    return cols, set(mapping)


def _set_aside(col: DraftColumn, ct: Content) -> Content:
    """A total (合计) or 其中 column, noted on `col` as such and left out; any other content unchanged."""
    key = header_key(col.header)
    if ct.kind in {"integer", "number"} and re.match(r"(合计|总计|小计|总数)$", key):
        ct = Content("total", ct.filled, ct.total, "a total column (the sum of the others), left out")
        col.kind, col.note = ct.kind, ct.detail
    elif key.startswith(("其中", "内:")):
        ct = Content("part", ct.filled, ct.total, "a 其中 column (part of another figure), left out")
        col.kind, col.note = ct.kind, ct.detail
    return ct


def _pick_field(known: Known, col: DraftColumn, ct: Content, taken: set[str]) -> str | None:
    """The free field that `col`'s content and header point to, set on `col` (None: no clear one).

    The fields its content could fill are its `candidates`, most alike by header first."""
    types = _COMPATIBLE.get(ct.kind, set())
    free = [
        f
        for f, fs in known.fields.items()
        if f not in taken and fs.type in types and _unit_fits(col.unit, fs)
    ]
    if not free:
        return None
    sims = sorted(((similarity(col.header, known.aliases[f]), f) for f in free), key=lambda x: -x[0][0])
    col.candidates = [f for _, f in sims]
    (best_r, best_alias), best_f = sims[0]
    second = sims[1][0][0] if len(sims) > 1 else 0.0
    pick, how, why = None, "none", ""
    if ct.kind in _SPECIFIC and len(free) == 1:
        pick, how, why = free[0], "content", ct.detail
    elif ct.kind in _SPECIFIC and best_r >= GUESS_RATIO and best_r - second >= GUESS_MARGIN:
        pick, how, why = best_f, "content", f"{ct.detail}; header like “{best_alias}”"
    elif best_r >= GUESS_RATIO and best_r - second >= GUESS_MARGIN:
        pick, how, why = best_f, "guess", f"{ct.detail}; header like “{best_alias}” ({best_r:.2f})"
    elif ct.kind == "names" and "name" in free:
        pick, how, why = "name", "guess", ct.detail
    elif ct.kind in {"date", "period", "region", "credit_code"} and len(free) == 1:
        pick, how, why = (
            free[0],
            "guess",
            f"{ct.detail}; the only {known.fields[free[0]].type} field left",
        )
    if pick:
        col.field, col.how, col.note = pick, how, why
    return pick


def closest_layout(known: Known, names: list[str]) -> tuple[SourceSpec, int]:
    """The layout of `known` whose aliases match the most headers (the first on a tie), and how many."""
    scored = [(len(match_header(names, s)[0]), -i, s) for i, s in enumerate(known.specs)]
    n, _, spec = max(scored, key=lambda x: (x[0], x[1]))
    return spec, n

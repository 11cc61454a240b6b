"""Row classes: data, total (合计/小计), part (其中), note (注/数据来源) and blank rows."""

from __future__ import annotations

import functools
import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from etl.base.strings import nfkc, remove_blanks, to_arrow
from etl.extract.header import label_text
from etl.extract.model import NOTE_PREFIXES, PART_PREFIXES
from etl.spec.model import SourceSpec

# ---------------------------------------------------------------- rows

TOTAL_PREFIXES = ("合计", "总计")  # a label beginning so is a total, whatever the spec's total labels
# a label ending so is a group's subtotal (车桥镇小计, 石塘镇合计, 小计：, （小计）, 工业 总计)
SUBTOTAL_END = r"(小\s*计|合\s*计|总\s*计)\s*[)）]?\s*[:：]?$"
_SUBTOTAL_END = re.compile(SUBTOTAL_END)
INDENTS = ("\u3000", "  ")  # a note continued on the next line is indented
KINDS = ("blank", "note", "header", "total", "part")  # a row is the first of these that applies, else `data`


def _sparse(nonempty):
    """Rows of one or two cells: notes hold no more, so only these can be notes."""
    return (nonempty >= 1) & (nonempty <= 2)


def _begins_notes(nonempty, note_start):
    """Rows that begin the notes: one or two cells, the first beginning like a note (注, 数据来源 …)."""
    return _sparse(nonempty) & note_start


def _kind_conditions(nonempty, note_start, notes_begun, indented, total, part, header=False) -> tuple:
    """The one rule set, in the order of `KINDS`: blank, note, header, total, part. Elementwise, on numpy
    arrays (a sheet: `classify_rows`) or on plain values (one row: `classify_row`).

    `nonempty`: cells not empty; `note_start`: the first begins like a note; `notes_begun`: a row
    at or above began the notes; `indented`: the first cell begins with blanks; `total` / `part`:
    a label cell is a total (合计) / a 其中 part; `header`: every cell repeats the header's label
    of its column (a header block repeated on each page of a long printout). Below the first note, a row of one cell, or of
    two whose first is indented, is a note too (a note's continuation, 数据来源 on its own line)."""
    note = _begins_notes(nonempty, note_start) | (
        notes_begun & _sparse(nonempty) & ((nonempty == 1) | indented)
    )
    return nonempty == 0, note, header, total, part


def _present(v: Any) -> bool:
    """Whether a cell is not empty, as pandas' `notna` has it (None and NaN are empty)."""
    return v is not None and not (isinstance(v, float) and v != v)


def _label(v: Any) -> str:
    """A cell's text as labels are compared: NFKC, no whitespace (`_clean_str` of one cell)."""
    return label_text(v).replace(" ", "")


def _total_labels(spec: SourceSpec) -> set[str]:
    return {t.replace(" ", "") for t in spec.total_labels}


def classify_row(
    row: list[Any],
    label_cols: list[int],
    spec: SourceSpec,
    in_notes: bool,
    header_labels: dict[int, set[Any]] | None = None,
) -> str:
    """`data`, `blank`, `header`, `total`, `part` (其中) or `note`: what `classify_rows` says of
    this row, `in_notes` telling whether a row above was a note."""
    present = [v for v in row if _present(v)]
    nonempty = len(present)
    first = str(present[0]) if present else ""
    note_start = _label(first).startswith(NOTE_PREFIXES)
    totals = _total_labels(spec)
    labels = [_label(row[c]) for c in label_cols if c < len(row) and _present(row[c])]
    conditions = _kind_conditions(
        nonempty,
        note_start,
        in_notes | _begins_notes(nonempty, note_start),
        first.startswith(INDENTS),
        any(t in totals or t.startswith(TOTAL_PREFIXES) or _SUBTOTAL_END.search(t) for t in labels),
        any(t.startswith(PART_PREFIXES) for t in labels),
        _repeats_header(row, header_labels, nonempty),
    )
    return next((k for k, hit in zip(KINDS, conditions, strict=True) if hit), "data")


def _repeats_header(row: list[Any], header_labels: dict[int, set[Any]] | None, nonempty: int) -> bool:
    """Whether every cell of the row repeats its column's header label (one row: `classify_row`)."""
    if not header_labels or not nonempty:
        return False
    hits = sum(
        1 for c, labels in header_labels.items() if c < len(row) and _present(row[c]) and row[c] in labels
    )
    return hits == nonempty


def header_label_sets(grid_rows: list[list[Any]], first: int, depth: int) -> dict[int, set[Any]]:
    """Column → the texts its header rows hold (rows `first`..`first+depth-1`), as written."""
    out: dict[int, set[Any]] = {}
    for row in grid_rows[first : first + depth]:
        for c, v in enumerate(row):
            if isinstance(v, str) and v.strip():
                out.setdefault(c, set()).add(v)
    return out


def _clean_str(s: pd.Series) -> pd.Series:
    """Cell texts as compared: NFKC, no whitespace; empty cells → ''."""
    return s.astype("string").str.normalize("NFKC").str.replace(r"\s+", "", regex=True).fillna("")


@functools.cache
def _first_chars(firsts: frozenset[str]) -> pa.Array:
    """`firsts`, and the characters that NFKC turns into one of them or into a blank, and the
    invisible ones Arrow does not count as whitespace (BOM, zero-width)."""
    import unicodedata

    found = set(firsts) | {"\ufeff", "\u200b", "\u200c", "\u200d", "\u2060"}
    # the blocks with compatibility forms (spaces, radicals, enclosed and compatibility
    # ideographs, full-width forms); the unified ideographs between them have none
    blocks = ((0x80, 0x3400), (0xF900, 0x10000), (0x1F100, 0x1F300), (0x2F800, 0x2FA20))
    for i in (i for lo, hi in blocks for i in range(lo, hi)):
        ch = chr(i)
        if unicodedata.decomposition(ch) == "":
            continue
        k = unicodedata.normalize("NFKC", ch).strip()
        if not k or k[0] in firsts:
            found.add(ch)
    return pa.array(sorted(found))


def _as_text(s: pd.Series) -> pd.Series:
    """Numbers or dates among the labels (序号 read from an .xls) as their text, for Arrow."""
    if s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) != "string":
        return s.astype("string")
    return s


def _labels_starting_with(s: pd.Series, keys: frozenset[str]) -> pd.Series:
    """The cleaned texts (as `_clean_str`) of the cells that may begin with one of `keys` (the
    first two characters of the total labels and 其中 prefixes, blanks skipped, NFKC applied):
    totals and 其中 rows are found by how a label begins, so only this small subset of 200k
    names needs cleaning in Python."""
    import pyarrow.compute as pc

    firsts = frozenset(k[0] for k in keys)
    s = _as_text(s)
    a = to_arrow(s)
    head = pc.utf8_slice_codeunits(pc.utf8_ltrim_whitespace(a), 0, 1)
    maybe = pc.indices_nonzero(pc.fill_null(pc.is_in(head, _first_chars(firsts)), False))
    # of those (小升规 may be in every row) the ones whose first two characters, cleaned, are a key
    # (RE2 reads `\s` without the vertical tab, which `_clean_str` removes: taken out first)
    cleaned = remove_blanks(pc.replace_substring(nfkc(pc.take(a, maybe)), "\x0b", ""))
    two = pc.utf8_slice_codeunits(cleaned, 0, 2)
    keep = pc.or_(pc.is_in(two, pa.array(sorted(keys))), pc.less(pc.utf8_length(two), 2))
    maybe = pc.filter(maybe, pc.fill_null(keep, False))
    sub = s.iloc[maybe.to_numpy()]
    return _clean_str(sub).astype(object) if len(sub) else pd.Series([], dtype=object)


def classify_rows(
    body: pd.DataFrame,
    label_cols: list[int],
    spec: SourceSpec,
    header_labels: dict[int, set[Any]] | None = None,
) -> pd.Series:
    """`data`, `blank`, `header`, `total`, `part` (其中) or `note` for every row, vectorised: the
    rules of `_kind_conditions` on the whole frame at once. `header_labels` (column → the texts of
    its header rows, `header_label_sets`) finds the header repeated in the body."""
    nonempty = body.notna().sum(axis=1).to_numpy()
    total, part = _label_kinds(body, label_cols, spec)
    note_start, indented = _first_cell_kinds(body, nonempty)
    notes_begun = np.logical_or.accumulate(_begins_notes(nonempty, note_start))
    header = _header_rows(body, header_labels, nonempty)
    conditions = _kind_conditions(nonempty, note_start, notes_begun, indented, total, part, header)
    codes = np.select(conditions, range(len(KINDS)), len(KINDS))
    return pd.Series(np.array([*KINDS, "data"], dtype=object)[codes], index=body.index, dtype=object)


def _header_rows(
    body: pd.DataFrame, header_labels: dict[int, set[Any]] | None, nonempty: np.ndarray
) -> np.ndarray:
    """Rows each of whose cells repeats its column's header label (a repeated header block)."""
    hits = np.zeros(len(body), dtype=np.int64)
    for c, labels in (header_labels or {}).items():
        if c in body.columns:
            col = body[c]
            if col.dtype == object or isinstance(col.dtype, pd.StringDtype):
                hits += col.isin(list(labels)).to_numpy(dtype=bool)
    return (hits > 0) & (hits == nonempty)


def _label_kinds(
    body: pd.DataFrame, label_cols: list[int], spec: SourceSpec
) -> tuple[np.ndarray, np.ndarray]:
    """For every row: whether a label cell is a total (合计, the spec's total labels), and
    whether one is a 其中 part."""
    total = np.zeros(len(body), dtype=bool)
    part = np.zeros(len(body), dtype=bool)
    totals = _total_labels(spec)
    keys = frozenset(t[:2] for t in (*totals, *PART_PREFIXES, *TOTAL_PREFIXES) if t)
    for c in label_cols:
        if c not in body.columns:
            continue
        lab = _labels_starting_with(body[c], keys)
        if len(lab):
            at = body.index.get_indexer(lab.index)
            total[at] |= (lab.isin(totals) | lab.str.startswith(TOTAL_PREFIXES)).to_numpy(dtype=bool)
            part[at] |= lab.str.startswith(PART_PREFIXES).to_numpy(dtype=bool)
        total |= _ends_subtotal(body[c])
    return total, part


def _ends_subtotal(s: pd.Series) -> np.ndarray:
    """Rows whose label ends with 小计 or 合计 (`车桥镇小计`, `石塘镇合计`, `小计：`, `（小计）`): a
    group's subtotal, never an enterprise."""
    import pyarrow.compute as pc

    hit = pc.match_substring_regex(pc.utf8_rtrim_whitespace(to_arrow(_as_text(s))), SUBTOTAL_END)
    return pc.fill_null(hit, False).to_numpy(zero_copy_only=False)


def _first_cell_kinds(body: pd.DataFrame, nonempty: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every row: whether its first cell begins like a note, and whether it is indented;
    looked at in the rows of one or two cells only (the only ones that can be notes)."""
    note_start = np.zeros(len(body), dtype=bool)
    indented = np.zeros(len(body), dtype=bool)
    sparse = _sparse(nonempty)
    if sparse.any() and len(body.columns):
        firsts = body[sparse].astype(object).bfill(axis=1).iloc[:, 0]
        note_start[sparse] = _clean_str(firsts).str.startswith(NOTE_PREFIXES).to_numpy(dtype=bool)
        indented[sparse] = firsts.astype("string").fillna("").str.startswith(INDENTS).to_numpy(dtype=bool)
    return note_start, indented

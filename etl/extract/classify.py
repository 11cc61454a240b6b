"""Row classes: data, total (合计/小计), part (其中), note (注/数据来源) and blank rows."""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd
import pyarrow as pa

from etl.base.strings import nfkc, remove_blanks, to_arrow
from etl.extract.header import label_text
from etl.extract.model import NOTE_PREFIXES, PART_PREFIXES
from etl.spec.model import SourceSpec

# ---------------------------------------------------------------- rows


def classify_row(row: list[Any], label_cols: list[int], spec: SourceSpec, in_notes: bool) -> str:
    """`data`, `blank`, `total`, `part` (其中) or `note`."""
    nonempty = [c for c in row if c is not None and label_text(c) != ""]
    if not nonempty:
        return "blank"
    first = nonempty[0]
    first_text = label_text(first).replace(" ", "")
    if isinstance(first, str) and (first.startswith("\u3000") or first.startswith("  ")) and in_notes:
        return "note"
    if isinstance(first, str) and first_text.startswith(NOTE_PREFIXES) and len(nonempty) <= 2:
        return "note"
    if in_notes and len(nonempty) == 1 and isinstance(first, str):
        return "note"
    totals = {t.replace(" ", "") for t in spec.total_labels}
    for c in label_cols:
        if c < len(row) and row[c] is not None:
            t = label_text(row[c]).replace(" ", "")
            if t in totals or t.startswith(("合计", "总计")):
                return "total"
            if t.startswith(PART_PREFIXES):
                return "part"
    return "data"


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


def _labels_starting_with(s: pd.Series, keys: frozenset[str]) -> pd.Series:
    """The cleaned texts (as `_clean_str`) of the cells that may begin with one of `keys` (the
    first two characters of the total labels and 其中 prefixes, blanks skipped, NFKC applied):
    totals and 其中 rows are found by how a label begins, so only this small subset of 200k
    names needs cleaning in Python."""
    import pyarrow.compute as pc

    firsts = frozenset(k[0] for k in keys)
    a = to_arrow(s)
    head = pc.utf8_slice_codeunits(pc.utf8_ltrim_whitespace(a), 0, 1)
    maybe = pc.indices_nonzero(pc.fill_null(pc.is_in(head, _first_chars(firsts)), False))
    # of those (小升规 may be in every row) the ones whose first two characters, cleaned, are a key
    two = pc.utf8_slice_codeunits(remove_blanks(nfkc(pc.take(a, maybe))), 0, 2)
    keep = pc.or_(pc.is_in(two, pa.array(sorted(keys))), pc.less(pc.utf8_length(two), 2))
    maybe = pc.filter(maybe, pc.fill_null(keep, False))
    sub = s.iloc[maybe.to_numpy()]
    return _clean_str(sub).astype(object) if len(sub) else pd.Series([], dtype=object)


def classify_rows(body: pd.DataFrame, label_cols: list[int], spec: SourceSpec) -> pd.Series:
    """`data`, `blank`, `total`, `part` (其中) or `note` for every row, vectorised."""
    nonempty = body.notna().sum(axis=1)
    kinds = pd.Series("data", index=body.index, dtype=object)
    totals = {t.replace(" ", "") for t in spec.total_labels}
    keys = frozenset(t[:2] for t in (*totals, *PART_PREFIXES, "合计", "总计") if t)
    labels = [_labels_starting_with(body[c], keys) for c in label_cols if c in body.columns]
    for lab in labels:
        if len(lab):
            kinds[lab.index[lab.str.startswith(PART_PREFIXES)]] = "part"
    for lab in labels:
        if len(lab):
            kinds[lab.index[lab.isin(totals) | lab.str.startswith(("合计", "总计"))]] = "total"
    # notes hold at most two cells: look at the first cell of those rows only
    sparse = body[nonempty.between(1, 2)]
    if len(sparse) and len(body.columns):
        firsts = sparse.astype(object).bfill(axis=1).iloc[:, 0]
        first_clean = _clean_str(firsts)
        first_raw = firsts.astype("string").fillna("")
        note_start = first_clean.str.startswith(NOTE_PREFIXES)
        if note_start.any():
            begin = note_start.idxmax()
            after = sparse.index >= begin
            indented = first_raw.str.startswith("\u3000") | first_raw.str.startswith("  ")
            single = pd.Series(nonempty[sparse.index] <= 1, index=sparse.index)
            notes = note_start | (after & (single | indented))
            kinds[notes.index[notes]] = "note"
    kinds[nonempty == 0] = "blank"
    return kinds

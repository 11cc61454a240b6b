"""Header finding: the row (or two or three rows) whose labels best match a spec's fields.

A header is drawn as people draw it: one to three rows; merged parents over several children
(`工业总产值（万元）` over `本年累计 | 上年同期 | 同比增长（%）`); unmerged parents over one child
(`营业收入（万元）` over `本年累计`); children with no parent (a label only in the lowest row);
starting in any column. Column names are joined `parent/child` (`a/b/c` for three rows); a name
matches a field by its whole text or by its last parts (`主要指标/工业总产值/本月` is
`工业总产值/本月`), else by its parents when the child only says how the parent is measured
(a unit, `本年累计`, a period: `从业人员/人`), never when it names another figure (`上年同期`).

Of the blocks that match the most fields, the shallowest wins (a title row above adds nothing),
then the topmost (a header repeated on a later printed page is skipped as a row); a block is never
cut short above a row of labels only (a sub-header row is part of the header, not a data row).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from etl.base.cells import KNOWN_UNITS, clean_text, header_key, without_note_marks
from etl.extract.model import HeaderMatch
from etl.read import Grid
from etl.spec.model import SourceSpec

MAX_DEPTH = 3

# ---------------------------------------------------------------- header names


def label_text(v: Any) -> str:
    """A label as compared: `clean_text`, a footnote's marker dropped first (`石塘镇①` is 石塘镇,
    never `石塘镇1`; `2025年①` is 2025, never January: `cells.without_note_marks`)."""
    if v is None:
        return ""
    return clean_text(without_note_marks(v) if type(v) is str else v)


def _level(grid: Grid, r: int, width: int, seen: dict[int, list[str]] | None = None) -> list[str]:
    """Row r's labels, padded to `width` (a new list: `_fill_parents` writes into it); `seen`
    remembers each row's labels for the other depths and rows a header search tries."""
    row = grid.rows[r] if r < len(grid.rows) else []
    if seen is None:
        labels = [label_text(c) for c in row]
    elif (labels := seen.get(r)) is None:
        labels = seen[r] = [label_text(c) for c in row]
    return labels + [""] * (width - len(row))


def _fill_parents(grid: Grid, r: int, labels: list[list[str]]) -> None:
    """Carry each parent level's labels over the columns of its children: along the parent's
    horizontal merge, else, for a parent in no merge, along the run of children (a column whose
    lower rows hold a label, right after one whose lower rows do too)."""
    width = len(labels[0])
    for lvl in range(len(labels) - 1):
        row = labels[lvl]
        has_child = [any(labels[k][c] for k in range(lvl + 1, len(labels))) for c in range(width)]
        merged_from: dict[int, int] = {}
        in_merge: set[int] = set()
        for (r0, c0), (r1, c1) in grid.merged:
            if r0 <= r + lvl <= r1 and c0 < width:
                in_merge.update(range(c0, min(c1 + 1, width)))
                for c in range(c0 + 1, min(c1 + 1, width)):
                    merged_from[c] = c0
        original = list(row)
        for c in range(1, width):
            if original[c] or not has_child[c]:
                continue
            if c in merged_from:
                row[c] = original[merged_from[c]]
            elif has_child[c - 1] and row[c - 1] and c - 1 not in in_merge:
                # a parent written once, unmerged, over its children: carried along their run, also
                # in a sheet with merges elsewhere (an .xls's title: every 本年累计 had been dropped)
                row[c] = row[c - 1]


def header_names(grid: Grid, r: int, depth: int, seen: dict[int, list[str]] | None = None) -> list[str]:
    """Joined header texts of rows r..r+depth-1 (`parent/child`); parents carried over children.
    `seen`: the rows' labels remembered between calls on the same grid (`find_header`)."""
    rows = grid.rows[r : r + depth]
    width = max((len(x) for x in rows), default=0)
    labels = [_level(grid, r + k, width, seen) for k in range(depth)]
    if depth > 1:
        _fill_parents(grid, r, labels)
    out = []
    for c in range(width):
        parts: list[str] = []
        for lvl in labels:
            if lvl[c] and (not parts or parts[-1] != lvl[c]):
                parts.append(lvl[c])
        out.append("/".join(parts))
    return out


# ---------------------------------------------------------------- matching names to fields

_SAME_FIGURE_CHILDREN = {
    "本年累计",
    "累计",
    "本年",
    "1-本月",
    "本期",
    "期末",
    "年末",
    "金额",
    "数量",
    "数值",
    "合计",
}
_PERIOD_CHILD = re.compile(r"^(\d{4}年?)?(\d{1,2}([-—–~至]\d{1,2})?月份?|\d{1,2}[-—–~至]本月)?(末)?$")
_MONTH_CHILDREN = {"本月", "当月", "本年累计", "累计"}  # never a field by themselves


def _neutral_child(child: str) -> bool:
    """Whether a child label only says how its parent is measured (a unit, `本年累计`, a period)."""
    bare = child.strip("()（）")
    return (
        not child
        or bare in KNOWN_UNITS
        or child in _SAME_FIGURE_CHILDREN
        or (_PERIOD_CHILD.match(child) is not None and any(ch in "年月" for ch in child))
    )


def _exact_field(key: str, index: dict[str, str]) -> str | None:
    """The field whose alias is the whole key or its last parts (`组/工业总产值/本月`)."""
    if (f := index.get(key)) is not None:
        return f
    parts = key.split("/")
    for k in range(1, len(parts)):
        tail = "/".join(parts[k:])
        if tail in _MONTH_CHILDREN:
            break
        if (f := index.get(tail)) is not None:
            return f
    return None


def _parent_field(key: str, index: dict[str, str]) -> str | None:
    """The field a name's parents match when its children only say how they are measured."""
    parts = key.split("/")
    while len(parts) > 1 and _neutral_child(parts[-1]):
        parts = parts[:-1]
        if (f := _exact_field("/".join(parts), index)) is not None:
            return f
    return None


_PART_OF = re.compile(r"(^|/)其中:?")  # `其中：首次认定` is the 首次认定 column (a part of the one before it)


_YTD_CHILD = re.compile(r"1[-—–~至]\d{1,2}月(?:累计|份)?")
_MONTH_CHILD = re.compile(r"\d{1,2}月份?")
_YEAR_FIRST = re.compile(r"^\d{4}年度?")


def _months_as_words(key: str) -> str:
    """A child headed by months (`工业总产值/1-9月`, `…/9月`, `…/2025年1-9月`) is the parent's 本年累计
    or 本月, as departments write either (a year written there must be the sheet's: the extraction
    refuses another, `_header_month_clash`)."""
    parent, sep, child = key.rpartition("/")
    if not sep:
        return key
    child = _YEAR_FIRST.sub("", child)
    if _YTD_CHILD.fullmatch(child):
        return f"{parent}/本年累计"
    if _MONTH_CHILD.fullmatch(child):
        return f"{parent}/本月"
    return key


SPAN_PARENTS = {
    "本月",
    "当月",
    "本期",
    "本年累计",
    "累计",
    "1-本月",
    "1-本月累计",
    "上年同期",
    "去年同期",
    "同期",
    "上年",
}
"""Parents that group figures by the span they cover (`本月` over 工业总产值 and 营业收入)."""


def _measure_first(key: str, spanned: frozenset[str]) -> str:
    """`本月/工业总产值` as `工业总产值/本月`: a header that groups its figures by span (`本月`,
    `本年累计`, `1-9月`, `上年同期` over the measures) names the same figure as one that groups them
    by measure, so the aliases (`工业总产值/本月`) are written one way only. Only a measure the
    aliases tell apart by span moves (`spanned`: 工业总产值, 营业收入): `工业总产值/本月/金额` stays
    (金额 is none), and so do a flag or 从业人员 under a parent carried over them (`…/本月/专精特新`)."""
    parts = key.split("/")
    for i in range(len(parts) - 1):
        if _is_span(parts[i]) and parts[i + 1] in spanned:  # `本月/工业总产值/金额` too
            parts[i], parts[i + 1] = parts[i + 1], parts[i]
            return "/".join(parts)
    return key


def _is_span(label: str) -> bool:
    label = _YEAR_FIRST.sub("", label)  # `2025年1-9月` as `1-9月`: its year is checked by the extraction
    return label in SPAN_PARENTS or bool(_YTD_CHILD.fullmatch(label) or _MONTH_CHILD.fullmatch(label))


def _spanned(index: dict[str, str]) -> frozenset[str]:
    """The measures a spec's aliases tell apart by span (`工业总产值/本月`, `营业收入/本年累计`):
    only these move (`_measure_first`). Worked out once per spec (a sheet tries every layout's
    header at every row and depth): `_IndexLookups`."""
    return _lookups(index).spanned


_REMEMBERED_LENGTH = 200
"""Names and keys longer than this (a data row's long text, not a header's) are worked out each time."""


def _match_key(name: str, spanned: frozenset[str]) -> str:
    """The form of a header name that `match_header` looks up (`header_key`, `其中` dropped, a
    span parent after its measure, months as words), remembered: a sheet's rows are matched at
    every depth against every layout, and a run's sheets share their headers."""
    if len(name) > _REMEMBERED_LENGTH:
        return _key_of(name, spanned)
    return _remembered_key(name, spanned)


def _key_of(name: str, spanned: frozenset[str]) -> str:
    return _months_as_words(_measure_first(_PART_OF.sub(r"\1", header_key(name)), spanned))


_remembered_key = functools.lru_cache(maxsize=65536)(_key_of)


class _IndexLookups:
    """What is worked out once per alias index: the measures told apart by span (`_spanned`), and
    `_exact_field` and `_parent_field`, remembered by key."""

    def __init__(self, index: dict[str, str]):
        self.index = index
        self.spanned = frozenset(
            k.rpartition("/")[0] for k in index if "/" in k and _is_span(k.rpartition("/")[2])
        )
        self._found: dict[tuple[bool, str], str | None] = {}

    def exact(self, key: str) -> str | None:
        return self._look(False, key)

    def parent(self, key: str) -> str | None:
        return self._look(True, key)

    def _look(self, via_parent: bool, key: str) -> str | None:
        try:
            return self._found[via_parent, key]
        except KeyError:
            f = (_parent_field if via_parent else _exact_field)(key, self.index)
            if len(key) <= _REMEMBERED_LENGTH:
                if len(self._found) >= 100_000:  # a long-lived process: start again, never grow without end
                    self._found.clear()
                self._found[via_parent, key] = f
            return f


_lookups_of: dict[int, _IndexLookups] = {}  # id(alias index) → its lookups


def _lookups(index: dict[str, str]) -> _IndexLookups:
    """The remembered lookups of `index` (a spec's alias index, built once per spec and never
    changed; checked by identity, as an id may be reused once its index is gone)."""
    found = _lookups_of.get(id(index))
    if found is None or found.index is not index:
        if len(_lookups_of) >= 256:  # specs made on the fly (drafts): remember the recent ones
            _lookups_of.clear()
        found = _lookups_of[id(index)] = _IndexLookups(index)
    return found


def match_header(names: list[str], spec: SourceSpec) -> tuple[dict[str, int], dict[str, list[int]]]:
    """Field → column for the names that match a field, and the fields two columns match.
    A whole or trailing match beats a match through the parents; of several columns that only
    match through their parents, none is taken (which one is meant cannot be told)."""
    fields = _lookups(spec.alias_index)
    keys = [_match_key(n, fields.spanned) if n else "" for n in names]
    exact = [fields.exact(key) if key else None for key in keys]
    mapping: dict[str, int] = {}
    dups: dict[str, list[int]] = {}
    for c, f in enumerate(exact):
        if f is not None:
            if f in mapping:
                dups.setdefault(f, [mapping[f]]).append(c)
            else:
                mapping[f] = c
    via_parent: dict[str, list[int]] = {}
    for c, key in enumerate(keys):
        if key and "/" in key and c not in mapping.values() and exact[c] is None:
            if (f := fields.parent(key)) is not None and f not in mapping:
                via_parent.setdefault(f, []).append(c)
    for f, cols in via_parent.items():
        if len(cols) == 1:
            mapping[f] = cols[0]
    return mapping, dups


# ---------------------------------------------------------------- the header block

_NUMBER = re.compile(r"^[\s+\-]?[\d,]*\.?\d+(e[+\-]?\d+)?%?$|^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")


def _value_like(v: Any) -> bool:
    """A cell that reads as a figure or a date (a data row's), not as a label."""
    if not isinstance(v, str):
        return True
    return _NUMBER.match(v.strip().lower()) is not None


def _extent(grid: Grid, hm: HeaderMatch) -> tuple[int, int]:
    """The columns of the table whose header is `hm`: the run of columns with a label in the
    header rows around the mapped ones (a blank column sets a second table beside it apart)."""
    block = grid.rows[hm.row : hm.row + hm.depth]

    def labelled(c: int) -> bool:
        return any(c < len(r) and label_text(r[c]) for r in block)

    lo, hi = min(hm.mapping.values()), max(hm.mapping.values())
    while lo > 0 and labelled(lo - 1):
        lo -= 1
    while labelled(hi + 1):
        hi += 1
    return lo, hi


_SERIAL = {"序号", "序", "编号", "行次", "no", "no."}


def _total_label(row: list[Any], hm: HeaderMatch, lo: int, figures: set[str]) -> bool:
    """Whether the row is a 合计 / 其中 row: such a label where a row's label stands (the table's
    first column, a 序号 column, a field that is no figure) — not under a figure's header, where
    `合计` is a child (`复垦面积` over `合计 | 其中耕地`)."""
    figure_cols = {c for f, c in hm.mapping.items() if f in figures}
    labels = {c for f, c in hm.mapping.items() if f not in figures} | ({lo} - figure_cols)
    labels |= {c for c, n in enumerate(hm.names) if header_key(n.split("/")[-1]) in _SERIAL}
    return any(
        c < len(row) and label_text(row[c]).replace(" ", "").startswith(("合计", "总计", "其中", "小计"))
        for c in labels
    )


SECTION_NUMBER = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|\d{1,2}、|第[一二三四五六七八九十]+[部分节类组])"
)
"""How a section heading among the rows begins: `一、`, `（二）`, `3、`, `第一部分`."""
_PLACE_HEADING = re.compile(r"^[\u4e00-\u9fff]{1,15}(镇|街道|乡|办事处|园区|开发区|片区)[:：]?$")
"""A group's heading that is a place alone: `石塘镇`, `淮城街道：`."""


def is_group_heading(text: str) -> bool:
    """A row's only text heading the group of rows below it: numbered (`一、车桥镇`, `（二）规上
    工业企业`) or a township alone (`石塘镇`) — not a record, nor a header's second row."""
    flat = label_text(text).replace(" ", "")
    return bool(SECTION_NUMBER.match(flat) or _PLACE_HEADING.match(flat))


def _cut_short(grid: Grid, hm: HeaderMatch, required: list[str], figures: set[str]) -> bool:
    """Whether the row right below a candidate header is still part of the header: labels only
    (no figure, no date, not a note or a total) within the table's columns, the required
    fields' columns empty — a data row names its record there (a figure's column may hold the
    children of its header: `复垦面积` over `合计 | 其中耕地`). A header that stops above such
    a row would leave a label row as data."""
    r = hm.row + hm.depth
    if r >= len(grid.rows):
        return False
    lo, hi = _extent(grid, hm)
    row = grid.rows[r][lo : hi + 1]
    present = [v for v in row if v is not None and label_text(v)]
    if not present or any(_value_like(v) for v in present):
        return False
    if label_text(present[0]).startswith(("注", "说明", "备注", "数据来源", "单位", "填表", "制表")):
        return False
    if _total_label(grid.rows[r], hm, lo, figures):
        return False
    if len(present) == 1 and is_group_heading(present[0]):
        return False  # the first group's heading (`石塘镇`, `一、车桥镇`), not a header row
    cols = [hm.mapping[f] for f in required if f in hm.mapping and f not in figures]
    cols = cols or [c for f, c in hm.mapping.items() if f not in figures]
    full = grid.rows[r]
    return all(c >= len(full) or full[c] is None or not label_text(full[c]) for c in cols)


def find_header(
    grid: Grid, spec: SourceSpec, given: Callable[[int], frozenset[str]] | None = None
) -> tuple[HeaderMatch | None, list[HeaderMatch]]:
    """The best header of `grid` for `spec`, and every candidate considered (for error messages).
    Best: the most fields matched, then the shallowest, then the topmost; never a block whose next
    row is still a header row (`_cut_short`). `given(row)`: the required fields the sheet itself
    gives for a header at that row (the township a roster's title or sheet name names), needing no
    column."""
    required = [f.name for f in spec.fields if f.required]
    figures = {f.name for f in spec.fields if f.type in ("number", "integer")}
    candidates: list[HeaderMatch] = []
    seen: dict[int, list[str]] = {}
    limit = min(spec.header_scan_rows, len(grid.rows))
    for r in range(limit):
        if not any(c is not None for c in grid.rows[r]):
            continue
        for depth in range(1, MAX_DEPTH + 1):
            if r + depth > len(grid.rows):
                continue
            if depth > 1 and not any(c is not None for c in grid.rows[r + depth - 1]):
                break  # a blank row ends a header
            names = header_names(grid, r, depth, seen)
            mapping, dups = match_header(names, spec)
            if not mapping:
                continue
            missing = [f for f in required if f not in mapping]
            if missing and given is not None:
                missing = [f for f in missing if f not in given(r)]
            missing += ["/".join(g) for g in spec.required_any if not any(x in mapping for x in g)]
            candidates.append(HeaderMatch(r, depth, names, mapping, dups, len(mapping), missing))
    valid = [c for c in candidates if not c.missing_required and not _cut_short(grid, c, required, figures)]
    if not valid:
        return None, candidates
    # of equal scores, a header whose columns each name one field (a deeper one that tells
    # 上年同期/工业总产值 from 本年累计/工业总产值) before a shallower one that cannot
    best = max(valid, key=lambda c: (c.score, not c.duplicates, -c.depth, -c.row))
    return best, candidates

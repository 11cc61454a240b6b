"""Header matching remembers its lookups (a name's key, a key's field, a row's labels): the same
mapping as working each one out afresh, for names made of the specs' own aliases, the words
headers put around them, and noise; and the same names for every row and depth of real sheets."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.extract import header
from etl.extract.header import (
    _PART_OF,
    _exact_field,
    _measure_first,
    _months_as_words,
    _parent_field,
    _spanned,
    header_names,
    match_header,
)
from etl.read.grid import Grid
from etl.read.workbook import read_workbook
from etl.spec.model import builtin_specs

SPECS = builtin_specs()
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _afresh(names: list[str], spec) -> tuple[dict[str, int], dict[str, list[int]]]:
    """`match_header` as it was before it remembered anything."""
    index = spec.alias_index
    spanned = _spanned(index)
    keys = [
        _months_as_words(_measure_first(_PART_OF.sub(r"\1", header.header_key(n)), spanned)) if n else ""
        for n in names
    ]
    mapping: dict[str, int] = {}
    dups: dict[str, list[int]] = {}
    for c, key in enumerate(keys):
        if key and (f := _exact_field(key, index)) is not None:
            if f in mapping:
                dups.setdefault(f, [mapping[f]]).append(c)
            else:
                mapping[f] = c
    via_parent: dict[str, list[int]] = {}
    for c, key in enumerate(keys):
        if key and "/" in key and c not in mapping.values() and _exact_field(key, index) is None:
            if (f := _parent_field(key, index)) is not None and f not in mapping:
                via_parent.setdefault(f, []).append(c)
    for f, cols in via_parent.items():
        if len(cols) == 1:
            mapping[f] = cols[0]
    return mapping, dups


_ALIASES = sorted({a for s in SPECS for a in s.alias_index})
_PARTS = sorted({p for a in _ALIASES for p in a.split("/")})  # `工业总产值`, `本月`: to put in either order
_WORDS = st.sampled_from(
    [
        *_ALIASES,
        *_PARTS,
        "本月",
        "本年累计",
        "1-9月",
        "2025年1-9月",
        "9月",
        "上年同期",
        "金额",
        "万元",
        "（万元）",
        "其中：",
        "合计",
        "主要指标",
        "企业名称",
        "江苏某某有限公司",
        "123.4",
        "",
    ]
)
_NAME = st.lists(_WORDS, min_size=1, max_size=3).map(lambda parts: "/".join(p for p in parts if p))


@settings(max_examples=400, deadline=None)
@given(names=st.lists(_NAME, min_size=1, max_size=12), which=st.integers(0, len(SPECS) - 1))
def test_match_header_is_what_working_it_out_afresh_gives(names, which):
    spec = SPECS[which]
    assert match_header(names, spec) == _afresh(names, spec)
    assert match_header(names, spec) == _afresh(names, spec)  # the second time from what it remembered


def test_every_spec_matches_its_own_aliases_as_before():
    for spec in SPECS:
        names = list(spec.alias_index)
        flipped = ["/".join(reversed(n.split("/"))) for n in names]  # `本月/工业总产值`: spans over measures
        assert match_header(names, spec) == _afresh(names, spec)
        assert match_header(flipped, spec) == _afresh(flipped, spec)


def test_span_parents_over_measures_still_match():
    roster = next(s for s in SPECS if s.source == "enterprises")
    names = ["企业名称", "本月/工业总产值", "本年累计/工业总产值", "本月/营业收入"]
    mapping, _ = match_header(names, roster)
    assert mapping == _afresh(names, roster)[0]
    assert {1, 2, 3} <= set(mapping.values())  # each span's figure found under its span


def test_a_remembered_row_is_never_the_one_parents_are_carried_into():
    """A three-row header with merged parents: `_fill_parents` carries each parent over its
    children in the rows it is given; asked in any order, the rows remembered stay as read."""
    grid = Grid(
        "Sheet1",
        [
            ["企业名称", "主要指标", None, None, None],
            [None, "工业总产值", None, "营业收入", None],
            [None, "本月", "本年累计", "本月", "本年累计"],
            ["甲公司", 1, 2, 3, 4],
        ],
        merged=[((0, 1), (0, 4)), ((1, 1), (1, 2)), ((1, 3), (1, 4))],
    )
    order = [(r, d) for r in range(4) for d in (3, 2, 1) if r + d <= 4]
    for calls in (order, list(reversed(order))):
        seen: dict[int, list[str]] = {}
        for r, d in calls:
            assert header_names(grid, r, d, seen) == header_names(grid, r, d), (r, d)


@pytest.mark.parametrize(
    "path",
    sorted(p for p in (FIXTURES / "realdata").iterdir() if p.suffix in {".xls", ".xlsx", ".csv"})[:6],
    ids=lambda p: p.name,
)
def test_row_labels_remembered_give_the_same_names(path):
    """Every row and depth of a real sheet: the names with the rows' labels remembered between
    calls (as `find_header` does) are the names worked out alone — `_fill_parents` writes into
    its rows, so a remembered row must never be the list it writes into."""
    book = read_workbook(path)
    for grid in book.sheets:
        seen: dict[int, list[str]] = {}
        for r in range(min(len(grid.rows), 40)):
            for depth in (1, 2, 3):
                if r + depth <= len(grid.rows):
                    assert header_names(grid, r, depth, seen) == header_names(grid, r, depth)


def test_long_names_are_matched_as_before_and_not_remembered():
    """A data row's long text is worked out each time (never kept by the lookups), with the same
    result: a long name that ends in an alias matches it as before."""
    roster = next(s for s in SPECS if s.source == "enterprises")
    alias = next(iter(roster.alias_index))
    long_names = ["说明" * 150, "主要指标" * 60 + "/" + alias, alias]
    before = header._remembered_key.cache_info().currsize
    assert match_header(long_names, roster) == _afresh(long_names, roster)
    assert header._remembered_key.cache_info().currsize <= before + 1  # only the short one
    assert all(len(k) <= header._REMEMBERED_LENGTH for _, k in header._lookups(roster.alias_index)._found)

"""The unit a file's name gives: one pattern, compiled at import, says what a pattern per known
unit said (the longest unit ending the stem after a space, `_`, `-` or `—`)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from etl.base import cells
from etl.base.cells import clean_text
from etl.extract import unit_in_file_name


def _one_pattern_per_unit(name: str) -> str | None:
    """What `unit_in_file_name` did before: each known unit, longest first, tried alone."""
    stem = clean_text(name.rsplit(".", 1)[0])
    if u := cells.unit_in_text(stem):
        return u
    for known in sorted(cells.KNOWN_UNITS, key=len, reverse=True):
        if re.search(rf"(^|[\s_\-—]){re.escape(known)}$", stem):
            return known
    return None


def test_examples():
    assert unit_in_file_name("工业总产值_万元.xlsx") == "万元"
    assert unit_in_file_name("工业总产值_亿元.csv") == "亿元"
    assert unit_in_file_name("营收-十万元.xlsx") == "十万元"  # the longest: not 万元, not 元
    assert unit_in_file_name("面积 万平方米.xls") == "万平方米"
    assert unit_in_file_name("产值（千元）.xlsx") == "千元"
    assert unit_in_file_name("万元.xlsx") == "万元"
    assert unit_in_file_name("产值万元.xlsx") is None  # no separator before the unit
    assert unit_in_file_name("万元_产值.xlsx") is None  # not at the end
    assert unit_in_file_name("2026年1-9月规上工业.xlsx") is None


_PIECES = st.sampled_from(
    [
        *cells.KNOWN_UNITS,
        "_",
        "-",
        "—",
        " ",
        "产值",
        "万",
        "十",
        "元",
        "年",
        "亩",
        "m²",
        "（",
        "）",
        "2026",
        "a",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=6), st.sampled_from([".xlsx", ".csv", ".xls"]))
def test_same_as_a_pattern_per_unit(pieces, suffix):
    name = "".join(pieces) + suffix
    assert unit_in_file_name(name) == _one_pattern_per_unit(name)

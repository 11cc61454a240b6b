"""Name keys: the normal form used to compare names written by different departments.

Pure functions, no I/O. One rule, two forms: `normalize_name` for one name and `normalize_names`
for a whole column (in Arrow's kernels: no Python call per name, for rosters of 200k). Both read
the tables below, so the rule is written once; tests check the two agree.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
import pyarrow.compute as pc

from etl.base.strings import BLANK_BYTES, from_arrow_str, may_contain, nfkc, to_arrow

# NFKC already maps （）［］｛｝ to ASCII; these CJK brackets have no compatibility mapping.
_BRACKETS = {"〔": "(", "〕": ")", "【": "[", "】": "]", "〖": "[", "〗": "]"}
# What a key drops: every character `str.isspace()` calls whitespace, and the invisible ones that
# survive NFKC without being whitespace (zero-width space/joiners, word joiner, BOM). Written out
# rather than `\s`, which Arrow's RE2 reads as ASCII whitespace without the vertical tab.
_BLANKS = "[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]+"
_BLANKS_RE = re.compile(_BLANKS)
_BRACKETS_TABLE = str.maketrans(_BRACKETS)


def normalize_name(s: str | None) -> str:
    """The matching key of a name: NFKC (full-width → half-width), brackets half-width, no
    whitespace or invisible characters. `None`/NaN give "".

    >>> normalize_name("淮安市　华宇（集团） 有限公司")
    '淮安市华宇(集团)有限公司'
    """
    if s is None or (isinstance(s, float) and s != s):
        return ""
    text = _BLANKS_RE.sub("", unicodedata.normalize("NFKC", str(s)).translate(_BRACKETS_TABLE))
    # Removing spaces can bring a combining mark next to a letter: compose again (idempotence).
    return unicodedata.normalize("NFKC", text)


def normalize_names(s: pd.Series) -> pd.Series:
    """`normalize_name` of every name of a column, in Arrow's kernels (no Python call per name);
    blank cells stay blank (NaN), as Arrow-backed strings."""
    a = nfkc(to_arrow(s))
    if pc.any(pc.match_substring_regex(a, f"[{''.join(_BRACKETS)}]")).as_py():
        for x, y in _BRACKETS.items():
            a = pc.replace_substring(a, x, y)
    if not may_contain(a, BLANK_BYTES):
        return from_arrow_str(a, s.index)
    b = pc.replace_substring_regex(a, _BLANKS, "")
    # removing blanks can bring a combining mark next to a letter: compose those names again
    changed = pc.indices_nonzero(pc.fill_null(pc.not_equal(pc.utf8_length(b), pc.utf8_length(a)), False))
    out = from_arrow_str(b, s.index)
    if len(changed):
        out.iloc[changed.to_numpy()] = nfkc(pc.take(b, changed)).to_pylist()
    return out

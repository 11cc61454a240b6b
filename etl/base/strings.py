"""Whole-column string operations in Arrow's C++ kernels (pandas runs `str.normalize` and
Unicode-class regexes one Python call per cell; on 200k names that is seconds, here milliseconds)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

BLANKS = "[\\s\x1c-\x1f\x85\u00a0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]+"


def to_arrow(s: pd.Series) -> pa.Array:
    if s.dtype == object:  # from_pandas: NaN and None both become null
        return pa.array(s.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    return pa.array(s.astype("string"))


def from_arrow(a: pa.Array | pa.ChunkedArray, index: pd.Index) -> pd.Series:
    """Back to an object Series (None for nulls), aligned with `index`."""
    return pd.Series(a.to_pylist(), index=index, dtype=object)


def from_arrow_str(a: pa.Array | pa.ChunkedArray, index: pd.Index) -> pd.Series:
    """Back to pandas' own string dtype (`str`, NaN for nulls) over the same Arrow buffers: what
    a DataFrame of these strings would infer anyway, without a Python object per cell."""
    return pd.Series(pd.array(a, dtype=STR), index=index)


STR = pd.StringDtype("pyarrow", na_value=np.nan)


def take_str(values: list[str | None], indices: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """`values[i]` for each i of `indices`, as an Arrow-backed string column (`STR`), copied in
    C++: how a column of few distinct texts (a constant, place names, codes) is built without a
    Python object per row."""
    taken = pa.array(values, type=pa.string()).take(pa.array(np.asarray(indices, dtype=np.int64)))
    return pd.array(taken, dtype=STR)


def nfkc(a):
    return pc.utf8_normalize(a, "NFKC")


def remove_blanks(a):
    return pc.replace_substring_regex(a, BLANKS, "")


def strip(a):
    return pc.utf8_trim_whitespace(a)


def map_unique(s: pd.Series, f) -> pd.Series:
    """`s.map(f)` calling `f` once per distinct value (a blank cell maps to `f(None)`)."""
    codes, uniq = pd.factorize(s, use_na_sentinel=True)
    out = np.empty(len(uniq) + 1, dtype=object)
    out[:-1] = [f(u) for u in uniq]
    out[-1] = f(None)
    return pd.Series(out[codes], index=s.index, dtype=object)


def may_contain(a: pa.Array | pa.ChunkedArray, needles: tuple[bytes, ...]) -> bool:
    """Whether any string of `a` may contain one of the byte strings `needles`: one scan of the
    data buffers (a slice's buffer can hold bytes outside it, so True means "look closer")."""
    chunks = a.chunks if isinstance(a, pa.ChunkedArray) else [a]
    for c in chunks:
        if len(c) == 0 or c.null_count == len(c):
            continue
        data = c.buffers()[2]
        if data is None:
            continue
        raw = memoryview(data).tobytes()
        if any(n in raw for n in needles):
            return True
    return False


# the UTF-8 bytes that begin a character BLANKS matches (U+2000–U+206F share their first two)
BLANK_BYTES = (
    b" ", b"\t", b"\n", b"\r", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x1f",
    b"\xc2\x85", b"\xc2\xa0", b"\xe1\x9a\x80", b"\xe2\x80", b"\xe2\x81", b"\xe3\x80\x80", b"\xef\xbb\xbf",
)  # fmt: skip

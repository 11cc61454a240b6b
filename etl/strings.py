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

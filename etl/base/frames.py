"""Frames handed to DuckDB."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa


def scannable(frame: pd.DataFrame) -> pa.Table | pd.DataFrame:
    """`frame` as an Arrow table, for DuckDB to register and scan. DuckDB reads a pandas object
    column (dates, text beside None) one Python object at a time, holding the GIL: while another
    thread runs Python (the suite, beside the writer) a 200k-row insert then takes twice as long.
    An Arrow table it reads without the GIL. A column Arrow cannot type (mixed kinds of values)
    keeps the frame as it is."""
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, OverflowError, TypeError, ValueError):  # e.g. text beside numbers
        return frame


class Shared(tuple):
    """A tuple kept in a DataFrame's `attrs` (a sheet's merged ranges). pandas deep-copies `attrs`
    on nearly every operation (a row read, `astype`, `isna`: ≈ 140 copies of a roster's frame in
    one extraction, 13 % of its time); what this holds is never changed, so its copy is itself."""

    __slots__ = ()

    def __deepcopy__(self, memo):
        return self

    def __copy__(self):
        return self

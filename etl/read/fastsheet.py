"""Big .xlsx sheets without reading them whole into Python.

`xlsx_heads` streams the first rows of every sheet straight from the package's XML (shared
strings resolved lazily), which is all header finding needs; `load_columns` then reads only the
columns a spec maps, below the header, through fastexcel into Arrow. A 200k-row roster is thus read
about as fast as a raw fastexcel read, and a 1M-row one within a small fraction of the memory a
full read into Python objects would take.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import iterparse

import numpy as np
import pandas as pd

from etl.base.frames import Shared
from etl.base.settings import limits
from etl.read.grid import Grid, ReadError
from etl.read.number_formats import as_shown, shown_cells
from etl.read.ooxml import (
    CELL_REF,
    MAX_COLS,
    MAX_ROWS,
    NS,
    ExtentError,
    SharedStrings,
    check_extent,
    col_index,
    hidden_sheets,
    sheet_merges,
    sheet_paths,
)
from etl.read.sheetparts import failed, load, read_parts


def xlsx_heads(path: Path, max_rows: int, max_cells: int | None = None) -> list[Grid]:
    """The first `max_rows` rows of every sheet (values only, no merge information). The sheets'
    declared dimensions are checked first (`check_extent`, against `max_cells`, default
    `STATWH_MAX_CELLS`), and every reference of the rows read: a sheet reaching beyond Excel's
    limits is a `ReadError`. (Every reference of a small sheet is checked before, by the worker
    process that reads a file for a load: `etl.warehouse.sandbox`.)"""
    with zipfile.ZipFile(path) as z:
        try:
            check_extent(
                z, limits()["max_cells"] if max_cells is None else max_cells, scan_bytes=0, stream=False
            )
        except ExtentError as e:
            raise ReadError(str(e)) from None
        strings = SharedStrings(z)
        hidden = hidden_sheets(z)
        grids = []
        for name, part in sheet_paths(z):
            rows: list[list[Any]] = []
            if part in z.namelist():
                with z.open(part) as f:
                    rows = _head_rows(f, strings, max_rows)
            grids.append(Grid(name, rows, hidden=name in hidden))
    return grids


def _head_rows(f, strings: SharedStrings, max_rows: int) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for _, el in iterparse(f, events=("end",)):
        if el.tag != f"{NS}row":
            continue
        r = int(el.get("r", len(rows) + 1)) - 1
        if r >= MAX_ROWS:
            raise ReadError(f"行号 {r + 1:,} 超出 Excel 的范围 / row {r + 1:,} is beyond Excel's limits")
        if r >= max_rows:
            break
        while len(rows) < r:
            rows.append([])
        cells: list[Any] = []
        for c in el.iter(f"{NS}c"):
            m = CELL_REF.match(c.get("r", ""))
            ci = col_index(m.group(1)) if m and len(m.group(1)) <= 3 else MAX_COLS if m else len(cells)
            if ci >= MAX_COLS:
                raise ReadError(
                    f"单元格 {c.get('r', '')[:20]} 超出 Excel 的列范围（XFD） / cell {c.get('r', '')[:20]!r} is beyond column XFD"
                )
            t = c.get("t")
            v = c.find(f"{NS}v")
            if t == "s" and v is not None:
                val: Any = strings[int(v.text)]
            elif t == "inlineStr":
                val = "".join(x.text or "" for x in c.iter(f"{NS}t"))
            elif t in {"str", "e"}:
                val = v.text if v is not None else None
            elif t == "b":
                val = v is not None and v.text == "1"
            else:
                val = float(v.text) if v is not None and v.text else None
            while len(cells) < ci:
                cells.append(None)
            cells.append(None if val == "" else val)
        rows.append(cells)
        el.clear()
    return rows


def load_columns(path: Path, sheet: str, start_row: int, columns: dict[int, str]) -> pd.DataFrame:
    """Rows from `start_row` (0-based) of `columns` {index: kind}; index = 0-based sheet row.

    kind `text` columns are read as strings; `number` columns as floats; `auto` columns keep the
    cell types (numbers stay floats, so a code Excel stored as a number can be told from one typed
    as text). Nothing is lost by typing: fastexcel reports every cell it could not give the
    column's type (text in a number column, an Excel error such as `#REF!`, which it would
    otherwise read as a blank), and that cell's own text is put back, so the parsers name it."""
    idx = sorted(columns)
    dtypes = {i: _DTYPES[columns[i]] for i in idx if columns[i] in _DTYPES}
    table, errors, cols, _ = _read(path, sheet, start_row, idx, dtypes)
    by_col = nan_cells(table, cols, start_row)
    df = table.to_pandas()
    del table
    df.columns = cols
    df.index = range(start_row, start_row + len(df))
    for c in idx:  # a column the sheet's cells do not reach (an empty column A, say): empty
        if c not in df.columns:
            df[c] = pd.Series(np.nan, index=df.index, dtype="float64" if columns[c] == "number" else "str")
    if list(df.columns) != idx:
        df = df[idx]
    for (r, c), detail in errors:
        text = cell_text(detail)
        if text is not None:
            by_col.setdefault(c, {})[r] = text
    maybe = _zeros_and_ones(df, [c for c in idx if columns[c] in {"number", "auto"}])
    if maybe:  # fastexcel reads a TRUE or FALSE cell into a number column as 1 or 0, and says nothing
        for (r, c), text in bool_cells(path, sheet, maybe).items():
            by_col.setdefault(c, {})[r] = text
    figures = {c for c in idx if columns[c] in {"number", "auto"}}
    for (r, c), how in shown_cells(path, sheet, figures, start_row).items():  # 5.2% is stored as 0.052
        if r in df.index and r not in by_col.get(c, {}) and (text := as_shown(df.at[r, c], how)) is not None:
            by_col.setdefault(c, {})[r] = text
    df.attrs["merged"] = Shared(sheet_merges(path, sheet))  # filled down (or refused) by the extraction
    for c, texts in by_col.items():
        if c not in df.columns:
            continue
        col = df[c].astype(object)
        rows = [r for r in texts if r in col.index]
        col[rows] = [texts[r] for r in rows]
        df[c] = col
    return df


_DTYPES = {"text": "string", "number": "float"}
NAN_TEXT = "nan"
"""What a cell that fastexcel read as NaN held: a text `nan` or `NaN` (Rust's float parser takes both,
and says nothing): no Excel cell holds NaN as a number."""


def nan_cells(table: Any, cols: list[int], start_row: int) -> dict[int, dict[int, str]]:
    """{column: {row: "nan"}} for the cells of the float columns of fastexcel's Arrow `table` that
    read NaN (a blank cell is null, not NaN): each was the text `nan` (or `NaN`) typed into a figure
    cell, which pandas would otherwise show as a blank. Putting the text back makes it a row
    problem (`无法识别的数值“nan”`), never a missing figure."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out: dict[int, dict[int, str]] = {}
    for c, col in zip(cols, table.columns, strict=True):
        if not pa.types.is_floating(col.type) or col.null_count == len(col):
            continue
        pos = np.flatnonzero(pc.fill_null(pc.is_nan(col), False).to_numpy(zero_copy_only=False))
        if len(pos):
            out[c] = {start_row + int(r): NAN_TEXT for r in pos}
    return out


def _read(path: Path, sheet: str, start_row: int, idx: list[int], dtypes: dict[int, str]):
    """fastexcel's read of the columns (`etl.read.sheetparts.Part`): a big sheet in parts on every
    core (`etl.read.sheetparts.read_parts`), else in one read."""
    import fastexcel

    got = read_parts(path, sheet, start_row, idx, dtypes)
    if got is not None:
        return got
    try:
        reader = fastexcel.read_excel(str(path))
    except BaseException as e:
        if not failed(e):
            raise
        raise ReadError(f"Excel 文件已损坏，无法读取 / cannot read the workbook: {e}") from e
    try:
        return load(reader, sheet, start_row, idx, dtypes)
    except BaseException as e:  # a panic in fastexcel's Rust code too: the file is named, not a crash
        if not failed(e):
            raise
        raise ReadError(f"工作表“{sheet}”无法读取 / cannot read sheet {sheet!r}: {e}") from e


def _zeros_and_ones(df: pd.DataFrame, cols: list[int]) -> set[tuple[int, int]]:
    """(row, column) of the cells of float columns that read 0 or 1: only those can have been
    TRUE or FALSE in the sheet."""
    out: set[tuple[int, int]] = set()
    for c in cols:
        if c in df.columns and df[c].dtype == np.float64:
            v = df[c].to_numpy()
            pos = np.flatnonzero((v == 0) | (v == 1))
            out.update((int(r), c) for r in df.index[pos])
    return out


_BOOL_CELL = re.compile(rb"<c\b([^>]*?)\bt=[\"']b[\"']([^>]*)>\s*<v>\s*([01])\s*</v>")
_REF_ATTR = re.compile(rb"\br=[\"']([A-Z]+)(\d+)[\"']")


def bool_cells(path: Path, sheet: str, where: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """The boolean cells (`t="b"`) of `sheet` at (0-based row, column) in `where`, as Excel shows
    them (`TRUE`, `FALSE`). Streams the sheet's XML, 4 MB at a time, looking for the attribute
    (a byte search) and reading only the cells that have it; run only when a number column read
    0 or 1 somewhere, so a sheet without such figures costs nothing."""
    found: dict[tuple[int, int], str] = {}
    with zipfile.ZipFile(path) as z:
        part = dict(sheet_paths(z)).get(sheet)
        if part is None or part not in z.namelist():
            return found
        with z.open(part) as f:
            tail = b""
            while True:
                chunk = f.read(1 << 22)
                buf = tail + chunk
                done = 0  # where the last cell read in this buffer ends
                for attr in (b't="b"', b"t='b'"):
                    i = buf.find(attr)
                    while i >= 0:
                        m = _BOOL_CELL.match(buf, max(buf.rfind(b"<c", 0, i), 0))
                        if m is not None and m.end() > i:
                            done = max(done, m.end())
                            ref = _REF_ATTR.search(m.group(1) + b" " + m.group(2))
                            at = (int(ref.group(2)) - 1, col_index(ref.group(1).decode())) if ref else None
                            if at in where:  # a cell without its reference has nothing to place it by
                                found[at] = "TRUE" if m.group(3) == b"1" else "FALSE"
                        i = buf.find(attr, i + 1)
                if not chunk:
                    return found
                # a cell cut by the chunk's end is read from the next buffer (cells are short)
                tail = buf[max(done, len(buf) - 4096) :]


# how fastexcel (calamine's Data, Rust debug form) describes a cell it could not type
_DETAIL = re.compile(r"^Expected \w+ but got '(.*)'$", re.S)
_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|.)", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "0": "\0"}
_EXCEL_DATETIME = re.compile(r"ExcelDateTime \{ value: ([-+0-9.eE]+),.*is_1904: (true|false)")
# calamine's CellErrorType → the text Excel shows
CALAMINE_ERRORS = {
    "Div0": "#DIV/0!",
    "NA": "#N/A",
    "Name": "#NAME?",
    "Null": "#NULL!",
    "Num": "#NUM!",
    "Ref": "#REF!",
    "Value": "#VALUE!",
    "GettingData": "#GETTING_DATA",
}


def _unescape(m: re.Match[str]) -> str:
    e = m.group(1)
    if e.startswith("u{"):
        return chr(int(e[2:-1], 16))
    return _SIMPLE_ESCAPES.get(e, e)


def cell_text(detail: str) -> str | None:
    """The text of a cell from fastexcel's description of it (`String("1,234")` → `1,234`,
    `Error(Ref)` → `#REF!`, a date → `2024-06-01 00:00:00`, as a text column would read it).
    A description of another form is kept whole, so the cell is still named, never lost."""
    m = _DETAIL.match(detail)
    if not m:
        return detail
    v = m.group(1)
    kind, _, rest = v.partition("(")
    inner = rest[:-1] if rest.endswith(")") else rest
    if kind in {"String", "DateTimeIso", "DurationIso"} and inner.startswith('"') and inner.endswith('"'):
        return _ESCAPE.sub(_unescape, inner[1:-1])
    if kind == "Error":
        return CALAMINE_ERRORS.get(inner, f"#{inner.upper()}")
    if kind == "Empty":
        return None
    if kind == "DateTime":
        d = _EXCEL_DATETIME.search(inner)
        if d:
            import datetime as dt

            base = dt.datetime(1904, 1, 1) if d.group(2) == "true" else dt.datetime(1899, 12, 30)
            return str(base + dt.timedelta(days=float(d.group(1))))
    if kind in {"Bool", "Int", "Float"}:
        return inner
    return v

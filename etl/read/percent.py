"""Cells an .xlsx shows as percentages: `5.2%` is stored as 0.052 with a percent number format.

Every reader here (calamine, fastexcel) gives the stored number, so a growth rate typed as 5.2%
would load as 0.052 (%): a hundred times too small, silently. `percent_cells` finds the numeric
cells whose style has a percent format (the built-in `0%` and `0.00%`, or a custom format with
a `%` outside quotes, escapes and [brackets]) and `as_shown` gives each as the text Excel shows,
`5.2%`: the parsers then read 5.2 with the unit % written in the cell, which the column's unit
must match as for any cell that says its unit (a % in a money column is a rejected row).

Only a workbook whose styles have a percent format is searched (styles.xml is small); its sheet
is then streamed once, the cells with such a style read by a byte search for their style index.
"""

from __future__ import annotations

import math
import re
import zipfile
from xml.etree.ElementTree import ParseError, fromstring

from etl.read.ooxml import NS, col_index, sheet_paths

BUILTIN_PERCENT = {9, 10}
"""The built-in number formats `0%` and `0.00%` (ECMA-376, 18.8.30)."""
_LITERAL = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
_REF = re.compile(rb"\br=[\"']([A-Za-z]+)(\d+)[\"']")
_TYPE = re.compile(rb"\bt=[\"'](\w+)[\"']")
NUMERIC_TYPES = {None, b"n"}  # a cell with no `t`, or `t="n"`, holds a number


def is_percent_format(code: str) -> bool:
    """True when a number format code shows its number as a percentage (`0.0%`, `#,##0.00%`),
    judged on its first section, with quoted text, escapes, fills and [colours] left out."""
    return "%" in _LITERAL.sub("", code.split(";")[0])


def percent_styles(z: zipfile.ZipFile) -> set[int]:
    """The indexes of the cell formats (`cellXfs`) of the workbook whose number format is a percentage."""
    try:
        root = fromstring(z.read("xl/styles.xml"))
    except (KeyError, ParseError):
        return set()
    codes = {int(n.get("numFmtId", -1)): n.get("formatCode", "") for n in root.iter(f"{NS}numFmt")}
    xfs = root.find(f"{NS}cellXfs")
    if xfs is None:
        return set()
    out = set()
    for i, xf in enumerate(xfs.findall(f"{NS}xf")):
        try:
            fid = int(xf.get("numFmtId", 0))
        except ValueError:
            continue
        if fid in BUILTIN_PERCENT or is_percent_format(codes.get(fid, "")):
            out.add(i)
    return out


def percent_cells(
    path, sheet: str, columns: set[int] | None = None, start_row: int = 0
) -> set[tuple[int, int]]:
    """(0-based row, column) of the numeric cells of `sheet` shown as percentages, in `columns`
    (None: all) from `start_row`; empty at once when the workbook has no percent format."""
    found: set[tuple[int, int]] = set()
    with zipfile.ZipFile(path) as z:
        styles = percent_styles(z)
        part = dict(sheet_paths(z)).get(sheet)
        if not styles or part is None or part not in z.namelist():
            return found
        alternatives = b"|".join(str(s).encode() for s in sorted(styles))
        tag = re.compile(rb"<(?:\w+:)?c\b[^>]*?\bs=[\"'](?:" + alternatives + rb")[\"'][^>]*>")
        with z.open(part) as f:
            tail = b""
            while True:
                chunk = f.read(1 << 22)
                buf = tail + chunk
                for m in tag.finditer(buf):
                    at = _numeric_cell(m.group(0))
                    if at is not None and at[0] >= start_row and (columns is None or at[1] in columns):
                        found.add(at)
                if not chunk:
                    return found
                tail = buf[-512:]  # a tag cut by the chunk's end is read whole from the next buffer


def _numeric_cell(tag: bytes) -> tuple[int, int] | None:
    """(row, column) of a cell's start tag when it holds a number, else None."""
    t = _TYPE.search(tag)
    if (t.group(1) if t else None) not in NUMERIC_TYPES:
        return None
    ref = _REF.search(tag)
    return (int(ref.group(2)) - 1, col_index(ref.group(1).decode().upper())) if ref else None


def as_shown(value) -> str | None:
    """A stored number as its percent format shows it, without the format's rounding
    (0.052 → `5.2%`, 0.12345 → `12.345%`); None for what is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return f"{value * 100:.12g}%"

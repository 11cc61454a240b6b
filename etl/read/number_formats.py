"""Cells whose number format shows another number than the one stored.

* A percent format: `5.2%` is stored as 0.052. Every reader here (calamine, fastexcel) gives the
  stored number, so a growth rate typed as 5.2% would load as 0.052 (%): a hundred times too
  small, silently. Such a cell is given as the text Excel shows, `5.2%`: the parsers then read
  5.2 with the unit % written in the cell, which the column's unit must match as for any cell
  that says its unit (a % in a money column is a rejected row).
* A scaling format: `#,##0,` shows 12,345,678 as 12,346 (thousands), `0!.0000` shows it as
  1234.5678 (a 万 trick: the stored 元 shown as 万元). The stored figure is not what the
  department sees under its header, and which one the header's unit means cannot be told: such
  a cell is given as a text naming the format, which the parsers refuse (a rejected row).

`shown_cells` finds the numeric cells whose style has such a format (the built-in `0%` and
`0.00%`, or a custom format, judged on its first section with quoted text, escapes and
[brackets] left out); only a workbook whose styles have one is searched (styles.xml is small),
its sheet then streamed once, the cells with such a style found by a byte search for their
style index. `etl.read.biff.xls_shown_cells` does the same for an .xls.
"""

from __future__ import annotations

import math
import re
import zipfile
from xml.etree.ElementTree import ParseError, fromstring

from etl.base.cells import not_a_figure
from etl.read.ooxml import NS, col_index, sheet_paths

BUILTIN_PERCENT = {9: "0%", 10: "0.00%"}
"""The built-in number formats `0%` and `0.00%` (ECMA-376, 18.8.30)."""
_LITERAL = re.compile(r'"[^"]*"|\[[^\]]*\]|_.|\*.')
_ESCAPED = re.compile(r"\\.|!.")
_SCALE_COMMA = re.compile(r"[0#?],+(?![0#?,])")
_SHIFTED_POINT = re.compile(r'(?:\\|!)\.[0#?]|"\."[0#?]')
"""A decimal point written as a literal (`0!.0000`, `0\\.0000`, `0"."0000`): digits shown after a
point that is no decimal point, the number divided by 10⁴ to the eye (元 shown as 万元)."""

Shown = tuple[str, str]
"""How a format shows its number: ("percent" or "scaled", the format code)."""


def format_kind(code: str) -> str | None:
    """`percent` when a number format code shows its number as a percentage (`0.0%`), `scaled`
    when it shows it divided by a power of ten (`#,##0,`, `0.0,,`, `0!.0000`), else None. Judged
    on the first section, with quoted text, fills and [colours] left out."""
    section = code.split(";")[0]
    if _SHIFTED_POINT.search(section.replace('"."', "!.")):  # before the quoted `"."` goes
        return "scaled"
    first = _LITERAL.sub("", section)
    plain = _ESCAPED.sub("", first)
    if "%" in plain:
        return "percent"
    if _SCALE_COMMA.search(plain):
        return "scaled"
    return None


def display_styles(z: zipfile.ZipFile) -> dict[int, Shown]:
    """{index of a cell format (`cellXfs`): how it shows its number} for the workbook's cell
    formats whose number format is a percent or a scaling one."""
    try:
        root = fromstring(z.read("xl/styles.xml"))
    except (KeyError, ParseError):
        return {}
    codes = {int(n.get("numFmtId", -1)): n.get("formatCode", "") for n in root.iter(f"{NS}numFmt")}
    xfs = root.find(f"{NS}cellXfs")
    if xfs is None:
        return {}
    out: dict[int, Shown] = {}
    for i, xf in enumerate(xfs.findall(f"{NS}xf")):
        try:
            fid = int(xf.get("numFmtId", 0))
        except ValueError:
            continue
        code = BUILTIN_PERCENT.get(fid) or codes.get(fid, "")
        if kind := format_kind(code):
            out[i] = (kind, code)
    return out


_REF = re.compile(rb"\br=[\"']([A-Za-z]+)(\d+)[\"']")
_TYPE = re.compile(rb"\bt=[\"'](\w+)[\"']")
_STYLE = re.compile(rb"\bs=[\"'](\d+)[\"']")
NUMERIC_TYPES = {None, b"n"}  # a cell with no `t`, or `t="n"`, holds a number


def shown_cells(
    path,
    sheet: str,
    columns: set[int] | None = None,
    start_row: int = 0,
    styles: dict[int, Shown] | None = None,
) -> dict[tuple[int, int], Shown]:
    """{(0-based row, column): how its format shows it} for the numeric cells of `sheet` with a
    percent or scaling format, in `columns` (None: all) from `start_row`; {} at once when the
    workbook has no such format. `styles`: the workbook's `display_styles`, when already read."""
    found: dict[tuple[int, int], Shown] = {}
    with zipfile.ZipFile(path) as z:
        styles = display_styles(z) if styles is None else styles
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
                    if not _REF.search(m.group(0)):  # a cell without its `r` (allowed; the Open XML
                        # SDK writes them): placed by counting, in a slower pass over the whole sheet
                        return _shown_by_position(z, part, styles, columns, start_row)
                    at = _numeric_cell(m.group(0))
                    if at is not None and at[0] >= start_row and (columns is None or at[1] in columns):
                        found[at] = styles[int(_STYLE.search(m.group(0)).group(1))]
                if not chunk:
                    return found
                tail = buf[-512:]  # a tag cut by the chunk's end is read whole from the next buffer


def _shown_by_position(
    z: zipfile.ZipFile, part: str, styles: dict[int, Shown], columns: set[int] | None, start_row: int
) -> dict[tuple[int, int], Shown]:
    """`shown_cells` for a sheet whose cells may omit `r`: a row without `r` follows the one before,
    a cell without `r` the cell before it in its row (ECMA-376 18.3.1.4, 18.3.1.73). 6.3% had been
    read as 0.063 in such a sheet."""
    import xml.etree.ElementTree as ET

    found: dict[tuple[int, int], Shown] = {}
    row, col = -1, -1
    with z.open(part) as f:
        for _event, el in ET.iterparse(f, events=("start",)):
            local = el.tag.rsplit("}", 1)[-1]
            if local == "row":
                r = el.get("r")
                row, col = (int(r) - 1 if r and r.isdigit() else row + 1), -1
            elif local == "c":
                ref = el.get("r")
                m = re.fullmatch(r"([A-Za-z]+)(\d+)", ref or "")
                col = col_index(m.group(1).upper()) if m else col + 1
                style = el.get("s")
                if (
                    style is not None
                    and style.isdigit()
                    and int(style) in styles
                    and el.get("t") in (None, "n")
                    and row >= start_row
                    and (columns is None or col in columns)
                ):
                    found[(row, col)] = styles[int(style)]
            el.clear()
    return found


def _numeric_cell(tag: bytes) -> tuple[int, int] | None:
    """(row, column) of a cell's start tag when it holds a number, else None."""
    t = _TYPE.search(tag)
    if (t.group(1) if t else None) not in NUMERIC_TYPES:
        return None
    ref = _REF.search(tag)
    return (int(ref.group(2)) - 1, col_index(ref.group(1).decode().upper())) if ref else None


def as_shown(value, shown: Shown) -> str | None:
    """A stored number as the text the parsers should read: a percentage as shown, without the
    format's rounding (0.052 → `5.2%`); a scaled one as a text naming its format, which no parser
    reads as a figure. None for what is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    kind, code = shown
    if kind == "percent":
        return f"{value * 100:.12g}%"
    return not_a_figure(
        f"{value:.15g}",
        f"数字格式“{code}”按比例缩放显示，显示的不是单元格中的数，请改为常规数字格式"
        f" / the number format {code} shows the figure scaled, not as stored",
    )

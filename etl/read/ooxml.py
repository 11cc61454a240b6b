"""The parts of an .xlsx package the fast paths need: cell references, sheet paths, shared strings."""

from __future__ import annotations

import posixpath
import re
import zipfile
from xml.etree.ElementTree import iterparse

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
CELL_REF = re.compile(r"([A-Z]+)(\d+)")
MAX_ROWS = 1_048_576  # Excel's limits: rows, and columns (XFD)
MAX_COLS = 16_384
FULL_SCAN_BYTES = 1 << 20  # sheets up to this size (inflated XML) have every reference checked
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref=[\"']([^\"']*)[\"']")
_REF = re.compile(rb"<(?:\w+:)?(?:c|row)\b[^>]*?\sr=[\"']([A-Za-z]*)(\d+)[\"']")
_AREA = re.compile(r"^\$?([A-Za-z]{1,10})\$?(\d{1,12})(?::\$?([A-Za-z]{1,10})\$?(\d{1,12}))?$")


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


class SharedStrings:
    """Shared strings read only as far as the highest index asked for."""

    def __init__(self, z: zipfile.ZipFile):
        self._it = None
        self._items: list[str] = []
        name = next((n for n in z.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
        if name:
            self._it = iterparse(z.open(name), events=("end",))

    def __getitem__(self, i: int) -> str:
        while len(self._items) <= i and self._it is not None:
            try:
                _, el = next(self._it)
            except StopIteration:
                self._it = None
                break
            if el.tag == f"{NS}si":
                self._items.append("".join(t.text or "" for t in el.iter(f"{NS}t")))
                el.clear()
        return self._items[i] if i < len(self._items) else ""


def hidden_sheets(z: zipfile.ZipFile) -> set[str]:
    """The names of the sheets workbook.xml marks `state="hidden"` or `"veryHidden"`."""
    with z.open("xl/workbook.xml") as f:
        return {
            el.get("name")
            for _, el in iterparse(f)
            if el.tag == f"{NS}sheet" and el.get("state") in ("hidden", "veryHidden")
        }


def sheet_paths(z: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part path) in workbook order."""
    rels = {}
    with z.open("xl/_rels/workbook.xml.rels") as f:
        for _, el in iterparse(f):
            if el.tag.endswith("Relationship"):
                target = el.get("Target", "")
                rels[el.get("Id")] = (
                    target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
                )
    out = []
    with z.open("xl/workbook.xml") as f:
        for _, el in iterparse(f):
            if el.tag == f"{NS}sheet":
                out.append((el.get("name"), rels.get(el.get(f"{REL_NS}id"), "")))
    return out


class ExtentError(ValueError):
    """A sheet that reaches beyond Excel's limits or `STATWH_MAX_CELLS`: the message says which."""


def _letters_index(letters: str) -> int:
    return col_index(letters.upper()) if len(letters) <= 4 else MAX_COLS + 1


def _check_area(sheet: str, rows: int, cols: int, max_cells: int, where: str) -> None:
    if rows > MAX_ROWS or cols > MAX_COLS:
        raise ExtentError(
            f"工作表“{sheet}”的{where}超出 Excel 的范围（{rows:,} 行 × {cols:,} 列，上限 {MAX_ROWS:,} × {MAX_COLS:,}）"
            f" / sheet {sheet!r} reaches beyond Excel's limits (row {rows:,}, column {cols:,})"
        )
    if rows * cols > max_cells:
        raise ExtentError(
            f"工作表“{sheet}”的{where}达 {rows:,} 行 × {cols:,} 列，超过单元格上限 {max_cells:,}"
            f" / sheet {sheet!r} spans {rows:,} × {cols:,} cells, over STATWH_MAX_CELLS"
        )


def _dimension(sheet: str, head: bytes, max_cells: int) -> None:
    """The sheet's declared `<dimension ref="A1:XFD200000">` checked (readers allocate by it)."""
    m = _DIMENSION.search(head)
    if not m:
        return
    area = _AREA.match(m.group(1).decode("ascii", "replace").strip())
    if not area:
        return  # a dimension that is not an area: readers ignore it as well
    letters, row = area.group(3) or area.group(1), area.group(4) or area.group(2)
    _check_area(sheet, int(row), _letters_index(letters) + 1, max_cells, "声明范围 <dimension>")


_CELL_FAST = re.compile(rb'<c r="([A-Za-z]+)(?=\d)')
_ROW_FAST = re.compile(rb'<row r="(\d+)"')


def _furthest(letters: set[bytes]) -> int:
    """The furthest column (1-based) among cell references' letters."""
    top = max(letters, key=lambda x: (len(x), x.upper()), default=b"A")
    return _letters_index(top.decode()) + 1


_EMPTY_V = rb"(?:<(?:\w+:)?v\s*/>\s*|<(?:\w+:)?v>\s*</(?:\w+:)?v>\s*)"
_UNCACHED = re.compile(rb"(?:</(?:\w+:)?f>|<(?:\w+:)?f\b[^>]*/>)\s*(" + _EMPTY_V + rb")?</(?:\w+:)?c>")
"""A formula cell with no computed value (no `<v>`, or an empty one): a formula never calculated
(a file written by a program — openpyxl writes `<v/>` — not saved by Excel or WPS); readers give
such a cell as blank. (An empty `<v>` of a `t="str"` cell is a formula whose result is "".)"""
_CELL_START = re.compile(rb"<(?:\w+:)?c\b[^>]*>")
_CELL_REF = re.compile(rb"\sr=[\"']([A-Za-z]+\d+)[\"']")


def uncached_formula(buf: bytes) -> str | None:
    """The reference of the first formula cell in `buf` (sheet XML) that has no computed value."""
    if b"<f" not in buf and b":f" not in buf:  # no formula at all (most sheets): no search
        return None
    for m in _UNCACHED.finditer(buf):
        at = max(buf.rfind(b"<c ", 0, m.start()), buf.rfind(b":c ", 0, m.start()) - 4, 0)
        tag = _CELL_START.search(buf, at, m.start())
        if tag is None:
            continue
        if m.group(1) and re.search(rb"\st=[\"']str[\"']", tag.group(0)):
            continue  # a text formula whose result is ""
        ref = _CELL_REF.search(tag.group(0))
        return ref.group(1).decode("ascii", "replace").upper() if ref else "?"
    return None


_CALC_ON_LOAD = re.compile(rb"fullCalcOnLoad\s*=\s*[\"'](?:1|true)[\"']")
_FORMULA_AS_ZERO = re.compile(rb"</(?:\w+:)?f>\s*<(?:\w+:)?v>0</(?:\w+:)?v>")


def calculated_on_load(z: zipfile.ZipFile) -> str | None:
    """The first sheet holding a formula stored as 0 when the workbook asks to be calculated on
    opening (`<calcPr fullCalcOnLoad="1"/>`): xlsxwriter's placeholder for a result it never
    computed, not what Excel would show — a 复垦面积 = 宅基地 + 其他 had loaded as 0. (A result the
    writer gave, `#REF!` or 42, is taken as given; a formula without one, as openpyxl writes it, is
    read as blank with a warning.)"""
    try:
        book = z.read("xl/workbook.xml")
    except KeyError:
        return None
    if not _CALC_ON_LOAD.search(book):
        return None
    for sheet, part in sheet_paths(z):
        try:
            with z.open(part) as f:  # the first `CHUNK` only, as `_stream_references` looks: a
                if _FORMULA_AS_ZERO.search(f.read(CHUNK)):  # program writes its formulas in every row
                    return sheet
        except KeyError:
            continue
    return None


def _references(sheet: str, xml: bytes, max_cells: int) -> None:
    """Every row and cell reference of the sheet's XML: the furthest row and column checked. The
    references written first in their tags (as Excel, WPS and openpyxl write them) are read by a
    fast pattern; when some tags are written otherwise, by the general one."""
    cells, rows = _CELL_FAST.findall(xml), _ROW_FAST.findall(xml)
    cols = set(cells)
    if xml.count(b"<c ") != len(cells) or xml.count(b"<row ") != len(rows):
        found = _REF.findall(xml)
        cols = {c for c, _ in found if c}
        rows = [r for _, r in found]
    if any(len(r) > 8 for r in rows):
        _check_area(sheet, MAX_ROWS + 1, 1, max_cells, "单元格引用")
    _check_area(sheet, max(map(int, rows), default=1), _furthest(cols), max_cells, "单元格引用")


def check_extent(
    z: zipfile.ZipFile, max_cells: int, scan_bytes: int = FULL_SCAN_BYTES, *, stream: bool = True
) -> dict[str, str]:
    """Refuse a workbook whose sheets reach beyond Excel's limits (a column past XFD, a row past
    1,048,576) or span more than `max_cells` cells, before any reader allocates for them
    (`ExtentError`). The declared dimension is checked always; every row and cell reference too:
    in one pass when the sheet's XML is at most `scan_bytes` (~20 ms a MB), else, with `stream`,
    by `_stream_references` (a few ms a MB: a `<dimension>` that lies is caught all the same).
    Returns, of the sheets scanned, {sheet: the first formula cell without a computed value}."""
    names = {i.filename: i for i in z.infolist()}
    uncached: dict[str, str] = {}
    for sheet, part in sheet_paths(z):
        info = names.get(part)
        if info is None:
            continue
        with z.open(info) as f:
            head = f.read(1 << 14)
            _dimension(sheet, head, max_cells)
            ref = None
            if info.file_size <= scan_bytes:
                xml = head + f.read(scan_bytes + 1)
                _references(sheet, xml, max_cells)
                ref = uncached_formula(xml)
            elif stream:
                ref = _stream_references(sheet, head, f, max_cells)
            if ref is not None:
                uncached[sheet] = ref
    return uncached


CHUNK = 8 << 20
_POW26 = (26**3, 26**2, 26, 1)


def _chunk_extent(buf: bytes) -> tuple[int, int]:
    """(furthest row, furthest column), 1-based, of the `r="…"` references in `buf` (`r='…'`
    too; after any whitespace): found and read by numpy, no reference parsed in Python; only the
    references with the most letters (digits) are valued. A column of 5 letters or more, or a row
    of 9 digits or more, comes back past every limit. One comparison runs over the whole buffer
    (where `r` is); every other test looks only at the bytes around those places."""
    import numpy as np

    a = np.frombuffer(buf, np.uint8)
    if len(a) < 8:
        return 0, 0
    r = np.flatnonzero(a[1:-2] == 114)  # `r` at r + 1, with a byte before and two after it
    r = r[(a[r + 2] == 61) & (a[r] <= 32)]
    r = r[(a[r + 3] == 34) | (a[r + 3] == 39)]
    at = r + 4
    at = at[at < len(a) - 14]  # a reference cut by the end is whole in the next chunk
    if not len(at):
        return 0, 0
    col, start = _longest_value(a, at, _is_letter, 5, lambda ch: (ch | 32) - 96, 26)
    row, _ = _longest_value(a, start, _is_digit, 9, lambda ch: ch - 48, 10)
    return row, col


def _is_letter(ch):
    low = ch | 32
    return (low >= 97) & (low <= 122)


def _is_digit(ch):
    return (ch >= 48) & (ch <= 57)


def _longest_value(a, at, kind, limit: int, value, base: int):
    """Of the runs of `kind` bytes (`kind(bytes)`: a mask) starting at the positions `at`: the
    largest value of the longest ones (`limit` or more: past every limit), and where each run ends."""
    import numpy as np

    n = np.zeros(len(at), np.int8)
    alive = np.arange(len(at))
    for i in range(limit):
        alive = alive[kind(a[at[alive] + i])]
        if not len(alive):
            break
        n[alive] += 1
    longest = int(n.max())
    if longest >= limit:
        return MAX_ROWS * MAX_COLS, at + n
    sub = at[n == longest]
    top = np.zeros(len(sub), np.int64)
    for i in range(longest):
        top = top * base + value(a[sub + i].astype(np.int64))
    return (int(top.max()) if len(top) else 0), at + n


def _stream_references(sheet: str, head: bytes, f, max_cells: int) -> str | None:
    """Every row and cell reference of a big sheet checked as the sheet is inflated, `CHUNK`
    bytes at a time (each chunk starts with the 64 bytes before it, so a reference cut by a
    chunk's end is read whole): the furthest row and column, whatever `<dimension>` says. Returns
    the first formula cell without a computed value (`uncached_formula`) of the sheet's first
    `CHUNK` bytes, if any (a program that writes formulas uncalculated writes them in every row)."""
    top_row, top_col, tail, buf, uncached = 1, 1, b"", head, None
    buf += f.read(CHUNK)
    while True:
        more = f.read(CHUNK)
        r, c = _chunk_extent(tail + buf + (b"" if more else b" " * 16))
        top_row, top_col = max(top_row, r), max(top_col, c)
        if not tail:  # the first chunk only: a search costs ≈ 7 ms a chunk, a 200k roster has 22
            uncached = uncached_formula(buf)
        if not more:
            break
        tail, buf = (tail + buf)[-64:], more
    _check_area(sheet, top_row, top_col, max_cells, "单元格引用")
    return uncached


MERGE_SCAN_BYTES = 32 << 20
"""A sheet's XML up to this size is read for its merged cells (`sheet_merges`, ≈ 2.5 ms a MB);
a bigger one (≈ 40,000 rows and more) is not, and its merged cells are read as Excel stores them:
the value in the first cell only."""
_MERGE_CELL = re.compile(
    rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=[\"']\$?([A-Za-z]+)\$?(\d+):\$?([A-Za-z]+)\$?(\d+)[\"']"
)


def sheet_merges(
    path, sheet: str, max_bytes: int = MERGE_SCAN_BYTES
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The merged ranges of an .xlsx sheet as ((first_row, first_col), (last_row, last_col)),
    0-based, from its `<mergeCells>` (after the rows); [] for a sheet over `max_bytes` of XML."""
    out: set[tuple[tuple[int, int], tuple[int, int]]] = set()
    with zipfile.ZipFile(path) as z:
        part = dict(sheet_paths(z)).get(sheet)
        if part is None or part not in z.namelist() or z.getinfo(part).file_size > max_bytes:
            return []
        with z.open(part) as f:
            tail = b""
            while chunk := f.read(1 << 22):
                buf = tail + chunk  # a tag cut by the chunk's end is whole in the next buffer
                if b"ergeCell" in buf:
                    for m in _MERGE_CELL.finditer(buf):
                        first = (int(m.group(2)) - 1, col_index(m.group(1).decode().upper()))
                        last = (int(m.group(4)) - 1, col_index(m.group(3).decode().upper()))
                        out.add((first, last))
                tail = buf[-256:]
    return sorted(out)


_HIDDEN_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_HIDDEN_COL = re.compile(rb"<(?:\w+:)?col\b([^>]*)>")
_IS_HIDDEN = re.compile(rb"\shidden=[\"'](?:1|true)[\"']")
_ROW_NO = re.compile(rb"\sr=[\"'](\d+)[\"']")
_COL_SPAN = re.compile(
    rb"\smin=[\"'](\d+)[\"'][^>]*?\smax=[\"'](\d+)[\"']|\smax=[\"'](\d+)[\"'][^>]*?\smin=[\"'](\d+)[\"']"
)


def hidden_marks(path, sheet: str, max_bytes: int = MERGE_SCAN_BYTES) -> tuple[set[int], set[int]]:
    """(rows, columns) an .xlsx sheet hides (`hidden="1"` on a `<row>`: hidden by hand, filtered
    out or folded in an outline; on a `<col>` range): rows 1-based as Excel numbers them, columns
    0-based. Empty for a sheet over `max_bytes` of XML (not read, like its merges)."""
    rows: set[int] = set()
    cols: set[int] = set()
    with zipfile.ZipFile(path) as z:
        part = dict(sheet_paths(z)).get(sheet)
        if part is None or part not in z.namelist() or z.getinfo(part).file_size > max_bytes:
            return rows, cols
        with z.open(part) as f:
            tail, last_row = b"", 0
            while chunk := f.read(1 << 22):
                buf = tail + chunk
                cut = buf.rfind(b"<")  # a tag cut by the chunk's end is read whole with the next
                if cut > 0 and b">" not in buf[cut:]:
                    buf, tail = buf[:cut], buf[cut:]
                else:
                    tail = b""
                if b"hidden" not in buf:  # the usual sheet: only where its rows have got to
                    last_row = _last_row(buf, last_row)
                    continue
                for m in _HIDDEN_ROW.finditer(buf):
                    attrs = m.group(1)
                    no = _ROW_NO.search(attrs)
                    last_row = int(no.group(1)) if no else last_row + 1
                    if _IS_HIDDEN.search(attrs):
                        rows.add(last_row)
                for m in _HIDDEN_COL.finditer(buf):
                    attrs = m.group(1)
                    span = _COL_SPAN.search(attrs)
                    if span and _IS_HIDDEN.search(attrs):
                        lo, hi = (
                            (span.group(1), span.group(2))
                            if span.group(1)
                            else (span.group(4), span.group(3))
                        )
                        cols.update(range(int(lo) - 1, min(int(hi), MAX_COLS)))
    return rows, cols


def _last_row(buf: bytes, last_row: int) -> int:
    """The number of the last `<row>` in `buf` (rows after `last_row`), read from its tag alone
    when it says its `r`; else every row of `buf` is counted on."""
    end = len(buf)
    while (at := buf.rfind(b"row", 0, end)) > 0:
        end = at
        start = buf.rfind(b"<", 0, at)
        if buf[at + 3 : at + 4] not in (b" ", b">", b"/", b"\t", b"\n", b"\r") or start < 0:
            continue
        if start + 1 < at and not _PREFIX.fullmatch(buf[start + 1 : at]):
            continue  # `</row>`, or the word in a cell's text
        tag = _HIDDEN_ROW.match(buf, start)
        if tag is None:
            continue
        no = _ROW_NO.search(tag.group(1))
        return int(no.group(1)) if no else last_row + len(_HIDDEN_ROW.findall(buf))
    return last_row


_PREFIX = re.compile(rb"\w+:")

""".xls (BIFF in an OLE2 compound file): each sheet's declared extent, read before any reader allocates.

A BIFF worksheet declares its used range in a DIMENSIONS record (rows as a 32-bit count in BIFF8),
and a reader may size its grid by it. `check_xls_extent` walks the compound file's sector chains
to the `Workbook` (BIFF8) or `Book` (BIFF5) stream, finds each worksheet by its BOUNDSHEET record
and reads that sheet's DIMENSIONS: a sheet declaring more rows or columns than an .xls can hold
(65,536 × 256), or more cells than `max_cells`, is an `ExtentError` (one line naming the sheet).
Only the records up to each DIMENSIONS are looked at, and every chain is bounded by the file's own
sector count, so a damaged file costs no more than reading it once; a file this cannot follow
(damaged, encrypted, not a workbook) is left to the reader, which names the damage.
"""

from __future__ import annotations

import struct
from pathlib import Path

from etl.read.ooxml import ExtentError

XLS_MAX_ROWS = 65_536
XLS_MAX_COLS = 256
_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE  # FREESECT, ENDOFCHAIN (and anything ≥ 0xFFFFFFFA ends a chain)
_BOF, _EOF, _BOUNDSHEET, _DIMENSIONS = 0x0809, 0x000A, 0x0085, 0x0200


class _Cfb:
    """The few parts of an OLE2 compound file needed to read one stream."""

    def __init__(self, data: bytes):
        if len(data) < 512:
            raise ValueError("short header")
        self.data = data
        self.ssz = 1 << struct.unpack_from("<H", data, 0x1E)[0]
        self.mini_ssz = 1 << struct.unpack_from("<H", data, 0x20)[0]
        if self.ssz not in (512, 4096) or self.mini_ssz != 64:
            raise ValueError("sector size")
        self.n_sectors = max(0, len(data) // self.ssz - 1)
        self.cutoff = struct.unpack_from("<I", data, 0x38)[0]
        self.fat = self._fat()

    def sector(self, n: int) -> bytes:
        off = (n + 1) * self.ssz
        if n >= self.n_sectors:
            raise ValueError("sector beyond the file")
        return self.data[off : off + self.ssz]

    def _fat(self) -> list[int]:
        n_fat = struct.unpack_from("<I", self.data, 0x2C)[0]
        difat = list(struct.unpack_from("<109I", self.data, 0x4C))
        nxt, per = struct.unpack_from("<I", self.data, 0x44)[0], self.ssz // 4 - 1
        for _ in range(self.n_sectors):
            if nxt >= 0xFFFFFFFA or len(difat) >= n_fat:
                break
            words = struct.unpack(f"<{per + 1}I", self.sector(nxt))
            difat += words[:per]
            nxt = words[per]
        fat: list[int] = []
        for s in difat[:n_fat]:
            if s < 0xFFFFFFFA:
                fat += struct.unpack(f"<{self.ssz // 4}I", self.sector(s))
        return fat

    def chain(self, start: int, table: list[int]) -> list[int]:
        out, n = [], start
        while n < 0xFFFFFFFA:
            if n >= len(table) or len(out) > len(table):
                raise ValueError("broken chain")
            out.append(n)
            n = table[n]
        return out

    def stream(self, name: str) -> bytes | None:
        """The stream `name` of the root storage, or None when there is none."""
        entries = b"".join(
            self.sector(s) for s in self.chain(struct.unpack_from("<I", self.data, 0x30)[0], self.fat)
        )
        root = None
        for off in range(0, len(entries) - 127, 128):
            e = entries[off : off + 128]
            n = struct.unpack_from("<H", e, 64)[0]
            kind, start = e[66], struct.unpack_from("<I", e, 116)[0]
            size = struct.unpack_from("<Q", e, 120)[0] & 0xFFFFFFFF
            if kind == 5:
                root = (start, size)
            if kind == 2 and 2 <= n <= 64 and e[: n - 2].decode("utf-16-le", "replace") == name:
                return self._read(start, size, root)
        return None

    def _read(self, start: int, size: int, root: tuple[int, int] | None) -> bytes:
        if size >= self.cutoff or root is None:
            return b"".join(self.sector(s) for s in self.chain(start, self.fat))[:size]
        mini = b"".join(self.sector(s) for s in self.chain(root[0], self.fat))
        n_minifat = struct.unpack_from("<I", self.data, 0x40)[0]
        minifat_start = struct.unpack_from("<I", self.data, 0x3C)[0]
        minifat: list[int] = []
        if n_minifat:
            for s in self.chain(minifat_start, self.fat):
                minifat += struct.unpack(f"<{self.ssz // 4}I", self.sector(s))
        parts = [mini[m * 64 : m * 64 + 64] for m in self.chain(start, minifat)]
        return b"".join(parts)[:size]


def _records(book: bytes, pos: int):
    """(type, payload) of the BIFF records from `pos` on."""
    while pos + 4 <= len(book):
        rtype, length = struct.unpack_from("<HH", book, pos)
        yield rtype, book[pos + 4 : pos + 4 + length]
        pos += 4 + length


def _sheets(book: bytes) -> list[tuple[str, int]]:
    """(name, offset of its BOF) of every worksheet the workbook globals list."""
    out = []
    for rtype, rec in _records(book, 0):
        if rtype == _EOF:
            break
        if rtype == _BOUNDSHEET and len(rec) >= 8 and rec[5] in (0, 1):  # a worksheet or macro sheet
            cch, flags = rec[6], rec[7]
            raw = rec[8 : 8 + cch * (2 if flags & 1 else 1)]
            name = raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace")
            if len(rec) == 7 + cch:  # BIFF5: no flags byte, 8-bit characters
                name = rec[7 : 7 + cch].decode("latin-1", "replace")
            out.append((name, struct.unpack_from("<I", rec, 0)[0]))
    return out


def _dimensions(book: bytes, pos: int) -> tuple[int, int] | None:
    """(rows, columns) a sheet's DIMENSIONS record declares (one past the last of each)."""
    for i, (rtype, rec) in enumerate(_records(book, pos)):
        if rtype == _DIMENSIONS:
            if len(rec) >= 14:  # BIFF8: rwMic, rwMac as 32-bit
                return struct.unpack_from("<I", rec, 4)[0], struct.unpack_from("<H", rec, 10)[0]
            if len(rec) >= 10:  # BIFF5
                return struct.unpack_from("<H", rec, 2)[0], struct.unpack_from("<H", rec, 6)[0]
            return None
        if rtype == _EOF or (rtype == _BOF and i > 0) or i > 10_000:
            return None
    return None


def check_xls_extent(path: Path, max_cells: int) -> None:
    """Refuse an .xls whose sheets declare more rows or columns than an .xls holds, or more than
    `max_cells` cells (`ExtentError`), before any reader allocates for them (see the module's note)."""
    try:
        cfb = _Cfb(Path(path).read_bytes())
        book = cfb.stream("Workbook") or cfb.stream("Book")
        sheets = _sheets(book) if book else []
    except (ValueError, struct.error, IndexError):
        return  # not a compound file this can follow: the reader names the damage
    for name, pos in sheets:
        dims = _dimensions(book, pos) if 0 <= pos < len(book) else None
        if dims is None:
            continue
        rows, cols = dims
        if rows > XLS_MAX_ROWS or cols > XLS_MAX_COLS:
            raise ExtentError(
                f"工作表“{name}”的声明范围 DIMENSIONS 超出 .xls 的范围（{rows:,} 行 × {cols:,} 列，"
                f"上限 {XLS_MAX_ROWS:,} × {XLS_MAX_COLS}） / sheet {name!r} declares {rows:,} rows × {cols:,}"
                " columns, beyond an .xls sheet's limits"
            )
        if rows * cols > max_cells:
            raise ExtentError(
                f"工作表“{name}”的声明范围达 {rows:,} 行 × {cols:,} 列，超过单元格上限 {max_cells:,}"
                f" / sheet {name!r} spans {rows:,} × {cols:,} cells, over STATWH_MAX_CELLS"
            )


_FORMAT, _XF = 0x041E, 0x00E0
_NUMBER, _RK, _MULRK, _FORMULA = 0x0203, 0x027E, 0x00BD, 0x0006


def _format_string(rec: bytes) -> tuple[int, str] | None:
    """(format index, format code) of a FORMAT record (BIFF8: a Unicode string; BIFF5: 8-bit)."""
    if len(rec) < 3:
        return None
    ifmt = struct.unpack_from("<H", rec, 0)[0]
    if len(rec) >= 5 and struct.unpack_from("<H", rec, 2)[0] <= len(rec):  # BIFF8
        cch, flags = struct.unpack_from("<HB", rec, 2)
        at = 5 + (2 if flags & 0x08 else 0) + (4 if flags & 0x04 else 0)
        raw = rec[at : at + cch * (2 if flags & 1 else 1)]
        return ifmt, raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace")
    return ifmt, rec[3 : 3 + rec[2]].decode("latin-1", "replace")


def _display_xfs(book: bytes) -> dict:
    """{index of an XF record: how its number format shows a number} for the workbook's XF
    records whose format is a percent or a scaling one (`etl.read.number_formats.format_kind`)."""
    from etl.read.number_formats import BUILTIN_PERCENT, format_kind

    codes: dict[int, str] = {}
    xfs: list[int] = []
    for rtype, rec in _records(book, 0):
        if rtype == _EOF:
            break
        if rtype == _FORMAT and (got := _format_string(rec)) is not None:
            codes[got[0]] = got[1]
        elif rtype == _XF and len(rec) >= 4:
            xfs.append(struct.unpack_from("<H", rec, 2)[0])
    out = {}
    for i, f in enumerate(xfs):
        code = BUILTIN_PERCENT.get(f) or codes.get(f, "")
        if kind := format_kind(code):
            out[i] = (kind, code)
    return out


def _number_cells(book: bytes, pos: int):
    """(row, column, XF index) of every cell of a sheet that holds a number (NUMBER, RK, MULRK, a
    FORMULA whose result is a number)."""
    for i, (rtype, rec) in enumerate(_records(book, pos)):
        if rtype == _EOF or (rtype == _BOF and i > 0):
            return
        if rtype in (_NUMBER, _RK) and len(rec) >= 6:
            yield struct.unpack_from("<HHH", rec, 0)
        elif rtype == _FORMULA and len(rec) >= 14 and rec[12:14] != b"\xff\xff":
            yield struct.unpack_from("<HHH", rec, 0)
        elif rtype == _MULRK and len(rec) >= 12:
            row, first = struct.unpack_from("<HH", rec, 0)
            for k in range((len(rec) - 6) // 6):
                yield row, first + k, struct.unpack_from("<H", rec, 4 + 6 * k)[0]


def xls_shown_cells(path: Path) -> dict[str, dict[tuple[int, int], tuple[str, str]]]:
    """{sheet: {(0-based row, column): how its format shows it}} for the numeric cells of an .xls
    with a percent or scaling format (see `etl.read.number_formats`: calamine gives 5.2% as 0.052); {} for
    a file this cannot follow."""
    try:
        cfb = _Cfb(Path(path).read_bytes())
        book = cfb.stream("Workbook") or cfb.stream("Book")
        if not book:
            return {}
        styles = _display_xfs(book)
        if not styles:
            return {}
        return {
            name: {(r, c): styles[xf] for r, c, xf in _number_cells(book, pos) if xf in styles}
            for name, pos in _sheets(book)
            if 0 <= pos < len(book)
        }
    except (ValueError, struct.error, IndexError):
        return {}


_ROW, _COLINFO = 0x0208, 0x007D


def _hidden_in_sheet(book: bytes, pos: int) -> tuple[set[int], set[int]]:
    """(rows 1-based, columns 0-based) a sheet's ROW records (fDyZero) and COLINFO records
    (fHidden) hide."""
    rows: set[int] = set()
    cols: set[int] = set()
    for i, (rtype, rec) in enumerate(_records(book, pos)):
        if rtype == _EOF or (rtype == _BOF and i > 0):
            break
        if rtype == _ROW and len(rec) >= 14 and struct.unpack_from("<H", rec, 12)[0] & 0x20:
            rows.add(struct.unpack_from("<H", rec, 0)[0] + 1)
        elif rtype == _COLINFO and len(rec) >= 10 and struct.unpack_from("<H", rec, 8)[0] & 0x1:
            first, last = struct.unpack_from("<HH", rec, 0)
            cols.update(range(first, min(last, XLS_MAX_COLS - 1) + 1))
    return rows, cols


def xls_hidden_marks(path: Path) -> dict[str, tuple[set[int], set[int]]]:
    """{sheet: (rows, columns) it hides} of an .xls (see `etl.read.ooxml.hidden_marks`); {} for a
    file this cannot follow."""
    try:
        cfb = _Cfb(Path(path).read_bytes())
        book = cfb.stream("Workbook") or cfb.stream("Book")
        if not book:
            return {}
        return {name: _hidden_in_sheet(book, pos) for name, pos in _sheets(book) if 0 <= pos < len(book)}
    except (ValueError, struct.error, IndexError):
        return {}

"""One big .xlsx sheet read on every core.

fastexcel (calamine) parses a sheet on one thread. A 200k-row roster's sheet is ~180 MB of XML,
and its parse is most of an ingest's time while the machine's other core waits. `read_parts`
inflates the sheet's XML once, cuts its rows into one run per core (at `<row` tags), wraps each
run in a copy of the package (the package's other entries copied as they are, the sheet stored
uncompressed), written to /dev/shm when it has room, and lets fastexcel read the copies at the
same time: it releases the GIL while it parses.

The parts are joined back into exactly what one read of the whole sheet gives:

- fastexcel counts `skip_rows` and error positions from the sheet's first row, so each part is
  read from its own first row and keeps its row numbers;
- rows the sheet does not hold between two parts (a gap at a cut) come back as empty rows, as in
  a whole read;
- the columns whose type fastexcel infers are inferred by the first part from the same sample
  rows as a whole read (the first part is cut below them); a later part that inferred another
  type (or could not be read so) is read again with the first part's types;
- a later part none of whose cells holds a value adds no rows, as in a whole read.

Whenever that cannot be assured it returns None and the caller reads the sheet whole (the reason
is logged at debug level): a sheet under `MIN_BYTES` (a split costs more than it saves) or over
`MAX_BYTES` (the inflated XML is held in memory), one core, rows without numbers or out of order,
a prefixed namespace, an entry compressed other than by deflate, a sheet that does not inflate,
parts whose cells span other columns, a first part without a value, or a part fastexcel cannot
read.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import struct
import tempfile
import threading
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

from etl.read.ooxml import sheet_paths

MIN_BYTES = 8 << 20
MAX_BYTES = 320 << 20
MAX_PARTS = 4
SAMPLE_ROWS = 2000  # fastexcel's schema_sample_rows, as load_columns reads
_ROW_TAG = re.compile(rb"<row\b[^>]*?\sr=[\"'](\d+)[\"']")

try:  # ISA-L's inflate: about twice zlib's speed; zlib when the wheel is missing
    from isal.isal_zlib import decompress as _decompress
except ImportError:  # pragma: no cover - isal is a dependency; kept for a bare install
    from zlib import decompress as _decompress

Errors = list[tuple[tuple[int, int], str]]
log = logging.getLogger(__name__)


class Part(NamedTuple):
    """What fastexcel read of a sheet (or of a part of it)."""

    table: Any  # pyarrow.Table, its columns named by their 0-based index in the sheet ("3")
    errors: Errors  # ((0-based row, 0-based column) in the sheet, fastexcel's detail) of each cell
    columns: list[int]  # the 0-based sheet columns read (those of `columns` the sheet's cells span)
    types: list[str]  # the type each column was read as


def load(reader: Any, sheet: str, skip_rows: int, columns: list[int], dtypes: dict[int, str]) -> Part:
    """One fastexcel read of `sheet` from row `skip_rows` (0-based, counted from the sheet's first
    row, as fastexcel counts rows) of `columns`, typed by `dtypes` {column: type} and the rest
    inferred from the first `SAMPLE_ROWS` rows.

    fastexcel counts columns from the first one the sheet's cells span: a table that starts in
    column B has it as column 0, and a cell's error is placed so. Columns are therefore chosen,
    typed and named here by their place in the sheet (`absolute_index`), and errors placed back
    there; a column the cells do not reach is left out (the caller fills it as empty)."""
    import pyarrow as pa

    wanted = set(columns)
    s = reader.load_sheet(
        sheet,
        header_row=None,
        skip_rows=skip_rows,
        use_columns=lambda c: c.absolute_index in wanted,
        dtypes=dtypes or None,
        schema_sample_rows=SAMPLE_ROWS,
    )
    batch, errs = s.to_arrow_with_errors()
    absolute = {c.index: c.absolute_index for c in s.available_columns()}
    chosen = s.selected_columns
    cols = [c.absolute_index for c in chosen]
    table = pa.Table.from_batches([batch]).rename_columns([str(c) for c in cols])
    found = [
        ((e.position[0], absolute.get(e.position[1], e.position[1])), e.detail)
        for e in (errs.errors if errs is not None else [])
    ]
    return Part(table, found, cols, [c.dtype for c in chosen])


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class _Package:
    """The raw entries of an .xlsx package, to write copies of it with one part replaced."""

    def __init__(self, raw: bytes, entries: list[zipfile.ZipInfo]):
        self.raw = raw  # the package's bytes; `entries` its directory (read from the same file)
        self.entries = entries

    def data(self, info: zipfile.ZipInfo) -> memoryview:
        """An entry's stored bytes (compressed as they are in the file)."""
        name_len, extra_len = struct.unpack(
            "<HH", self.raw[info.header_offset + 26 : info.header_offset + 30]
        )
        start = info.header_offset + 30 + name_len + extra_len
        return memoryview(self.raw)[start : start + info.compress_size]

    def inflate(self, info: zipfile.ZipInfo) -> bytes:
        data = self.data(info)
        out = bytes(data) if info.compress_type == zipfile.ZIP_STORED else _decompress(data, -15)
        if len(out) != info.file_size:
            raise zipfile.BadZipFile(f"{info.filename}: {len(out)} bytes inflated, {info.file_size} declared")
        return out

    def write_with_part(self, dest: Path, name: str, pieces: list[Any]) -> None:
        """Write to `dest` a copy of the package in which entry `name` holds `pieces` joined,
        stored uncompressed (written piece by piece: nothing is copied in memory)."""
        crc = 0
        size = 0
        for p in pieces:
            crc = zlib.crc32(p, crc)
            size += len(p)
        central: list[bytes] = []
        offset = 0
        with open(dest, "wb") as out:
            for info in self.entries:
                fname = info.filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
                flags = info.flag_bits & 0x800  # no data descriptor: sizes and CRC are in the header
                if info.filename == name:
                    method, e_crc, csize, usize, body = zipfile.ZIP_STORED, crc, size, size, pieces
                else:
                    method, e_crc = info.compress_type, info.CRC
                    csize, usize, body = info.compress_size, info.file_size, [self.data(info)]
                dos_time = (info.date_time[3] << 11) | (info.date_time[4] << 5) | (info.date_time[5] // 2)
                y = max(info.date_time[0], 1980)
                dos_date = ((y - 1980) << 9) | (info.date_time[1] << 5) | info.date_time[2]
                fixed = (20, flags, method, dos_time, dos_date, e_crc, csize, usize, len(fname))
                out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fixed, 0) + fname)
                for b in body:
                    out.write(b)
                central.append(
                    struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fixed, 0, 0, 0, 0, 0, offset) + fname
                )
                offset += 30 + len(fname) + csize
            cd = b"".join(central)
            out.write(cd)
            out.write(
                struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), len(cd), offset, 0)
            )


def failed(e: BaseException) -> bool:
    """An error fastexcel raised: an Exception, or a panic of its Rust code (pyo3's
    PanicException, which derives from BaseException only)."""
    return isinstance(e, Exception) or type(e).__name__ == "PanicException"


PREFIX = "statwh-sheet-"


def _prefix() -> str:
    """This process's scratch directories are named `statwh-sheet-<pid>-…`: a later process can
    tell whose they are."""
    return f"{PREFIX}{os.getpid()}-"


def remove_stale_parts(dirs: tuple[str, ...] | None = None) -> list[str]:
    """Remove the part copies a killed process left behind (SIGKILL, an Airflow task's timeout, the
    OOM killer: no `finally` runs), in /dev/shm (memory) and the temp dir. A directory whose process
    is alive, or that names no process, is left alone. Returns what was removed."""
    removed = []
    for base in dirs or ("/dev/shm", tempfile.gettempdir()):
        try:
            entries = list(os.scandir(base))
        except OSError:
            continue
        for e in entries:
            if not e.name.startswith(PREFIX) or not e.is_dir(follow_symlinks=False):
                continue
            pid = e.name[len(PREFIX) :].split("-", 1)[0]
            if not pid.isdigit() or int(pid) == os.getpid():
                continue
            try:
                os.kill(int(pid), 0)
                continue  # alive (or another user's): not ours to remove
            except ProcessLookupError:
                pass
            except (PermissionError, OverflowError):
                continue
            shutil.rmtree(e.path, ignore_errors=True)
            removed.append(e.path)
            log.info("removed the part copies of a dead process: %s", e.path)
    return removed


_swept = threading.Event()


def _sweep_once() -> None:
    """`remove_stale_parts` once per process, before its first read in parts."""
    if not _swept.is_set():
        _swept.set()
        remove_stale_parts()


def _scratch_dir(need: int) -> str | None:
    """Where the parts are written: memory (/dev/shm) when it has room for them (a container's
    is often 64 MB), else the temp dir (None: tempfile's default)."""
    shm = Path("/dev/shm")
    try:
        if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 2 * need:
            return str(shm)
    except OSError:
        pass
    return None


def _row_at(xml: bytes, at: int) -> int | None:
    m = _ROW_TAG.match(xml, at)
    return int(m.group(1)) - 1 if m else None


def cut(xml: bytes, parts: int, start_row: int) -> tuple[int, int, list[tuple[int, int]]] | None:
    """Where to cut the sheet's rows: (end of the head, start of the tail, [(offset, 0-based row
    of the part's first row)]). None when the rows cannot be cut safely."""
    head_end = xml.find(b"<sheetData>")
    tail_start = xml.rfind(b"</sheetData>")
    if head_end < 0 or tail_start < head_end:
        return None
    head_end += len(b"<sheetData>")
    cuts = [(head_end, start_row)]
    last_row = start_row + SAMPLE_ROWS - 1  # the first part keeps the rows fastexcel samples
    for k in range(1, parts):
        at = xml.find(
            b"<row ", max(head_end + (tail_start - head_end) * k // parts, cuts[-1][0] + 1), tail_start
        )
        if at < 0:
            break
        row = _row_at(xml, at)
        before = xml.rfind(b"<row ", cuts[-1][0], at)
        prev = _row_at(xml, before) if before >= 0 else None
        if row is None or prev is None or not (last_row < row and prev < row):
            return None
        cuts.append((at, row))
        last_row = row
    return (head_end, tail_start, cuts) if len(cuts) > 1 else None


def read_parts(
    path: Path,
    sheet: str,
    start_row: int,
    columns: list[int],
    dtypes: dict[int, str],
    parts: int | None = None,
) -> Part | None:
    """The sheet's rows from `start_row` (0-based) in `columns`, as one read (`load`) of the whole
    sheet gives them, read in `parts` (default: one per core, at most `MAX_PARTS`) at once.
    None: read it whole instead (see the module's note; why is logged at debug level)."""
    got = _read_parts(Path(path), sheet, start_row, columns, dtypes, min(parts or cores(), MAX_PARTS))
    if isinstance(got, str):
        log.debug("%s, sheet %s: read whole (%s)", Path(path).name, sheet, got)
        return None
    return got


def _read_parts(
    path: Path, sheet: str, start_row: int, columns: list[int], dtypes: dict[int, str], parts: int
) -> Part | str:
    """`read_parts`' work: the sheet's part cut in `parts` at row boundaries, each piece written
    into a copy of the package and read by fastexcel on its own thread, the pieces joined. A
    string says why the sheet must be read whole instead."""
    if parts < 2:
        return "one core"
    opened = _open_package(path, sheet)
    if isinstance(opened, str):
        return opened
    pkg, part, info, xml = opened
    where = cut(xml, parts, start_row)
    if where is None:
        return "cut"
    head_end, tail_start, cuts = where
    pieces = _Pieces(
        pkg,
        part,
        sheet,
        columns,
        memoryview(xml),
        head_end,
        tail_start,
        [
            (off, row, cuts[i + 1][0] if i + 1 < len(cuts) else tail_start)
            for i, (off, row) in enumerate(cuts)
        ],
    )
    with (
        tempfile.TemporaryDirectory(prefix=_prefix(), dir=_scratch_dir(info.file_size)) as scratch,
        ThreadPoolExecutor(len(pieces.bounds), thread_name_prefix="statwh-sheet") as pool,
    ):
        done = _read_pieces(pieces, Path(scratch), pool, dtypes)
    return done if isinstance(done, str) else _joined(done, [row for _, row, _ in pieces.bounds], start_row)


def _open_package(path: Path, sheet: str) -> tuple[_Package, str, zipfile.ZipInfo, bytes] | str:
    """The package, the sheet's part (its name, its entry, its XML inflated), or why not."""
    try:
        with zipfile.ZipFile(path) as z:  # the directory only: the package is read if it is used
            part = dict(sheet_paths(z))[sheet]
            info = z.getinfo(part)
            entries = z.infolist()
        if not MIN_BYTES <= info.file_size <= MAX_BYTES:
            return "size"
        if any(
            e.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or e.flag_bits & 1
            for e in entries
        ):
            return "compression"
        _sweep_once()
        pkg = _Package(path.read_bytes(), entries)
        return pkg, part, info, pkg.inflate(info)
    except Exception as e:  # not a package this can copy (the whole read reports what is wrong)
        return f"package: {e}"


class _Pieces(NamedTuple):
    """The sheet's part cut for `_read_pieces`: its XML, where its rows begin and end, and each
    piece's bounds (offset of its first row, that row's 0-based number, offset of its end)."""

    pkg: _Package
    part: str
    sheet: str
    columns: list[int]
    xml: memoryview
    head_end: int
    tail_start: int
    bounds: list[tuple[int, int, int]]

    def read(self, i: int, types: dict[int, str], scratch: Path) -> Part | BaseException:
        """Piece `i` alone in a copy of the package, read with `types`; a read failure returned."""
        import fastexcel

        off, row, end = self.bounds[i]
        book = scratch / f"part{i}.xlsx"
        try:
            xml = self.xml
            self.pkg.write_with_part(
                book, self.part, [xml[: self.head_end], xml[off:end], xml[self.tail_start :]]
            )
            try:
                return load(fastexcel.read_excel(str(book)), self.sheet, row, self.columns, types)
            finally:
                book.unlink()  # here, beside the other part's read, not after both
        except BaseException as e:
            if not failed(e):
                raise
            return e


def _read_pieces(
    pieces: _Pieces, scratch: Path, pool: ThreadPoolExecutor, dtypes: dict[int, str]
) -> list[Part] | str:
    """Every piece read at once; a piece read with other types than the first's read again with
    the first's (which a whole read gives every row). A string: why the sheet is read whole."""
    n = len(pieces.bounds)
    done = list(pool.map(pieces.read, range(n), [dtypes] * n, [scratch] * n))
    first = done[0]
    if isinstance(first, BaseException):  # the whole read reports it
        return f"fastexcel: {first}"
    for i in range(1, n):
        # a part that inferred another type from its own rows (or failed to read so): read
        # it with the first part's types, which a whole read gives every row
        if isinstance(done[i], BaseException) or done[i].types != first.types:
            done[i] = pieces.read(i, dict(zip(first.columns, first.types, strict=True)), scratch)
        if isinstance(done[i], BaseException) and "Too many rows skipped" in str(done[i]):
            # no cell of the part holds a value (styled blanks only): no rows, as in a whole read
            done[i] = Part(first.table.slice(0, 0), [], first.columns, first.types)
        if isinstance(done[i], BaseException):
            return f"fastexcel: {done[i]}"
        if not first.columns or done[i].columns != first.columns:
            return "columns"  # the parts' cells span other columns: only a whole read can tell
    return done


def _joined(done: list[Part], first_rows: list[int], start_row: int) -> Part | str:
    """The pieces' tables as one (rows absent between two pieces put back, empty, as a whole
    read has them); "overlap" when two pieces hold the same row."""
    import pyarrow as pa

    first = done[0]
    tables, errors = [], []
    end = start_row + first.table.num_rows
    for i, (table, found, _, _) in enumerate(done):
        row = first_rows[i]
        if i and table.num_rows:
            if row < end:
                return "overlap"
            if row > end:  # rows absent from the sheet between two parts: empty, as a whole read has them
                tables.append(pa.table({f.name: pa.nulls(row - end, f.type) for f in table.schema}))
            end = row + table.num_rows
        tables.append(table)
        errors.extend(found)
    schema = pa.schema([f.with_nullable(True) for f in tables[0].schema])  # a part may have no nulls
    table = pa.concat_tables([t.cast(schema) for t in tables])
    return Part(table, errors, first.columns, first.types)

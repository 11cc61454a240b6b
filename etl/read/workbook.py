"""Read any workbook or CSV into grids of cells. The one place that opens departmental files.

The format is decided from the content, never the extension: an .xlsx named .csv reads as a
workbook, a GBK CSV named .xlsx reads as text. Macros in .xlsm are never run (calamine only reads
cell values). Errors are `ReadError`s with a message a clerk can act on.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from pathlib import Path

from etl.read.grid import Grid, ReadError, Workbook, sniff_format
from etl.read.ooxml import NS, col_index, sheet_paths

TEXT_ENCODINGS = ("utf-8-sig", "gb18030")


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: BOMs (UTF-8, UTF-16) first, then UTF-8, then GB18030 (a superset of GBK)."""
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16"), "utf-16"
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if len(data) >= 4 and data[1:2] == b"\x00" and data[3:4] == b"\x00":
        return data.decode("utf-16-le"), "utf-16-le"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gbk"
    except UnicodeDecodeError as e:
        raise ReadError(
            f"文本编码无法识别（既不是 UTF-8 也不是 GBK），请另存为 UTF-8 或 Excel 格式 / unknown text encoding: {e}"
        ) from e


DELIMITERS = (",", "\t", ";", "|")


def sniff_delimiter(sample: str) -> str:
    """The delimiter most lines of `sample` agree on (title and unit lines above a table have none,
    which defeats `csv.Sniffer`); `,` when nothing stands out."""
    lines = [ln for ln in sample.splitlines()[:200] if ln.strip()]
    best, best_n = ",", 0
    for d in DELIMITERS:
        counts = [ln.count(d) for ln in lines]
        nonzero = [c for c in counts if c]
        if not nonzero:
            continue
        mode = max(set(nonzero), key=nonzero.count)
        n = sum(1 for c in counts if c == mode)
        if n > best_n:
            best, best_n = d, n
    return best


def _read_csv(path: Path, data: bytes, sheet_name: str | None = None) -> Workbook:
    text, enc = decode_text(data)
    if "\x00" in text:
        raise ReadError("文件含二进制内容，不是表格文件 / binary content, not a table")
    if not text.strip():
        raise ReadError("文件没有任何内容（只有空白） / empty file (only blanks)")
    delim = sniff_delimiter(text[:16384])
    try:
        rows = [
            [c if c != "" else None for c in r]
            for r in csv.reader(io.StringIO(text, newline=""), delimiter=delim)
        ]
    except csv.Error as e:
        raise ReadError(f"文本表格格式有误，无法读取 / malformed CSV: {e}") from e
    return Workbook(path, "csv", enc, [Grid(sheet_name or path.stem, rows)])


def _read_calamine(path: Path, fmt: str, max_cells: int) -> Workbook:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine raises its own error types for every kind of damage
        msg = str(e)
        if (
            "password" in msg.lower()
            or "encrypt" in msg.lower()
            or (fmt == "ole2" and _has_encrypted_package(path))
        ):
            raise ReadError(
                "文件已加密或受密码保护，请取消密码后重新报送 / encrypted or password-protected"
            ) from e
        raise ReadError(f"Excel 文件已损坏或格式不对，无法打开 / cannot open the workbook: {msg}") from e
    errors = _xlsx_error_cells(path) if fmt == "xlsx" else {}
    sheets = []
    for name in wb.sheet_names:
        try:
            sh = wb.get_sheet_by_name(name)
        except Exception as e:
            raise ReadError(f"工作表“{name}”无法读取 / cannot read sheet {name!r}: {e}") from e
        if sh.height * max(sh.width, 1) > max_cells:
            raise ReadError(
                f"工作表“{name}”的单元格数超过上限 {max_cells:,}（{sh.height:,} 行 × {sh.width} 列）"
                f" / sheet too large"
            )
        rows = sh.to_python(skip_empty_area=False)
        rows = [[None if c == "" else c for c in r] for r in rows]
        for (r, c), err in errors.get(name, {}).items():
            if r < len(rows) and c < len(rows[r]) and rows[r][c] is None:
                rows[r][c] = err  # calamine reads error cells as blanks: keep what Excel shows
        while rows and all(c is None for c in rows[-1]):
            rows.pop()
        try:
            merged = [tuple(map(tuple, r)) for r in (sh.merged_cell_ranges or [])]
        except Exception:
            merged = []
        sheets.append(Grid(name, rows, merged))
    return Workbook(path, "xls" if fmt == "ole2" else "xlsx", None, sheets)


def _has_encrypted_package(path: Path) -> bool:
    """An OLE2 file holding an `EncryptedPackage` stream: a password-protected .xlsx."""
    try:
        with path.open("rb") as f:
            return "EncryptedPackage".encode("utf-16-le") in f.read(1 << 20)
    except OSError:
        return False


_ERROR_TAG = b't="e"'


def _xlsx_error_cells(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Sheet name → {(row, col) 0-based: error text} for cells holding an Excel error (`#REF!`).

    Calamine returns such cells as blanks, which would make a broken formula read as a field left
    empty. Each sheet's XML is streamed once for the `t="e"` marker and parsed only when it has
    one. Never raises: a package it cannot follow simply yields no error cells."""
    import re
    from xml.etree.ElementTree import iterparse

    out: dict[str, dict[tuple[int, int], str]] = {}
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            for sheet, part in sheet_paths(z):
                if part not in names:
                    continue
                found, tail = False, b""
                with z.open(part) as f:
                    while chunk := f.read(1 << 20):
                        if _ERROR_TAG in tail + chunk:
                            found = True
                            break
                        tail = chunk[-len(_ERROR_TAG) :]
                if not found:
                    continue
                cells: dict[tuple[int, int], str] = {}
                with z.open(part) as f:
                    for _, el in iterparse(f, events=("end",)):
                        if el.tag == f"{NS}c":
                            if el.get("t") == "e":
                                m = re.match(r"([A-Z]+)(\d+)$", el.get("r", ""))
                                v = el.find(f"{NS}v")
                                if m and v is not None and v.text:
                                    cells[(int(m.group(2)) - 1, col_index(m.group(1)))] = v.text.strip()
                        elif el.tag == f"{NS}row":
                            el.clear()
                if cells:
                    out[sheet] = cells
    except Exception:  # noqa: BLE001 - best effort: the cells then read as blanks, as before
        return {}
    return out


def check_zip(path: Path, max_unzipped: int) -> None:
    """Refuse an .xlsx that is not a valid package or that expands beyond `max_unzipped` bytes."""
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            total = sum(i.file_size for i in z.infolist())
    except zipfile.BadZipFile as e:
        raise ReadError(
            f"Excel 文件已损坏（压缩包不完整，可能未传完） / truncated or corrupt .xlsx: {e}"
        ) from e
    if total > max_unzipped:
        raise ReadError(
            f"文件解压后达 {total / 2**20:,.0f} MB，超过上限 {max_unzipped / 2**20:,.0f} MB，已拒收"
            f" / expands beyond the limit (zip bomb?)"
        )
    if "[Content_Types].xml" not in names:
        raise ReadError("压缩包不是 Excel 工作簿 / a zip archive but not an .xlsx workbook")


def read_workbook(
    path: Path,
    *,
    max_bytes: int = 200 * 2**20,
    max_unzipped: int = 1 * 2**30,
    max_cells: int = 60_000_000,
    sheet_name: str | None = None,
) -> Workbook:
    """Read every sheet of `path` into grids. Raises ReadError for anything that is not a table.

    A CSV's one sheet is named `sheet_name`, else the file's stem: pass the stem of the name the
    department gave the file when `path` is a claimed or archived copy (`<uuid>__<source>`), so
    that lineage names the same sheet whichever copy was read."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise ReadError("文件为空（0 字节） / empty file (0 bytes)")
    if size > max_bytes:
        raise ReadError(
            f"文件大小 {size / 2**20:,.0f} MB 超过上限 {max_bytes / 2**20:,.0f} MB / file too large"
        )
    with path.open("rb") as f:
        head = f.read(8)
    fmt = sniff_format(head)
    if fmt == "xlsx":
        check_zip(path, max_unzipped)
        return _read_calamine(path, fmt, max_cells)
    if fmt == "ole2":
        return _read_calamine(path, fmt, max_cells)
    return _read_csv(path, path.read_bytes(), sheet_name)

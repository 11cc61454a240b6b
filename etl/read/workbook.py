"""Read any workbook or CSV into grids of cells. The one place that opens departmental files.

The format is decided from the content, never the extension: an .xlsx named .csv reads as a
workbook, a GBK CSV named .xlsx reads as text. Macros in .xlsm are never run (calamine only reads
cell values). Errors are `ReadError`s with a message a clerk can act on.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from pathlib import Path

from etl.base.cells import column_letter
from etl.base.issues import one_line
from etl.read.biff import check_xls_extent, xls_shown_cells
from etl.read.grid import Grid, ReadError, Workbook, sniff_format
from etl.read.markup import markup_kind, read_markup
from etl.read.number_formats import as_shown, display_styles, shown_cells
from etl.read.ooxml import NS, ExtentError, col_index, sheet_paths

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


def _read_csv(
    path: Path, text: str, enc: str, sheet_name: str | None = None, decimal: str | None = None
) -> Workbook:
    """A CSV as one grid, read strictly: an unclosed quote or a stray character after a closing
    quote rejects the file (naming the line), a `sep=` first line (as Excel writes it) sets the
    delimiter, and numbers written with a decimal comma are read as such only when the file (a
    `sep=;` line) or the caller (`decimal=","`) says so; otherwise one that could be read two ways
    (`51,5`, or `1,234` in a `;`-separated file) rejects the file, naming its row and column."""
    if "\x00" in text:
        raise ReadError("文件含二进制内容，不是表格文件 / binary content, not a table")
    if not text.strip():
        raise ReadError("文件没有任何内容（只有空白） / empty file (only blanks)")
    declared, text, skipped = excel_sep_line(text)
    delim = declared or sniff_delimiter(text[:16384])
    if decimal is None and declared == ";":
        decimal = ","
    rows = strict_csv_rows(text, delim, first_line=1 + skipped)
    name = sheet_name or path.stem
    if decimal == ",":
        rows = [[decimal_comma_number(c) for c in r] for r in rows]
    elif decimal is None:
        _refuse_ambiguous_numbers(rows, delim, name)
    return Workbook(path, "csv", enc, [Grid(name, rows)])


_SEP_LINE = re.compile(r"^sep=(.)[ \t]*\r?\n?$")


def excel_sep_line(text: str) -> tuple[str | None, str, int]:
    """Excel's `sep=;` first line: (the delimiter it names, the text without it, lines removed).
    (None, text, 0) when the file has no such line."""
    first, _, rest = text.partition("\n")
    m = _SEP_LINE.match(first + "\n")
    if not m:
        return None, text, 0
    return m.group(1), rest, 1


def strict_csv_rows(text: str, delim: str, *, first_line: int = 1) -> list[list[str | None]]:
    """The rows of a CSV text, blanks as None. Raises ReadError, naming the line of the file
    (`first_line` is the number of the text's first line), for a quote opened and never closed
    (which would otherwise swallow every line below it into one cell) and for a character after
    a closing quote."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    rows: list[list[str | None]] = []
    done = 0  # physical lines consumed by the rows read so far
    forced = '="' in text  # a system export's `="913208…"`: the text Excel is made to keep as text
    try:
        for r in reader:
            rows.append([(_excel_text(c) if forced else c) if c != "" else None for c in r])
            done = reader.line_num
    except csv.Error as e:
        lines = io.StringIO(text, newline="").readlines()
        left_open = _quote_left_open(lines[done:], delim) if "end of data" in str(e) else 0
        if left_open:
            opened = done + left_open + first_line - 1
            raise ReadError(
                f"第 {opened} 行的引号没有闭合，其后各行无法分辨，文件拒收；请检查该行的引号 "
                f"/ line {opened}: a quote opened here is never closed"
            ) from None
        line = reader.line_num + first_line - 1
        raise ReadError(
            f"第 {line} 行：引号之后应为分隔符“{delim}”，文本表格格式有误 "
            f"/ line {line}: malformed CSV ({one_line(str(e))})"
        ) from None
    return rows


def _excel_text(cell: str) -> str | None:
    """A cell written `="0913…"` (a system export's way to keep a code or a number with leading
    zeros as text when Excel opens the CSV) is the text inside; other cells as they are. The
    credit codes of such exports had been refused as 21 characters long."""
    if len(cell) >= 3 and cell.startswith('="') and cell.endswith('"'):
        inner = cell[2:-1].replace('""', '"')
        return inner if inner != "" else None
    return cell


def _quote_left_open(lines: list[str], delim: str) -> int:
    """The line (1-based, within `lines`) where a quote that is still open at the end opened; 0
    when every quote is closed."""
    in_quote, field_start, opened = False, True, 0
    for n, line in enumerate(lines, 1):
        i = 0
        while i < len(line):
            ch = line[i]
            if in_quote:
                if ch == '"' and line[i + 1 : i + 2] == '"':
                    i += 1
                elif ch == '"':
                    in_quote, field_start = False, False
            elif ch == '"' and field_start:
                in_quote, opened = True, n
            else:
                field_start = ch in (delim, "\r", "\n")
            i += 1
    return opened if in_quote else 0


_GROUPED = r"[1-9]\d{0,2}(?:[.\u00a0 ]\d{3})+"
_DECIMAL_COMMA = re.compile(rf"^\s*([+-]?)({_GROUPED}|\d+)(?:,(\d+))?\s*(%?)\s*$")


def decimal_comma_number(cell: str | None) -> str | None:
    """A number written with a decimal comma (`51,5`, `1.234,5`, `-0,25 %`) in the usual form
    (`51.5`, `1234.5`, `-0.25%`); any other cell as it is."""
    if cell is None:
        return None
    m = _DECIMAL_COMMA.match(cell)
    if not m or (m.group(3) is None and not re.search(r"[.\u00a0 ]", m.group(2))):
        return cell
    sign, whole, frac, pct = m.groups()
    whole = re.sub(r"[.\u00a0 ]", "", whole)
    return f"{sign}{whole}" + (f".{frac}" if frac else "") + pct


_THOUSANDS = re.compile(r"^\s*[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?\s*%?\s*$")
_COMMA_NUMBER = re.compile(r"^\s*[+-]?\d[\d.\u00a0 ]*,\d+\s*%?\s*$")


def _refuse_ambiguous_numbers(rows: list[list[str | None]], delim: str, sheet: str) -> None:
    """Raise ReadError at the first number whose comma may be a decimal comma: any in a file not
    separated by commas (`51,5` or `1,234` in a `;`-separated file), and, in a comma-separated
    file, one whose comma is no thousands separator (`51,5`, `1,23`)."""
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if cell is None or "," not in cell or not _COMMA_NUMBER.match(cell):
                continue
            if delim == "," and _THOUSANDS.match(cell):
                continue
            raise ReadError(
                f"工作表“{sheet}”第 {r + 1} 行 {column_letter(c)} 列的数值“{cell}”中的逗号无法确定是小数点"
                f'还是千位分隔符；请在文件第一行写 sep=; 或在规格中设 decimal: "," / sheet {sheet}, row {r + 1}, '
                f"column {column_letter(c)}: ambiguous number {cell!r} (decimal comma or thousands separator?)"
            )


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
    hidden = _hidden_sheet_names(wb)
    xls_shown = xls_shown_cells(path) if fmt == "ole2" else {}
    styles = _xlsx_display_styles(path) if fmt == "xlsx" else {}
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
        shown = shown_cells(path, name, styles=styles) if styles else xls_shown.get(name, {})
        for (r, c), how in shown.items():  # 5.2% is stored as 0.052: read what the sheet shows
            if r < len(rows) and c < len(rows[r]) and (text := as_shown(rows[r][c], how)) is not None:
                rows[r][c] = text
        while rows and all(c is None for c in rows[-1]):
            rows.pop()
        try:
            merged = [tuple(map(tuple, r)) for r in (sh.merged_cell_ranges or [])]
        except Exception:
            merged = []
        sheets.append(Grid(name, rows, merged, hidden=name in hidden))
    return Workbook(path, "xls" if fmt == "ole2" else "xlsx", None, sheets)


def _xlsx_display_styles(path: Path) -> dict:
    """The workbook's percent and scaling cell formats (`display_styles`), read once for its sheets."""
    try:
        with zipfile.ZipFile(path) as z:
            return display_styles(z)
    except (OSError, zipfile.BadZipFile):
        return {}


def _hidden_sheet_names(wb) -> set[str]:
    """The names of the sheets a calamine workbook says are hidden (or very hidden)."""
    from python_calamine import SheetVisibleEnum

    try:
        return {m.name for m in wb.sheets_metadata if m.visible != SheetVisibleEnum.Visible}
    except Exception:  # noqa: BLE001 - visibility only words a message: never a reason to refuse
        return set()


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
    decimal: str | None = None,
) -> Workbook:
    """Read every sheet of `path` into grids. Raises ReadError for anything that is not a table.

    A CSV's one sheet is named `sheet_name`, else the file's stem: pass the stem of the name the
    department gave the file when `path` is a claimed or archived copy (`<uuid>__<source>`), so
    that lineage names the same sheet whichever copy was read. `decimal` (`","` or `"."`) says how
    a CSV writes its numbers when the file does not (see `_read_csv`)."""
    path = Path(path)
    try:
        return _read_file(path, max_bytes, max_unzipped, max_cells, sheet_name, decimal)
    except OSError as e:  # unreadable (permissions), a directory, a file gone, an I/O error
        raise ReadError(
            f"文件无法读取（{e.strerror or e}），请检查文件权限后重新报送 / cannot read the file: {e.strerror or e}"
        ) from e


def _read_file(
    path: Path, max_bytes: int, max_unzipped: int, max_cells: int, sheet_name: str | None, decimal: str | None
) -> Workbook:
    """`read_workbook`'s reading, which may raise OSError."""
    if path.is_dir():
        raise ReadError("这是一个文件夹，不是表格文件 / a directory, not a file")
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
        try:  # a sheet's declared DIMENSIONS, before calamine allocates a grid by it
            check_xls_extent(path, max_cells)
        except ExtentError as e:
            raise ReadError(str(e)) from None
        return _read_calamine(path, fmt, max_cells)
    text, enc = decode_text(path.read_bytes())
    if kind := markup_kind(text):  # an .xls that is an HTML page, an Excel 2003 XML workbook
        return read_markup(path, text, enc, kind, sheet_name or path.stem, max_cells)
    return _read_csv(path, text, enc, sheet_name, decimal)

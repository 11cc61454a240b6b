"""Writers: one sheet drawn as cells, merges and hidden rows / columns → .xlsx, .xls, CSV bytes, or
an HTML table saved as .xls (as government systems and WPS export: merges as colspan/rowspan).

The writers know nothing of statwh: a `Sheet` is what a person would type into a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import xlwt
from openpyxl.utils import get_column_letter

FORMATS = ("xlsx", "xls", "csv-utf8", "csv-bom", "csv-gbk", "html-xls")


@dataclass
class Sheet:
    """Cells at 0-based (row, column); merges as (first_row, first_col, last_row, last_col)."""

    name: str
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)

    def put_row(self, r: int, c0: int, values: list[Any]) -> None:
        for k, v in enumerate(values):
            if v is not None:
                self.cells[(r, c0 + k)] = v

    @property
    def height(self) -> int:
        return max((r for r, _ in self.cells), default=-1) + 1

    @property
    def width(self) -> int:
        return max((c for _, c in self.cells), default=-1) + 1


def extension(fmt: str) -> str:
    return "xls" if fmt == "html-xls" else fmt.split("-")[0]


def write(sheet: Sheet, fmt: str, path: Path) -> Path:
    """Write `sheet` as `fmt` (one of FORMATS) to `path`."""
    if fmt == "xlsx":
        _xlsx(sheet, path)
    elif fmt == "xls":
        _xls(sheet, path)
    elif fmt == "html-xls":
        path.write_bytes(html_bytes(sheet))
    else:
        path.write_bytes(csv_bytes(sheet, fmt))
    return path


def _xlsx(sheet: Sheet, path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet.name
    for (r, c), v in sheet.cells.items():
        ws.cell(row=r + 1, column=c + 1, value=v)
        if isinstance(v, dt.date):
            ws.cell(row=r + 1, column=c + 1).number_format = "yyyy-mm-dd"
    for r0, c0, r1, c1 in sheet.merges:
        ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    for r in sheet.hidden_rows:
        ws.row_dimensions[r + 1].hidden = True
    for c in sheet.hidden_cols:
        ws.column_dimensions[get_column_letter(c + 1)].hidden = True
    wb.save(path)


def _xls(sheet: Sheet, path: Path) -> None:
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet.name)
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    covered: set[tuple[int, int]] = set()
    for r0, c0, r1, c1 in sheet.merges:
        ws.write_merge(r0, r1, c0, c1, sheet.cells.get((r0, c0)))
        covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    for (r, c), v in sheet.cells.items():
        if (r, c) in covered:
            continue
        if isinstance(v, dt.date):
            ws.write(r, c, v, date_style)
        else:
            ws.write(r, c, v)
    for r in sheet.hidden_rows:
        ws.row(r).hidden = True
    for c in sheet.hidden_cols:
        ws.col(c).hidden = True
    wb.save(str(path))


def _text(v: Any) -> str:
    """A cell as a CSV export writes it: no exponent, dates ISO."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return np.format_float_positional(v, trim="-")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def csv_bytes(sheet: Sheet, fmt: str) -> bytes:
    """The sheet as CSV: `csv-utf8`, `csv-bom` (UTF-8 with a BOM, as Excel saves it) or `csv-gbk`."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for r in range(sheet.height):
        w.writerow([_text(sheet.cells.get((r, c))) for c in range(sheet.width)])
    text = buf.getvalue()
    if fmt == "csv-gbk":
        return text.encode("gbk")
    return ("\ufeff" if fmt == "csv-bom" else "").encode() + text.encode("utf-8")


def html_bytes(sheet: Sheet) -> bytes:
    """The sheet as the HTML table an "export to Excel" writes under an .xls name, in GBK: merged
    cells as colspan/rowspan, every cell as text (hidden rows and columns written like the rest)."""
    starts = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in sheet.merges}
    covered = {
        (r, c) for r0, c0, r1, c1 in sheet.merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
    } - set(starts)
    out = [
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body><table>'
    ]
    for r in range(sheet.height):
        cells = []
        for c in range(sheet.width):
            if (r, c) in covered:
                continue
            rows, cols = starts.get((r, c), (1, 1))
            span = (f' rowspan="{rows}"' if rows > 1 else "") + (f' colspan="{cols}"' if cols > 1 else "")
            cells.append(f"<td{span}>{html.escape(_text(sheet.cells.get((r, c))))}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table></body></html>")
    return "\n".join(out).encode("gbk")

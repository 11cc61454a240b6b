"""Tables saved as markup under a spreadsheet's name: the `.xls` that is an HTML page (what many
government systems and WPS "export to Excel" write) and the Excel 2003 XML workbook
(SpreadsheetML). Both are read into grids like any sheet — merged cells (`colspan`/`rowspan`,
`ss:MergeAcross`/`ss:MergeDown`) as merges, so headers drawn over two rows read as in .xlsx —
instead of as text with no header in it.

A page with no table, and XML that declares a DTD or entities (a spreadsheet never needs one),
are refused with a message saying what the file is."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from etl.read.grid import Grid, ReadError, Workbook

_SS = "urn:schemas-microsoft-com:office:spreadsheet"
MAX_MARKUP_CELLS = 5_000_000  # spans are expanded cell by cell: a bound on memory as well
_BLOCK = {"br", "p", "div", "li", "tr"}  # tags that break a cell's text into lines


def markup_kind(text: str) -> str | None:
    """`html`, `spreadsheetml` or `markup` (some other page) when the text is markup, else None."""
    start = text.lstrip("\ufeff \t\r\n")[:1]
    if start != "<":
        return None
    head = text[:8192]
    if _SS in head and re.search(r"<(\w+:)?Workbook\b", head):
        return "spreadsheetml"
    if re.search(r"<table\b", text, re.IGNORECASE):
        return "html"
    return "markup"


def read_markup(path: Path, text: str, encoding: str, kind: str, stem: str, max_cells: int) -> Workbook:
    max_cells = min(max_cells, MAX_MARKUP_CELLS)
    if kind == "spreadsheetml":
        return Workbook(path, "xml", encoding, _spreadsheetml_grids(text, stem, max_cells))
    if kind == "html":
        parser = _Tables(max_cells)
        parser.feed(text)
        parser.close()
        tables = [t for t in parser.tables if any(any(c is not None for c in r) for r in t.rows)]
        if tables:
            named = [Grid(stem if len(tables) == 1 else f"{stem} 表{i}", t.rows, t.merged) for i, t in
                     enumerate(tables, 1)]  # fmt: skip
            return Workbook(path, "html", encoding, named)
    raise ReadError(
        "文件是网页或 XML，其中没有表格；请在 Excel/WPS 中另存为 .xlsx 后重新报送"
        " / a web page or XML file with no table in it: save it as .xlsx"
    )


# ------------------------------------------------------------------ HTML


class _Table:
    def __init__(self) -> None:
        self.rows: list[list[object]] = []
        self.merged: list[tuple[tuple[int, int], tuple[int, int]]] = []
        self.taken: set[tuple[int, int]] = set()  # cells covered by a rowspan from above
        self.row = -1
        self.col = 0

    def new_row(self) -> None:
        self.row += 1
        self.col = 0
        self.rows.append([])

    def put(self, text: str, rowspan: int, colspan: int) -> None:
        if self.row < 0:
            self.new_row()
        while (self.row, self.col) in self.taken:
            self.col += 1
        r, c = self.row, self.col
        self._set(r, c, text or None)
        if rowspan > 1 or colspan > 1:
            self.merged.append(((r, c), (r + rowspan - 1, c + colspan - 1)))
            for dr in range(rowspan):
                for dc in range(colspan):
                    if dr or dc:
                        self.taken.add((r + dr, c + dc))
        self.col += colspan

    def _set(self, r: int, c: int, value: object) -> None:
        row = self.rows[r]
        if len(row) <= c:
            row.extend([None] * (c + 1 - len(row)))
        row[c] = value

    def finish(self) -> None:
        width = max((len(r) for r in self.rows), default=0)
        for r in self.rows:
            r.extend([None] * (width - len(r)))
        depth = max((m[1][0] for m in self.merged), default=-1) + 1
        self.rows.extend([[None] * width for _ in range(depth - len(self.rows))])


def _span(attrs: list[tuple[str, str | None]], name: str) -> int:
    v = dict(attrs).get(name) or "1"
    m = re.match(r"\s*(\d+)", v)
    return max(1, min(int(m.group(1)), 1000)) if m else 1


class _Tables(HTMLParser):
    """Top-level `<table>`s as grids; a nested table's text goes into the cell that holds it."""

    def __init__(self, max_cells: int) -> None:
        super().__init__(convert_charrefs=True)
        self.max_cells = max_cells
        self.tables: list[_Table] = []
        self.depth = 0  # table nesting
        self.cell: list[str] | None = None
        self.spans = (1, 1)
        self.skip = 0  # inside <script>/<style>
        self.cells = 0

    @property
    def table(self) -> _Table:
        return self.tables[-1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "table":
            self.depth += 1
            if self.depth == 1:
                self.tables.append(_Table())
        elif self.depth == 1 and tag == "tr":
            self._end_cell()
            self.table.new_row()
        elif self.depth == 1 and tag in ("td", "th"):
            self._end_cell()
            self.cell, self.spans = [], (_span(attrs, "rowspan"), _span(attrs, "colspan"))
        elif tag in _BLOCK and self.cell is not None:
            self.cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag == "table":
            if self.depth == 1:
                self._end_cell()
                self.table.finish()
            self.depth = max(0, self.depth - 1)
        elif self.depth == 1 and tag in ("td", "th", "tr"):
            self._end_cell()

    def handle_data(self, data: str) -> None:
        if self.cell is not None and not self.skip:
            self.cell.append(data)

    def _end_cell(self) -> None:
        if self.cell is None:
            return
        lines = ("".join(self.cell)).replace("\xa0", " ").split("\n")
        text = "\n".join(" ".join(x.split()) for x in lines).strip()
        rowspan, colspan = self.spans
        self.cells += rowspan * colspan
        if self.cells > self.max_cells:
            raise ReadError(
                f"网页表格超过 {self.max_cells:,} 个单元格 / the table exceeds {self.max_cells:,} cells"
            )
        self.table.put(text, rowspan, colspan)
        self.cell = None


# ------------------------------------------------------------------ SpreadsheetML (Excel 2003 XML)


def _spreadsheetml_grids(text: str, stem: str, max_cells: int) -> list[Grid]:
    if re.search(r"<!(DOCTYPE|ENTITY)", text[:65536], re.IGNORECASE):
        raise ReadError("XML 文件声明了 DTD 或实体，已拒收 / XML with a DTD or entities is refused")
    try:
        root = ET.fromstring(text.lstrip("\ufeff"))
    except ET.ParseError as e:
        raise ReadError(f"XML 文件已损坏（{e}） / damaged XML workbook: {e}") from None
    grids, cells = [], 0
    for i, ws in enumerate(root.iter(f"{{{_SS}}}Worksheet"), 1):
        name = ws.get(f"{{{_SS}}}Name") or f"Sheet{i}"
        rows: list[list[object]] = []
        merged: list[tuple[tuple[int, int], tuple[int, int]]] = []
        taken: set[tuple[int, int]] = set()
        r = -1
        for row in ws.iter(f"{{{_SS}}}Row"):
            r = _index(row, r + 1)
            c = -1
            for cell in row.findall(f"{{{_SS}}}Cell"):
                c = _index(cell, c + 1)
                while (r, c) in taken:
                    c += 1
                across, down = _int(cell, "MergeAcross"), _int(cell, "MergeDown")
                cells += (across + 1) * (down + 1)
                if cells > max_cells or r > 10_000_000 or c > 20_000:
                    raise ReadError(f"XML 工作簿超过 {max_cells:,} 个单元格 / the workbook is too large")
                while len(rows) <= r:
                    rows.append([])
                line = rows[r]
                line.extend([None] * (c + 1 - len(line)))
                line[c] = _value(cell.find(f"{{{_SS}}}Data"))
                if across or down:
                    merged.append(((r, c), (r + down, c + across)))
                    taken.update(
                        (r + dr, c + dc) for dr in range(down + 1) for dc in range(across + 1) if dr or dc
                    )
                c += across
        width = max((len(x) for x in rows), default=0)
        depth = max([len(rows)] + [m[1][0] + 1 for m in merged])
        rows.extend([] for _ in range(depth - len(rows)))
        for x in rows:
            x.extend([None] * (width - len(x)))
        grids.append(Grid(name, rows, merged))
    if not grids:
        raise ReadError("XML 文件中没有工作表 / an XML workbook with no worksheet")
    return grids


def _index(el: ET.Element, default: int) -> int:
    """`ss:Index` (1-based) where the file skips rows or cells, else the next position."""
    v = el.get(f"{{{_SS}}}Index")
    return int(v) - 1 if v and v.isdigit() and int(v) >= 1 else default


def _int(el: ET.Element, name: str) -> int:
    v = el.get(f"{{{_SS}}}{name}")
    return min(int(v), 10_000) if v and v.isdigit() else 0


def _value(data: ET.Element | None) -> object:
    if data is None:
        return None
    text = "".join(data.itertext())
    kind = data.get(f"{{{_SS}}}Type")
    if kind == "Number":
        try:
            return float(text)
        except ValueError:
            return text
    if kind == "DateTime":
        try:
            return dt.datetime.fromisoformat(text.rstrip("Z"))
        except ValueError:
            return text
    if kind == "Boolean":
        return text.strip() == "1"
    return text if text != "" else None

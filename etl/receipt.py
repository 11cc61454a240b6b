"""The receipt (回执) a department gets back for a file: its own workbook, every refused cell marked.

A copy of the workbook the department sent, with each cell that kept a row out of the warehouse
(quarantined, or a located reason the whole file was rejected) filled red and commented in
Chinese (what is wrong, the value found, what is expected), warnings filled yellow; and a first
sheet 回执 summarising rows read, loaded and refused, the file-level reasons and every issue in a
list. A .xls or CSV file (which openpyxl cannot copy), or a workbook it cannot open, becomes a new
.xlsx holding the data as read, marked the same way. Written by `statwh check --receipt OUT` and
beside each pulled file in the department's SFTP folder (`etl.pull`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string

from etl.base.issues import Issue
from etl.read import ReadError, read_workbook

SUMMARY_SHEET = "回执"
RED = PatternFill("solid", fgColor="FFC7CE")
YELLOW = PatternFill("solid", fgColor="FFEB9C")
KIND = {"critical": "拒收", "row": "隔离", "warning": "提醒"}
STATUS_ZH = {
    "loaded": "已入库 / loaded",
    "partial": "部分入库：标红的行未入库 / loaded, some rows quarantined",
    "rejected": "整个文件被拒收，未入库 / rejected, nothing loaded",
    "duplicate": "重复报送：此前已收到相同文件，未重复入库 / duplicate, nothing loaded twice",
}
CHECKED = "预检，未入库；报送后将：/ checked only, nothing loaded; if sent: "
COPY_LIMIT = 10 * 2**20
"""Files larger than this get a receipt without the copy (openpyxl holds every cell in memory:
about 1 GB for a 10 MB roster of some 150k rows)."""
LETTER = re.compile(r"\(([A-Z]{1,3})\)\s*$")


@dataclass
class Outcome:
    """What a receipt reports: one file's verdict, counts and issues."""

    file_name: str
    source: str
    status: str  # loaded / partial / rejected / duplicate
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    issues: list[Issue] = field(default_factory=list)
    message: str = ""
    checked_only: bool = False  # `statwh check`: what would happen, nothing loaded


def receipt_name(file_name: str) -> str:
    """`报表.xlsx` → `报表.回执.xlsx`: the receipt's name beside the file."""
    return f"{Path(file_name).stem}.{SUMMARY_SHEET}.xlsx"


def column_index(issue: Issue) -> int | None:
    """The 1-based column an issue names with its letter (`企业名称 (C)`), else None."""
    m = LETTER.search(issue.column or "")
    return column_index_from_string(m.group(1)) if m else None


def write_receipt(path: Path | None, outcome: Outcome, out: Path) -> Path:
    """Write the receipt for the file at `path` to `out` (.xlsx), atomically; returns `out`.
    Without `path` (a file refused unread is not kept) the receipt is the summary sheet alone."""
    out = Path(out)
    wb = _copy_of(path, Path(outcome.file_name).stem)
    marked = None if wb is None else _mark(wb, outcome.issues)
    if wb is None:
        wb = Workbook()
        wb.remove(wb.active)
    _summary(wb, outcome, marked)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".receipt-", suffix=".xlsx", dir=out.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def _copy_of(path: Path | None, stem: str) -> Workbook | None:
    """The department's workbook as openpyxl opens it (formatting kept), or a new one holding the
    data of a .xls / CSV file as read (a CSV's sheet named `stem`, as extraction names it, whatever
    the copy's name); None when neither can be read."""
    if path is None or not Path(path).is_file() or Path(path).stat().st_size > COPY_LIMIT:
        return None
    try:
        return load_workbook(path)
    except Exception:  # not an .xlsx openpyxl can open: read it as a grid
        pass
    try:
        book = read_workbook(path, sheet_name=stem)
    except (ReadError, OSError):
        return None
    wb = Workbook()
    wb.remove(wb.active)
    for grid in book.sheets:
        ws = wb.create_sheet(_sheet_title(grid.name, wb))
        for row in grid.rows:
            ws.append([_clean(v) for v in row])
    return wb


def _sheet_title(name: str, wb: Workbook) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "Sheet"
    return title if title not in wb.sheetnames else f"{title[:28]}_{len(wb.sheetnames)}"


def _clean(value):
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _mark(wb: Workbook, issues: list[Issue]) -> set[tuple[str, int, int]]:
    """Fill and comment every located issue's cell; the (sheet, row, column) cells marked."""
    by_cell: dict[tuple[str, int, int], list[tuple[Issue, bool]]] = {}
    for i in issues:
        title = _title_of(wb, i.sheet)
        if title is None or not i.row:
            continue
        col = column_index(i)
        whole_row = col is None
        by_cell.setdefault((title, i.row, col or 1), []).append((i, whole_row))
    for (title, row, col), found in by_cell.items():
        cell = _anchor(wb[title], row, col)
        refused = any(i.severity != "warning" for i, _ in found)
        cell.fill = RED if refused else YELLOW
        text = "\n\n".join(_comment_text(i, whole) for i, whole in found)
        cell.comment = Comment(text, "statwh", width=360, height=60 + 18 * text.count("\n") + len(text) // 2)
    return set(by_cell)


def _anchor(ws, row: int, col: int):
    """The cell at (row, col), or the first cell of the merged range covering it (the only one
    of a merged range that takes a fill and a comment)."""
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
            return ws.cell(row=rng.min_row, column=rng.min_col)
    return ws.cell(row=row, column=col)


def _title_of(wb: Workbook, sheet: str | None) -> str | None:
    if sheet in wb.sheetnames:
        return sheet
    return wb.sheetnames[0] if sheet and len(wb.sheetnames) == 1 else None


def _comment_text(issue: Issue, whole_row: bool) -> str:
    head = {
        "critical": "【拒收】此问题使整个文件未能入库",
        "row": "【隔离】本行未入库",
        "warning": "【提醒】请核对（不影响入库）",
    }.get(issue.severity, "【问题】")
    lines = [head]
    if whole_row and issue.column:
        lines.append(f"列：{issue.column}")
    lines.append(f"问题：{issue.message}")
    if issue.value not in (None, ""):
        lines.append(f"填写的值：{issue.value}")
    lines.append("请按说明改正后，重新报送整份文件。" if issue.severity != "warning" else "如无误可不处理。")
    return "\n".join(lines)


def _summary(wb: Workbook, o: Outcome, marked: set | None) -> None:
    """The first sheet: verdict, counts, file-level reasons, every issue."""
    title = SUMMARY_SHEET if SUMMARY_SHEET not in wb.sheetnames else f"{SUMMARY_SHEET}(statwh)"
    ws = wb.create_sheet(title, 0)
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
    ws.append([f"数据报送回执 / receipt — {o.file_name}"])
    ws["A1"].font = Font(bold=True, size=14)
    _summary_counts(ws, o, marked)
    _summary_reasons(ws, o)
    _summary_issues(ws, o)
    for col, width in zip("ABCDEF", (22, 40, 22, 8, 90, 20), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")


def _summary_counts(ws, o: Outcome, marked: set | None) -> None:
    """The file, its source, the verdict and the counts, a line each."""
    rows = [
        ("文件 / file", o.file_name),
        ("数据源 / source", o.source),
        ("处理结果 / outcome", (CHECKED if o.checked_only else "") + STATUS_ZH.get(o.status, o.status)),
        ("读取行数 / rows read", o.rows_read),
        (
            "可入库行数 / rows that would load" if o.checked_only else "入库行数 / rows loaded",
            o.rows_loaded,
        ),
        ("隔离行数 / rows quarantined", o.rows_quarantined),
        (
            "标注的单元格 / cells marked",
            "—（未附原表 / no copy of the file）" if marked is None else len(marked),
        ),
        ("生成时间 / written", dt.datetime.now().strftime("%Y-%m-%d %H:%M")),
    ]
    for k, v in rows:
        ws.append([k, v])
        ws.cell(ws.max_row, 1).font = Font(bold=True)


def _summary_reasons(ws, o: Outcome) -> None:
    """Why the file was rejected (its critical issues, or the load's message), when it was."""
    critical = [i for i in o.issues if i.severity == "critical"]
    reasons = [i.describe() for i in critical] or (
        [o.message] if o.status == "rejected" and o.message else []
    )
    if reasons:
        ws.append(["拒收原因 / why the file was rejected"])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        for r in reasons:
            ws.append(["", r])


def _summary_issues(ws, o: Outcome) -> None:
    """How to read the marks, then every issue: sheet, row, column, kind, what is wrong, value."""
    ws.append([])
    ws.append(
        [
            "说明：标红的单元格是未能入库的原因（隔离或拒收），标黄的是已入库但请核对的提醒；"
            "把鼠标移到单元格上可看批注。请改正后重新报送整份文件。"
        ]
    )
    ws.append([])
    ws.append(
        [
            "工作表 / sheet",
            "行 / row",
            "列 / column",
            "类别 / kind",
            "问题 / what is wrong",
            "填写的值 / value",
        ]
    )
    for c in ws[ws.max_row]:
        c.font = Font(bold=True)
    for i in sorted(o.issues, key=_order):
        ws.append(
            [
                _clean(x)
                for x in (i.sheet, i.row, i.column, KIND.get(i.severity, i.severity), i.message, i.value)
            ]
        )


def _order(i: Issue) -> tuple:
    return ({"critical": 0, "row": 1}.get(i.severity, 2), i.sheet or "", i.row or 0, i.column or "")

"""What extraction returns: the header it matched, what it saw on each sheet, the rows it made."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from etl.base.issues import Issue
from etl.spec.model import SourceSpec

NOTE_PREFIXES = (
    "注",
    "备注",
    "说明",
    "数据来源",
    "资料来源",
    "来源",
    "填表人",
    "审核人",
    "制表人",
    "负责人",
    "填报人",
    "联系电话",
)
PART_PREFIXES = ("其中", "内：")
RESHAPED = frozenset({"wide", "measures"})
"""Shapes whose file rows are reshaped into several rows each (one per value cell)."""


@dataclass
class HeaderMatch:
    row: int  # 0-based index of the first header row
    depth: int  # 1 to 3 rows
    names: list[str]  # joined header text per column
    mapping: dict[str, int]  # field → 0-based column
    duplicates: dict[str, list[int]]
    score: int
    missing_required: list[str]


@dataclass
class SheetInfo:
    """What `statwh check` prints about one sheet."""

    sheet: str
    header_rows: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # field → "header text (F)"
    unmapped: list[str] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)  # field → "万元 (from header) → 万元 ×1"
    missing: dict[str, dict[str, int]] = field(default_factory=dict)  # field → {"—": 2, "": 1} ("" = blank)
    period: str | None = None
    period_from: str | None = None
    reporter: str | None = None
    rows_read: int = 0
    dropped_totals: int = 0
    dropped_notes: int = 0
    dropped_parts: int = 0
    dropped_blank: int = 0
    dropped_headers: int = 0  # the header repeated below it (a long printout's pages)
    dropped_headings: int = 0  # numbered section headings among the rows (`一、车桥镇`)
    # rows of one text among the data (`二、规模以下工业企业`): (row index, text, a header repeated after it)
    headings: list[tuple[int, str, bool]] = field(default_factory=list)
    totals: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Extraction:
    path: Path
    source: str
    spec: SourceSpec | None
    format: str | None = None
    encoding: str | None = None
    frame: pd.DataFrame | None = None
    sheets: list[SheetInfo] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    considered: list[str] = field(default_factory=list)
    column_map: list[dict[str, Any]] = field(default_factory=list)  # for meta.load_columns
    # every 合计/小计 row checked against its parts, one per column (etl.extract.totals), for meta.reconciliations
    reconciliations: list[dict[str, Any]] = field(default_factory=list)
    at_sheet: str | None = None  # the sheet being extracted (named when extraction fails)

    @property
    def critical(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "critical"]

    @property
    def rows_read(self) -> int:
        return sum(s.rows_read for s in self.sheets)

    @property
    def reshaped(self) -> bool:
        """Whether each row of the file became several rows of the frame (wide, measures)."""
        return self.spec is not None and self.spec.shape in RESHAPED


@dataclass(frozen=True)
class RowCounts:
    """How many of a file's rows load and how many are quarantined, counted in the file's own
    rows (a wide or measures row is one row, however many values it gives), and the values."""

    rows: int
    quarantined: int
    values: int

    def describe(self) -> str:
        extra = f" ({self.values} values)" if self.values != self.rows else ""
        return f"{self.rows} rows{extra}, quarantine {self.quarantined}"


def row_counts(
    frame: pd.DataFrame | None, bad: set[tuple[str | None, int | None]], reshaped: bool
) -> RowCounts:
    """The counts of a file whose frame keeps every row except those at (sheet, row) in `bad`:
    what `statwh check` says would load and what the load records (etl.warehouse.load), one count."""
    if frame is None or frame.empty:
        return RowCounts(0, len(bad), 0)
    at = list(zip(frame["_sheet"].astype(object), frame["_row"].astype("int64"), strict=True))
    keep = [k not in bad for k in at]
    kept = [k for k, ok in zip(at, keep, strict=True) if ok]
    rows = len(set(kept)) if reshaped else len(kept)
    return RowCounts(rows, len(bad), len(kept))

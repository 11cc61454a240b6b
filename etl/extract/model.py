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
    at_sheet: str | None = None  # the sheet being extracted (named when extraction fails)

    @property
    def critical(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "critical"]

    @property
    def rows_read(self) -> int:
        return sum(s.rows_read for s in self.sheets)

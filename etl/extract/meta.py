"""Metadata around a table: title, 单位 rows, 指标/地区 lines, the period of a sheet, and units."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from etl.base import cells
from etl.base.cells import Period, clean_text
from etl.extract.header import label_text
from etl.read import Grid
from etl.spec.model import FieldSpec, SourceSpec

# ---------------------------------------------------------------- metadata around the table


_META_INDICATOR = re.compile(r"^指标\s*[:：]\s*(.+)$")
_META_REGION = re.compile(r"^地区\s*[:：]\s*(.+)$")


@dataclass
class SheetMeta:
    title_texts: list[str]
    unit_row: str | None
    reporter: str | None
    indicator: str | None
    region: str | None


def sheet_meta(grid: Grid, header_row: int) -> SheetMeta:
    texts = []
    for r in range(header_row):
        for c in grid.rows[r]:
            t = label_text(c)
            if t:
                texts.append(t)
    unit = reporter = indicator = region = None
    for t in texts:
        unit = unit or cells.unit_from_unit_row(t)
        reporter = reporter or cells.reporter_in_text(t)
        m = _META_INDICATOR.match(t)
        if m:
            indicator = m.group(1).strip()
        m = _META_REGION.match(t)
        if m:
            region = m.group(1).strip()
    return SheetMeta(texts, unit, reporter, indicator, region)


def unit_in_file_name(name: str) -> str | None:
    stem = clean_text(Path(name).stem)
    u = cells.unit_in_text(stem)
    if u:
        return u
    for known in sorted(cells.KNOWN_UNITS, key=len, reverse=True):
        if re.search(rf"(^|[\s_\-—]){re.escape(known)}$", stem):
            return known
    return None


def period_of_sheet(
    spec: SourceSpec, grid: Grid, meta: SheetMeta, file_name: str
) -> tuple[Period | None, str | None]:
    for where in spec.period_from:
        if where == "sheet":
            p = cells.parse_period(grid.name) if not re.fullmatch(r"(?i)sheet\d*", grid.name) else None
        elif where == "title":
            p = next((q for t in meta.title_texts if (q := cells.parse_period(t))), None)
        elif where == "file_name":
            p = cells.parse_period(Path(file_name).stem)
        else:
            continue
        if p:
            return p, where
    return None, None


def unit_source(header: str, meta: SheetMeta, file_name: str) -> tuple[str | None, str | None]:
    """The unit a file gives a column, and where it says so — in this order: the header text
    (`（万元）`), a unit row (`单位：`, never `填报单位：`), an `指标：…(亿元)` line, the file name."""
    if u := cells.unit_in_text(header):
        return u, "header"
    if meta.unit_row:
        return meta.unit_row, "unit row"
    if meta.indicator and (u := cells.unit_in_text(meta.indicator)):
        return u, "指标 line"
    if u := unit_in_file_name(file_name):
        return u, "file name"
    return None, None


def unit_for(f: FieldSpec, header: str, meta: SheetMeta, file_name: str) -> tuple[str | None, str]:
    u, src = unit_source(header, meta, file_name)
    return (u, src) if u else (f.default_unit, "spec default")

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


UNIT_PLACES = ("header", "unit row", "指标 line", "title", "file name", "spec")
"""Where a unit may be written, in the order it is taken (README "Adding a departmental layout")."""


def unit_sources(header: str, meta: SheetMeta, file_name: str) -> list[tuple[str, str]]:
    """Every unit the file gives a column, with where it says so, in `UNIT_PLACES` order: the
    header text (`（万元）`), a unit row (`单位：`, never `填报单位：`), an `指标：…(亿元)` line, a
    title above the table (`…（万元）`), the file name."""
    found: list[tuple[str, str]] = []
    # a child's own unit before its parents' (`工业总产值（万元）/从业人员（人）`: 人)
    if u := next((u for part in reversed(header.split("/")) if (u := cells.unit_in_text(part))), None):
        found.append((u, "header"))
    if meta.unit_row:
        found.append((meta.unit_row, "unit row"))
    if meta.indicator and (u := cells.unit_in_text(meta.indicator)):
        found.append((u, "指标 line"))
    for t in meta.title_texts:
        if not _META_INDICATOR.match(t) and (u := cells.unit_in_text(t)):
            found.append((u, "title"))
            break
    if u := unit_in_file_name(file_name):
        found.append((u, "file name"))
    return found


def unit_conflict(found: list[tuple[str, str]]) -> str | None:
    """Two places that give different units of one kind (header 万元, unit row 亿元): both named,
    in Chinese and English. Units of different kinds do not conflict (a 单位：万元 row above an
    `从业人员（人）` column speaks of the money columns)."""
    for i, (u1, w1) in enumerate(found):
        for u2, w2 in found[i + 1 :]:
            if u1 != u2 and cells.same_dimension(u1, u2):
                return (
                    f"单位矛盾：{_PLACE_ZH.get(w1, w1)}写“{u1}”，{_PLACE_ZH.get(w2, w2)}写“{u2}”，请统一后重新报送"
                    f" / the {w1} says {u1} but the {w2} says {u2}"
                )
    return None


_PLACE_ZH = {
    "header": "表头",
    "unit row": "单位行",
    "指标 line": "指标行",
    "title": "标题",
    "file name": "文件名",
    "spec": "规格",
    "unit column": "单位列",
    "indicator name": "指标名称",
    "cell": "单元格",
}


def unit_source(header: str, meta: SheetMeta, file_name: str) -> tuple[str | None, str | None]:
    """The unit a file gives a column and where it says so: the first of `unit_sources`."""
    found = unit_sources(header, meta, file_name)
    return found[0] if found else (None, None)


def unit_for(f: FieldSpec, header: str, meta: SheetMeta, file_name: str) -> tuple[str | None, str]:
    u, src = unit_source(header, meta, file_name)
    return (u, src) if u else (f.default_unit, "spec")

"""Drafting a spec for a wide table: periods across, regions or indicators down (`shape: wide`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.base import cells
from etl.base.cells import Period, column_letter
from etl.draft.cell_kinds import cell_at, cell_text, is_blank
from etl.draft.header import body_rows
from etl.draft.results import DraftColumn, DraftResult
from etl.draft.yaml_writer import Writer, files_line, scalar, write_intro
from etl.extract import clean_indicator_name, indicator_from_file_name, sheet_meta, unit_in_file_name
from etl.extract.meta import SheetMeta
from etl.read import Grid, Workbook
from etl.reference.regions import RegionResolver


@dataclass
class _WideTable:
    """What the draft reads off a wide table before it writes a line."""

    row: int  # the row of periods (0-based)
    periods: dict[int, Period]  # column → the period it holds
    meta: SheetMeta
    body: list[list[Any]]  # the rows below the periods, up to the notes
    region_col: int | None  # the column of places, if one
    region_hits: int  # … and how many distinct places it names
    indicator_cols: list[int]  # the other columns left of the periods
    indicator_texts: list[str]  # what they hold, row by row
    unit: str | None
    unit_from: str | None


def draft_wide(
    path: Path,
    wb: Workbook,
    grid: Grid,
    found: tuple[int, dict[int, Period]],
    source: str | None,
    others: list[str],
) -> DraftResult:
    """The draft for a wide table whose periods stand across row `found[0]`, in the columns of `found[1]`."""
    file_name = path.name
    t = _read_wide(grid, found, file_name)
    w = Writer()
    _write_findings(w, grid, t, file_name)
    src = _write_layout(w, t, source, file_name, others)
    header = grid.rows[t.row]
    return DraftResult(
        yaml_text=w.text(),
        undecided=w.undecided,
        source=src,
        dataset="indicator_obs",
        layout="nbs_wide_draft",
        shape="wide",
        sheet=grid.name,
        header_rows=str(t.row + 1),
        closest="indicators/nbs_wide",
        columns=[
            DraftColumn(column_letter(c), cell_text(cell_at(header, c)), "period", "period", "wide", p.text)
            for c, p in t.periods.items()
        ],
        periods_across=[p.text for p in t.periods.values()],
    )


def _read_wide(grid: Grid, found: tuple[int, dict[int, Period]], file_name: str) -> _WideTable:
    """The rows, label columns and unit of the wide table found at `found`."""
    hr, pcols = found
    meta = sheet_meta(grid, hr)
    body = body_rows(grid, hr + 1, 60)
    region_col, region_hits, indicator_cols = _label_columns(body, min(pcols))
    texts = [cell_text(cell_at(b, c)) for b in body for c in indicator_cols if cell_text(cell_at(b, c))]
    unit, unit_from = _wide_unit(texts, meta, file_name)
    return _WideTable(hr, pcols, meta, body, region_col, region_hits, indicator_cols, texts, unit, unit_from)


def _label_columns(body: list[list[Any]], first: int) -> tuple[int | None, int, list[int]]:
    """The columns left of the periods (before `first`): the one whose text names the most places
    (None unless they are at least half its values), its count of places, and the indicator columns."""
    resolver = RegionResolver.default()
    region_col, region_hits, indicator_cols = None, 0, []
    for c in range(first):
        vals = [
            cell_text(cell_at(b, c))
            for b in body
            if isinstance(cell_at(b, c), str) and cell_text(cell_at(b, c))
        ]
        if not vals:
            continue
        hits = sum(1 for v in dict.fromkeys(vals) if resolver.resolve(v).code is not None)
        if hits > region_hits:
            if region_col is not None:
                indicator_cols.append(region_col)
            region_col, region_hits = c, hits
        else:
            indicator_cols.append(c)
    if region_col is not None and region_hits * 2 < len({cell_text(cell_at(b, region_col)) for b in body}):
        indicator_cols.append(region_col)
        region_col = None
    indicator_cols.sort()
    return region_col, region_hits, indicator_cols


def _wide_unit(indicator_texts: list[str], meta: SheetMeta, file_name: str) -> tuple[str | None, str | None]:
    """The unit of the figures and where it was found: the indicator names, the 指标： line, a 单位：
    row, the file name, in that order."""
    unit, unit_from = None, None
    us = {cells.unit_in_text(v) for v in indicator_texts} - {None}
    if us:
        unit, unit_from = "、".join(sorted(us)), "indicator names"
    if unit is None and meta.indicator and (u := cells.unit_in_text(meta.indicator)):
        unit, unit_from = u, "指标： line"
    if unit is None and meta.unit_row:
        unit, unit_from = meta.unit_row, "unit row"
    if unit is None and (u := unit_in_file_name(file_name)):
        unit, unit_from = u, "file name"
    return unit, unit_from


def _write_findings(w: Writer, grid: Grid, t: _WideTable, file_name: str) -> None:
    """The comment block at the top: the periods across, the places or indicators down, notes, unit."""
    write_intro(w, file_name, grid.name)
    periods = [p.text for p in t.periods.values()]
    letters = f"{column_letter(min(t.periods))}–{column_letter(max(t.periods))}"
    w.comment(
        f"wide table: periods across in row {t.row + 1}, columns {letters}: "
        f"{', '.join(periods[:4])}{' … ' + periods[-1] if len(periods) > 4 else ''} ({len(periods)} periods)"
    )
    if t.region_col is not None:
        heading = cell_text(cell_at(grid.rows[t.row], t.region_col)) or "(no heading)"
        w.comment(
            f"regions down column {column_letter(t.region_col)} “{heading}” ({t.region_hits} distinct places)"
        )
    if t.indicator_cols:
        w.comment(f"indicator names in column(s) {', '.join(column_letter(c) for c in t.indicator_cols)}")
    elif t.meta.indicator:
        w.comment(f"indicator from the 指标： line: {t.meta.indicator}")
    else:
        w.comment(f"indicator from the file name: “{indicator_from_file_name(file_name)}”")
    notes = [
        r
        for r in range(t.row + 1, len(grid.rows))
        if cell_text(next((v for v in grid.rows[r] if not is_blank(v)), "")).startswith(
            ("注", "数据来源", "资料来源")
        )
    ]
    if notes:
        w.comment(f"notes below the table from row {notes[0] + 1} (dropped)")
    if t.unit:
        w.comment(f"unit: {t.unit} (from the {t.unit_from})")
    w.line("")


def _write_layout(w: Writer, t: _WideTable, source: str | None, file_name: str, others: list[str]) -> str:
    """The spec's lines, with a TODO for a source other than indicators, a missing unit and blank
    cells among the figures; returns the source written."""
    if source and source != "indicators":
        w.todo(
            f"source “{source}” was asked for, but wide tables fill dataset indicator_obs of source indicators."
        )
    src = source or "indicators"
    w.line(f"source: {scalar(src)}")
    w.line("layout: nbs_wide_draft   # rename as you like: unique within the source")
    w.line("dataset: indicator_obs")
    w.line(f"description: {scalar(_wide_description(t, file_name) + '（宽表：时期在列）')}")
    w.line(files_line(file_name))
    w.line("shape: wide")
    w.line("wide:")
    w.line(f"  label: {'region' if t.region_col is not None else 'indicator'}")
    w.line("period_required: false")
    if t.unit is None:
        w.todo(
            "no unit anywhere (指标： line, header brackets, 单位： row, file name): the values load without a "
            "unit; add one to the file name (`… 万元.xls`) or confirm that they have none."
        )
    holes = _blank_figures(t)
    if holes:
        w.todo(
            f"{holes} blank cell{'s' if holes > 1 else ''} among the figures: `missing` (not reported) or `zero` "
            f"(the table leaves zeros blank, e.g. no metro = 0 公里)?"
        )
    w.line("blank_means: missing")
    if others:
        w.comment(f"other sheets: {'、'.join(others)} (read too when they hold periods across)")
    return src


def _wide_description(t: _WideTable, file_name: str) -> str:
    """What the table is of: its indicator names, else the 指标： line, else the file name."""
    if t.indicator_cols:
        return "、".join(dict.fromkeys(clean_indicator_name(x) for x in t.indicator_texts))
    return t.meta.indicator and clean_indicator_name(t.meta.indicator) or indicator_from_file_name(file_name)


def _blank_figures(t: _WideTable) -> int:
    """Blank cells inside the period columns that hold figures (in rows naming a place, when there is
    a column of places): not reported, or zeros the table leaves blank?"""
    filled_cols = [c for c in t.periods if any(not is_blank(cell_at(b, c)) for b in t.body)]
    data_body = [b for b in t.body if t.region_col is None or not is_blank(cell_at(b, t.region_col))]
    return sum(1 for b in data_body for c in filled_cols if is_blank(cell_at(b, c)))

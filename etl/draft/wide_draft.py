"""Drafting a spec for a wide table: periods across, regions or indicators down (`shape: wide`)."""

from __future__ import annotations

from pathlib import Path

from etl.base import cells
from etl.base.cells import Period, column_letter
from etl.draft.cell_kinds import cell_at, cell_text, is_blank
from etl.draft.header import body_rows
from etl.draft.results import DraftColumn, DraftResult
from etl.draft.yaml_writer import Writer, files_pattern, flow, scalar
from etl.extract import clean_indicator_name, indicator_from_file_name, sheet_meta, unit_in_file_name
from etl.read import Grid, Workbook
from etl.reference.regions import RegionResolver


def draft_wide(
    path: Path,
    wb: Workbook,
    grid: Grid,
    found: tuple[int, dict[int, Period]],
    source: str | None,
    others: list[str],
) -> DraftResult:

    file_name = path.name
    hr, pcols = found
    meta = sheet_meta(grid, hr)
    first = min(pcols)
    body = body_rows(grid, hr + 1, 60)
    resolver = RegionResolver.default()
    region_col, region_hits, indicator_cols = None, 0, []
    header = grid.rows[hr]
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

    w = Writer()
    w.comment(f"Draft spec written by `statwh spec draft` from “{file_name}”, sheet “{grid.name}”.")
    w.comment("Review every TODO(person) line, then try it: statwh check <this file> <the file>.")
    w.comment("")
    periods = [p.text for p in pcols.values()]
    letters = f"{column_letter(min(pcols))}–{column_letter(max(pcols))}"
    w.comment(
        f"wide table: periods across in row {hr + 1}, columns {letters}: "
        f"{', '.join(periods[:4])}{' … ' + periods[-1] if len(periods) > 4 else ''} ({len(periods)} periods)"
    )
    if region_col is not None:
        w.comment(
            f"regions down column {column_letter(region_col)} “{cell_text(cell_at(header, region_col)) or '(no heading)'}”"
            f" ({region_hits} distinct places)"
        )
    if indicator_cols:
        w.comment(f"indicator names in column(s) {', '.join(column_letter(c) for c in indicator_cols)}")
    elif meta.indicator:
        w.comment(f"indicator from the 指标： line: {meta.indicator}")
    else:
        w.comment(f"indicator from the file name: “{indicator_from_file_name(file_name)}”")
    unit, unit_from = None, None
    if indicator_cols:
        vals = [cell_text(cell_at(b, c)) for b in body for c in indicator_cols if cell_text(cell_at(b, c))]
        us = {cells.unit_in_text(v) for v in vals} - {None}
        if us:
            unit, unit_from = "、".join(sorted(us)), "indicator names"
    if unit is None and meta.indicator and (u := cells.unit_in_text(meta.indicator)):
        unit, unit_from = u, "指标： line"
    if unit is None and meta.unit_row:
        unit, unit_from = meta.unit_row, "unit row"
    if unit is None and (u := unit_in_file_name(file_name)):
        unit, unit_from = u, "file name"
    notes = [
        r
        for r in range(hr + 1, len(grid.rows))
        if cell_text(next((v for v in grid.rows[r] if not is_blank(v)), "")).startswith(
            ("注", "数据来源", "资料来源")
        )
    ]
    if notes:
        w.comment(f"notes below the table from row {notes[0] + 1} (dropped)")
    if unit:
        w.comment(f"unit: {unit} (from the {unit_from})")
    w.line("")
    if source and source != "indicators":
        w.todo(
            f"source “{source}” was asked for, but wide tables fill dataset indicator_obs of source indicators."
        )
    src = source or "indicators"
    w.line(f"source: {scalar(src)}")
    w.line("layout: nbs_wide_draft   # rename as you like: unique within the source")
    w.line("dataset: indicator_obs")
    what = meta.indicator and clean_indicator_name(meta.indicator) or indicator_from_file_name(file_name)
    if indicator_cols:
        what = "、".join(
            dict.fromkeys(
                clean_indicator_name(cell_text(cell_at(b, c)))
                for b in body
                for c in indicator_cols
                if cell_text(cell_at(b, c))
            )
        )
    w.line(f"description: {scalar(what + '（宽表：时期在列）')}")
    w.line(
        f"files: {flow([files_pattern(file_name)])}   # file-name patterns this layout takes (from this file's name)"
    )
    w.line("shape: wide")
    w.line("wide:")
    w.line(f"  label: {'region' if region_col is not None else 'indicator'}")
    w.line("period_required: false")
    if unit is None:
        w.todo(
            "no unit anywhere (指标： line, header brackets, 单位： row, file name): the values load without a "
            "unit; add one to the file name (`… 万元.xls`) or confirm that they have none."
        )
    # blank cells inside filled period columns: not reported, or zero?
    filled_cols = [c for c in pcols if any(not is_blank(cell_at(b, c)) for b in body)]
    data_body = [b for b in body if region_col is None or not is_blank(cell_at(b, region_col))]
    holes = sum(1 for b in data_body for c in filled_cols if is_blank(cell_at(b, c)))
    if holes:
        w.todo(
            f"{holes} blank cell{'s' if holes > 1 else ''} among the figures: `missing` (not reported) or `zero` "
            f"(the table leaves zeros blank, e.g. no metro = 0 公里)?"
        )
    w.line("blank_means: missing")
    if others:
        w.comment(f"other sheets: {'、'.join(others)} (read too when they hold periods across)")
    return DraftResult(
        yaml_text=w.text(),
        undecided=w.undecided,
        source=src,
        dataset="indicator_obs",
        layout="nbs_wide_draft",
        shape="wide",
        sheet=grid.name,
        header_rows=str(hr + 1),
        closest="indicators/nbs_wide",
        columns=[
            DraftColumn(column_letter(c), cell_text(cell_at(header, c)), "period", "period", "wide", p.text)
            for c, p in pcols.items()
        ],
        periods_across=periods,
    )

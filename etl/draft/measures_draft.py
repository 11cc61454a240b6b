"""Drafting a spec for a measures table: places down, several measures across (`shape: measures`).

A table is one when, under its header, one column names places (townships, development zones,
parks: `RegionResolver`), two or more columns hold figures, every other column holds figures, row
numbers or codes (no credit codes, names of enterprises or projects, dates: those are records of
rows), and the figures' headers are not, for the most part, fields the row layouts know (a 科技局 table of 首次认定 / 重新认定 by township stays `hightech_counts`).

Each measure column is drafted as an indicator (the catalog's, by its header's parent or name:
`工业总产值/1-9月累计` → industrial_output) with a basis read off its header (本期, 累计, 上年同期,
同比); the period is read from the sheet name, the title or the file name by the code `statwh
check` uses. What it cannot tell is a TODO(person), and the trial extraction says whether the
draft extracts the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.base.cells import column_letter, header_key
from etl.draft.aliases import known_datasets
from etl.draft.cell_kinds import cell_at, cell_text, is_blank
from etl.draft.content import Content, column_content
from etl.draft.header import Header
from etl.draft.results import DraftColumn, DraftResult
from etl.draft.yaml_writer import Writer, description_text, files_line, flow, scalar, write_intro
from etl.extract import classify_row, match_header, sheet_meta
from etl.extract.measures import column_unit, units_listed
from etl.extract.meta import SheetMeta, period_of_sheet
from etl.read import Grid, Workbook
from etl.reference import catalog
from etl.spec.model import MeasureColumn, SourceSpec

PERIOD_PLACES = ("sheet", "title", "file_name")
FIGURE_KINDS = {"number", "integer", "rownum", "empty", "code"}
"""What the columns beside the places may hold in a measures table."""
_BASIS_WORDS = (
    ("上年同期", "上年同期"),
    ("去年同期", "上年同期"),
    ("同比", "同比"),
    ("增长", "同比"),
    ("增速", "同比"),
    ("增幅", "同比"),
    ("累计", "累计"),
    ("本期", "本期"),
    ("本月", "本期"),
    ("当月", "本期"),
)
_MONTHS = re.compile(r"\d{1,2}[-—~～至到]\d{1,2}月")


@dataclass
class MeasuresTable:
    """What the draft reads off a measures table before it writes a line."""

    names: list[str]
    meta: SheetMeta
    region_col: int
    region: Content
    measure_cols: list[int]
    contents: dict[int, Content]
    kinds: dict[int, str]  # row → data / total / part / note / blank


def _probe(**kw: Any) -> SourceSpec:
    return SourceSpec(path=Path("<draft>"), source="", layout="", dataset="indicator_obs", **kw)


def find_measures(grid: Grid, h: Header, source: str | None) -> MeasuresTable | None:
    """The measures table under header `h`, or None when the rows are not places with figures
    across (see the module's doc)."""
    if source not in {None, "indicators"}:
        return None
    names, start = h.names, h.row + h.depth
    kinds, in_notes, probe = {}, False, _probe()
    for r in range(start, len(grid.rows)):
        kinds[r] = classify_row(grid.rows[r], list(range(min(3, len(names)))), probe, in_notes)
        in_notes = in_notes or kinds[r] == "note"
    sample = [grid.rows[r] for r, k in kinds.items() if k == "data"][:400]
    contents = {c: column_content([cell_at(row, c) for row in sample], names[c]) for c in range(len(names))}
    places = [c for c, x in contents.items() if x.kind == "region" and names[c]]
    figures = [c for c, x in contents.items() if x.kind in {"number", "integer"} and names[c]]
    others = {x.kind for c, x in contents.items() if names[c] and c not in places}
    if len(places) != 1 or len(figures) < 2 or not others <= FIGURE_KINDS:
        return None  # a record of its own per row (a name, a date, a credit code): a table of rows
    if _rows_know(figures, names) * 2 >= len(figures):
        return None
    meta = sheet_meta(grid, h.row)
    return MeasuresTable(names, meta, places[0], contents[places[0]], figures, contents, kinds)


def _rows_know(figures: list[int], names: list[str]) -> int:
    """How many of the figure columns the best row layout knows by their headers."""
    best = 0
    for k in known_datasets(None).values():
        mapping, _ = match_header(names, k.combined)
        best = max(best, sum(1 for c in mapping.values() if c in figures))
    return best


def basis_of(header: str) -> tuple[str, bool]:
    """The measure basis a header says (`工业总产值/1-9月累计` → 累计), and whether it said one."""
    key = header_key(header)
    child = key.split("/")[-1]
    if _MONTHS.search(child):
        return "累计", True
    return next(((b, True) for w, b in _BASIS_WORDS if w in child), ("本期", False))


def measure_name(header: str) -> str:
    """The measure a header names: its parent, or its text without the basis words
    (`工业总产值/1-9月累计` → 工业总产值, `营业收入同比增长` → 营业收入)."""
    key = header_key(header)
    name = key.split("/")[0] if "/" in key else key
    for w, _ in _BASIS_WORDS:
        name = name.replace(w, "") if name != w else name
    return _MONTHS.sub("", name) or key


def indicator_of(header: str, basis: str) -> str | None:
    """The catalog id a measure header names (`measure_name`), the growth indicator of it for
    同比 (`工业总产值` + 同比 → industrial_output_growth); None when the catalog has none of that kind."""
    name = measure_name(header)
    names = [f"{name}增长率", f"{name}增速"] if basis == "同比" else [name]
    for n in names:
        iid = catalog.indicator_id_for(n)
        if iid and (catalog.by_id()[iid].kind == "rate") == (basis == "同比"):
            return iid
    return None


def _read_period(grid: Grid, meta: SheetMeta, file_name: str) -> tuple[str | None, list[str]]:
    """The period as `statwh check` reads it (the sheet name, the title, the file name), and the
    places that give one."""
    found = [w for w in PERIOD_PLACES if period_of_sheet(_probe(period_from=(w,)), grid, meta, file_name)[0]]
    p, where = period_of_sheet(_probe(period_from=PERIOD_PLACES), grid, meta, file_name)
    return (
        f"{p.text}{' (本年累计 from January)' if p.basis == 'ytd' else ''}, from the {where}" if p else None
    ), found


def draft_measures(
    path: Path, wb: Workbook, grid: Grid, h: Header, t: MeasuresTable, source: str | None, others: list[str]
) -> DraftResult:
    """The draft for the measures table `t` under header `h`."""
    file_name = path.name
    w = Writer()
    hdr = f"{h.row + 1}" if h.depth == 1 else f"{h.row + 1}-{h.row + h.depth}"
    _write_findings(w, grid, h, hdr, t, file_name)
    w.line("source: indicators")
    w.line("layout: township_measures_draft   # rename as you like: unique within the source")
    w.line("dataset: indicator_obs")
    w.line(f"description: {scalar(description_text(t.meta.title_texts, file_name))}")
    w.line(files_line(file_name))
    if others:
        w.todo(
            f'other sheets ({"、".join(others)}): `sheets: "*"` reads each whose header matches; narrow it if needed.'
        )
    w.line('sheets: "*"')
    w.line("shape: measures")
    period, found = _read_period(grid, t.meta, file_name)
    if period:
        w.comment(f"period: {period}")
    else:
        w.todo("no period in the sheet name, the title or the file name: name it in the title (2025年1-9月).")
    w.line(f"period_from: {flow(list(PERIOD_PLACES))}")
    columns = _write_measures(w, t)
    return DraftResult(
        yaml_text=w.text(),
        undecided=w.undecided,
        source="indicators",
        dataset="indicator_obs",
        layout="township_measures_draft",
        shape="measures",
        sheet=grid.name,
        header_rows=hdr,
        closest="indicators/township_measures",
        columns=columns,
    )


def _write_findings(w: Writer, grid: Grid, h: Header, hdr: str, t: MeasuresTable, file_name: str) -> None:
    write_intro(w, file_name, grid.name)
    w.comment(
        f"header: row{'s' if h.depth == 2 else ''} {hdr}" + (f" ({h.why_depth})" if h.why_depth else "")
    )
    data = [r for r, k in t.kinds.items() if k == "data"]
    w.comment(f"data rows: {len(data)}" + (f" (rows {data[0] + 1}–{data[-1] + 1})" if data else ""))
    totals = [r for r, k in t.kinds.items() if k == "total"]
    if totals:
        w.comment(f"total rows (reconciled, never loaded): row {', '.join(str(r + 1) for r in totals[:5])}")
    notes = [r for r, k in t.kinds.items() if k == "note"]
    if notes:
        first = cell_text(next(v for v in grid.rows[notes[0]] if not is_blank(v)))
        w.comment(f"note rows (dropped): {len(notes)}, from row {notes[0] + 1} “{first[:30]}…”")
    w.comment(
        f"shape: measures — places down ({column_letter(t.region_col)} “{t.names[t.region_col]}”: {t.region.detail}), "
        f"{len(t.measure_cols)} measures across; not a roster: no credit codes nor enterprise names"
    )
    if listed := units_listed(t.meta.title_texts):
        w.comment(
            f"unit row above the header: {'、'.join(listed)} (each measure takes the one of its indicator's kind)"
        )
    w.line("")


def _write_measures(w: Writer, t: MeasuresTable) -> list[DraftColumn]:
    """The `measures:` block: the label column, then one entry per measure column."""
    listed = units_listed(t.meta.title_texts)
    w.line("measures:")
    w.line("  label: region")
    w.line(f"  label_aliases: {flow([t.names[t.region_col]])}")
    w.line("  columns:")
    out = []
    for c in t.measure_cols:
        header = t.names[c]
        basis, said = basis_of(header)
        iid = indicator_of(header, basis)
        body: dict[str, Any] = {"aliases": [header.replace("（", "(").replace("）", ")")]}
        name = measure_name(header)
        body["indicator"] = iid or (f"{name}增长率" if basis == "同比" else name)
        body["basis"] = basis
        unit, where, problem = column_unit(MeasureColumn((header,), body["indicator"], basis), header, listed)
        w.comment(
            f"{column_letter(c)} “{header}”: {t.contents[c].detail}"
            + (f" in {unit} (from the {where})" if unit else "")
            + (
                f"; indicator {iid} ({catalog.by_id()[iid].name_zh}, {catalog.by_id()[iid].unit})"
                if iid
                else ""
            ),
            "    ",
        )
        if not said:
            w.todo(
                f"{column_letter(c)} “{header}”: its header says no basis: 本期 assumed; or 累计, 上年同期, 同比.",
                "    ",
            )
        if iid is None:
            w.todo(
                f"{column_letter(c)} “{header}”: no catalog indicator of this name: it loads as ext.{body['indicator']}"
                " (a warning); name one of warehouse/catalog/indicators.yaml, or add it there.",
                "    ",
            )
        if problem:
            w.todo(f"{column_letter(c)} “{header}”: {problem}; add its unit (unit: 万元).", "    ")
        w.line(f"    - {flow(body)}")
        out.append(
            DraftColumn(
                column_letter(c), header, t.contents[c].kind, "value", "measure", unit=unit, unit_from=where
            )
        )
    return out

"""Drafting a spec for a table of rows: one record per row under a header (`shape: rows`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.base import cells
from etl.base.cells import Period
from etl.draft.aliases import Known, known_datasets
from etl.draft.assign import Plan, closest_layout, plan_columns
from etl.draft.cell_kinds import META_PREFIX, cell_at, cell_text, is_blank
from etl.draft.content import Content, column_content
from etl.draft.header import Header, find_header
from etl.draft.results import DraftColumn, DraftResult
from etl.draft.yaml_writer import Writer, alias_text, description_text, files_line, flow, scalar, write_intro
from etl.extract import classify_row, match_header, sheet_meta, unit_source
from etl.extract.meta import SheetMeta, stated_period
from etl.read import Grid, Workbook
from etl.spec.model import FieldSpec, SourceSpec

SAMPLE_ROWS = 400
_UNDEFINED = "???"


@dataclass
class _Table:
    """What the draft reads off the rows below the header, as extraction will see them."""

    names: list[str]  # the header's names, one per column ('' for none)
    meta: SheetMeta  # the lines above the header: title, 单位： row, reporting office
    kinds: dict[int, str]  # row → data / total / part / note
    data_rows: list[int]
    label_cols: list[int]  # where extraction looks for 合计 and 其中 labels
    contents: dict[int, Content]  # column → what its data rows hold
    extra_totals: list[str]  # total labels extraction would not recognise (全镇合计, 小 计 …)
    units: dict[
        int, tuple[str | None, str | None]
    ]  # column → (unit, where found); (None, None) for non-figures


@dataclass
class _Choice:
    """The dataset the columns fit best, and the existing layout of it nearest to the file."""

    plans: list[Plan]  # one per dataset, best first
    known: Known  # what the specs know of the chosen dataset
    closest: SourceSpec
    closest_n: int  # the columns the closest layout matches by name

    @property
    def plan(self) -> Plan:
        """The chosen dataset's plan."""
        return self.plans[0]

    @property
    def named_cols(self) -> list[DraftColumn]:
        """The columns not left out (row numbers, empty, total and 其中 columns are)."""
        return [c for c in self.plan.columns if c.how != "skipped"]

    @property
    def mapped(self) -> set[str]:
        """The fields some column fills."""
        return {c.field for c in self.plan.columns if c.field}


def draft_rows(
    path: Path, wb: Workbook, grid: Grid, h: Header, source: str | None, others: list[str]
) -> DraftResult:
    """The draft for a table of rows under the header `h`."""
    file_name = path.name
    t = _read_table(grid, h, file_name)
    choice = _choose_dataset(t, source)
    w = Writer()
    hdr = f"{h.row + 1}" if h.depth == 1 else f"{h.row + 1}-{h.row + h.depth}"
    _write_findings(w, grid, h, hdr, t, choice, file_name)
    src, layout = _write_identity(w, wb, grid, t, choice, source, others, file_name)
    _write_period(w, grid, t.meta, choice, file_name)
    _write_fields(w, choice)
    _write_rest(w, t, choice)
    closest = choice.closest
    return DraftResult(
        yaml_text=w.text(),
        undecided=w.undecided,
        source=src,
        dataset=choice.plan.dataset,
        layout=layout,
        shape="rows",
        sheet=grid.name,
        header_rows=hdr,
        closest=f"{closest.source}/{closest.layout}",
        columns=choice.plan.columns,
    )


# ---- reading the rows and choosing the dataset


def _read_table(grid: Grid, h: Header, file_name: str) -> _Table:
    """Rows classified, columns' content sniffed from the data rows, units of the figure columns.

    Rows are classified twice: first with the first three columns as labels (to sample the data
    rows), then with the label columns that the content shows, as extraction will see them."""
    names = h.names
    meta = sheet_meta(grid, h.row)
    start = h.row + h.depth
    text_cols = [c for c, n in enumerate(names) if n]
    kinds = _classify_rows(grid, start, list(range(min(3, len(names)))))
    data_rows = [r for r, k in kinds.items() if k == "data"]
    sample = [grid.rows[r] for r in data_rows[:SAMPLE_ROWS]]
    contents = {c: column_content([cell_at(row, c) for row in sample], names[c]) for c in range(len(names))}
    # label columns as extraction will see them: text columns and the first three
    label_cols = sorted(
        {c for c in text_cols if contents[c].kind in {"text", "names", "region"}} | set(range(3))
    )
    kinds = _classify_rows(grid, start, label_cols)
    data_rows = [r for r, k in kinds.items() if k == "data"]
    extra_totals = _extra_totals(grid, data_rows, label_cols)
    if extra_totals:
        data_rows = [
            r
            for r in data_rows
            if not any(
                cell_text(cell_at(grid.rows[r], c)).replace(" ", "") in extra_totals for c in label_cols
            )
        ]
    units = {
        c: unit_source(names[c], meta, file_name)
        if contents[c].kind in {"number", "integer"}
        else (None, None)
        for c in range(len(names))
    }
    return _Table(names, meta, kinds, data_rows, label_cols, contents, extra_totals, units)


def _classify_rows(grid: Grid, start: int, label_cols: list[int]) -> dict[int, str]:
    """Each row from `start` down as data, total, part or note (after the first note, all notes)."""
    probe = SourceSpec(path=Path("<draft>"), source="", layout="", dataset="")
    kinds: dict[int, str] = {}
    in_notes = False
    for r in range(start, len(grid.rows)):
        k = classify_row(grid.rows[r], label_cols, probe, in_notes)
        in_notes = in_notes or k == "note"
        kinds[r] = k
    return kinds


def _extra_totals(grid: Grid, data_rows: list[int], label_cols: list[int]) -> list[str]:
    """Total labels in data rows that extraction would not recognise (全镇合计, 小计 with spaces …)."""
    extra_totals: list[str] = []
    for r in data_rows:
        for c in label_cols:
            t = cell_text(cell_at(grid.rows[r], c)).replace(" ", "")
            if t and len(t) <= 8 and re.search(r"合计|总计|小计", t) and t not in extra_totals:
                extra_totals.append(t)
    return extra_totals


def _choose_dataset(t: _Table, source: str | None) -> _Choice:
    """The dataset whose plan scores best, and its layout that matches the most headers."""
    known = known_datasets(source)
    plans = sorted(
        (plan_columns(k, t.names, t.contents, t.units) for k in known.values()), key=lambda p: -p.score
    )
    kn = known[plans[0].dataset]
    closest, closest_n = closest_layout(kn, t.names)
    return _Choice(plans, kn, closest, closest_n)


# ---- writing the draft, top to bottom


def _write_findings(
    w: Writer, grid: Grid, h: Header, hdr: str, t: _Table, choice: _Choice, file_name: str
) -> None:
    """The comment block at the top: the header, the rows below it, the lines above it, the closest layout."""
    write_intro(w, file_name, grid.name)
    w.comment(
        f"header: row{'s' if h.depth == 2 else ''} {hdr}"
        + (f" (two rows, joined as parent/child; {h.why_depth})" if h.depth == 2 else "")
    )
    totals = [r for r, k in t.kinds.items() if k == "total"]
    notes = [r for r, k in t.kinds.items() if k == "note"]
    parts = [r for r, k in t.kinds.items() if k == "part"]
    data_rows = t.data_rows
    rng = f" (rows {data_rows[0] + 1}–{data_rows[-1] + 1})" if data_rows else ""
    w.comment(f"data rows: {len(data_rows)}{rng}")
    if totals:
        labels = sorted(
            {
                next(
                    (
                        cell_text(cell_at(grid.rows[r], c))
                        for c in t.label_cols
                        if cell_text(cell_at(grid.rows[r], c))
                    ),
                    "",
                )
                for r in totals
            }
        )
        w.comment(
            f"total rows (kept as evidence, never loaded): {len(totals)}, “{'、'.join(labels)}” in row "
            f"{', '.join(str(r + 1) for r in totals[:5])}"
        )
    if parts:
        w.comment(f"其中 rows (parts, dropped): {len(parts)}")
    if notes:
        first = cell_text(next(v for v in grid.rows[notes[0]] if not is_blank(v)))
        w.comment(f"note rows (dropped): {len(notes)}, from row {notes[0] + 1} “{first[:30]}…”")
    if t.meta.unit_row:
        w.comment(f"unit row above the header: {t.meta.unit_row}")
    if t.meta.reporter:
        w.comment(f"reporting office: {t.meta.reporter}")
    closest = choice.closest
    w.comment(
        f"closest existing layout: {closest.source}/{closest.layout} "
        f"({choice.closest_n} of {len(choice.named_cols)} columns by their names)"
    )
    w.line("")


def _write_identity(
    w: Writer,
    wb: Workbook,
    grid: Grid,
    t: _Table,
    choice: _Choice,
    source: str | None,
    others: list[str],
    file_name: str,
) -> tuple[str, str]:
    """source, layout, dataset, description, files and sheets; returns the source and layout written."""
    plan, closest = choice.plan, choice.closest
    ds_source = closest.source
    if source and source != ds_source:
        w.todo(
            f"source “{source}” was asked for, but the columns fit dataset {plan.dataset} of source "
            f"“{ds_source}”; a new source id also needs the pipeline to know it."
        )
        src = source
    else:
        src = ds_source
    w.line(f"source: {scalar(src)}")
    layout = f"{closest.layout}_draft" if choice.closest_n else f"draft_{plan.dataset}"
    w.line(f"layout: {scalar(layout)}   # rename as you like: unique within the source")
    _write_dataset(w, choice)
    w.line(f"description: {scalar(description_text(t.meta.title_texts, file_name))}")
    w.line(files_line(file_name))
    _write_sheets(w, wb, grid, t.names, others)
    return src, layout


def _write_dataset(w: Writer, choice: _Choice) -> None:
    """The dataset line, with a TODO when few headers are known aliases or another dataset fits as well."""
    plan, plans, named_cols = choice.plan, choice.plans, choice.named_cols
    fit = plan.exact / max(1, len(named_cols))
    if plan.exact == 0 or fit < 0.5 or (len(plans) > 1 and plans[1].score >= plan.score):
        alt = f" (next best: {plans[1].dataset})" if len(plans) > 1 else ""
        how = (
            "no header is a known alias: chosen by the columns' content"
            if plan.exact == 0
            else f"only {plan.exact} of {len(named_cols)} headers are known aliases"
        )
        w.todo(
            f"dataset {plan.dataset}: {how}{alt}. Confirm it fits (etl/base/datasets.py), or a new dataset is needed."
        )
    w.line(f"dataset: {plan.dataset}")


def _write_sheets(w: Writer, wb: Workbook, grid: Grid, names: list[str], others: list[str]) -> None:
    """The sheets line, with a TODO when other sheets hold other headers."""
    differing = [
        g
        for g in others
        if (hh := find_header(next(x for x in wb.sheets if x.name == g))) is None
        or [n for n in hh.names if n] != [n for n in names if n]
    ]
    if differing:
        w.todo(
            f'other sheets ({"、".join(differing)}) have other headers; `sheets: "*"` reads every sheet whose '
            f"header matches: narrow it (e.g. to “{grid.name}”) if they must be left alone."
        )
    w.line('sheets: "*"')


def _write_period(w: Writer, grid: Grid, meta: SheetMeta, choice: _Choice, file_name: str) -> None:
    """Where the period comes from, as the closest layout's period_from orders the places it is
    looked for; a TODO when two places disagree or none has one."""
    plan, closest = choice.plan, choice.closest
    psrc = _period_sources(grid, meta, file_name)
    order = list(closest.period_from)
    if "period" not in choice.mapped:  # no column gives it: where `statwh check` finds one too
        order += [where for where in ("sheet", "title", "file_name") if where in psrc and where not in order]
    if "column" in order and "period" in choice.mapped:
        col = next(c for c in plan.columns if c.field == "period")
        w.comment(f"period: per row, from column {col.letter} “{col.header}”")
    else:
        hit = next(((where, psrc[where]) for where in order if where in psrc), None)
        if hit:
            where, (p, text) = hit
            w.comment(f"period: {_period_text(p)}, from the {where.replace('_', ' ')}: “{text}”")
            others_p = {k: v for k, v in psrc.items() if v[0].text != p.text}
            if others_p:
                k, (q, t) = next(iter(others_p.items()))
                w.todo(
                    f"the {k.replace('_', ' ')} says another period: {q.text} (“{t}”); "
                    f"put first in period_from the one that is right."
                )
        elif closest.period_required:
            w.todo(
                "no period found in a column, the sheet name, the title or the file name: name the period "
                "in the file's title or name (2025年1-6月), or set period_required: false."
            )
        else:
            w.comment("period: none needed by this dataset")
    w.line(f"period_from: {flow(order)}")
    if not closest.period_required:
        w.line("period_required: false")


def _period_sources(grid: Grid, meta: SheetMeta, file_name: str) -> dict[str, tuple[Period, str]]:
    out: dict[str, tuple[Period, str]] = {}
    if not re.fullmatch(r"(?i)sheet\d*", grid.name) and (p := stated_period(grid.name)):
        out["sheet"] = (p, grid.name)
    for t in meta.title_texts:
        if (p := stated_period(t)) and not META_PREFIX.match(t):
            out["title"] = (p, t)
            break
    if p := stated_period(Path(file_name).stem):
        out["file_name"] = (p, Path(file_name).name)
    return out


def _period_text(p: Period) -> str:
    return p.text + (" (本年累计 from January)" if p.basis == "ytd" else "")


def _write_fields(w: Writer, choice: _Choice) -> None:
    """The fields: the columns left out as comments, the mapped ones, the undecided ones commented
    out with ???, and a TODO for each required field no column fills."""
    plan, closest = choice.plan, choice.closest
    w.line("fields:")
    required = {f.name for f in closest.fields if f.required}
    for col in plan.columns:
        if col.how == "skipped":
            w.comment(f"{col.letter} “{col.header}”: {col.note or col.kind}, left out", "  ")
            continue
        if col.field is None:
            continue
        fs = closest.field(col.field) or choice.known.fields[col.field]
        _write_field(w, col, fs, col.field in required)
    for col in plan.columns:
        if col.field is not None or col.how == "skipped":
            continue
        _write_undecided_field(w, col, plan.dataset)
    mapped = choice.mapped
    for f in closest.fields:
        if f.required and f.name not in mapped:
            w.todo(
                f"required field {f.name} ({f.type}; known headers: {'、'.join(f.aliases[:4])}) has no column: "
                f"map one above, or the file cannot fill it.",
                "  ",
            )


def _write_field(w: Writer, col: DraftColumn, fs: FieldSpec, required: bool) -> None:
    """One mapped column's field line, after a comment on how it was found and its unit, and a TODO
    for a guess or a figure without a unit."""
    body: dict[str, Any] = {"aliases": [alias_text(col.header)]}
    if fs.type != "text":
        body["type"] = fs.type
    if fs.unit:
        body["unit"] = fs.unit
    if fs.default_unit:
        body["default_unit"] = fs.default_unit
    if required:
        body["required"] = True
    if fs.month_end:
        body["month_end"] = True
    why = {"alias": "known alias", "content": "from its content", "guess": "guessed"}[col.how]
    note = f"{col.letter} “{col.header}” — {why}"
    if col.how != "alias":
        note += f": {col.note}"
    mismatch = (
        fs.type in {"number", "integer"}
        and fs.unit
        and col.unit
        and not cells.same_dimension(col.unit, fs.unit)
    )
    if fs.type in {"number", "integer"} and fs.unit:
        if col.unit and not mismatch:
            factor = cells.unit_factor(col.unit, fs.unit)
            note += f"; unit {col.unit} (from the {col.unit_from})" + (
                f" → {fs.unit} ×{factor:g}" if factor != 1 else ""
            )
        elif fs.default_unit and not col.unit:
            note += f"; no unit in the file: {fs.default_unit} assumed (default_unit)"
    w.comment(note, "  ")
    if col.how == "guess":
        w.todo(
            f"confirm that {col.letter} “{col.header}” is {col.field} (other candidates: "
            f"{', '.join(c for c in col.candidates if c != col.field) or 'none'}).",
            "  ",
        )
    if mismatch:
        w.todo(
            f"{col.letter} “{col.header}”: the file gives it in {col.unit} (from the {col.unit_from}), which does "
            f"not convert to {fs.unit}: it is not {col.field}, or its unit must be said in its header.",
            "  ",
        )
    if fs.type in {"number", "integer"} and fs.unit and not col.unit and not fs.default_unit:
        w.todo(
            f"{col.letter} “{col.header}”: no unit in the header, a 单位： row or the file name; "
            f"add default_unit (the warehouse unit is {fs.unit}).",
            "  ",
        )
    w.line(f"  {col.field}: {flow(body)}")


def _write_undecided_field(w: Writer, col: DraftColumn, dataset: str) -> None:
    """A column no field was chosen for: a TODO with its candidates, and its line commented out as ???."""
    body: dict[str, Any] = {"aliases": [alias_text(col.header)]}
    t = {
        "credit_code": "credit_code",
        "region": "region",
        "date": "date",
        "period": "period",
        "flag": "flag",
        "integer": "integer",
        "number": "number",
    }.get(col.kind)
    if t:
        body["type"] = t
    unit = f" in {col.unit} (from the {col.unit_from})" if col.unit else ""
    cands = (
        f"candidates: {', '.join(col.candidates)}"
        if col.candidates
        else f"no field of {dataset} takes {col.kind} values{unit}"
    )
    w.todo(
        f"{col.letter} “{col.header}”: {col.note}{unit if col.candidates else ''}; {cands}. "
        f"Replace {_UNDEFINED} with the field and uncomment the line, or leave it out.",
        "  ",
    )
    w.line(f"  # {_UNDEFINED}: {flow(body)}")


def _write_rest(w: Writer, t: _Table, choice: _Choice) -> None:
    """The rest of the layout: required_any, total_labels, blank_means, constants (a TODO when
    another layout with other constants fits as well)."""
    closest, mapped = choice.closest, choice.mapped
    groups = [list(g) for g in closest.required_any if any(x in mapped for x in g)]
    for g in closest.required_any:
        if not any(x in mapped for x in g):
            w.todo(f"{closest.layout} needs one of {', '.join(g)}; no column maps to any of them.")
    if groups:
        w.line("required_any:")
        for g in groups:
            w.line(f"  - {flow([x for x in g if x in mapped])}")
    if t.extra_totals:
        w.comment(f"total labels seen in this file besides the usual ones: {'、'.join(t.extra_totals)}")
        w.line(f"total_labels: {flow(list(SourceSpec.total_labels) + t.extra_totals)}")
    if closest.blank_means != "missing":
        w.line(f"blank_means: {closest.blank_means}")
    if closest.constants:
        rivals = [
            s
            for s in choice.known.specs
            if s is not closest and s.constants and s.constants != closest.constants
        ]
        tied = [s for s in rivals if len(match_header(t.names, s)[0]) >= choice.closest_n]
        if tied:
            w.todo(
                f"constants: {flow(closest.constants)} as in {closest.layout}, but {tied[0].layout} fits as well "
                f"with {flow(tied[0].constants)}: which one is this file?"
            )
        else:
            w.comment(f"as in {closest.layout}")
        w.line(f"constants: {flow(dict(closest.constants))}")

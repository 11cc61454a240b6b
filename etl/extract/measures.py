"""Measures across, places down (`shape: measures`): the 分乡镇 table.

Each measure column of the spec is one indicator with its own basis (本期 / 累计 / 上年同期 / 同比)
and unit; each data row is a township, development zone or park (or any place). Every measure
cell becomes one long `indicator_obs` row; the 合计 row is reconciled against the sum of the rows
above it, never loaded.

A measure's unit comes from its header (`同比增长（%）`), else the unit row, else the spec's
`unit:`. A unit row listing several units (`单位：个，万元`) gives each column the one of its
indicator's kind (个 for a count, 万元 for money): two of that kind (`单位：万元，亿元`) is a critical
issue, never a guess. Finishing converts every value to its indicator's catalog unit, the one
conversion path every shape shares (etl.extract.finish.in_unit).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from etl.base import cells
from etl.base.cells import Period, column_letter, header_key
from etl.base.issues import Issue
from etl.extract.classify import classify_row
from etl.extract.header import header_names, label_text
from etl.extract.meta import (
    SheetMeta,
    made_or_sent_dates,
    period_disagreement,
    period_of_sheet,
    sheet_meta,
    unit_conflict,
    unit_in_file_name,
)
from etl.extract.model import Extraction, SheetInfo
from etl.extract.totals import mismatch_issue, reconciliation, resolve_regions
from etl.extract.wide import figure, header_labels, refuse_merged_figures, repeats_header
from etl.read import Grid
from etl.reference import catalog
from etl.spec.model import MeasureColumn, SourceSpec

_MONTH_RANGE = re.compile(r"\d{1,2}[-—~～至到]\d{1,2}月(?:累计|合计)?|1-本月(?:累计)?|本年累计")
_REPORTER = re.compile(r"(填报|编制|报送|制表)单位\s*[:：]\s*\S+")
_UNIT_LIST = re.compile(r"(?:计量|金额|面积|数量)?单位\s*[:：]\s*(.+)$")
BASIS_TEXT = {"本期": None, "累计": "本年累计", "上年同期": None, "同比": "增长"}
"""The basis word finishing reads for each measure basis (None: the period's own and the
indicator's kind decide: a level for a stock, the period or year to date for a flow)."""


def measure_key(text: Any) -> str:
    """A header text as measure aliases are compared: `header_key`, with a month range or 本年累计
    as `累计` (`工业总产值/1-9月累计` → `工业总产值/累计`), a bare `%` after a part as its unit
    (`工业总产值/同比增长%` → `工业总产值/同比增长`)."""
    return re.sub(r"[%％‰]+(?=/|$)", "", _MONTH_RANGE.sub("累计", header_key(text)))


@dataclass
class MeasuresHeader:
    """Where a measures table's parts are: its header rows, the label column, each measure's column."""

    row: int
    depth: int
    names: list[str]
    label_col: int
    columns: dict[int, MeasureColumn]

    @property
    def score(self) -> int:
        return len(self.columns) + 1


def measures_header(grid: Grid, spec: SourceSpec) -> MeasuresHeader | None:
    """The best header of `grid` for the spec's measures (1-3 rows): the label column and at least
    one measure column, the most measures found (then the fewest rows, the highest)."""
    assert spec.measures is not None
    labels = {header_key(a) for a in spec.measures.label_aliases}
    wanted: dict[str, MeasureColumn] = {}
    for col in spec.measures.columns:
        for a in col.aliases:
            wanted.setdefault(measure_key(a), col)
    best: MeasuresHeader | None = None
    for r in range(min(spec.header_scan_rows, len(grid.rows))):
        for depth in (1, 2, 3):
            if r + depth > len(grid.rows):
                continue
            names = header_names(grid, r, depth)
            label = next((c for c, n in enumerate(names) if n and header_key(n) in labels), None)
            cols: dict[int, MeasureColumn] = {}
            for c, n in enumerate(names):
                # under a grouping row (`规模以上工业/规上工业企业数/本期`): its last two parts
                col = (
                    (wanted.get(measure_key(n)) or wanted.get(measure_key("/".join(n.split("/")[-2:]))))
                    if n
                    else None
                )
                if col is not None and col not in cols.values():
                    cols[c] = col
            if label is None or not cols:
                continue
            cand = MeasuresHeader(r, depth, names, label, cols)
            if best is None or (cand.score, -cand.depth) > (best.score, -best.depth):
                best = cand
    return best


def units_listed(texts: list[str]) -> list[str]:
    """The units a unit row above the table lists, in order: `单位：个，万元` → [个, 万元]."""
    out: list[str] = []
    for t in texts:
        m = _UNIT_LIST.search(_REPORTER.sub(" ", cells.clean_text(t)))
        if not m:
            continue
        for part in re.split(r"[,，、;；/\s]+", m.group(1)):
            u = found[0] if (found := cells.unit_at_start(part)) else None
            if u and u not in out:
                out.append(u)
    return out


def column_unit(
    col: MeasureColumn, header: str, listed: list[str], elsewhere: tuple[tuple[str, str], ...] = ()
) -> tuple[str | None, str | None, str | None]:
    """(unit, where it was said, problem) of one measure column: its header, else the unit row's
    unit of its indicator's kind, else a unit of that kind in the title or the file name
    (`elsewhere`: (unit, where)), else the spec's `unit:`; a problem when two places disagree or
    the unit row lists two units of that kind."""
    target = col.unit or _catalog_unit(col.indicator)
    found: list[tuple[str, str]] = []
    # a child's own unit before its parent's (`工业总产值（万元）/同比增长（%）`: %)
    if u := next((u for part in reversed(header.split("/")) if (u := cells.unit_in_text(part))), None):
        found.append((u, "header"))
    if target is not None:
        kin = [u for u in listed if cells.same_dimension(u, target)]
    else:
        kin = listed if len(listed) == 1 else []
        if len(listed) > 1 and not found:
            return (
                None,
                None,
                (
                    f"单位行列出多个单位（{'、'.join(listed)}），无法判断“{header}”用哪一个：请在规格中为该列写明 unit"
                    f" / the unit row lists several units: say this column's unit in the spec"
                ),
            )
    if len(kin) > 1:
        return (
            None,
            None,
            (
                f"单位行列出同类单位 {'、'.join(kin)}，无法判断“{header}”用哪一个 / the unit row lists {', '.join(kin)}"
            ),
        )
    found += [(u, "unit row") for u in kin]
    if target is not None:
        found += [(u, w) for u, w in elsewhere if cells.same_dimension(u, target)]
    if col.unit:
        found.append((col.unit, "spec"))
    if conflict := unit_conflict(found):
        return None, None, conflict
    return (found[0][0], found[0][1], None) if found else (None, None, None)


def _catalog_unit(indicator: str) -> str | None:
    iid = catalog.indicator_id_for(indicator)
    return catalog.by_id()[iid].unit if iid else None


def indicator_name(indicator: str) -> str:
    """The name the rows carry: the catalog's name of the spec's indicator, else as the spec writes it."""
    iid = catalog.indicator_id_for(indicator)
    return catalog.by_id()[iid].name_zh if iid else indicator


def prior_year(p: Period) -> Period:
    """The same period a year earlier (上年同期): 2025-09 → 2024-09, 2025Q3 → 2024Q3, 2025 → 2024."""
    y = p.end.year - 1
    end = dt.date(y, p.end.month, calendar.monthrange(y, p.end.month)[1])
    text = str(y) + p.text[4:]
    return Period(text, end, p.basis, p.freq)


def to_date(p: Period) -> Period:
    """A 累计 figure of a quarter is the year to its last month (2025Q3 → 2025-09, ytd); a quarterly
    indicator takes the quarter back when it is finished. Months and years are as they are."""
    if p.freq != "quarter":
        return p
    return Period(p.end.strftime("%Y-%m"), p.end, "ytd", "month")


LONG_COLUMNS = (
    "indicator_name",
    "region",
    "period",
    "period_end",
    "_period_basis",
    "basis_text",
    "value",
    "_unit_value",
    "_unit_from_value",
    "missing",
    "_sheet",
    "_row",
    "_col",
)


@dataclass
class _Measure:
    """One measure column as this sheet reads it."""

    col: int
    spec: MeasureColumn
    header: str
    name: str  # the indicator's name
    period: Period
    unit: str | None
    unit_from: str | None
    accumulated: bool = False  # 累计, or the 上年同期 of an indicator whose figure here is 累计

    @property
    def label(self) -> str:
        return f"{self.name}/{self.spec.basis}"

    @property
    def basis_text(self) -> str | None:
        """The basis word finishing reads (`BASIS_TEXT`); 累计 of a whole year is the year itself;
        the 上年同期 of a 累计 figure is 累计 too (a year earlier)."""
        if self.accumulated:
            return None if self.period.freq == "year" else BASIS_TEXT["累计"]
        return BASIS_TEXT[self.spec.basis]


def extract_measures_sheet(
    grid: Grid, spec: SourceSpec, file_name: str, ex: Extraction
) -> dict[str, list[Any]] | None:
    """Every measure cell of every data row → one long row (`LONG_COLUMNS` and `region_code`)."""
    hm = measures_header(grid, spec)
    if hm is None:
        return None
    meta = sheet_meta(grid, hm.row)
    info = SheetInfo(sheet=grid.name, reporter=meta.reporter, header_rows=_rows_text(hm))
    period, info.period_from = period_of_sheet(spec, grid, meta, file_name)
    info.period = period.text if period else None
    if period is None:
        ex.issues.append(
            Issue(
                "critical",
                "period_not_found",
                "找不到报告期：工作表名、标题和文件名中都没有（如“2025年1-9月”）"
                f"{made_or_sent_dates(spec, grid, meta, file_name)}"
                " / no period in the sheet name, the title or the file name",
                grid.name,
            )
        )
        return None
    if clash := period_disagreement(spec, grid, meta, file_name):
        ex.issues.append(Issue("critical", "period_conflict", clash, grid.name))
        return None
    measures = _measures(hm, meta, period, (grid.name, file_name), info, ex)
    if measures is None:
        return None
    _record_columns(info, grid.name, hm, measures, ex)
    if grid.merged:  # a figure merged over two townships is neither's (a blank would read 0)
        rows = [list(r) for r in grid.rows]
        refuse_merged_figures(grid, rows, hm.row + hm.depth, {m.col for m in measures})
        grid = Grid(grid.name, rows, grid.merged, grid.hidden)
    out, totals = _long_rows(grid, spec, hm, measures, info, ex)
    out["region_code"] = resolve_regions(
        out["region"], [x - 1 for x in out["_row"]], grid.name, hm.names[hm.label_col], hm.label_col, ex
    )
    _reconcile(totals, out, measures, grid.name, info, ex)
    return out


def _rows_text(hm: MeasuresHeader) -> str:
    return f"{hm.row + 1}" + (f"-{hm.row + hm.depth}" if hm.depth > 1 else "")


def _measures(
    hm: MeasuresHeader,
    meta: SheetMeta,
    period: Period,
    where: tuple[str, str],
    info: SheetInfo,
    ex: Extraction,
) -> list[_Measure] | None:
    """The sheet's measure columns with their period and unit (`where`: the sheet's and the file's
    names); None (a critical issue) when a column's unit cannot be told."""
    sheet, file_name = where
    listed = units_listed(meta.title_texts)
    elsewhere = tuple(
        [(u, "title") for t in meta.title_texts if not units_listed([t]) and (u := cells.unit_in_text(t))]
        + [(u, "file name") for u in [unit_in_file_name(file_name)] if u]
    )
    out = []
    accumulated = {col.indicator for col in hm.columns.values() if col.basis == "累计"}
    for c, col in hm.columns.items():
        unit, where, problem = column_unit(col, hm.names[c], listed, elsewhere)
        if problem:
            ex.issues.append(
                Issue(
                    "critical",
                    "unit_conflict",
                    problem,
                    sheet,
                    hm.row + 1,
                    f"{hm.names[c]} ({column_letter(c)})",
                )
            )
            return None
        acc = col.basis == "累计" or (col.basis == "上年同期" and col.indicator in accumulated)
        p = to_date(period) if acc else period
        p = prior_year(p) if col.basis == "上年同期" else p
        m = _Measure(c, col, hm.names[c], indicator_name(col.indicator), p, unit, where, acc)
        info.units[m.label] = f"{unit} ({where})" if unit else "? (the indicator's unit assumed)"
        out.append(m)
    return out


def _record_columns(
    info: SheetInfo, sheet: str, hm: MeasuresHeader, measures: list[_Measure], ex: Extraction
) -> None:
    """The table's columns in `info` (what `statwh check` prints) and in meta.load_columns' rows of `ex`."""
    header = hm.names[hm.label_col]
    info.columns["region"] = f"{header} ({column_letter(hm.label_col)})"
    ex.column_map.append(
        {
            "sheet": sheet,
            "field": "region",
            "column_letter": column_letter(hm.label_col),
            "header_text": header,
        }
    )
    for m in measures:
        info.columns[m.label] = f"{m.header} ({column_letter(m.col)}) → {m.period.text}"
        ex.column_map.append(
            {
                "sheet": sheet,
                "field": f"value:{m.label}",
                "column_letter": column_letter(m.col),
                "header_text": m.header,
            }
        )
    mapped = {hm.label_col, *hm.columns}
    info.unmapped = [n for c, n in enumerate(hm.names) if n and c not in mapped]
    ex.sheets.append(info)


def _long_rows(
    grid: Grid,
    spec: SourceSpec,
    hm: MeasuresHeader,
    measures: list[_Measure],
    info: SheetInfo,
    ex: Extraction,
) -> tuple[dict[str, list[Any]], list[tuple[int, list[Any]]]]:
    """The long rows of the data rows below the header, and the total rows (row, cells) kept as evidence."""
    out: dict[str, list[Any]] = {k: [] for k in LONG_COLUMNS}
    totals: list[tuple[int, list[Any]]] = []
    in_notes = False
    heads = header_labels(grid.rows, hm.row + hm.depth - 1)
    for r in range(hm.row + hm.depth, len(grid.rows)):
        cur = grid.rows[r]
        kind = classify_row(cur, [hm.label_col], spec, in_notes)
        if kind == "data" and repeats_header(cur, heads):
            info.dropped_headers += 1
            continue
        region = label_text(cur[hm.label_col]) if hm.label_col < len(cur) else ""
        if kind == "data" and not region:
            kind = "blank"
        if kind != "data":
            in_notes = in_notes or kind == "note"
            _count_dropped(info, kind)
            if kind == "total":
                totals.append((r, cur))
            continue
        info.rows_read += 1
        for m in measures:
            parsed = _cell(cur, m, r, spec, grid.name, ex)
            if parsed is None:
                continue
            for k, v in (
                ("indicator_name", m.name),
                ("region", region),
                ("period", m.period.text),
                ("period_end", m.period.end),
                ("_period_basis", m.period.basis),
                ("basis_text", m.basis_text),
                ("value", parsed.value),
                ("_unit_value", m.unit or parsed.unit),
                ("_unit_from_value", m.unit_from if m.unit or not parsed.unit else "cell"),
                ("missing", parsed.missing),
                ("_sheet", grid.name),
                ("_row", r + 1),
                ("_col", column_letter(m.col)),
            ):
                out[k].append(v)
    return out, totals


def _count_dropped(info: SheetInfo, kind: str) -> None:
    if kind == "note":
        info.dropped_notes += 1
    elif kind == "blank":
        info.dropped_blank += 1
    elif kind == "part":
        info.dropped_parts += 1
    else:
        info.dropped_totals += 1


def _cell(
    cur: list[Any], m: _Measure, r: int, spec: SourceSpec, sheet: str, ex: Extraction
) -> cells.Parsed | None:
    """The parsed figure of one measure cell (a blank is 0 where the spec says so); None, with a
    row issue, when it is no figure."""
    v = cur[m.col] if m.col < len(cur) else None
    parsed = figure(v, m.unit)  # `12亿元` under 万元 refused, `30②` is 30
    if parsed.value is None and parsed.missing == "" and spec.blank_means == "zero":
        parsed = cells.Parsed(0.0)
    if parsed.problem:
        ex.issues.append(
            Issue(
                "row",
                "parse_number",
                parsed.problem,
                sheet,
                r + 1,
                f"{m.header} ({column_letter(m.col)})",
                label_text(v),
            )
        )
        return None
    return parsed


def _reconcile(
    totals: list[tuple[int, list[Any]]],
    out: dict[str, list[Any]],
    measures: list[_Measure],
    sheet: str,
    info: SheetInfo,
    ex: Extraction,
) -> None:
    """One 合计 row: each measure that adds up (not 同比, not a rate) must equal the sum of the rows
    above it (within the larger of 0.05 and 0.01 % of the total), else a warning names the cell."""
    if len(totals) != 1:
        return
    tr, cur = totals[0]
    for m in measures:
        if m.spec.basis == "同比" or m.unit == "%":
            continue
        total = cells.parse_number(cur[m.col] if m.col < len(cur) else None).value
        if total is None:
            continue
        letter = column_letter(m.col)
        parts = sum(
            v for v, c in zip(out["value"], out["_col"], strict=True) if c == letter and v is not None
        )
        info.totals.append({"field": m.label, "total": total, "sum": parts, "unit": m.unit})
        rec = reconciliation(
            sheet, tr + 1, f"{m.header} ({letter})", m.label, total, parts, max(0.05, abs(total) * 1e-4)
        )
        ex.reconciliations.append(rec)  # for meta.reconciliations, as etl.extract.totals records them
        if not rec["passed"]:
            ex.issues.append(mismatch_issue(rec, sheet, label_text(cur[m.col])))

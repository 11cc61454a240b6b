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
from dataclasses import dataclass, field
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
    passed_over: dict[int, str] = field(default_factory=dict)
    """Columns that name a measure but are not read as it, each with why (another column is, or
    it is a month's 上年同期); two that cannot be told apart are in `ambiguous`."""
    ambiguous: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return len(self.columns) + 1


def measures_header(grid: Grid, spec: SourceSpec) -> MeasuresHeader | None:
    """The best header of `grid` for the spec's measures (1-3 rows): the label column and at least
    one measure column, the most measures found (then the fewest rows, the highest)."""
    assert spec.measures is not None
    labels = {header_key(a) for a in spec.measures.label_aliases}
    wanted: dict[str, tuple[int, MeasureColumn]] = {}
    for col in spec.measures.columns:
        for rank, a in enumerate(col.aliases):
            wanted.setdefault(measure_key(a), (rank, col))
    best: MeasuresHeader | None = None
    for r in range(min(spec.header_scan_rows, len(grid.rows))):
        for depth in (1, 2, 3):
            if r + depth > len(grid.rows):
                continue
            names = header_names(grid, r, depth)
            label = next((c for c, n in enumerate(names) if n and header_key(n) in labels), None)
            hits: dict[int, tuple[int, MeasureColumn]] = {}
            for c, n in enumerate(names):
                # under a grouping row (`规模以上工业/规上工业企业数/本期`): its last two parts
                hit = (
                    (wanted.get(measure_key(n)) or wanted.get(measure_key("/".join(n.split("/")[-2:]))))
                    if n
                    else None
                )
                if hit is not None:
                    hits[c] = hit
            if label is None or not hits:
                continue
            cand = MeasuresHeader(r, depth, names, label, {})
            _one_column_per_measure(cand, hits)
            if not cand.columns and not cand.ambiguous:
                continue
            if best is None or (cand.score, -cand.depth) > (best.score, -best.depth):
                best = cand
    return best


def _parent(name: str) -> str:
    return name.rsplit("/", 1)[0] if "/" in name else ""


def _one_column_per_measure(hm: MeasuresHeader, hits: dict[int, tuple[int, MeasureColumn]]) -> None:
    """Each measure of the spec read from one column of `hits` (column → (alias rank, measure)):
    the one its most specific alias names (`工业总产值/1-9月累计` before `工业总产值/本期`, which is
    the year to date only where no 累计 column is); a 上年同期 read beside the column it is a year
    earlier than — the one right of the measure read, not the one right of a 本月 that is not read
    (`本月 | 上年同期 | 1-9月累计 | 上年同期`: the first is last year's month alone). Every other
    column that names a measure goes to `passed_over` with why; two that cannot be told apart
    (two `1-9月累计` of one indicator) to `ambiguous`, and neither is read."""
    by_measure: dict[int, list[int]] = {}
    measure_of: dict[int, MeasureColumn] = {}
    for c, (_, col) in hits.items():
        by_measure.setdefault(id(col), []).append(c)
        measure_of[id(col)] = col
    order = sorted(by_measure, key=lambda k: measure_of[k].basis == "上年同期")  # 上年同期 last
    for k in order:
        col, cands = measure_of[k], by_measure[k]
        if col.basis == "上年同期":
            cands = [c for c in cands if _beside_what_is_read(hm, c, col)]
            if not cands:
                for c in by_measure[k]:
                    hm.passed_over[c] = _MONTHS_PRIOR
                continue
            for c in by_measure[k]:
                if c not in cands:
                    hm.passed_over[c] = _MONTHS_PRIOR
        top = min(hits[c][0] for c in cands)
        best = [c for c in cands if hits[c][0] == top]
        if len(best) > 1:
            heads = "、".join(f"“{hm.names[c]}”({column_letter(c)})" for c in best)
            hm.ambiguous.append(
                f"{heads} 都可读作 {col.indicator} 的 {col.basis}，无法确定用哪一列 / two columns read as the same measure"
            )
            continue
        hm.columns[best[0]] = col
        for c in cands:
            if c != best[0]:
                hm.passed_over[c] = (
                    f"已读取“{hm.names[best[0]]}”({column_letter(best[0])}) 作为 {col.indicator} 的 {col.basis}；"
                    f"本列未入库 / another column is read as this measure"
                )
    hm.columns = dict(sorted(hm.columns.items()))


_MONTHS_PRIOR = (
    "上年同期，紧随未读取的列（如本月数）之后，是该列的上年同期，未入库 /"
    " a year earlier than the column left of it, which is not read: not loaded"
)


def _beside_what_is_read(hm: MeasuresHeader, c: int, col: MeasureColumn) -> bool:
    """Whether a 上年同期 column is a year earlier than a column that is read: the column left of
    it is not one of its own group (the first of the group) or is read as the same indicator. In
    a header of one row (no groups) it cannot be told: read, as before."""
    left = c - 1
    group = _parent(hm.names[c])
    if not group or left < 0 or not hm.names[left] or _parent(hm.names[left]) != group:
        return True
    read = hm.columns.get(left)
    return read is not None and read.indicator == col.indicator


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
    if hm.ambiguous:
        for why in hm.ambiguous:
            ex.issues.append(Issue("critical", "ambiguous_measure", why, grid.name, hm.row + 1))
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
    groups = {measure_key(a).split("/")[0] for col in spec.measures.columns for a in col.aliases if "/" in a}
    _record_columns(info, grid.name, hm, measures, ex, groups)
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


_HEAD_MONTHS = re.compile(r"(\d{1,2})\s*[-—~～至到]\s*(\d{1,2})\s*月")


def _span_against_period(header: str, col: MeasureColumn, p: Period) -> tuple[bool, str] | None:
    """(refuse, why) when a column's own months disagree with the sheet's period — `工业总产值/1-9月`
    under a title of 1-8月 is refused, never loaded as August — or when a 本期 column read as the
    year to date stands in a sheet of one month (`2025年9月`): said, as a roster says it."""
    child = header.rsplit("/", 1)[-1]
    m = _HEAD_MONTHS.search(child)
    if m and col.basis in ("累计", "上年同期") and p.freq == "month":
        a, b = int(m.group(1)), int(m.group(2))
        if a != 1 or b != p.end.month:
            return True, (
                f"列“{header}”写的是{a}-{b}月，报告期为{p.end.year}年1-{p.end.month}月，请核对 /"
                f" the column says months {a}-{b}, the sheet's period is months 1-{p.end.month}"
            )
    said = any(w in child for w in ("累计", "本年", "1-")) or m is not None
    if col.basis == "累计" and not said and p.basis == "period" and p.freq == "month" and p.end.month > 1:
        mo = p.end.month
        return False, (
            f"“{header}”未写明是本月数还是本年累计数，报告期为{p.end.year}年{mo}月（单月）：按1-{mo}月累计读取；"
            f"如为{mo}月当月数，请在表头写明“本月” / neither 本月 nor 累计 and the period is one month:"
            f" read as the year to date (months 1-{mo})"
        )
    return None


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
        if why := _span_against_period(hm.names[c], col, p):
            severity, rule = (
                ("critical", "period_conflict") if why[0] else ("warning", "year_to_date_assumed")
            )
            ex.issues.append(
                Issue(severity, rule, why[1], sheet, hm.row + 1, f"{hm.names[c]} ({column_letter(c)})")
            )
            if why[0]:
                return None
        p = prior_year(p) if col.basis == "上年同期" else p
        m = _Measure(c, col, hm.names[c], indicator_name(col.indicator), p, unit, where, acc)
        info.units[m.label] = f"{unit} ({where})" if unit else "? (the indicator's unit assumed)"
        out.append(m)
    return out


def _record_columns(
    info: SheetInfo,
    sheet: str,
    hm: MeasuresHeader,
    measures: list[_Measure],
    ex: Extraction,
    groups: set[str],
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
    ex.issues += _unread_measure_columns(hm, groups, sheet)
    ex.sheets.append(info)


def _unread_measure_columns(hm: MeasuresHeader, groups: set[str], sheet: str) -> list[Issue]:
    """A warning for every column not read that names a measure (`passed_over`) or stands under
    one of the measures' groups (`工业总产值/2025年1-9月`, `工业总产值/本月`): figures the table
    holds that do not load say so, never silently."""
    out = []
    for c, n in enumerate(hm.names):
        if not n or c in hm.columns or c == hm.label_col:
            continue
        why = hm.passed_over.get(c)
        if why is None and _parent(measure_key(n)).rsplit("/", 1)[-1] in groups:
            why = (
                "表头未写明本期、累计、上年同期或同比中的哪一种，本列未入库 /"
                " the header names none of this table's measures: not loaded"
            )
        if why is not None:
            where = f"{n} ({column_letter(c)})"
            out.append(Issue("warning", "column_not_read", f"“{n}”：{why}", sheet, hm.row + 1, where, n))
    return out


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

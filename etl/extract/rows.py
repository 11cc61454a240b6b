"""Tables with one record per row (rosters, lists, ledgers): header → typed columns with lineage."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from etl.base import cells
from etl.base.cells import Period, clean_text, column_letter, header_key
from etl.base.datasets import DATASETS
from etl.base.issues import Issue
from etl.extract.classify import classify_rows, header_label_sets
from etl.extract.header import MAX_DEPTH, SECTION_NUMBER, is_group_heading, label_text
from etl.extract.meta import (
    NOTES_SCANNED,
    UNIT_LINE,
    YEAR_PLACES,
    SheetMeta,
    footnote_units,
    is_column_numbers_row,
    is_unit_row,
    made_or_sent_dates,
    months_only,
    period_disagreement,
    period_of_sheet,
    sheet_meta,
    sheet_township,
    unit_conflict,
    unit_sources,
    year_of_sheet,
)
from etl.extract.model import Extraction, HeaderMatch, SheetInfo
from etl.extract.parse import parse_all, repeat_value, whole_numbers
from etl.extract.totals import catalog_district, check_parts, check_totals, part_columns, resolve_regions
from etl.read import Grid
from etl.spec.model import FieldSpec, SourceSpec


@dataclass
class _Sheet:
    """One rows-shaped sheet being extracted: what its steps read, and where they record what
    they find (its `SheetInfo`, its rows of meta.load_columns, the file's `Extraction`)."""

    grid: Grid
    spec: SourceSpec
    hm: HeaderMatch
    meta: SheetMeta
    file_name: str
    info: SheetInfo
    entries: dict[str, dict[str, Any]]  # field → its row of meta.load_columns
    ex: Extraction
    stated: tuple[Period | None, str | None]  # the period its name, title or file name states, and where

    def column(self, c: int) -> str:
        """How issues name column `c`: `header text (F)`."""
        return f"{self.hm.names[c]} ({column_letter(c)})"


def extract_rows_sheet(
    grid: Grid, spec: SourceSpec, hm: HeaderMatch, file_name: str, ex: Extraction, body_loader=None
) -> dict[str, list[Any]] | None:
    """One sheet of a rows-shaped layout. `grid` holds at least the rows down to the header;
    `body_loader(start_row, {column: kind})` reads the rows below it (big .xlsx files), else
    they come from `grid`."""
    meta = sheet_meta(grid, hm.row)
    stated = period_of_sheet(spec, grid, meta, file_name)  # once: the steps below all read it
    hm = _settled(hm, spec, grid, stated[0], ex)
    info = SheetInfo(sheet=grid.name, reporter=meta.reporter)
    sh = _Sheet(grid, spec, hm, meta, file_name, info, _record_columns(info, grid.name, hm, ex), ex, stated)
    ex.issues.extend(_duplicate_column_issues(sh))
    if hm.duplicates:
        return None
    has_period_col = "period" in hm.mapping and "column" in spec.period_from
    sheet_period = _sheet_period(sh, has_period_col)
    clash = None if has_period_col else period_disagreement(spec, grid, sh.meta, sh.file_name)
    if clash or (clash := _header_month_clash(hm, sheet_period)):
        ex.issues.append(Issue("critical", "period_conflict", clash, grid.name))
        return None
    if sheet_period is None and not has_period_col and spec.period_required:
        ex.issues.append(
            Issue(
                "critical",
                "period_not_found",
                "找不到报告期：表内无时期列，工作表名、标题和文件名中也没有（如“2025年1-6月”）"
                f"{made_or_sent_dates(spec, grid, sh.meta, sh.file_name)}"
                " / no period in a column, the sheet name, the title or the file name",
                grid.name,
            )
        )
        return None

    ex.issues.extend(_year_to_date_assumed(sh, sheet_period))

    # the rows below the header: only the columns that matter, as one frame
    start = _first_body_row(grid, hm.row + hm.depth)
    label_cols = _label_columns(spec, hm)
    parts = part_columns(hm)
    wanted = _wanted_columns(grid, spec, hm, start, label_cols, parts)
    body = body_loader(start, wanted) if body_loader else _body_from_grid(grid, start, wanted)
    if body_loader:  # the grid holds the sheet's first rows only: its footnotes are the body's last
        _footnote_units_below(sh, body)
    body = _merged_down(body, body.attrs.get("merged", grid.merged), sh)
    # the header and the rows just above it (a grouping row, the title) as a page repeats them
    above = min(hm.row, MAX_DEPTH)
    repeats = header_label_sets(grid.rows, hm.row - above, hm.depth + above)
    data, total_rows, total_values = _data_rows(
        body, label_cols, spec, info, repeats, place_col=hm.mapping.get("township")
    )
    del body
    if issue := _section_issue(sh):
        ex.issues.append(issue)
        return None
    check_parts(parts, hm, data, grid.name, ex)
    info.rows_read = len(data)
    if ex.format == "csv":
        ex.issues.extend(_extra_fields(sh, data.index))

    cols = _field_columns(sh, data)
    if cols is None:
        return None
    cols.update(_sheet_columns(spec, sheet_period, grid.name, data.index))
    cols.update(_sheet_place(sh, len(data)))
    cols.update(_coverage_column(sh, len(data)))
    check_totals(spec, hm, grid.name, total_rows, total_values, cols, data.index, info, ex)
    return cols


def _settled(
    hm: HeaderMatch, spec: SourceSpec, grid: Grid, stated: Period | None, ex: Extraction
) -> HeaderMatch:
    """The header with the columns of one field told apart where they can be: by the period they
    name (`stated`, the sheet's), by a `其中：` part beside its whole, by the field's `prefer` list
    (a warning each)."""
    hm = _settled_by_period(hm, stated)
    hm, preferred = _settled_by_part_or_preference(hm, spec, grid.name)
    ex.issues.extend(preferred)
    return hm


def _sheet_place(sh: _Sheet, n: int) -> dict[str, Any]:
    """The place columns a sheet gives every row when no column does (`_sheet_region`)."""
    if sh.spec.dataset == "indicator_obs" and "region" not in sh.hm.mapping:
        return _sheet_region(sh, n)
    if "township" not in sh.hm.mapping and any(f.name == "township" for f in sh.spec.fields):
        return _sheet_region(sh, n, "township")
    return {}


def _first_body_row(grid: Grid, start: int) -> int:
    """The first row below the header that may be a record: not a `单位：亿元` row (the columns' unit,
    `units_around`) nor a 栏次 row (`甲 乙 丙 … 1 2 3`), in either order."""
    for _ in range(2):
        if start < len(grid.rows) and (
            is_unit_row(grid.rows[start]) or is_column_numbers_row(grid.rows[start])
        ):
            start += 1
    return start


def _footnote_units_below(sh: _Sheet, body: pd.DataFrame) -> None:
    """A unit a footnote states in the body's last rows (`注：本表金额单位为亿元` under a long
    table: in the columns read, which hold the table's first three and its text fields), beside
    those the sheet's first rows state (`units_around`, which saw only those rows)."""
    for found in footnote_units(body.tail(NOTES_SCANNED).itertuples(index=False)):
        if found not in sh.meta.more_units:
            sh.meta.more_units.append(found)


def _record_columns(
    info: SheetInfo, sheet: str, hm: HeaderMatch, ex: Extraction
) -> dict[str, dict[str, Any]]:
    """The header's columns in `info` (mapped and not) and in meta.load_columns' rows of `ex`;
    `info` joins the file's sheets. Returns each mapped field's row of meta.load_columns."""
    entries: dict[str, dict[str, Any]] = {}
    for f, c in hm.mapping.items():
        info.columns[f] = f"{hm.names[c]} ({column_letter(c)})"
        entries[f] = {
            "sheet": sheet,
            "field": f,
            "column_letter": column_letter(c),
            "header_text": hm.names[c],
        }
        ex.column_map.append(entries[f])
    mapped_cols = set(hm.mapping.values())
    info.unmapped = [
        f"{n} ({column_letter(c)})" for c, n in enumerate(hm.names) if n and c not in mapped_cols
    ]
    info.header_rows = f"{hm.row + 1}" if hm.depth == 1 else f"{hm.row + 1}-{hm.row + hm.depth}"
    ex.sheets.append(info)
    return entries


def _duplicate_column_issues(sh: _Sheet) -> list[Issue]:
    """A critical issue for every field that two columns of the header map to."""
    return [
        Issue(
            "critical",
            "duplicate_column",
            f"两列都对应字段“{f}”："
            + "、".join(sh.column(c) for c in cols)
            + "，请删除或改名其中一列 / two columns map to the same field",
            sh.grid.name,
            sh.hm.row + 1,
            f,
        )
        for f, cols in sh.hm.duplicates.items()
    ]


def _header_month_clash(hm: HeaderMatch, period: Period | None) -> str | None:
    """A figure's column headed by months (`工业总产值/1-8月`, `1-8月/工业总产值`) that are not the
    sheet's period's (2025年1-9月 in the title), or by a year that is not its year
    (`工业总产值/2024年1-9月`, `2024年1-9月/工业总产值`: last year's, which had loaded as this
    year's): which period the figures are of cannot be told."""
    if period is None:
        return None
    for c in sorted(set(hm.mapping.values())):
        if said := _period_named(hm.names[c], period):
            return (
                f"报告期不一致，请核对后重新报送：表头“{hm.names[c]}”为{said}，报告期为{period.text}"
                f" / the header's period is not the sheet's period"
            )
    return None


def _period_named(name: str, period: Period) -> str | None:
    """The year or month a header names (in its last part, or as a parent of its own) when it is
    not `period`'s (`2024年`, `8月`), else None."""
    *parents, child = clean_text(name).replace(" ", "").split("/")
    return _other_period(child, period, label_only=False) or next(
        (x for part in parents if (x := _other_period(part, period, label_only=True))), None
    )


def _settled_by_period(hm: HeaderMatch, period: Period | None) -> HeaderMatch:
    """Columns of one field told apart by the period they name (`工业总产值/2025年1-6月` beside
    `工业总产值/2024年1-6月`, or those years over the measures): the one of the sheet's period is
    the field, the others are left unmapped (they had rejected the sheet as two columns of it)."""
    if period is None or not hm.duplicates:
        return hm
    mapping, duplicates = dict(hm.mapping), dict(hm.duplicates)
    for f, cols in hm.duplicates.items():
        own = [c for c in cols if not _period_named(hm.names[c], period)]
        if len(own) == 1:
            mapping[f] = own[0]
            del duplicates[f]
    return replace(hm, mapping=mapping, duplicates=duplicates)


def _settled_by_part_or_preference(
    hm: HeaderMatch, spec: SourceSpec, sheet: str
) -> tuple[HeaderMatch, list[Issue]]:
    """Columns of one field told apart by what they are: a `其中：` column (`营业收入 | 其中：主营业务
    收入`) is a part of the whole beside it, which is the field; or the field's `prefer` list
    names which header is read (`期末从业人员` before `从业人员平均人数`: the others left unread, a
    warning naming both). Both had rejected the sheet as two columns of one field."""
    if not hm.duplicates:
        return hm, []
    fields = {f.name: f for f in spec.fields}
    mapping, duplicates, issues = dict(hm.mapping), dict(hm.duplicates), []
    for f, cols in hm.duplicates.items():
        wholes = [c for c in cols if not _PART_COLUMN.search(header_key(hm.names[c]))]
        if len(wholes) == 1:
            mapping[f] = wholes[0]
            del duplicates[f]
            continue
        prefer = [header_key(a) for a in fields[f].prefer] if f in fields else []
        ranks = {c: _rank(header_key(hm.names[c]), prefer) for c in cols}
        if prefer and None not in ranks.values() and len(set(ranks.values())) == len(cols):
            best = min(cols, key=lambda c: ranks[c])
            mapping[f] = best
            del duplicates[f]
            left = "、".join(f"“{hm.names[c]}”({column_letter(c)})" for c in cols if c != best)
            issues.append(
                Issue(
                    "warning",
                    "column_preferred",
                    f"两列都对应字段“{f}”：读取“{hm.names[best]}”({column_letter(best)})，未读 {left}"
                    f" / two columns map to {f}: {hm.names[best]} is read, the other left unread",
                    sheet,
                    hm.row + 1,
                    f,
                )
            )
    return replace(hm, mapping=mapping, duplicates=duplicates), issues


_PART_COLUMN = re.compile(r"(^|/)其中")


def _rank(key: str, prefer: list[str]) -> int | None:
    """Where a header (its last part) stands in a field's `prefer` list; None when not there."""
    last = key.rpartition("/")[2]
    return prefer.index(last) if last in prefer else None


def _other_period(text: str, period: Period, *, label_only: bool) -> str | None:
    """The year or month `text` names when it is not `period`'s (`2024年`, `8月`), else None. A
    parent counts only as a label of its own (`1-8月`, `2024年1-8月`), not a title holding one."""
    if _YEAR_WRITTEN.match(text) and (p := cells.parse_period(text)) is not None:
        if p.end.year != period.end.year:
            return f"{p.end.year}年"
        if period.freq == "month" and p.freq == "month" and p.end.month != period.end.month:
            return f"{p.end.month}月"
        return None
    if label_only and not re.fullmatch(r"(?:1[-—–~至])?\d{1,2}月(?:累计|份)?", text):
        return None
    if period.freq == "month" and (m := months_only(text)) is not None and m[0] != period.end.month:
        return f"{m[0]}月"
    return None


_YEAR_WRITTEN = re.compile(r"^\d{4}年")


SAYS_WHICH_SPAN = ("累计", "本月", "当月", "本期", "本年", "全年", "年度", "月度")
"""Words of a figure's header that say which span of the year it covers."""


def _year_to_date_assumed(sh: _Sheet, period: Period | None) -> list[Issue]:
    """A figure headed without saying its span (`工业总产值（万元）`) is read as the year to date
    (the spec's `…_ytd` field), its month's field being absent. When the sheet names one month
    (`2025年6月`, not `2025年1-6月`) that may be the month's figure alone: said, once per column."""
    if period is None or period.freq != "month" or period.basis != "period" or period.end.month == 1:
        return []
    out = []
    for name, c in sh.hm.mapping.items():
        stem = name.removesuffix("_ytd")
        if stem == name or f"{stem}_month" in sh.hm.mapping or sh.spec.field(f"{stem}_month") is None:
            continue
        header = clean_text(sh.hm.names[c]).replace(" ", "")
        if any(w in header for w in SAYS_WHICH_SPAN) or months_only(header) is not None:
            continue
        m = period.end.month
        out.append(
            Issue(
                "warning",
                "year_to_date_assumed",
                f"“{sh.hm.names[c]}”未写明是本月数还是本年累计数，报告期为{period.end.year}年{m}月（单月）："
                f"按1-{m}月累计读取；如为{m}月当月数，请在表头写明“本月” / the header says neither"
                f" 本月 nor 累计 and the period is one month: read as the year to date (months 1-{m})",
                sh.grid.name,
                sh.hm.row + 1,
                sh.column(c),
            )
        )
    return out


def _sheet_period(sh: _Sheet, has_period_col: bool) -> Period | None:
    """The period of every row (from the sheet name, title or file name), noted in the sheet's
    info; None when a column gives each row's own (`has_period_col`) or none is found."""
    sheet_period, where = sh.stated
    if has_period_col:
        return None
    sh.info.period = sheet_period.text if sheet_period else None
    sh.info.period_from = where
    return sheet_period


def _label_columns(spec: SourceSpec, hm: HeaderMatch) -> list[int]:
    """The columns whose text says what a row is (合计, 其中, 注): the text fields' and the
    table's first three left of the first number (the table may start in any column)."""
    text_fields = [f.name for f in spec.fields if f.type in {"text", "region"}]
    first_numeric = min(
        (hm.mapping[f.name] for f in spec.fields if f.type in FIGURE_TYPES and f.name in hm.mapping),
        default=len(hm.names),
    )
    first = next((c for c, n in enumerate(hm.names) if n), 0)
    lead = set(range(first, min(first_numeric, first + 3)))
    serial = {c for c, n in enumerate(hm.names) if header_key(n.split("/")[-1]) in SERIAL_HEADERS}
    cols = {hm.mapping[f] for f in text_fields if f in hm.mapping} | lead | serial
    if "region" in hm.mapping and spec.dataset == "indicator_obs":
        cols.discard(hm.mapping["region"])  # 全区 / 合计 there is the district's own figure, not a total
    return sorted(cols)


WHOLE_DISTRICT = {"全区", "全区合计", "合计", "总计", "全区总计"}
"""A region cell of an indicator table that means the district itself (its own figure)."""


def _whole_district(v: Any) -> Any:
    if isinstance(v, str) and v.replace(" ", "").replace("\u3000", "") in WHOLE_DISTRICT:
        return catalog_district()
    return v


SERIAL_HEADERS = {"序号", "序", "编号", "行次", "no", "no."}
"""A serial-number column holds 合计 / 其中 labels wherever it stands."""


def _wanted_columns(
    grid: Grid, spec: SourceSpec, hm: HeaderMatch, start: int, label_cols: list[int], parts: dict[int, int]
) -> dict[int, str]:
    """The columns to read below the header and how ({column: `number`, `text` or `auto`}): the
    mapped fields', the label columns and the 其中 columns with their wholes."""
    wanted = {c: "auto" for c in set(hm.mapping.values()) | set(label_cols)}
    for fname, c in hm.mapping.items():
        f = spec.field(fname)
        if f is not None and f.type in FIGURE_TYPES:
            wanted[c] = "number" if _mostly_numbers(grid, start, c) else "text"
        elif f is not None and f.type in {"text", "region", "flag", "date", "period"}:
            wanted[c] = "text"
    for c in label_cols:
        wanted[c] = "text"
    for part, parent in parts.items():
        wanted.setdefault(part, "text")
        wanted.setdefault(parent, "text")
    if (uc := unit_column(hm)) is not None:
        wanted.setdefault(uc, "text")
    return wanted


UNIT_HEADERS = {"单位", "计量单位"}


def unit_column(hm: HeaderMatch) -> int | None:
    """An unmapped column headed 单位 / 计量单位: each row's unit of the figures beside it."""
    mapped = set(hm.mapping.values())
    cols = [
        c
        for c, n in enumerate(hm.names)
        if n and c not in mapped and header_key(n.split("/")[-1]) in UNIT_HEADERS
    ]
    return cols[0] if len(cols) == 1 else None


def _extra_fields(sh: _Sheet, rows: pd.Index) -> list[Issue]:
    """A CSV record with more fields than its header: a number written with a thousands comma and
    no quotes (`12,345`) splits into two fields and shifts every cell after it one column on
    (output 12, employees 345): the row is refused, never read shifted."""
    width = max((c + 1 for c, name in enumerate(sh.hm.names) if name), default=0)
    out = []
    for r in rows:
        cells = sh.grid.rows[r]
        extra = [c for c in range(width, len(cells)) if not _blank(cells[c])]
        if width and extra:
            out.append(
                Issue(
                    "row",
                    "extra_fields",
                    f"本行的字段多于表头的 {width} 列：疑为数字中的逗号没有加引号"
                    f'（如 12,345 应写成 "12,345" 或 12345），其后各列已错位，本行不入库 / the row has more'
                    f" fields than the header's {width} columns (a thousands comma without quotes?): its"
                    " cells are shifted",
                    sh.grid.name,
                    int(r) + 1,
                    f"({column_letter(extra[0])})",
                    label_text(cells[extra[0]]),
                )
            )
    return out


def _data_rows(
    body: pd.DataFrame,
    label_cols: list[int],
    spec: SourceSpec,
    info: SheetInfo,
    header_labels: dict[int, set[Any]] | None = None,
    place_col: int | None = None,
) -> tuple[pd.DataFrame, list[int], dict[int, dict[int, Any]]]:
    """The data rows of `body` (totals, 其中 parts, notes, blank rows, repeated header rows and
    section headings left out, counted in `info`), the total rows' indices, and the cells of each
    total row ({row: {column: cell}}). A township alone in the township column (`place_col`) is a
    record missing its other cells, not a heading: it stays a row (refused by the suite, kept)."""
    kinds = classify_rows(body, label_cols, spec, header_labels)
    if pages := _page_lines(body, kinds):
        kinds = kinds.copy()
        kinds.loc[pages] = "header"  # a page's line above the header repeated: no record
    if units := _page_lines(body, kinds, UNIT_LINE, after_data=True):
        kinds = kinds.copy()
        kinds.loc[units] = "note"  # `数据单位：千元` below the records: its unit is read (footnote_units)
    info.headings = _headings(body, kinds)
    in_place_col = (
        set(body.index[body[place_col].notna()]) if place_col is not None and place_col in body else set()
    )
    sections = [
        row
        for row, text, header_after in info.headings
        if _is_section_heading(text, header_after)
        and not (row in in_place_col and not SECTION_NUMBER.match(text.replace(" ", "")))
    ]
    if sections:
        kinds = kinds.copy()
        kinds.loc[sections] = "heading"
    counts = kinds.value_counts()
    info.dropped_headings = int(counts.get("heading", 0))
    info.dropped_headers = int(counts.get("header", 0))
    info.dropped_totals = int(counts.get("total", 0))
    info.dropped_parts = int(counts.get("part", 0))
    info.dropped_notes = int(counts.get("note", 0))
    info.dropped_blank = int(counts.get("blank", 0))
    total_rows = list(body.index[kinds == "total"]) if info.dropped_totals else []
    total_values = {r: body.loc[r].to_dict() for r in total_rows[:1000]}
    is_data = (kinds == "data").to_numpy()
    pos = np.flatnonzero(is_data)
    if len(pos) and pos[-1] - pos[0] + 1 == len(pos):  # one block (the usual layout): a view, no copy
        return body.iloc[pos[0] : pos[-1] + 1], total_rows, total_values
    return body[is_data], total_rows, total_values


FIGURE_TYPES = {"number", "integer"}
"""Field types that hold figures."""
_PAGE_LINE = re.compile(r"^(续表|续上表|接上表|第\d+页|共\d+页)|(续表|续上表|[(（]续[)）])[)）]?$")
"""A printout's page line: `续表`, `第2页`, or the title again with `（续表）` after it."""


def _is_section_heading(text: str, header_after: bool) -> bool:
    """A heading of a group of rows (`一、车桥镇`, `（二）规上工业企业`, `石塘镇`): not a record. A
    heading followed by the header again begins a second table (`_section_issue`), not a group."""
    return not header_after and is_group_heading(text)


def _page_lines(
    body: pd.DataFrame, kinds: pd.Series, pattern: re.Pattern[str] = _PAGE_LINE, *, after_data: bool = False
) -> list[Any]:
    """The rows of one text that are a printout's page lines (`续表`, `第2页`, `…（续表）`): they had
    been read as a record (an enterprise without a credit code) or a second table. With another
    `pattern` (a unit line, `数据单位：千元`) and `after_data`, such rows below a record."""
    data = (kinds == "data").to_numpy()
    filled = body.notna().to_numpy().sum(axis=1) - (body == "").to_numpy().sum(axis=1)
    first = int(np.flatnonzero(data)[0]) if after_data and data.any() else -1
    out = []
    for p in np.flatnonzero(data & (filled == 1)):
        cells = [v for v in body.iloc[p].tolist() if v is not None and v == v and str(v).strip()]
        if (
            p > first
            and len(cells) == 1
            and isinstance(cells[0], str)
            and pattern.search(clean_text(cells[0]).replace(" ", ""))
        ):
            out.append(body.index[p])
    return out


def _headings(body: pd.DataFrame, kinds: pd.Series) -> list[tuple[int, str, bool]]:
    """Rows of one text cell among the data with data below them (`二、规模以下工业企业`,
    `一、车桥镇`): a section of the table, or a second table when the header follows it."""
    data = (kinds == "data").to_numpy()
    if not data.any():
        return []
    last = np.flatnonzero(data)[-1]
    filled = body.notna().to_numpy().sum(axis=1) - (body == "").to_numpy().sum(axis=1)
    out = []
    for p in np.flatnonzero(data[:last] & (filled[:last] == 1)):
        cells = [v for v in body.iloc[p].tolist() if v is not None and v == v and str(v).strip()]
        if len(cells) != 1 or not isinstance(cells[0], str) or _value_like_text(cells[0]):
            continue
        text = clean_text(cells[0])
        if _PAGE_LINE.search(text.replace(" ", "")):
            continue
        q = p + 1
        while q < len(kinds) and kinds.iloc[q] == "blank":
            q += 1
        out.append((int(body.index[p]), text, q < len(kinds) and kinds.iloc[q] == "header"))
    return out


def _value_like_text(text: str) -> bool:
    return cells.parse_number(text).value is not None or cells.parse_date(text).value is not None


def _section_issue(sh: _Sheet) -> Issue | None:
    """A second table below the first (a heading, then the header again), or a section heading
    that says 规上 / 规下 in a roster whose 规上 status comes from its title: whose rows are whose
    cannot be told from one table's header, so the sheet is rejected, the heading named."""
    for row, text, header_after in sh.info.headings:
        coverage = (
            COVERAGE_COLUMN in DATASETS[sh.spec.dataset].columns
            and COVERAGE_COLUMN not in sh.hm.mapping
            and (_ABOVE_SCALE.search(text) or _BELOW_SCALE.search(text))
        )
        if header_after or coverage:
            return Issue(
                "critical",
                "second_table",
                f"第 {row + 1} 行“{text}”起是另一张表（或另一类企业），请分开报送或放在不同的工作表"
                f" / row {row + 1} begins another table: send it apart or on its own sheet",
                sh.grid.name,
                row + 1,
            )
    return None


def _field_columns(sh: _Sheet, data: pd.DataFrame) -> dict[str, Any] | None:
    """Every mapped field's columns from the data rows: parsed, numbers in the field's unit,
    each cell's problem an issue. None when a column's unit cannot be converted (critical)."""
    n = len(data)
    fields = [(fname, sh.spec.field(fname), c) for fname, c in sh.hm.mapping.items()]
    assert all(f is not None for _, f, _ in fields)
    raws = [
        data[c] if c in data.columns else pd.Series([None] * n, index=data.index, dtype=object)
        for _, _, c in fields
    ]
    raws = [
        _with_year(sh, raw) if f.type == "period" else raw
        for (_, f, _), raw in zip(fields, raws, strict=True)
    ]
    # an integer is told after its unit is applied (`从业人员（万人）` 0.0123 is 123 persons)
    as_parsed = [replace(f, type="number") if f.type == "integer" else f for _, f, _ in fields]
    parsed = parse_all(raws, as_parsed, sh.spec.blank_means == "zero")
    row_units = _row_units(sh, data)
    data_rows = list(data.index)
    cols: dict[str, Any] = {}
    for (fname, f, c), raw, (vals, missing, problems, cell_units) in zip(fields, raws, parsed, strict=True):
        if f.type in FIGURE_TYPES:
            converted = _in_field_unit(sh, fname, f, c, vals, problems, cell_units, row_units)
            if converted is None:
                return None
            vals, unit_cols = converted
            cols.update(unit_cols)
            if f.type == "integer":
                vals = whole_numbers(vals, problems, raw)
        if f.type == "period":
            vals = _blank_periods_from_sheet(sh, fname, c, vals, raw)
        sh.ex.issues.extend(_parse_issues(sh, f, c, problems, raw))
        if f.type == "period":
            sh.ex.issues.extend(_row_period_clashes(sh, c, vals, raw))
        cols.update(_value_columns(sh, fname, f, c, vals, data_rows))
        if f.lower_bound:  # which bound a cell wrote: finishing checks it against the direction
            cols[f"_bound_{fname}"] = raw.map(cells.bound_kind).to_numpy(dtype=object)
        if f.type in FIGURE_TYPES:
            cols[f"_missing_{fname}"] = missing.to_numpy(dtype=object)
            _record_missing_markers(sh, fname, missing)
    return cols


def _blank_periods_from_sheet(sh: _Sheet, fname: str, c: int, vals: pd.Series, raw: pd.Series) -> pd.Series:
    """Rows whose period cell is blank take the period the sheet's name, title or file name
    states (`统计期` left empty under `（2025年1-6月）`, `认定年度` under `2024年认定高新技术企业名单`):
    every row had been refused as having no period. A warning says how many; a cell that holds
    something unreadable stays refused."""
    blank = raw.isna() | raw.map(lambda v: isinstance(v, str) and not v.strip())
    if not blank.any():
        return vals
    sheet, where = sh.stated
    if sheet is None:
        return vals
    vals = vals.copy()
    vals[blank] = [sheet] * int(blank.sum())
    place = {"sheet": "工作表名", "title": "标题", "file_name": "文件名"}.get(where or "", where or "")
    rows = [int(r) + 1 for r in raw.index[blank]]
    sh.ex.issues.append(
        Issue(
            "warning",
            "period_from_sheet",
            f"{len(rows)} 行{sh.hm.names[c]}为空，按{place}的 {sheet.text} 计 / {len(rows)} row(s) with a blank"
            f" {fname}: the {where}'s {sheet.text} taken",
            sh.grid.name,
            rows[0],
            sh.column(c),
        )
    )
    return vals


def _sheet_region(sh: _Sheet, n: int, field: str = "region") -> dict[str, Any]:
    """A long table without a 地区 column is of the township a `地区：` line, its title, sheet name or
    file name names (`车桥镇2025年主要经济指标`), not the district's (it had been filed as 淮安区's);
    a roster or ledger without a 所在镇 column (one sheet per township, a township's own file), of
    that township (`field` township)."""
    place = sheet_township(sh.meta, sh.grid.name, sh.file_name)
    if place is None:
        return {}
    sh.info.columns[field] = f"{place[1]} ({place[2]})"
    return {field: [place[1]] * n, f"{field}_code": [place[0]] * n}


def _row_period_clashes(sh: _Sheet, c: int, periods: Any, raw: pd.Series) -> list[Issue]:
    """Rows whose period column says less than, or another year than, the month the sheet's name,
    title or file name gives (`2025年` or `2024年6月` in a roster titled `2025年1-6月`): a year
    alone would file the half-year's figures as the whole year's (December), another year's as
    that year's. Each such row is refused, naming both; a month of the same year is the row's own
    (a roster of several months under a title of their span)."""
    sheet, where = sh.stated
    if sheet is None or sheet.freq != "month":
        return []
    place = {"sheet": "工作表名", "title": "标题", "file_name": "文件名"}.get(where or "", "表头")
    out = []
    for r, p, v in zip(raw.index, periods, raw, strict=True):
        if not isinstance(p, Period) or (p.freq != "year" and p.end.year == sheet.end.year):
            continue
        why = "只写了年份" if p.freq == "year" and p.end.year == sheet.end.year else "年份不同"
        out.append(
            Issue(
                "row",
                "period_conflict",
                f"本行的时期“{label_text(v)}”{why}，而{place}写明 {sheet.text}：无法确定本行属于哪一期，"
                f"请改为同一期后重新报送 / the row's period {label_text(v)!r} disagrees with"
                f" {sheet.text} in the {where or 'sheet'}",
                sh.grid.name,
                int(r) + 1,
                sh.column(c),
                label_text(v),
            )
        )
    return out


def _with_year(sh: _Sheet, raw: pd.Series) -> pd.Series:
    """A period column's spans written without their year (`1—9月`, `上半年`, `前三季度`, `三季度`)
    given the year the sheet name, title or file name says (`2025年…`), whichever places the
    spec reads the period from; the column as it is when none says one. A word that names no
    span (`本期`) is left as it is: `2025年本期` would read as the whole year."""
    spans = {v: _yearless_span(v) for v in pd.unique(raw.dropna())}  # once per distinct text
    is_text = raw.map(lambda v: spans.get(v, False))
    if not is_text.any():
        return raw
    places = (*sh.spec.period_from, *(p for p in YEAR_PLACES if p not in sh.spec.period_from))
    year = year_of_sheet(sh.spec, sh.grid, sh.meta, sh.file_name, places)
    if year is None:
        return raw
    out = raw.copy()
    out[is_text] = [f"{year}年{clean_text(v).strip()}" for v in raw[is_text]]
    return out


def _yearless_span(v: Any) -> bool:
    """A text naming a span of a year without the year (`1—9月`, `上半年`, `三季度`, `全年`)."""
    if not isinstance(v, str) or re.search(r"\d{4}", v) or cells.parse_period(v) is not None:
        return False
    if months_only(v) is not None:
        return True
    p = cells.parse_period(f"2000年{clean_text(v).strip()}")
    return p is not None and (p.freq != "year" or "全年" in v or "年度" in v)


def _row_units(sh: _Sheet, data: pd.DataFrame) -> pd.Series | None:
    """Each data row's unit from an unmapped 单位 column (`unit_column`), as a known unit or the
    text written (None where blank); None when the table has no such column."""
    uc = unit_column(sh.hm)
    if uc is None or uc not in data.columns:
        return None
    texts = data[uc].map(lambda v: label_text(v).replace(" ", "") if v is not None and v == v else "")
    return texts.map(lambda t: (cells.known_unit(t) or cells.unit_in_text(f"({t})") or t) if t else None)


def _with_row_units(
    found: list[tuple[str, str]], f: FieldSpec, cell_units: pd.Series, row_units: pd.Series | None
) -> tuple[list[tuple[str, str]], pd.Series]:
    """A 单位 column speaks of the fields whose unit is of its kind: one unit in every row is the
    column's unit (`unit column`, where no other place says one); rows whose unit differs from it
    are that row's cells' unit, so that they are turned away as mixed units, never read as written."""
    if row_units is None or f.unit is None:
        return found, cell_units
    kin = row_units.map(lambda u: isinstance(u, str) and cells.same_dimension(u, f.unit))
    if not kin.any():
        return found, cell_units
    written = row_units[kin]
    if not found:
        found = [(written.mode().iloc[0], "unit column")]
    cell_units = cell_units.copy()
    fill = cell_units.isna() & kin
    cell_units[fill] = row_units[fill]
    return found, cell_units


def _in_field_unit(
    sh: _Sheet,
    fname: str,
    f: FieldSpec,
    c: int,
    vals: pd.Series,
    problems: pd.Series,
    cell_units: pd.Series,
    row_units: pd.Series | None = None,
) -> tuple[pd.Series, dict[str, Any]] | None:
    """A number column in its field's unit: the unit the file gives it (`unit_sources`: header,
    unit row, 指标 line, title, file name; else the spec's `default_unit`, else the field's,
    assumed), cells that write another unit turned away (a problem each), the factor applied and
    noted in the sheet's info, a figure that is no finite number after it a problem. A field
    without a unit of its own (an indicator's value, a target: each row's indicator says) keeps
    the figures as written, with their unit in `_unit_<field>` columns for finishing to convert.
    None, with a critical issue, when two places disagree or the units do not convert."""
    found = unit_sources(sh.hm.names[c], sh.meta, sh.file_name)
    if f.unit is not None:  # a unit of another kind above the table speaks of other columns
        found = [(u, w) for u, w in found if w == "header" or cells.same_dimension(u, f.unit)]
    found, cell_units = _with_row_units(found, f, cell_units, row_units)
    if conflict := unit_conflict(found):
        sh.ex.issues.append(
            Issue(
                "critical", "unit_conflict", f"{sh.column(c)}：{conflict}", sh.grid.name, sh.hm.row + 1, fname
            )
        )
        return None
    unit, src = found[0] if found else (f.default_unit, "spec") if f.default_unit else (f.unit, "assumed")
    if unit is None and f.unit is None:  # each cell's own unit (`3.4公顷`), if it writes one
        return vals, {
            f"_unit_{fname}": cell_units.to_numpy(),
            f"_unit_from_{fname}": repeat_value("cell", len(vals)),
        }
    if cell_units.isin(cells.CELL_SCALES).any():  # `31000万` under 万元 is in 万元
        cell_units = cell_units.map(lambda u: cells.in_column_unit(u, unit))
    _mixed_cell_units(vals, problems, cell_units, unit, percent_ok=f.unit in (None, "%"))
    if f.unit is None:
        sh.info.units[fname] = f"{unit} ({src})"
        n = len(vals)
        return vals, {f"_unit_{fname}": repeat_value(unit, n), f"_unit_from_{fname}": repeat_value(src, n)}
    try:
        factor = cells.unit_factor(unit, f.unit)
    except ValueError as e:
        sh.ex.issues.append(
            Issue("critical", "unit_mismatch", f"{sh.column(c)}：{e}", sh.grid.name, sh.hm.row + 1, fname)
        )
        return None
    sh.info.units[fname] = f"{unit} ({src}) → {f.unit} ×{factor:g}"
    sh.entries[fname].update(unit_read=unit, unit_factor=factor)  # lineage (core.value_inputs)
    if factor == 1:
        return vals, {}
    out = vals * factor
    overflow = np.isinf(out.to_numpy(dtype=float, na_value=np.nan))
    if overflow.any():
        problems[overflow] = [
            f"数值 {v:g}{unit} 换算为{f.unit}后超出范围 / not a finite number in {f.unit}"
            for v in vals[overflow]
        ]
        out[overflow] = float("nan")
    return out, {}


def _mixed_cell_units(
    vals: pd.Series, problems: pd.Series, cell_units: pd.Series, unit: str | None, *, percent_ok: bool
) -> None:
    """Cells that write a unit other than the column's (`3.4公顷` in a 亩 column, `15.2%` in a
    万元 one): a problem each, their figures dropped (units mixed within a column cannot be
    trusted). `percent_ok`: a field without a unit of its own (each row's indicator says which)
    takes `6.1%` as the rate it is."""
    other = cell_units.notna()
    if other.any():
        other &= cell_units != unit
        if percent_ok:
            other &= cell_units != "%"
    if other.any():
        problems[other] = [
            f"单元格写明的单位“{u}”与本列单位“{unit}”不同，请统一单位 / the cell's unit differs from the column's"
            for u in cell_units[other]
        ]
        vals[other] = float("nan")


def _parse_issues(sh: _Sheet, f: FieldSpec, c: int, problems: pd.Series, raw: pd.Series) -> list[Issue]:
    """An issue for every cell of column `c` that did not parse: a row issue, or a warning for
    a doubt (`WARN:`)."""
    out = []
    for r, prob in problems.dropna().items():
        severity, prob = ("warning", prob[5:]) if prob.startswith("WARN:") else ("row", prob)
        rule = "not_in_vocabulary" if f.vocab is not None else f"parse_{f.type}"
        out.append(Issue(severity, rule, prob, sh.grid.name, int(r) + 1, sh.column(c), label_text(raw[r])))
    return out


def _value_columns(
    sh: _Sheet, fname: str, f: FieldSpec, c: int, vals: pd.Series, data_rows: list[int]
) -> dict[str, Any]:
    """The output columns of one field's values: a place with its resolved code, a period with
    its end and basis, else the values themselves."""
    if f.type == "region":
        within = catalog_district() if fname == "township" else None
        named = vals if within else vals.map(_whole_district)
        codes = resolve_regions(named, data_rows, sh.grid.name, sh.hm.names[c], c, sh.ex, within=within)
        return {fname: vals.array, f"{fname}_code": codes}
    if f.type == "period":
        return {
            "period": [p.text if p else None for p in vals],
            "period_end": [p.end if p else None for p in vals],
            "_period_basis": [p.basis if p else None for p in vals],
        }
    # strings stay in Arrow (a DataFrame would turn an object column of them back into that)
    return {fname: vals.array if isinstance(vals.dtype, pd.StringDtype) else vals.to_numpy()}


def _record_missing_markers(sh: _Sheet, fname: str, missing: pd.Series) -> None:
    """How many cells of a number field held each missing marker (`—`, blank …): in the sheet's
    info and in the field's row of meta.load_columns."""
    marked = missing[missing.notna()]
    if len(marked):
        sh.info.missing[fname] = {str(k): int(v) for k, v in marked.value_counts().items()}
        sh.entries[fname]["missing_markers"] = json.dumps(
            {k or "blank": v for k, v in sh.info.missing[fname].items()}, ensure_ascii=False
        )


def _sheet_columns(
    spec: SourceSpec, sheet_period: Period | None, sheet: str, index: pd.Index
) -> dict[str, Any]:
    """The columns every row of the sheet shares: its period (when no column gives one), the
    spec's constants, and the lineage (sheet, row; no column)."""
    n = len(index)
    cols: dict[str, Any] = {}
    if sheet_period is not None:
        cols["period"] = repeat_value(sheet_period.text, n)
        cols["period_end"] = repeat_value(sheet_period.end, n)
        cols["_period_basis"] = repeat_value(sheet_period.basis, n)
    for k, v in spec.constants.items():
        cols[k] = repeat_value(v, n)
    cols["_sheet"] = repeat_value(sheet, n)
    cols["_row"] = index.to_numpy() + 1
    cols["_col"] = repeat_value(None, n)
    return cols


_ABOVE_SCALE = re.compile(r"规模以上|规上")
_BELOW_SCALE = re.compile(r"规模以下|规下")
COVERAGE_COLUMN = "is_above_scale"


def coverage_of(
    spec: SourceSpec, title_texts: list[str], file_name: str, sheet: str | None = None
) -> tuple[bool | None, str]:
    """Whether a roster without a 是否规上 column covers 规上 enterprises (True), 规下 ones
    (False) or it cannot be told (None), and what says so, the most particular place first: the
    sheet's name (a workbook of sheets `规上企业` and `规下企业`), its title (`规模以上工业企业…`),
    the file name, else the spec's `coverage`."""
    places = [("sheet", sheet)] if sheet and sheet != Path(file_name).stem else []
    places += [*(("title", t) for t in title_texts), ("file name", Path(file_name).stem)]
    for where, text in places:
        below, above = _BELOW_SCALE.search(text), _ABOVE_SCALE.search(text)
        if below or above:
            return (above is not None and below is None), f"{where}: {text}"
    if spec.coverage is not None:
        return spec.coverage == "above_scale", f"spec: coverage {spec.coverage}"
    return None, "unknown"


def _coverage_column(sh: _Sheet, n: int) -> dict[str, Any]:
    """The 规上 flag of every row of a roster without a 是否规上 column, from `coverage_of`;
    unknown, a warning (every 规上 count and chain output of the period would be empty) and null."""
    if COVERAGE_COLUMN not in DATASETS[sh.spec.dataset].columns or COVERAGE_COLUMN in sh.hm.mapping:
        return {}
    if unread := _unread_scale_column(sh):
        sh.ex.issues.append(unread)
        return {}
    above, why = coverage_of(sh.spec, sh.meta.title_texts, sh.file_name, sh.grid.name)
    sh.info.columns[COVERAGE_COLUMN] = f"{'规上' if above else '规下' if above is False else '未知'} ({why})"
    if above is None:
        sh.ex.issues.append(
            Issue(
                "warning",
                "coverage_unknown",
                "名录没有“是否规上”列，标题、文件名和规格（coverage）也未说明是否为规模以上企业：规上状态未知"
                " / no 是否规上 column and neither the title, the file name nor the spec's coverage says"
                " whether the roster is 规模以上: the 规上 status is unknown",
                sh.grid.name,
                sh.hm.row + 1,
                COVERAGE_COLUMN,
            )
        )
    return {COVERAGE_COLUMN: repeat_value(above, n)}


def _unread_scale_column(sh: _Sheet) -> Issue | None:
    """A critical issue when a column not read names the 规上 status (`规上标志`, `是否为规模以上
    企业`) and holds flags (是/否, √, 规上/规下): the roster's 规上 status would come from its title
    or file name while the column says otherwise for some rows (every row had counted as 规上)."""
    read = set(sh.hm.mapping.values())
    start = sh.hm.row + sh.hm.depth
    for c, name in enumerate(sh.hm.names):
        if c in read or not name or not (_ABOVE_SCALE.search(name) or _BELOW_SCALE.search(name)):
            continue
        sample = [label_text(r[c]) for r in sh.grid.rows[start : start + 200] if c < len(r)]
        sample = [v for v in sample if v]
        flags = sum(1 for v in sample if cells.parse_flag(v).problem is None)  # 是/否, √, 规上/规下
        if sample and flags * 5 >= len(sample) * 4:
            return Issue(
                "critical",
                "coverage_column_unread",
                f"“{name}”列像是规上标志，但不是可识别的列名：请改为“是否规上”，否则无法判断哪些企业是规上 /"
                f" a column that looks like the 规上 flag under a name not known: rename it 是否规上",
                sh.grid.name,
                sh.hm.row + 1,
                sh.column(c),
            )
    return None


def _mostly_numbers(grid: Grid, start: int, c: int) -> bool:
    """Whether the first rows below the header hold numbers in column `c` (then the column is read
    as floats; a column of numbers typed as text is read as text, which parses it as fast)."""
    sample = [r[c] for r in grid.rows[start:] if c < len(r) and r[c] is not None]
    numbers = sum(1 for v in sample if isinstance(v, (int, float)) and not isinstance(v, bool))
    return numbers * 2 >= len(sample)


def _merged_down(body: pd.DataFrame, merged: list, sh: _Sheet) -> pd.DataFrame:
    """Cells merged down over data rows, as Excel shows them: a text, township, flag or date
    field's block (`车桥镇` over its enterprises) is every row's value — Excel stores it in the
    first cell only, and the others would read as blank. A figure merged over rows is no row's
    alone: each row of the block is refused, naming it (never the first row holding the whole)."""
    fields = {c: sh.spec.field(f) for f, c in sh.hm.mapping.items()}
    blocks = [
        (r0, r1, c0)
        for (r0, c0), (r1, _c1) in merged
        if r1 > r0 and c0 in fields and c0 in body.columns and r0 in body.index
    ]
    if not blocks:
        return body
    body = body.copy()
    for r0, r1, c in blocks:
        rows = [r for r in range(r0, r1 + 1) if r in body.index]
        col = body[c].astype(object)
        value = col[r0]
        if _blank(value):
            continue
        ref = f"{column_letter(c)}{r0 + 1}:{column_letter(c)}{r1 + 1}"
        if fields[c].type in FIGURE_TYPES:
            col[rows] = cells.not_a_figure(
                value,
                f"合并单元格 {ref} 中的数值属于哪一行无法确定，请分行填写 / a figure merged over {ref} is no single row's",
            )
        else:
            col[rows] = [value if r == r0 or _blank(col[r]) else col[r] for r in rows]
        body[c] = col
    return body


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def _body_from_grid(grid: Grid, start: int, wanted: dict[int, str]) -> pd.DataFrame:
    rows = grid.rows[start:]
    data = {c: [r[c] if c < len(r) else None for r in rows] for c in sorted(wanted)}
    return pd.DataFrame(data, index=range(start, start + len(rows)), dtype=object)

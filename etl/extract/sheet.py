"""Extraction: a departmental workbook → tidy rows that know their file, sheet, row and column.

`extract(path, source)` picks the layout (spec) of `source` whose fields best match the file's
header, finds the header by scanning (never a fixed number of skipped rows), joins two-row merged
headers, reads units and periods from where departments write them, drops totals / notes / blank
rows (keeping totals as evidence), parses every cell, and returns an `Extraction`.

Nothing here touches the warehouse. Problems are `Issue`s: `critical` ones reject the file,
`row` ones quarantine a row, `warning` ones are recorded.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from etl.base import cells
from etl.base.cells import Period, clean_text, column_letter, header_key
from etl.base.datasets import DATASETS, LINEAGE
from etl.read.workbook import Grid, ReadError, Workbook, read_workbook
from etl.spec.model import FieldSpec, SourceSpec, specs_for

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
class Issue:
    """One problem found in a file: where it is, what rule it broke, and what to do."""

    severity: str  # critical / row / warning
    rule: str
    message: str
    sheet: str | None = None
    row: int | None = None  # 1-based spreadsheet row
    column: str | None = None  # header text or field name, with the column letter: "企业名称 (C)"
    value: str | None = None

    @property
    def where(self) -> str:
        """`sheet S, row N, column C` — as much of it as is known."""
        parts = (
            self.sheet and f"sheet {self.sheet}",
            self.row and f"row {self.row}",
            self.column and f"column {self.column}",
        )
        return ", ".join(x for x in parts if x)

    def describe(self) -> str:
        """One line for a person: where, what is wrong, and the value found."""
        where = self.where
        return f"{where + ': ' if where else ''}{self.message}" + (
            f" [value: {self.value}]" if self.value else ""
        )


@dataclass
class HeaderMatch:
    row: int  # 0-based index of the first header row
    depth: int  # 1 or 2 rows
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

    @property
    def critical(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "critical"]

    @property
    def rows_read(self) -> int:
        return sum(s.rows_read for s in self.sheets)


# ---------------------------------------------------------------- header finding


def _text(v: Any) -> str:
    return clean_text(v) if v is not None else ""


def header_names(grid: Grid, r: int, depth: int) -> list[str]:
    """Joined header texts of rows r..r+depth-1; merged parent cells are carried over children."""
    rows = grid.rows
    width = max((len(x) for x in rows[r : r + depth]), default=0)
    top = [_text(c) for c in rows[r]] + [""] * (width - len(rows[r]))
    if depth == 1:
        return top
    sub = [_text(c) for c in rows[r + 1]] + [""] * (width - len(rows[r + 1]))
    merged_parent: dict[int, int] = {}
    for (r0, c0), (r1, c1) in grid.merged:
        if r0 == r and r1 == r:
            for c in range(c0 + 1, c1 + 1):
                merged_parent[c] = c0
    parent = list(top)
    for c in range(width):
        if parent[c] or not sub[c]:
            continue
        if c in merged_parent:
            parent[c] = top[merged_parent[c]]
        elif not grid.merged and c > 0 and sub[c - 1] and parent[c - 1]:
            parent[c] = parent[c - 1]  # no merge information: carry the group's parent along
    out = []
    for p, s in zip(parent, sub, strict=True):
        if p and s and p != s:
            out.append(f"{p}/{s}")
        else:
            out.append(p or s)
    return out


def match_header(names: list[str], spec: SourceSpec) -> tuple[dict[str, int], dict[str, list[int]]]:
    index = spec.alias_index
    mapping: dict[str, int] = {}
    dups: dict[str, list[int]] = {}
    for c, name in enumerate(names):
        if not name:
            continue
        key = header_key(name)
        f = index.get(key)
        if f is None and "/" in key:  # `从业人员/人` or a parent that is the field itself
            parent, child = key.split("/", 1)
            f = index.get(child) if child not in {"本月", "本年累计", "累计", "当月"} else None
            f = f or index.get(parent)
            if f is not None and f in mapping:
                continue
        if f is None:
            continue
        if f in mapping:
            dups.setdefault(f, [mapping[f]]).append(c)
        else:
            mapping[f] = c
    return mapping, dups


def find_header(grid: Grid, spec: SourceSpec) -> tuple[HeaderMatch | None, list[HeaderMatch]]:
    """The best header of `grid` for `spec`, and every candidate considered (for error messages)."""
    required = [f.name for f in spec.fields if f.required]
    candidates: list[HeaderMatch] = []
    limit = min(spec.header_scan_rows, len(grid.rows))
    for r in range(limit):
        if not any(c is not None for c in grid.rows[r]):
            continue
        for depth in (1, 2):
            if r + depth > len(grid.rows):
                continue
            names = header_names(grid, r, depth)
            mapping, dups = match_header(names, spec)
            if not mapping:
                continue
            missing = [f for f in required if f not in mapping]
            missing += ["/".join(g) for g in spec.required_any if not any(x in mapping for x in g)]
            candidates.append(HeaderMatch(r, depth, names, mapping, dups, len(mapping), missing))
    valid = [c for c in candidates if not c.missing_required]
    if not valid:
        return None, candidates
    best = max(valid, key=lambda c: (c.score, -c.depth, -c.row))
    return best, candidates


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
            t = _text(c)
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


# ---------------------------------------------------------------- rows


def classify_row(row: list[Any], label_cols: list[int], spec: SourceSpec, in_notes: bool) -> str:
    """`data`, `blank`, `total`, `part` (其中) or `note`."""
    nonempty = [c for c in row if c is not None and _text(c) != ""]
    if not nonempty:
        return "blank"
    first = nonempty[0]
    first_text = _text(first).replace(" ", "")
    if isinstance(first, str) and (first.startswith("\u3000") or first.startswith("  ")) and in_notes:
        return "note"
    if isinstance(first, str) and first_text.startswith(NOTE_PREFIXES) and len(nonempty) <= 2:
        return "note"
    if in_notes and len(nonempty) == 1 and isinstance(first, str):
        return "note"
    totals = {t.replace(" ", "") for t in spec.total_labels}
    for c in label_cols:
        if c < len(row) and row[c] is not None:
            t = _text(row[c]).replace(" ", "")
            if t in totals or t.startswith(("合计", "总计")):
                return "total"
            if t.startswith(PART_PREFIXES):
                return "part"
    return "data"


def _parse_column(
    values: list[Any], f: FieldSpec, blank_zero: bool
) -> tuple[list[Any], list[str | None], list[str | None]]:
    """Parse one column: values, missing markers, problems."""
    out: list[Any] = []
    missing: list[str | None] = []
    problems: list[str | None] = []
    t = f.type
    if t in {"number", "integer"}:
        for v in values:
            if type(v) is float:  # the common case, fast
                out.append(v)
                missing.append(None)
                problems.append(None)
                continue
            p = cells.parse_number(v)
            val = p.value
            if val is None and p.missing == "" and blank_zero:
                val = 0.0
            if t == "integer" and val is not None and not float(val).is_integer():
                problems.append(f"应为整数，实际为 {v} / expected a whole number")
                out.append(None)
                missing.append(None)
                continue
            out.append(val)
            missing.append(p.missing)
            problems.append(p.problem)
    elif t == "flag":
        for v in values:
            p = cells.parse_flag(v)
            out.append(p.value)
            missing.append(None)
            problems.append(p.problem)
    elif t == "date":
        for v in values:
            p = cells.parse_date(v, month_end=f.month_end)
            out.append(p.value)
            missing.append(p.missing)
            problems.append(p.problem or (f"WARN:{p.warning}" if p.warning else None))
    elif t == "period":
        for v in values:
            p = cells.parse_period(v)
            out.append(p)
            missing.append(None if p or v is None else None)
            problems.append(None if p or v is None else f"无法识别的时期“{_text(v)}” / not a period")
    elif t == "credit_code":
        from etl.base.codes import looks_excel_mangled

        for v in values:
            if v is None:
                out.append(None)
                missing.append("")
                problems.append(None)
            elif looks_excel_mangled(v):
                out.append(_text(v))
                missing.append(None)
                problems.append(None)  # validation names it (credit-code expectation)
            else:
                out.append(_text(v).replace(" ", "").upper())
                missing.append(None)
                problems.append(None)
    elif t == "industry":
        from etl.reference.industry import normalize_industry_code

        for v in values:
            # garbage stays as written, so that validation names it
            out.append((normalize_industry_code(v) or _text(v)) if v is not None else None)
            missing.append("" if v is None else None)
            problems.append(None)
    else:  # text, region, year
        for v in values:
            if v is None:
                out.append(None)
                missing.append("")
            else:
                # kept as written (a registry name keeps its full-width （）), only trimmed;
                # the comparison form is the name key (etl.base.names.normalize_name)
                s = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()
                s = re.sub(r"[\r\n\t]+", " ", s)
                empty = _text(s) in cells.MISSING_MARKERS
                out.append(None if empty else s)
                missing.append(s if empty else None)
            problems.append(None)
    return out, missing, problems


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


def _unit_for(f: FieldSpec, header: str, meta: SheetMeta, file_name: str) -> tuple[str | None, str]:
    u, src = unit_source(header, meta, file_name)
    return (u, src) if u else (f.default_unit, "spec default")


def _extract_rows_sheet(
    grid: Grid, spec: SourceSpec, hm: HeaderMatch, file_name: str, ex: Extraction, body_loader=None
) -> dict[str, list[Any]] | None:
    """One sheet of a rows-shaped layout. `grid` holds at least the rows down to the header;
    `body_loader(start_row, {column: kind})` reads the rows below it (big .xlsx files), else
    they come from `grid`."""
    meta = sheet_meta(grid, hm.row)
    info = SheetInfo(sheet=grid.name, reporter=meta.reporter)
    info.header_rows = f"{hm.row + 1}" if hm.depth == 1 else f"{hm.row + 1}-{hm.row + hm.depth}"
    mapped_entry: dict[str, dict[str, Any]] = {}  # field → its row of meta.load_columns
    for f, c in hm.mapping.items():
        info.columns[f] = f"{hm.names[c]} ({column_letter(c)})"
        mapped_entry[f] = {
            "sheet": grid.name,
            "field": f,
            "column_letter": column_letter(c),
            "header_text": hm.names[c],
        }
        ex.column_map.append(mapped_entry[f])
    mapped_cols = set(hm.mapping.values())
    info.unmapped = [
        f"{n} ({column_letter(c)})" for c, n in enumerate(hm.names) if n and c not in mapped_cols
    ]
    ex.sheets.append(info)

    for f, cols in hm.duplicates.items():
        ex.issues.append(
            Issue(
                "critical",
                "duplicate_column",
                f"两列都对应字段“{f}”："
                + "、".join(f"{hm.names[c]} ({column_letter(c)})" for c in cols)
                + "，请删除或改名其中一列 / two columns map to the same field",
                grid.name,
                hm.row + 1,
                f,
            )
        )
    if hm.duplicates:
        return None

    # period of the sheet (when not per row)
    sheet_period, where = period_of_sheet(spec, grid, meta, file_name)
    has_period_col = "period" in hm.mapping and "column" in spec.period_from
    if not has_period_col:
        info.period = sheet_period.text if sheet_period else None
        info.period_from = where
        if sheet_period is None and spec.period_required:
            ex.issues.append(
                Issue(
                    "critical",
                    "period_not_found",
                    "找不到报告期：表内无时期列，工作表名、标题和文件名中也没有（如“2025年1-6月”）"
                    " / no period in a column, the sheet name, the title or the file name",
                    grid.name,
                )
            )
            return None

    # the rows below the header: only the columns that matter, as one frame
    start = hm.row + hm.depth
    text_fields = [f.name for f in spec.fields if f.type in {"text", "region"}]
    first_numeric = min(
        (hm.mapping[f.name] for f in spec.fields if f.type in {"number", "integer"} and f.name in hm.mapping),
        default=len(hm.names),
    )
    label_cols = sorted(
        {hm.mapping[f] for f in text_fields if f in hm.mapping} | set(range(min(first_numeric, 3)))
    )
    wanted = {c: "auto" for c in set(hm.mapping.values()) | set(label_cols)}
    for fname, c in hm.mapping.items():
        f = spec.field(fname)
        if f is not None and f.type in {"number", "integer"}:
            wanted[c] = "number" if _mostly_numbers(grid, start, c) else "text"
        elif f is not None and f.type in {"text", "region", "flag", "date", "period"}:
            wanted[c] = "text"
    for c in label_cols:
        wanted[c] = "text"
    parts = part_columns(hm)
    for part, parent in parts.items():
        wanted.setdefault(part, "text")
        wanted.setdefault(parent, "text")
    body = body_loader(start, wanted) if body_loader else _body_from_grid(grid, start, wanted)
    kinds = classify_rows(body, label_cols, spec)
    counts = kinds.value_counts()
    info.dropped_totals = int(counts.get("total", 0))
    info.dropped_parts = int(counts.get("part", 0))
    info.dropped_notes = int(counts.get("note", 0))
    info.dropped_blank = int(counts.get("blank", 0))
    total_rows = list(body.index[kinds == "total"]) if info.dropped_totals else []
    total_values = body.loc[total_rows[0]].to_dict() if len(total_rows) == 1 else {}
    is_data = (kinds == "data").to_numpy()
    pos = np.flatnonzero(is_data)
    if len(pos) and pos[-1] - pos[0] + 1 == len(pos):  # one block (the usual layout): a view, no copy
        data = body.iloc[pos[0] : pos[-1] + 1]
    else:
        data = body[is_data]
    del body
    _check_parts(parts, hm, data, grid.name, ex)
    info.rows_read = n = len(data)
    data_rows = list(data.index)

    cols: dict[str, Any] = {}
    blank_zero = spec.blank_means == "zero"
    fields = [(fname, spec.field(fname), c) for fname, c in hm.mapping.items()]
    assert all(f is not None for _, f, _ in fields)
    raws = [
        data[c] if c in data.columns else pd.Series([None] * n, index=data.index, dtype=object)
        for _, _, c in fields
    ]
    parsed = _parse_all(raws, [f for _, f, _ in fields], blank_zero)
    for (fname, f, c), raw, (vals, missing, problems, cell_units) in zip(fields, raws, parsed, strict=True):
        if f.type in {"number", "integer"} and f.unit:
            unit, src = _unit_for(f, hm.names[c], meta, file_name)
            if unit is None:
                unit, src = f.unit, "assumed"
            other = cell_units.notna()
            if other.any():
                other &= (cell_units != unit) & (cell_units != "%")
            if other.any():  # units mixed within the column: those rows cannot be trusted
                problems[other] = [
                    f"单元格写明的单位“{u}”与本列单位“{unit}”不同，请统一单位 / "
                    "the cell's unit differs from the column's"
                    for u in cell_units[other]
                ]
                vals[other] = float("nan")
            try:
                factor = cells.unit_factor(unit, f.unit)
            except ValueError as e:
                ex.issues.append(
                    Issue(
                        "critical",
                        "unit_mismatch",
                        f"{hm.names[c]} ({column_letter(c)})：{e}",
                        grid.name,
                        hm.row + 1,
                        fname,
                    )
                )
                return None
            info.units[fname] = f"{unit} ({src})" + (f" → {f.unit} ×{factor:g}" if factor != 1 else "")
            if factor != 1:
                vals = vals * factor
        for r, prob in problems.dropna().items():
            severity, prob = ("warning", prob[5:]) if prob.startswith("WARN:") else ("row", prob)
            ex.issues.append(
                Issue(
                    severity,
                    f"parse_{f.type}",
                    prob,
                    grid.name,
                    int(r) + 1,
                    f"{hm.names[c]} ({column_letter(c)})",
                    _text(raw[r]),
                )
            )
        if f.type == "region":
            cols[fname] = vals.array
            within = catalog_district() if fname == "township" else None
            cols[f"{fname}_code"] = _resolve_regions(
                vals, data_rows, grid.name, hm.names[c], c, ex, within=within
            )
        elif f.type == "period":
            cols["period"] = [p.text if p else None for p in vals]
            cols["period_end"] = [p.end if p else None for p in vals]
            cols["_period_basis"] = [p.basis if p else None for p in vals]
        else:
            # strings stay in Arrow (a DataFrame would turn an object column of them back into that)
            cols[fname] = vals.array if isinstance(vals.dtype, pd.StringDtype) else vals.to_numpy()
        if f.type in {"number", "integer"}:
            cols[f"_missing_{fname}"] = missing.to_numpy(dtype=object)
            marked = missing[missing.notna()]
            if len(marked):
                info.missing[fname] = {str(k): int(v) for k, v in marked.value_counts().items()}
                mapped_entry[fname]["missing_markers"] = json.dumps(
                    {k or "blank": v for k, v in info.missing[fname].items()}, ensure_ascii=False
                )

    if not has_period_col and sheet_period is not None:
        cols["period"] = _repeat(sheet_period.text, n)
        cols["period_end"] = _repeat(sheet_period.end, n)
        cols["_period_basis"] = _repeat(sheet_period.basis, n)
    for k, v in spec.constants.items():
        cols[k] = _repeat(v, n)
    cols["_sheet"] = _repeat(grid.name, n)
    cols["_row"] = data.index.to_numpy() + 1
    cols["_col"] = _repeat(None, n)

    _check_totals(spec, hm, grid.name, total_rows, total_values, cols, info, ex)
    return cols


PARALLEL_PARSE_ROWS = 20_000  # from this many rows the columns are parsed on two threads


def _parse_all(raws: list[pd.Series], fields: list[Any], blank_zero: bool) -> list[tuple]:
    """`parse_series` of every column, in order. A big sheet's columns are parsed on two
    threads: much of a column's parse is Arrow's and numpy's kernels, which release the GIL, so
    one column's kernels run while another's Python does (the parsers share no state)."""
    if len(raws) < 2 or (len(raws[0]) if raws else 0) < PARALLEL_PARSE_ROWS:
        return [parse_series(r, f, blank_zero) for r, f in zip(raws, fields, strict=True)]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2, thread_name_prefix="statwh-parse") as pool:
        return list(
            pool.map(lambda rf: parse_series(rf[0], rf[1], blank_zero), zip(raws, fields, strict=True))
        )


def _repeat(v: Any, n: int) -> Any:
    """`v` in each of `n` rows: text (or None) as an Arrow-backed string column, one buffer
    filled in C++ (an object array of one string would be converted cell by cell downstream)."""
    from etl.base.strings import take_str

    if v is None or isinstance(v, str):
        return take_str([v], np.zeros(n, dtype=np.int64))
    out = np.empty(n, dtype=object)
    out.fill(v)
    return out


def part_columns(hm: HeaderMatch) -> dict[int, int]:
    """`其中：` columns and the column each is a part of (the nearest one to its left that is not
    itself a part): {part column: parent column}."""
    out: dict[int, int] = {}
    parent = None
    for c, name in enumerate(hm.names):
        key = header_key(name.split("/")[-1]) if name else ""
        if key.startswith(("其中", "内:")):
            if parent is not None:
                out[c] = parent
        elif name:
            parent = c
    return out


def _check_parts(
    parts: dict[int, int], hm: HeaderMatch, data: pd.DataFrame, sheet: str, ex: Extraction
) -> None:
    """A `其中：` figure is part of the one before it: never larger (a warning when it is)."""
    for part, parent in parts.items():
        a = pd.to_numeric(data[part], errors="coerce")
        b = pd.to_numeric(data[parent], errors="coerce")
        bad = a.notna() & b.notna() & (a > b + 0.005)
        for r in data.index[bad][:20]:
            ex.issues.append(
                Issue(
                    "warning",
                    "part_exceeds_whole",
                    f"“{hm.names[part]}”（{a[r]:,.2f}）大于它所属的“{hm.names[parent]}”（{b[r]:,.2f}），其中项不应超过总数"
                    " / a 其中 figure is larger than the figure it is part of",
                    sheet,
                    int(r) + 1,
                    f"{hm.names[part]} ({column_letter(part)})",
                    _text(data.at[r, part]),
                )
            )


def _mostly_numbers(grid: Grid, start: int, c: int) -> bool:
    """Whether the first rows below the header hold numbers in column `c` (then the column is read
    as floats; a column of numbers typed as text is read as text, which parses it as fast)."""
    sample = [r[c] for r in grid.rows[start:] if c < len(r) and r[c] is not None]
    numbers = sum(1 for v in sample if isinstance(v, (int, float)) and not isinstance(v, bool))
    return numbers * 2 >= len(sample)


def _body_from_grid(grid: Grid, start: int, wanted: dict[int, str]) -> pd.DataFrame:
    rows = grid.rows[start:]
    data = {c: [r[c] if c < len(r) else None for r in rows] for c in sorted(wanted)}
    return pd.DataFrame(data, index=range(start, start + len(rows)), dtype=object)


def _clean_str(s: pd.Series) -> pd.Series:
    """Cell texts as compared: NFKC, no whitespace; empty cells → ''."""
    return s.astype("string").str.normalize("NFKC").str.replace(r"\s+", "", regex=True).fillna("")


@functools.cache
def _first_chars(firsts: frozenset[str]) -> pa.Array:
    """`firsts`, and the characters that NFKC turns into one of them or into a blank, and the
    invisible ones Arrow does not count as whitespace (BOM, zero-width)."""
    import unicodedata

    found = set(firsts) | {"\ufeff", "\u200b", "\u200c", "\u200d", "\u2060"}
    # the blocks with compatibility forms (spaces, radicals, enclosed and compatibility
    # ideographs, full-width forms); the unified ideographs between them have none
    blocks = ((0x80, 0x3400), (0xF900, 0x10000), (0x1F100, 0x1F300), (0x2F800, 0x2FA20))
    for i in (i for lo, hi in blocks for i in range(lo, hi)):
        ch = chr(i)
        if unicodedata.decomposition(ch) == "":
            continue
        k = unicodedata.normalize("NFKC", ch).strip()
        if not k or k[0] in firsts:
            found.add(ch)
    return pa.array(sorted(found))


def _labels_starting_with(s: pd.Series, keys: frozenset[str]) -> pd.Series:
    """The cleaned texts (as `_clean_str`) of the cells that may begin with one of `keys` (the
    first two characters of the total labels and 其中 prefixes, blanks skipped, NFKC applied):
    totals and 其中 rows are found by how a label begins, so only this small subset of 200k
    names needs cleaning in Python."""
    import pyarrow.compute as pc

    from etl.base.strings import nfkc, remove_blanks, to_arrow

    firsts = frozenset(k[0] for k in keys)
    a = to_arrow(s)
    head = pc.utf8_slice_codeunits(pc.utf8_ltrim_whitespace(a), 0, 1)
    maybe = pc.indices_nonzero(pc.fill_null(pc.is_in(head, _first_chars(firsts)), False))
    # of those (小升规 may be in every row) the ones whose first two characters, cleaned, are a key
    two = pc.utf8_slice_codeunits(remove_blanks(nfkc(pc.take(a, maybe))), 0, 2)
    keep = pc.or_(pc.is_in(two, pa.array(sorted(keys))), pc.less(pc.utf8_length(two), 2))
    maybe = pc.filter(maybe, pc.fill_null(keep, False))
    sub = s.iloc[maybe.to_numpy()]
    return _clean_str(sub).astype(object) if len(sub) else pd.Series([], dtype=object)


def classify_rows(body: pd.DataFrame, label_cols: list[int], spec: SourceSpec) -> pd.Series:
    """`data`, `blank`, `total`, `part` (其中) or `note` for every row, vectorised."""
    nonempty = body.notna().sum(axis=1)
    kinds = pd.Series("data", index=body.index, dtype=object)
    totals = {t.replace(" ", "") for t in spec.total_labels}
    keys = frozenset(t[:2] for t in (*totals, *PART_PREFIXES, "合计", "总计") if t)
    labels = [_labels_starting_with(body[c], keys) for c in label_cols if c in body.columns]
    for lab in labels:
        if len(lab):
            kinds[lab.index[lab.str.startswith(PART_PREFIXES)]] = "part"
    for lab in labels:
        if len(lab):
            kinds[lab.index[lab.isin(totals) | lab.str.startswith(("合计", "总计"))]] = "total"
    # notes hold at most two cells: look at the first cell of those rows only
    sparse = body[nonempty.between(1, 2)]
    if len(sparse) and len(body.columns):
        firsts = sparse.astype(object).bfill(axis=1).iloc[:, 0]
        first_clean = _clean_str(firsts)
        first_raw = firsts.astype("string").fillna("")
        note_start = first_clean.str.startswith(NOTE_PREFIXES)
        if note_start.any():
            begin = note_start.idxmax()
            after = sparse.index >= begin
            indented = first_raw.str.startswith("\u3000") | first_raw.str.startswith("  ")
            single = pd.Series(nonempty[sparse.index] <= 1, index=sparse.index)
            notes = note_start | (after & (single | indented))
            kinds[notes.index[notes]] = "note"
    kinds[nonempty == 0] = "blank"
    return kinds


def _parse_text_column(raw: pd.Series, kind: str) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Text and credit-code columns that hold only strings, in Arrow's string kernels: the same
    result as the one-cell parsers, without a Python call per cell (names and codes are unique)."""
    import pyarrow.compute as pc

    from etl.base.strings import from_arrow, from_arrow_str, may_contain, nfkc, remove_blanks, strip, to_arrow

    idx = raw.index
    a = to_arrow(raw)
    none = pd.Series(np.full(len(raw), None, dtype=object), index=idx)
    missing = pd.Series(np.where(raw.isna(), "", None), index=idx, dtype=object)
    if kind == "credit_code":
        if pc.all(pc.and_(pc.string_is_ascii(a), pc.ascii_is_alnum(a))).as_py() is not False:
            return from_arrow(pc.ascii_upper(a), idx), missing, none, none.copy()  # nothing to normalise
        return from_arrow(pc.utf8_upper(remove_blanks(nfkc(a))), idx), missing, none, none.copy()
    text = strip(a)
    if may_contain(text, (b"\r", b"\n", b"\t")):
        text = pc.replace_substring_regex(text, "[\r\n\t]+", " ")
    markers = pa.array(sorted(cells.MISSING_MARKERS))
    is_marker = pc.is_in(text, markers)
    # a marker written in another form (full-width, padded) is short: normalise only short cells
    longest = max(len(m) for m in cells.MISSING_MARKERS) + 2
    short = pc.indices_nonzero(pc.fill_null(pc.less_equal(pc.utf8_length(text), longest), False))
    if len(short):
        hit = pc.is_in(strip(nfkc(pc.take(text, short))), markers)
        where = np.zeros(len(text), dtype=bool)
        where[
            short.to_numpy()[np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False), dtype=bool)]
        ] = True
        is_marker = pc.or_(is_marker, pa.array(where))
    is_marker = pc.fill_null(is_marker, False)
    values = from_arrow_str(pc.if_else(is_marker, None, text), idx)
    marked = np.asarray(is_marker.to_numpy(zero_copy_only=False), dtype=bool)
    if marked.any():
        missing[marked] = from_arrow(text, idx)[marked]
    return values, missing, none, none.copy()


def parse_series(
    raw: pd.Series, f: FieldSpec, blank_zero: bool
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Parse one column, vectorised: values, missing markers, problems (None where fine), and the
    unit a cell wrote beside its number (`3.4公顷`), if any.

    Numbers take the fast path (pandas to_numeric); every other cell is parsed once per distinct
    value with the single-cell parsers of etl.base.cells."""
    idx = raw.index
    if f.type in {"number", "integer"}:
        n = len(raw)
        blank = raw.isna().to_numpy()
        if raw.dtype == np.float64:  # read typed: a cell that was not a number is text here
            num = pd.Series(raw.to_numpy(copy=True), index=idx)
            slow = np.zeros(n, dtype=bool)
        else:
            num = pd.to_numeric(raw, errors="coerce").astype("float64")
            slow = num.isna().to_numpy() & ~blank
        missing = pd.Series(np.where(blank, "", None), index=idx, dtype=object)
        problems = pd.Series(np.full(n, None, dtype=object), index=idx)
        units = pd.Series(np.full(n, None, dtype=object), index=idx)
        if slow.any():
            parsed = {u: cells.parse_number(u) for u in pd.unique(raw[slow])}
            sub = raw[slow]
            num[slow] = sub.map(lambda u: parsed[u].value).astype("float64")
            missing[slow] = sub.map(lambda u: parsed[u].missing)
            problems[slow] = sub.map(lambda u: parsed[u].problem)
            units[slow] = sub.map(lambda u: parsed[u].unit)
        if blank_zero:
            num[blank] = 0.0
        if f.type == "integer":
            frac = num.notna() & (num % 1 != 0)
            if frac.any():
                problems[frac] = raw[frac].map(lambda v: f"应为整数，实际为 {v} / expected a whole number")
                num[frac] = float("nan")
        return num, missing, problems, units
    if (
        f.type in {"text", "credit_code"}
        and pd.api.types.is_string_dtype(raw.dtype)
        and not (raw.dtype == object and not raw.dropna().map(type).eq(str).all())
    ):
        return _parse_text_column(raw, f.type)
    codes, uniq = pd.factorize(raw, use_na_sentinel=True)
    uniq_list = [u.item() if hasattr(u, "item") else u for u in uniq]
    values, _, problems = _parse_column(uniq_list, f, blank_zero)
    vals = np.empty(len(uniq_list) + 1, dtype=object)
    vals[:-1] = values if values else []
    vals[-1] = False if f.type == "flag" else None  # blank cells (code -1)
    probs = np.empty(len(uniq_list) + 1, dtype=object)
    probs[:-1] = problems if problems else []
    probs[-1] = None
    missing = np.where(codes == -1, "", None).astype(object)
    return (
        _take_values(vals, codes, idx, f.type),
        pd.Series(missing, index=idx, dtype=object),
        pd.Series(probs[codes], index=idx, dtype=object),
        pd.Series([None] * len(raw), index=idx, dtype=object),
    )


def _take_values(vals: np.ndarray, codes: np.ndarray, idx: pd.Index, kind: str) -> pd.Series:
    """The parsed value of each cell from the parsed distinct values (`vals`, the blank cell's
    last): flags as booleans, names of places as Arrow-backed strings (taken in C++), else objects."""
    from etl.base.strings import take_str

    if kind == "flag" and all(type(v) is bool for v in vals):
        return pd.Series(np.array(vals, dtype=bool)[codes], index=idx)
    if kind == "region" and all(v is None or type(v) is str for v in vals):
        return pd.Series(take_str(list(vals), np.where(codes < 0, len(vals) - 1, codes)), index=idx)
    return pd.Series(vals[codes], index=idx, dtype=object)


def catalog_district() -> str:
    from etl.reference.catalog import plan

    return str(plan()["district"]["code"])


def _resolve_regions(
    vals: pd.Series | list[Any],
    rows: list[int],
    sheet: str,
    header: str,
    c: int,
    ex: Extraction,
    within: str | None = None,
) -> list[str | None]:
    """Region codes for names; with `within` (a township field of a district roster), a place
    outside that district is a row-level problem, never a silent match elsewhere."""
    from etl.reference.regions import RegionResolver

    resolver = RegionResolver.default()
    keys, uniq = pd.factorize(vals if isinstance(vals, pd.Series) else pd.Series(vals, dtype=object))
    uniq = list(uniq)
    resolved = []
    for v in uniq:
        res = resolver.resolve(v)
        if within and res.code and not res.code.startswith(within):
            from etl.reference.regions import Resolution

            res = Resolution(
                code=None,
                level=None,
                name=None,
                candidates=((res.code, res.name or ""),),
                problem=f"“{v}”不是{resolver.name_of(within) or within}的镇（街道）"
                f"（最接近的是 {res.name}，{res.code}） / not a township of the district",
            )
        resolved.append(res)
    codes = [r.code for r in resolved] + [None]
    found = np.array([c is not None for c in codes])
    where = np.where(keys < 0, len(codes) - 1, keys)  # a blank cell takes the None at the end
    for i in np.flatnonzero((keys >= 0) & ~found[where]):
        res, v = resolved[keys[i]], uniq[keys[i]]
        ex.issues.append(
            Issue(
                "row",
                "unknown_region",
                res.problem or f"无法识别的地区“{v}” / unknown region",
                sheet,
                rows[i] + 1,
                f"{header} ({column_letter(c)})",
                v,
            )
        )
    from etl.base.strings import take_str

    return take_str(codes, where)


def _check_totals(
    spec: SourceSpec,
    hm: HeaderMatch,
    sheet: str,
    total_rows: list[int],
    total_values: dict[int, Any],
    cols: dict[str, Any],
    info: SheetInfo,
    ex: Extraction,
) -> None:
    """A 合计 row is evidence: the sum of the parts must match it (within the larger of 0.05 and
    0.01 % of the total)."""
    if len(total_rows) != 1:
        return
    tr = total_rows[0]
    for fname, c in hm.mapping.items():
        f = spec.field(fname)
        if f is None or f.type not in {"number", "integer"} or fname not in cols:
            continue
        p = cells.parse_number(total_values.get(c))
        if p.value is None:
            continue
        factor = 1.0
        if f.unit and fname in info.units and "×" in info.units[fname]:
            factor = float(info.units[fname].rsplit("×", 1)[1])
        total = p.value * factor
        parts = float(pd.Series(cols[fname], dtype="float64").sum())
        tol = max(0.05 * factor, abs(total) * 1e-4)
        info.totals.append({"field": fname, "total": total, "sum": parts})
        if abs(parts - total) > tol:
            ex.issues.append(
                Issue(
                    "warning",
                    "total_mismatch",
                    f"合计行与明细之和不符：{hm.names[c]} 合计 {p.value:,.2f}，明细之和 {parts / factor:,.2f}，"
                    f"相差 {(parts - total) / factor:,.2f} / the total row does not reconcile",
                    sheet,
                    tr + 1,
                    f"{hm.names[c]} ({column_letter(c)})",
                    _text(total_values.get(c)),
                )
            )


# ---------------------------------------------------------------- wide tables


def fill_merged(grid: Grid) -> list[list[Any]]:
    """Rows with each merged block's value copied into every cell of that block (and only there)."""
    rows = [list(r) for r in grid.rows]
    for (r0, c0), (r1, c1) in grid.merged:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        v = rows[r0][c0]
        for r in range(r0, min(r1 + 1, len(rows))):
            for c in range(c0, c1 + 1):
                if c < len(rows[r]) and rows[r][c] is None:
                    rows[r][c] = v
    return rows


def indicator_from_file_name(file_name: str) -> str:
    """`07_nbs-trimmed_教育经费 万元.xls` → `教育经费`: the last `_` part, without its unit."""
    stem = clean_text(Path(file_name).stem)
    part = stem.split("_")[-1].strip()
    u = unit_in_file_name(file_name)
    if u and part.endswith(u):
        part = part[: -len(u)].strip()
    return part or stem


def clean_indicator_name(name: str) -> str:
    """Without its unit bracket and stray export suffixes: `一般公共预算支出（亿元）i` → `一般公共预算支出`."""
    s = clean_text(name)
    unit = cells.unit_in_text(s)
    if unit:
        s = re.sub(r"[\(（\[【]\s*" + re.escape(unit) + r"\s*[\)）\]】]", "", s)
    return re.sub(r"(?<=[\u4e00-\u9fff\)）])[A-Za-z]{1,2}$", "", s).strip()


REGION_HEADERS = {"地区", "地区名称", "区县", "区域", "省份", "城市", "县区", "镇街", "乡镇"}


def _wide_label_columns(
    rows: list[list[Any]], start: int, first_period_col: int
) -> tuple[int | None, list[int]]:
    """Among the columns left of the periods: the one holding regions, and the text ones (indicators)."""
    from etl.reference.regions import RegionResolver

    resolver = RegionResolver.default()
    best, best_hits, text_cols = None, 0, []
    header = rows[start - 1] if start > 0 else []
    for c in range(min(first_period_col, len(header))):
        if header_key(header[c]) in REGION_HEADERS:
            others = [
                x
                for x in range(first_period_col)
                if x != c
                and any(isinstance(r[x] if x < len(r) else None, str) for r in rows[start : start + 40])
            ]
            return c, others
    sample = [
        r
        for r in rows[start : start + 40]
        if not any(isinstance(v, str) and _text(v).startswith(NOTE_PREFIXES) for v in r if v is not None)
    ]
    for c in range(first_period_col):
        vals = [r[c] for r in sample if c < len(r) and isinstance(r[c], str) and _text(r[c])]
        if not vals:
            continue
        hits = sum(1 for v in vals if resolver.resolve(v).code is not None)
        if hits > best_hits:
            best, best_hits = c, hits
        text_cols.append(c)
    if best is not None and best_hits * 2 < len([r for r in sample if best < len(r) and r[best]]):
        best = None  # mostly not regions: the label column holds indicators
    return best, [c for c in text_cols if c != best]


def _extract_wide_sheet(
    grid: Grid, spec: SourceSpec, file_name: str, ex: Extraction
) -> dict[str, list[Any]] | None:
    """Periods across: every (row, period column) cell becomes one long row.

    The label columns left of the periods are told apart by their content: the one whose values
    are region names, and text columns holding the indicator (merged vertically, as WPS exports
    do, and drifting between columns). Without an indicator column, the indicator is the
    `指标：` line above the table, else the file name."""
    assert spec.wide is not None
    header_row = None
    period_cols: dict[int, Period] = {}
    for r in range(min(spec.header_scan_rows, len(grid.rows))):
        pcs = {c: p for c, v in enumerate(grid.rows[r]) if v is not None and (p := cells.parse_period(v))}
        if len(pcs) >= 2:
            header_row, period_cols = r, pcs
            break
    if header_row is None:
        return None
    rows = fill_merged(grid)
    row = rows[header_row]
    region_col, indicator_cols = _wide_label_columns(rows, header_row + 1, min(period_cols))
    if region_col is None and not indicator_cols:
        return None
    meta = sheet_meta(grid, header_row)
    info = SheetInfo(sheet=grid.name, reporter=meta.reporter, header_rows=str(header_row + 1))
    if region_col is not None:
        info.columns["region"] = f"{_text(row[region_col]) or '(blank)'} ({column_letter(region_col)})"
        ex.column_map.append(
            {
                "sheet": grid.name,
                "field": "region",
                "column_letter": column_letter(region_col),
                "header_text": _text(row[region_col]),
            }
        )
    if indicator_cols:
        info.columns["indicator"] = ", ".join(column_letter(c) for c in indicator_cols)
    info.columns["periods"] = ", ".join(p.text for p in period_cols.values())
    ex.sheets.append(info)
    default_indicator = meta.indicator or indicator_from_file_name(file_name)
    unit_fallback = meta.unit_row or unit_in_file_name(file_name)
    label_cols = ([region_col] if region_col is not None else []) + indicator_cols

    out: dict[str, list[Any]] = {
        k: []
        for k in (
            "indicator_name",
            "region",
            "period",
            "period_end",
            "_period_basis",
            "value",
            "unit_text",
            "missing",
            "_sheet",
            "_row",
            "_col",
        )
    }
    rows_used: set[int] = set()
    units_seen: dict[str, str] = {}
    in_notes = False
    for r in range(header_row + 1, len(rows)):
        kind = classify_row(grid.rows[r], label_cols, spec, in_notes)
        if kind == "note":
            in_notes = True
            info.dropped_notes += 1
            continue
        if kind in {"blank", "total", "part"}:
            setattr(
                info,
                "dropped_blank" if kind == "blank" else "dropped_totals",
                getattr(info, "dropped_blank" if kind == "blank" else "dropped_totals") + 1,
            )
            continue
        cur = rows[r]
        region = _text(cur[region_col]) if region_col is not None and region_col < len(cur) else ""
        ind_raw = next((_text(cur[c]) for c in indicator_cols if c < len(cur) and _text(cur[c])), "")
        indicator = ind_raw or default_indicator
        if region_col is not None and not region:
            info.dropped_blank += 1
            continue
        unit = cells.unit_in_text(indicator) or unit_fallback
        units_seen[indicator] = unit or "?"
        for c, p in period_cols.items():
            v = cur[c] if c < len(cur) else None
            parsed = cells.parse_number(v)
            if parsed.value is None and parsed.missing == "" and spec.blank_means == "zero":
                parsed = cells.Parsed(0.0)
            if parsed.problem:
                ex.issues.append(
                    Issue(
                        "row",
                        "parse_number",
                        parsed.problem,
                        grid.name,
                        r + 1,
                        f"{p.text} ({column_letter(c)})",
                        _text(v),
                    )
                )
                continue
            rows_used.add(r)
            out["indicator_name"].append(clean_indicator_name(indicator))
            out["region"].append(region or None)
            out["period"].append(p.text)
            out["period_end"].append(p.end)
            out["_period_basis"].append(p.basis)
            out["value"].append(parsed.value)
            out["unit_text"].append(unit)
            out["missing"].append(parsed.missing)
            out["_sheet"].append(grid.name)
            out["_row"].append(r + 1)
            out["_col"].append(column_letter(c))
    info.rows_read = len(rows_used)
    info.units["value"] = "; ".join(f"{clean_indicator_name(k)}: {v}" for k, v in units_seen.items())
    regions = out["region"]
    if region_col is not None:
        out["region_code"] = _resolve_regions(
            regions, [x - 1 for x in out["_row"]], grid.name, _text(row[region_col]) or "地区", region_col, ex
        )
    else:
        out["region_code"] = [None] * len(regions)
    return out


# ---------------------------------------------------------------- the file


def _sheet_selected(spec: SourceSpec, name: str) -> bool:
    return fnmatch.fnmatch(name, spec.sheets)


def choose_spec(wb: Workbook, specs: list[SourceSpec], file_name: str) -> tuple[SourceSpec | None, list[str]]:
    """The spec whose fields best match a header of the workbook; and what was considered."""
    considered: list[str] = []
    best: tuple[tuple[int, int], SourceSpec] | None = None
    for spec in specs:
        if not spec.takes_file(file_name):
            considered.append(f"{spec.layout}: file name does not match {list(spec.files)}")
            continue
        score = 0
        for g in wb.sheets:
            if not _sheet_selected(spec, g.name) or not g.rows:
                continue
            if spec.shape == "wide":
                s = _wide_score(g, spec)
                considered.append(f"{spec.layout} / {g.name}: {s} period columns")
            else:
                hm, cands = find_header(g, spec)
                s = hm.score if hm else 0
                if hm is None:
                    top = sorted(cands, key=lambda c: -c.score)[:3]
                    for c in top:
                        considered.append(
                            f"{spec.layout} / {g.name}: 第{c.row + 1}"
                            + (f"-{c.row + c.depth}" if c.depth > 1 else "")
                            + f"行 matched {sorted(c.mapping)}; missing required {c.missing_required}"
                        )
                    if not top:
                        considered.append(
                            f"{spec.layout} / {g.name}: no header row matched any known column name"
                        )
                else:
                    considered.append(f"{spec.layout} / {g.name}: header at row {hm.row + 1}, {s} fields")
            score = max(score, s)
        # ties go to the layout whose file-name patterns are the most specific
        rank = (score, max(len(p.replace("*", "").replace("?", "")) for p in spec.files))
        if score and (best is None or rank > best[0]):
            best = (rank, spec)
    return (best[1] if best else None), considered


def _read_heads(path: Path, specs: list[SourceSpec], limits: dict[str, int]) -> Workbook | None:
    """For an .xlsx, a Workbook of the sheets' first rows only (`heads_only`); else None."""
    from etl.read.workbook import ZIP_MAGIC, check_zip

    with open(path, "rb") as fh:
        if not fh.read(4).startswith(ZIP_MAGIC):
            return None
    size = Path(path).stat().st_size
    if size > limits.get("max_bytes", 200 * 2**20):
        return None  # let read_workbook refuse it with its message
    check_zip(Path(path), limits.get("max_unzipped", 2**30))
    from etl.read.fastsheet import xlsx_heads

    scan = max((s.header_scan_rows for s in specs), default=30) + 2
    try:
        grids = xlsx_heads(Path(path), scan)
    except Exception as e:  # a package that is not a workbook, or damaged XML
        raise ReadError(f"Excel 文件已损坏或格式不对，无法打开 / cannot open the workbook: {e}") from e
    wb = Workbook(Path(path), "xlsx", None, grids)
    wb.heads_only = True  # type: ignore[attr-defined]
    return wb


def _wide_score(g: Grid, spec: SourceSpec) -> int:
    for r in range(min(spec.header_scan_rows, len(g.rows))):
        n = sum(1 for v in g.rows[r] if v is not None and cells.parse_period(v))
        if n >= 2:
            return n
    return 0


def extract(
    path: Path, source: str, *, file_name: str | None = None, limits: dict[str, int] | None = None
) -> Extraction:
    """Extract one file as `source` (a source id or a spec path). Never raises on bad input."""
    path = Path(path)
    file_name = file_name or path.name
    specs = specs_for(source)
    ex = Extraction(path=path, source=specs[0].source if specs else source, spec=None)
    limits = limits or {}
    try:
        wb = _read_heads(path, specs, limits)
        if wb is None:
            wb = read_workbook(path, sheet_name=Path(file_name).stem, **limits)
    except ReadError as e:
        ex.issues.append(Issue("critical", "unreadable", str(e)))
        return ex
    ex.format, ex.encoding = wb.format, wb.encoding
    spec, considered = choose_spec(wb, specs, file_name)
    ex.considered = considered
    if spec is None:
        nonempty = [g for g in wb.sheets if any(any(c is not None for c in r) for r in g.rows)]
        if not nonempty:
            msg = "文件中没有任何数据（所有工作表为空） / every sheet is empty"
        else:
            msg = (
                "找不到可识别的表头或缺少必填列 / no recognisable header with the required columns: "
                + "; ".join(considered[:6])
            )
        ex.issues.append(Issue("critical", "no_header", msg))
        return ex
    ex.spec = spec
    heads_only = getattr(wb, "heads_only", False)
    if heads_only and spec.shape == "wide":  # wide tables are small: read them whole
        try:
            wb = read_workbook(path, sheet_name=Path(file_name).stem, **limits)
        except ReadError as e:
            ex.issues.append(Issue("critical", "unreadable", str(e)))
            return ex
        heads_only = False
    frames = []
    for g in wb.sheets:
        if not _sheet_selected(spec, g.name) or not g.rows:
            continue
        if spec.shape == "wide":
            cols = _extract_wide_sheet(g, spec, file_name, ex)
        else:
            hm, _ = find_header(g, spec)
            if hm is None:
                continue
            loader = None
            if heads_only:
                from etl.read.fastsheet import load_columns

                loader = (lambda name: lambda start, wanted: load_columns(path, name, start, wanted))(g.name)
            try:
                cols = _extract_rows_sheet(g, spec, hm, file_name, ex, body_loader=loader)
            except ReadError as e:
                ex.issues.append(Issue("critical", "unreadable", str(e), g.name))
                return ex
        if cols is not None:
            frames.append(pd.DataFrame(cols))
    if ex.critical:
        return ex
    if not frames or sum(len(f) for f in frames) == 0:
        sheets = "、".join(f"“{s.sheet}”（表头在第{s.header_rows}行）" for s in ex.sheets) or "—"
        ex.issues.append(
            Issue(
                "critical",
                "no_data_rows",
                f"工作表 {sheets} 表头之下没有数据行 / the sheet has a header but no data rows",
                ex.sheets[0].sheet if ex.sheets else None,
            )
        )
        return ex
    raw = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    from etl.extract.finish import finish

    frame, issues = finish(spec, raw, file_name)
    ex.issues.extend(issues)
    cols = list(DATASETS[spec.dataset].columns) + list(LINEAGE)
    ex.frame = frame.reindex(columns=cols)
    return ex

"""Tables with one record per row (rosters, lists, ledgers): header → typed columns with lineage."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from etl.base import cells
from etl.base.cells import column_letter
from etl.base.issues import Issue
from etl.extract.classify import classify_rows
from etl.extract.header import label_text
from etl.extract.meta import period_of_sheet, sheet_meta, unit_for
from etl.extract.model import Extraction, HeaderMatch, SheetInfo
from etl.extract.parse import parse_all, repeat_value
from etl.extract.totals import catalog_district, check_parts, check_totals, part_columns, resolve_regions
from etl.read import Grid
from etl.spec.model import SourceSpec


def extract_rows_sheet(
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
    check_parts(parts, hm, data, grid.name, ex)
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
    parsed = parse_all(raws, [f for _, f, _ in fields], blank_zero)
    for (fname, f, c), raw, (vals, missing, problems, cell_units) in zip(fields, raws, parsed, strict=True):
        if f.type in {"number", "integer"} and f.unit:
            unit, src = unit_for(f, hm.names[c], meta, file_name)
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
                    label_text(raw[r]),
                )
            )
        if f.type == "region":
            cols[fname] = vals.array
            within = catalog_district() if fname == "township" else None
            cols[f"{fname}_code"] = resolve_regions(
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
        cols["period"] = repeat_value(sheet_period.text, n)
        cols["period_end"] = repeat_value(sheet_period.end, n)
        cols["_period_basis"] = repeat_value(sheet_period.basis, n)
    for k, v in spec.constants.items():
        cols[k] = repeat_value(v, n)
    cols["_sheet"] = repeat_value(grid.name, n)
    cols["_row"] = data.index.to_numpy() + 1
    cols["_col"] = repeat_value(None, n)

    check_totals(spec, hm, grid.name, total_rows, total_values, cols, info, ex)
    return cols


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

"""Totals and places: 合计 rows reconciled against their parts, region names resolved to codes."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from etl.base import cells
from etl.base.cells import column_letter, header_key
from etl.base.issues import Issue
from etl.base.strings import take_str
from etl.extract.header import label_text
from etl.extract.model import Extraction, HeaderMatch, SheetInfo
from etl.reference.catalog import plan
from etl.reference.regions import RegionResolver, Resolution
from etl.spec.model import SourceSpec


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


def check_parts(
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
                    label_text(data.at[r, part]),
                )
            )


def catalog_district() -> str:

    return str(plan()["district"]["code"])


_CODE_FIRST = re.compile(r"^\s*(\d{6}|\d{9}|\d{12})\s*[-_:：、.]?\s*(\D.*?)\s*$")
_CODE_AFTER = re.compile(r"^\s*(\D.*?)\s*[(（\[]\s*(\d{6}|\d{9}|\d{12})\s*[)）\]]\s*$")


def _resolve_with_code(resolver: RegionResolver, v: Any) -> Resolution:
    """A place written with its 统计用区划代码 (`320803107车桥镇`, `车桥镇（320803107）`) is the
    code's, when the name agrees with it or names nothing; a name naming another place is a
    problem. Any other value: `resolver.resolve`."""
    text = v if isinstance(v, str) else None
    m = (_CODE_FIRST.match(text) or _CODE_AFTER.match(text)) if text else None
    if m is None:
        return resolver.resolve(v)
    code, name = (m.group(1), m.group(2)) if m.re is _CODE_FIRST else (m.group(2), m.group(1))
    by_code, by_name = resolver.resolve(code), resolver.resolve(name)
    if by_code.code is None or (by_name.code is not None and by_name.code != by_code.code):
        return Resolution(
            code=None,
            level=None,
            name=None,
            candidates=(),
            problem=f"地区“{v}”的代码与名称不符或代码不存在 / the region's code and name disagree",
        )
    return by_code


def resolve_regions(
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

    resolver = RegionResolver.default()
    keys, uniq = pd.factorize(vals if isinstance(vals, pd.Series) else pd.Series(vals, dtype=object))
    uniq = list(uniq)
    resolved = []
    for v in uniq:
        res = _resolve_with_code(resolver, v)
        if within and res.code and not res.code.startswith(within):
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

    return take_str(codes, where)


def check_totals(
    spec: SourceSpec,
    hm: HeaderMatch,
    sheet: str,
    total_rows: list[int],
    total_values: dict[int, dict[int, Any]],
    cols: dict[str, Any],
    data_index: pd.Index,
    info: SheetInfo,
    ex: Extraction,
) -> None:
    """A 合计 row is evidence: the sum of the parts must match it (within the larger of 0.05 and
    0.01 % of the total). Every check is recorded (`ex.reconciliations`, for meta.reconciliations),
    a mismatch is also a warning. One total row is checked against every data row; of several, a
    小计 row (`小计`, `车桥镇小计`) against the data rows since the total row above it — or, heading its
    group, the rows below it to the next total — a 合计/总计 row against them all."""
    positions = np.asarray(data_index)
    labels = [_total_label(total_values.get(tr, {})) for tr in total_rows]

    def between(lo: float, hi: float) -> np.ndarray:
        return (positions > lo) & (positions < hi)

    subtotals = [i for i, label in enumerate(labels) if is_subtotal(label)]
    # the sheet's subtotals head their groups when the first has no data row above it
    heading = (
        bool(subtotals)
        and not between(total_rows[subtotals[0] - 1] if subtotals[0] else -1, total_rows[subtotals[0]]).any()
    )
    for i, tr in enumerate(total_rows):
        label = labels[i]
        if len(total_rows) > 1 and is_subtotal(label):
            if heading:
                mask = between(tr, total_rows[i + 1] if i + 1 < len(total_rows) else np.inf)
            else:
                mask = between(total_rows[i - 1] if i else -1, tr)
        else:
            mask = np.ones(len(positions), dtype=bool)
        for fname, c in hm.mapping.items():
            rec = _reconcile(spec, hm, fname, c, total_values.get(tr, {}), cols, mask, info)
            if rec is None:
                continue
            rec.update(sheet=sheet, row_number=int(tr) + 1)
            ex.reconciliations.append(rec)
            if not rec["passed"]:
                ex.issues.append(mismatch_issue(rec, sheet, label_text(total_values.get(tr, {}).get(c))))


_GROUP_TOTAL = re.compile(r"[(（]?(.+?)(合计|总计)[)）]?[:：]?")


def is_subtotal(label: str) -> bool:
    """Whether a total row's label (blanks removed) is a group's: 小计 in it (`小计：`, `（小计）`,
    `车桥镇小计`), or a group named before 合计 / 总计 (`石塘镇合计`) — not the whole's (`全区合计`,
    `淮安区合计`, `总合计`, `合计`)."""
    if "小计" in label:
        return True
    m = _GROUP_TOTAL.fullmatch(label)
    if m is None:
        return False
    group = m.group(1)
    return not (group.startswith(("全", "总", "共", "累")) or group.endswith(("区", "县", "市", "总")))


def _total_label(values: dict[int, Any]) -> str:
    """The first text cell of a total row without blanks (合计, 小计, 总计 …)."""
    for v in values.values():
        if isinstance(v, str) and v.strip():
            return "".join(v.split())
    return ""


def _reconcile(
    spec: SourceSpec,
    hm: HeaderMatch,
    fname: str,
    c: int,
    values: dict[int, Any],
    cols: dict[str, Any],
    mask: np.ndarray,
    info: SheetInfo,
) -> dict[str, Any] | None:
    """One column of a total row against the sum of its parts (in the file's unit), or None when
    the column is not a number or the total row holds none in it."""
    f = spec.field(fname)
    if f is None or f.type not in {"number", "integer"} or fname not in cols:
        return None
    p = cells.parse_number(values.get(c))
    if p.value is None:
        return None
    factor = 1.0
    if f.unit and fname in info.units and "×" in info.units[fname]:
        factor = float(info.units[fname].rsplit("×", 1)[1])
    total = p.value * factor
    parts = float(pd.Series(np.asarray(cols[fname], dtype="float64")[mask]).sum())
    tol = max(0.05 * factor, abs(total) * 1e-4)
    info.totals.append({"field": fname, "total": total, "sum": parts})
    return {
        "column_name": f"{hm.names[c]} ({column_letter(c)})",
        "field": fname,
        "total": round(p.value, 6),
        "sum_of_parts": round(parts / factor, 6),
        "difference": round((parts - total) / factor, 6) + 0.0,  # never -0.0
        "passed": bool(abs(parts - total) <= tol),
    }


def reconciliation(
    sheet: str, row_number: int, column_name: str, field: str, total: float, parts: float, tol: float
) -> dict[str, Any]:
    """One total cell against the sum of its parts, as meta.reconciliations holds it (file's unit)."""
    return {
        "sheet": sheet,
        "row_number": row_number,
        "column_name": column_name,
        "field": field,
        "total": round(total, 6),
        "sum_of_parts": round(parts, 6),
        "difference": round(parts - total, 6) + 0.0,  # never -0.0
        "passed": bool(abs(parts - total) <= tol),
    }


def mismatch_issue(rec: dict[str, Any], sheet: str, value: Any) -> Issue:
    """The `total_mismatch` warning of a failed reconciliation (`rec`, as meta.reconciliations holds it)."""
    name = rec["column_name"].rsplit(" (", 1)[0]
    return Issue(
        "warning",
        "total_mismatch",
        f"合计行与明细之和不符：{name} 合计 {rec['total']:,.2f}，明细之和 {rec['sum_of_parts']:,.2f}，"
        f"相差 {rec['difference']:,.2f} / the total row does not reconcile",
        sheet,
        rec["row_number"],
        rec["column_name"],
        value,
    )

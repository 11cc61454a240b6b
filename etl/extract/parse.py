"""Cell parsing: a column of raw cells → typed values, with the reason for each cell that fails."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from etl.base import cells
from etl.base.codes import looks_excel_mangled
from etl.base.strings import (
    from_arrow,
    from_arrow_str,
    may_contain,
    nfkc,
    remove_blanks,
    strip,
    take_str,
    to_arrow,
)
from etl.extract.header import label_text
from etl.reference.industry import normalize_industry_code
from etl.spec.model import FieldSpec

_ParsedColumn = tuple[list[Any], list[str | None], list[str | None]]  # values, missing markers, problems


def _parse_column(values: list[Any], f: FieldSpec) -> _ParsedColumn:
    """Parse the distinct cells of one column that is not a number column (`parse_series`
    parses those itself): values, missing markers, problems."""
    if f.vocab is not None:
        return _parse_vocabulary(values, f)
    if f.type == "date":
        return _parse_dates(values, f.month_end)
    if f.type == "period":
        return _parse_periods(values)
    if f.type == "credit_code":
        return _parse_credit_codes(values)
    if f.type == "industry":
        return _parse_industry_codes(values)
    return _parse_texts(values)  # text, region, year


def _parse_vocabulary(values: list[Any], f: FieldSpec) -> _ParsedColumn:
    """Cells of a categorical column (flags, 认定类型, 入库类型, 产业链) through its vocabulary: a
    word it knows is its canonical value; any other is a warning (`WARN:`), the value left empty."""
    vocab = f.vocab
    assert vocab is not None
    out: list[Any] = []
    problems: list[str | None] = []
    expected = "/".join("是/否" if c is True else str(c) for c in vocab.canonical if c is not False)
    for v in values:
        known, value = vocab.lookup(v)
        out.append(value)
        problems.append(
            None
            if known
            else f"WARN:“{label_text(v)}”不在“{vocab.name}”词表中（应为 {expected}），该项留空"
            f" / not in the {vocab.name} vocabulary ({expected}): left empty"
        )
    return out, [None] * len(values), problems


def _parse_dates(values: list[Any], month_end: bool) -> _ParsedColumn:
    """Dates as departments type them; a doubtful one (`2024.1`) is a warning (`WARN:`)."""
    parsed = [cells.parse_date(v, month_end=month_end) for v in values]
    return (
        [p.value for p in parsed],
        [p.missing for p in parsed],
        [p.problem or (f"WARN:{p.warning}" if p.warning else None) for p in parsed],
    )


def _parse_periods(values: list[Any]) -> _ParsedColumn:
    """Periods (`2025年1-6月`) as `Period`s; a cell that is none is a problem."""
    out = [cells.parse_period(v) for v in values]
    problems = [
        None if p or v is None else f"无法识别的时期“{label_text(v)}” / not a period"
        for v, p in zip(values, out, strict=True)
    ]
    return out, [None] * len(values), problems


def _parse_credit_codes(values: list[Any]) -> _ParsedColumn:
    """统一社会信用代码 without blanks, upper case, without the apostrophe that marks a cell as
    text (`'913208…` of a system export: it had been refused as 19 characters); one Excel mangled
    (`9.13E+17`) is kept as written, for validation to name."""
    out: list[Any] = []
    for v in values:
        if v is None:
            out.append(None)
        elif looks_excel_mangled(v):
            out.append(label_text(v))
        else:
            out.append(label_text(v).replace(" ", "").lstrip("'‘’`").upper() or None)
    return out, ["" if v is None else None for v in values], [None] * len(values)


def _parse_industry_codes(values: list[Any]) -> _ParsedColumn:
    """Industry codes in their four-digit form; garbage stays as written, so that validation names it."""
    out = [(normalize_industry_code(v) or label_text(v)) if v is not None else None for v in values]
    return out, ["" if v is None else None for v in values], [None] * len(values)


def _parse_texts(values: list[Any]) -> _ParsedColumn:
    """Text, region and year cells: kept as written (a registry name keeps its full-width （）),
    only trimmed, line breaks as spaces; a missing marker (`—`, `无`) is no value."""
    out: list[Any] = []
    missing: list[str | None] = []
    for v in values:
        if v is None:
            out.append(None)
            missing.append("")
            continue
        # the comparison form is the name key (etl.base.names.normalize_name)
        s = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()
        s = re.sub(r"[\r\n\t]+", " ", s)
        empty = label_text(s) in cells.MISSING_MARKERS
        out.append(None if empty else s)
        missing.append(s if empty else None)
    return out, missing, [None] * len(values)


PARALLEL_PARSE_ROWS = 20_000  # from this many rows the columns are parsed on two threads


def parse_all(raws: list[pd.Series], fields: list[Any], blank_zero: bool) -> list[tuple]:
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


def repeat_value(v: Any, n: int) -> Any:
    """`v` in each of `n` rows: text (or None) as an Arrow-backed string column, one buffer
    filled in C++ (an object array of one string would be converted cell by cell downstream)."""

    if v is None or isinstance(v, str):
        return take_str([v], np.zeros(n, dtype=np.int64))
    out = np.empty(n, dtype=object)
    out.fill(v)
    return out


def _parse_text_column(raw: pd.Series, kind: str) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Text and credit-code columns that hold only strings, in Arrow's string kernels: the same
    result as the one-cell parsers, without a Python call per cell (names and codes are unique)."""
    import pyarrow.compute as pc

    idx = raw.index
    a = to_arrow(raw)
    none = pd.Series(np.full(len(raw), None, dtype=object), index=idx)
    missing = pd.Series(np.where(raw.isna(), "", None), index=idx, dtype=object)
    if kind == "credit_code":
        if pc.all(pc.and_(pc.string_is_ascii(a), pc.ascii_is_alnum(a))).as_py() is not False:
            return from_arrow(pc.ascii_upper(a), idx), missing, none, none.copy()  # nothing to normalise
        # the apostrophe marking a cell as text (`'913208…`) is no part of the code (_parse_credit_codes)
        flat = pc.utf8_ltrim(remove_blanks(nfkc(a)), characters="'‘’`")
        return from_arrow(pc.utf8_upper(flat), idx), missing, none, none.copy()
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


def _number(raw: Any, f: FieldSpec) -> cells.Parsed:
    """One cell of a number field: `cells.parse_number`, or, for a `lower_bound` field, the bound
    a text like `≥1600` (or, as a rank's target, `前10`) gives (with its warning)."""
    parsed = cells.parse_number(raw)
    if parsed.problem and f.lower_bound:
        if (bound := cells.parse_lower_bound(raw) or cells.parse_upper_bound(raw)) is not None:
            return bound
    return parsed


def whole_numbers(vals: pd.Series, problems: pd.Series, raw: pd.Series) -> pd.Series:
    """An integer field's figures (in its unit, when one applies: etl.extract.rows checks them
    after converting, `从业人员（万人）` 0.0123 being 123 persons): one with a fraction is a problem
    (as written), its figure dropped; one within a millionth of a whole number is that number
    (0.0123 万人 is 123.00000000000001 persons in binary)."""
    num = vals.astype("float64")
    whole = num.round()
    frac = num.notna() & ((num - whole).abs() > 1e-6 * np.maximum(1.0, whole.abs()))
    if frac.any():
        problems[frac] = raw[frac].map(
            lambda v: f"应为整数，实际为 {label_text(v)} / expected a whole number"
        )
    return whole.where(~frac)


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
            parsed = {u: _number(u, f) for u in pd.unique(raw[slow])}
            sub = raw[slow]
            num[slow] = sub.map(lambda u: parsed[u].value).astype("float64")
            missing[slow] = sub.map(lambda u: parsed[u].missing)
            problems[slow] = sub.map(
                lambda u: parsed[u].problem or (parsed[u].warning and f"WARN:{parsed[u].warning}")
            )
            units[slow] = sub.map(lambda u: parsed[u].unit)
        if blank_zero:
            num[blank] = 0.0
        infinite = np.isinf(num.to_numpy())
        if infinite.any():  # `inf`, `1e400` and ±∞ cells: never infinity in a table
            problems[infinite] = raw[infinite].map(lambda v: cells.NOT_FINITE.format(label_text(v)))
            num[infinite] = float("nan")
        huge = np.abs(num.to_numpy()) >= cells.MAX_FIGURE
        if huge.any():  # `1e308`: finite, but its sum in a mart would not be
            problems[huge] = raw[huge].map(lambda v: cells.TOO_LARGE.format(label_text(v)))
            num[huge] = float("nan")
        if f.type == "integer":
            num = whole_numbers(num, problems, raw)
        return num, missing, problems, units
    if (
        f.type in {"text", "credit_code"}
        and f.vocab is None
        and pd.api.types.is_string_dtype(raw.dtype)
        and not (raw.dtype == object and not raw.dropna().map(type).eq(str).all())
    ):
        return _parse_text_column(raw, f.type)
    codes, uniq = pd.factorize(raw, use_na_sentinel=True)
    uniq_list = [u.item() if hasattr(u, "item") else u for u in uniq]
    values, _, problems = _parse_column(uniq_list, f)
    vals = np.empty(len(uniq_list) + 1, dtype=object)
    vals[:-1] = values if values else []
    vals[-1] = f.vocab.lookup(None)[1] if f.vocab is not None else None  # blank cells (code -1)
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

    if kind == "flag" and all(type(v) is bool for v in vals):
        return pd.Series(np.array(vals, dtype=bool)[codes], index=idx)
    if kind == "region" and all(v is None or type(v) is str for v in vals):
        return pd.Series(take_str(list(vals), np.where(codes < 0, len(vals) - 1, codes)), index=idx)
    return pd.Series(vals[codes], index=idx, dtype=object)

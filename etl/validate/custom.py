"""statwh's custom great_expectations expectations.

Importing this module registers, with great_expectations' expectation and metric registries,

* ``expect_column_values_to_be_valid_credit_code`` — 统一社会信用代码 is valid
  (`etl.base.codes.credit_code_problem`);
* ``expect_column_values_to_be_valid_industry_code`` — GB/T 4754-2017 industry code is valid
  (`etl.reference.industry.industry_problem`, imported lazily when the metric runs);
* ``expect_column_values_to_not_be_in_the_future`` — a date is not later than today (Asia/Shanghai),
  which a static suite file cannot say with ``expect_column_values_to_be_between``;
* ``expect_column_values_to_not_be_a_stray_period`` — a row's period is one the file lists in full:
  a roster lists every enterprise each period, so a period with fewer than `min_share` of the
  rows of the file's fullest period (a stray row whose 统计期 says another month) is refused, not
  loaded as that period's whole roster (`stray_periods`).

so the suite files in ``expectations/`` can name them. Like every column map expectation, they only
look at non-null values: a blank cell passes (pair them with ``expect_column_values_to_not_be_null``
where a value is required).

This module imports great_expectations (6–7 s): import it lazily, as `etl.validate.suites` does.

`PROBLEM_EXPLAINERS` maps an expectation type to a function that explains, in Chinese, what is wrong
with one failing value; `etl.validate.suites` appends that reason to the suite's message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import ClassVar
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation, ColumnPairMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    ColumnPairMapMetricProvider,
    column_condition_partial,
    column_pair_condition_partial,
)
from great_expectations.render import LegacyRendererType, RenderedStringTemplateContent
from great_expectations.render.renderer.renderer import renderer
from great_expectations.render.renderer_configuration import RendererConfiguration, RendererValueType

from etl.base.codes import CREDIT_ALPHABET, credit_code_problem

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def today() -> dt.date:
    """Today's date where the departments are (the warehouse runs in UTC containers)."""
    return dt.datetime.now(LOCAL_TZ).date()


def _valid_by_unique(column: pd.Series, problem: Callable[[object], str | None]) -> pd.Series:
    """Boolean Series: `problem(value)` is None. Evaluates each distinct value once (a roster repeats
    an enterprise's code in every period, so this is far cheaper than a per-row map)."""
    uniques = pd.unique(column.to_numpy(dtype=object))
    bad = [u for u in uniques if problem(u) is not None]
    if not bad:
        return pd.Series(np.ones(len(column), dtype=bool), index=column.index)
    return ~column.astype(object).isin(bad)


_CREDIT_VALUE = np.full(256, -1, dtype=np.int8)  # small types: 200k codes × 18 stay 3.6 MB
_CREDIT_VALUE[np.frombuffer(CREDIT_ALPHABET.encode(), dtype=np.uint8)] = np.arange(len(CREDIT_ALPHABET))
_ORG_VALUE = np.full(256, -1, dtype=np.int8)
_ORG_VALUE[np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)] = np.arange(36)
_CREDIT_WEIGHTS = np.array((1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28), dtype=np.int64)
_ORG_WEIGHTS = np.array((3, 7, 9, 10, 5, 8, 4, 2), dtype=np.int64)


def credit_codes_valid(values: pd.Series) -> np.ndarray:
    """`credit_code_problem(v) is None` for each value, vectorised (a 200k-row roster of distinct
    enterprises would take over a second one code at a time).

    A fast path, in Arrow, decides the ASCII strings that, stripped and upper-cased, are 18
    characters of the code alphabet and do not look Excel-mangled: for those `credit_code_problem`
    only checks the two check characters, computed here with numpy. Every other value (another
    type, non-ASCII text, a wrong shape) is decided by `credit_code_problem` itself, once per
    distinct value. (tests/unit/validate/test_validate.py checks the two agree.)
    """
    ok = np.zeros(len(values), dtype=bool)
    decided = np.zeros(len(values), dtype=bool)
    where, upper = _well_shaped(values)
    if len(where):
        ok[where] = _check_characters_hold(where, upper)
        decided[where] = True
    rest = np.flatnonzero(~decided)
    if len(rest):
        ok[rest] = _problems_one_by_one(values.to_numpy(dtype=object)[rest])
    return ok


def _well_shaped(values: pd.Series):
    """(positions, upper-cased Arrow strings) of the ASCII values that are 18 characters of the
    code alphabet once stripped and do not look Excel-mangled: the fast path's share."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.compute as pc  # noqa: PLC0415

    from etl.base.strings import to_arrow  # noqa: PLC0415

    if values.dtype == object:  # only the str values take the fast path
        objs = values.to_numpy(dtype=object)
        is_str = np.fromiter((type(x) is str for x in objs), dtype=bool, count=len(objs))
        a = pa.array(np.where(is_str, objs, None), type=pa.string())
    else:
        a = to_arrow(values)
    # ASCII whitespace only: what Arrow strips here, str.strip() strips too (a value it would
    # strip further is not decided here, and goes to credit_code_problem)
    stripped = pc.ascii_trim_whitespace(a)
    upper = pc.ascii_upper(stripped)
    shaped = pc.and_(
        pc.and_(pc.string_is_ascii(a), pc.match_substring_regex(upper, f"^[{CREDIT_ALPHABET}]{{18}}$")),
        pc.invert(pc.match_substring_regex(stripped, _FLOATISH_E)),
    )
    where = np.flatnonzero(np.asarray(pc.fill_null(shaped, False).to_numpy(zero_copy_only=False), dtype=bool))
    return where, upper


def _check_characters_hold(where: np.ndarray, upper) -> np.ndarray:
    """For the well-shaped codes at `where`: both check characters (the 18th over the first 17, the
    17th over the organisation code in 9–16) computed with numpy and compared."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.compute as pc  # noqa: PLC0415

    sub = pc.take(upper, pa.array(where))
    sub = (sub.combine_chunks() if isinstance(sub, pa.ChunkedArray) else sub).cast(pa.large_string())
    offsets = np.frombuffer(sub.buffers()[1], dtype=np.int64)[sub.offset : sub.offset + len(sub) + 1]
    data = np.frombuffer(sub.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    codes = data.reshape(-1, 18)
    v = _CREDIT_VALUE[codes]
    check = (31 - (v[:, :17] @ _CREDIT_WEIGHTS) % 31) % 31  # a weighted sum per row, no n×17 temporaries
    good = v[:, 17] == check
    org = 11 - (_ORG_VALUE[codes[:, 8:16]] @ _ORG_WEIGHTS) % 11
    org_char = np.where(org == 10, ord("X"), np.where(org == 11, ord("0"), ord("0") + org))
    return good & (codes[:, 16] == org_char)


def _problems_one_by_one(objs: np.ndarray) -> np.ndarray:
    """`credit_code_problem(x) is None` for the values the fast path left, once per distinct value."""
    memo: dict[tuple, bool] = {}
    out = np.zeros(len(objs), dtype=bool)
    for i, x in enumerate(objs):
        key = (
            (type(x), "<na>")
            if x is None or x is pd.NA or (isinstance(x, float) and x != x)
            else (type(x), x)
        )
        try:
            if key not in memo:
                memo[key] = credit_code_problem(x) is None
            out[i] = memo[key]
        except TypeError:  # an unhashable value
            out[i] = credit_code_problem(x) is None
    return out


# the first form of etl.base.codes._FLOATISH (`9.13E+17`), which is 18 characters of the alphabet when
# written `1E12345678901234567`; its other form holds a "." and never is
_FLOATISH_E = r"^\d(\.\d+)?[eE]\+?\d+$"


def industry_code_problem(code: object) -> str | None:
    """`etl.reference.industry.industry_problem(code)`, imported when first needed (so this module does not
    depend on `etl.reference.industry` at import time, and tests can substitute it)."""
    from etl.reference.industry import industry_problem  # noqa: PLC0415 - lazy on purpose

    return industry_problem(code)


def not_in_the_future_problem(value: object) -> str | None:
    ts = pd.to_datetime(value, errors="coerce")
    if ts is pd.NaT or pd.isna(ts):
        return f"“{value}”不是有效日期"
    if ts.date() > today():
        return f"日期 {ts.date().isoformat()} 晚于今天 {today().isoformat()}"
    return None


MIN_FULL_PERIOD = 3
"""A file whose fullest period has fewer rows is not compared (a test file, a tiny township)."""


def stray_periods(column: pd.Series, min_share: float) -> pd.Series:
    """True for the values whose period holds at least `min_share` of the rows of the fullest
    period in `column` (nulls are not counted; a `min_share` of 0 passes everything)."""
    counts = column.map(column.value_counts())
    most = counts.max() if len(counts) else 0
    if min_share <= 0 or not most or most < MIN_FULL_PERIOD:
        return pd.Series(True, index=column.index)
    return (counts >= min_share * most) | column.isna()


def stray_period_problem(value: object, column: pd.Series) -> str | None:
    """How many rows the value's period has in the file, beside the fullest period's."""
    counts = column.value_counts()
    if value not in counts.index:
        return None
    top = counts.index[0]
    return f"本文件中 {value} 只有 {counts[value]} 行，{top} 有 {counts[top]} 行"


# ---- metrics --------------------------------------------------------------------------------------


class ColumnValuesValidCreditCode(ColumnMapMetricProvider):
    condition_metric_name = "column_values.valid_credit_code"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **kwargs) -> pd.Series:
        return pd.Series(credit_codes_valid(column), index=column.index)


class ColumnValuesValidIndustryCode(ColumnMapMetricProvider):
    condition_metric_name = "column_values.valid_industry_code"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **kwargs) -> pd.Series:
        return _valid_by_unique(column, industry_code_problem)


def _as_naive_datetimes(column: pd.Series) -> pd.Series:
    """Dates of any representation (datetime64 of any unit, `datetime.date`, ISO text) as naive
    datetime64; what cannot be read as a date becomes NaT."""
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return column.dt.tz_convert(LOCAL_TZ).dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return column
    parsed = pd.to_datetime(column, errors="coerce", format="mixed")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_convert(LOCAL_TZ).dt.tz_localize(None)
    return parsed


class ColumnValuesNotInTheFuture(ColumnMapMetricProvider):
    condition_metric_name = "column_values.not_in_the_future"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **kwargs) -> pd.Series:
        dates = _as_naive_datetimes(column)
        # Anything before tomorrow 00:00 is today or earlier; an unreadable date fails.
        return dates.notna() & (dates < pd.Timestamp(today() + dt.timedelta(days=1)))


class ColumnValuesNotAStrayPeriod(ColumnMapMetricProvider):
    condition_metric_name = "column_values.not_a_stray_period"
    condition_value_keys = ("min_share",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, min_share=0.5, **kwargs) -> pd.Series:
        return stray_periods(column, float(min_share))


class ColumnPairValuesWithinFactor(ColumnPairMapMetricProvider):
    """column_A is within `factor` times column_B, either way (both non-zero, or both zero)."""

    condition_metric_name = "column_pair_values.within_factor"
    condition_domain_keys = (
        "batch_id",
        "table",
        "column_A",
        "column_B",
        "row_condition",
        "condition_parser",
        "ignore_row_if",
    )
    condition_value_keys = ("factor",)

    @column_pair_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_A, column_B, factor=10, **kwargs):
        a = pd.to_numeric(column_A, errors="coerce").astype("float64").abs()
        b = pd.to_numeric(column_B, errors="coerce").astype("float64").abs()
        small = np.minimum(a, b)
        big = np.maximum(a, b)
        # a jump to or from zero is not a unit mix-up; a tenfold ratio (元/万元 gives 10 000) is
        return (small == 0) | (big < small * factor) | a.isna() | b.isna()


# ---- rendering (Data Docs) ------------------------------------------------------------------------
# Without these, Data Docs shows a custom expectation as "expect_…(**{kwargs})".


def _prescriptive_template(cls, renderer_configuration: RendererConfiguration) -> RendererConfiguration:
    renderer_configuration.add_param(name="column", param_type=RendererValueType.STRING)
    renderer_configuration.template_str = f"$column {cls.render_text}"
    return renderer_configuration


def _prescriptive_renderer(cls, configuration=None, result=None, runtime_configuration=None, **kwargs):
    if configuration is None and result is not None:
        configuration = result.expectation_config
    column = (configuration.kwargs if configuration is not None else {}).get("column")
    with_column = (runtime_configuration or {}).get("include_column_name") is not False
    return [
        RenderedStringTemplateContent(
            content_block_type="string_template",
            string_template={
                "template": f"$column {cls.render_text}" if with_column else cls.render_text,
                "params": {"column": column},
                "styling": (runtime_configuration or {}).get("styling"),
            },
        )
    ]


_TEMPLATE = classmethod(_prescriptive_template)
_RENDERER = classmethod(renderer(renderer_type=LegacyRendererType.PRESCRIPTIVE)(_prescriptive_renderer))


# ---- expectations ---------------------------------------------------------------------------------


class ExpectColumnValuesToBeValidCreditCode(ColumnMapExpectation):
    """Expect each non-null value to be a valid 统一社会信用代码 (GB 32100-2015: 18 characters from
    the code alphabet, both check characters right)."""

    map_metric = "column_values.valid_credit_code"
    success_keys = ("mostly",)
    library_metadata: ClassVar[dict] = {"maturity": "experimental", "tags": ["statwh"]}
    render_text: ClassVar[str] = "values must be valid 统一社会信用代码 (GB 32100-2015)."
    _prescriptive_template = _TEMPLATE
    _prescriptive_renderer = _RENDERER


class ExpectColumnValuesToBeValidIndustryCode(ColumnMapExpectation):
    """Expect each non-null value to be a GB/T 4754-2017 industry code (`etl.reference.industry`)."""

    map_metric = "column_values.valid_industry_code"
    success_keys = ("mostly",)
    library_metadata: ClassVar[dict] = {"maturity": "experimental", "tags": ["statwh"]}
    render_text: ClassVar[str] = "values must be GB/T 4754-2017 industry codes."
    _prescriptive_template = _TEMPLATE
    _prescriptive_renderer = _RENDERER


class ExpectColumnValuesToNotBeInTheFuture(ColumnMapExpectation):
    """Expect each non-null value to be a date no later than today (Asia/Shanghai)."""

    map_metric = "column_values.not_in_the_future"
    success_keys = ("mostly",)
    library_metadata: ClassVar[dict] = {"maturity": "experimental", "tags": ["statwh"]}
    render_text: ClassVar[str] = "values must be dates no later than today (Asia/Shanghai)."
    _prescriptive_template = _TEMPLATE
    _prescriptive_renderer = _RENDERER


class ExpectColumnValuesToNotBeAStrayPeriod(ColumnMapExpectation):
    """Expect each non-null period to hold at least `min_share` of the rows of the fullest period
    in the batch (a roster lists every enterprise each period; see `stray_periods`)."""

    map_metric = "column_values.not_a_stray_period"
    success_keys = ("min_share", "mostly")
    min_share: float = 0.5
    library_metadata: ClassVar[dict] = {"maturity": "experimental", "tags": ["statwh"]}
    render_text: ClassVar[str] = (
        "values must be periods the file lists in full (not a stray row of another month)."
    )
    _prescriptive_template = _TEMPLATE
    _prescriptive_renderer = _RENDERER


class ExpectColumnPairValuesToBeWithinAFactor(ColumnPairMapExpectation):
    """Expect column_A to be less than `factor` times column_B and more than column_B / `factor`
    (the same enterprise's or indicator's previous period: a tenfold jump is the classic 元/万元
    mix-up)."""

    map_metric = "column_pair_values.within_factor"
    success_keys = ("factor", "mostly", "ignore_row_if")
    factor: float = 10.0
    ignore_row_if: str = "either_value_is_missing"
    library_metadata: ClassVar[dict] = {"maturity": "experimental", "tags": ["statwh"]}


PROBLEM_EXPLAINERS: dict[str, Callable[[object], str | None]] = {
    "expect_column_values_to_be_valid_credit_code": credit_code_problem,
    "expect_column_values_to_be_valid_industry_code": industry_code_problem,
    "expect_column_values_to_not_be_in_the_future": not_in_the_future_problem,
}
"""Expectation type → function giving the Chinese reason one value fails it (or None)."""

COLUMN_EXPLAINERS: dict[str, Callable[[object, pd.Series], str | None]] = {
    "expect_column_values_to_not_be_a_stray_period": stray_period_problem,
}
"""Expectation type → function giving the reason one value fails it, from the whole column."""

CUSTOM_EXPECTATION_TYPES = frozenset(PROBLEM_EXPLAINERS) | frozenset(COLUMN_EXPLAINERS)

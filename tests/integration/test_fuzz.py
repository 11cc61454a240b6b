"""Property tests (hypothesis, fixed budget, derandomized): the parsers never raise and return what
they document; the reader turns any bytes into a Workbook or a ReadError; the header finder finds a
header planted under junk."""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from etl.base import cells
from etl.read import Grid, ReadError, Workbook, decode_text, read_workbook, sniff_format

FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

CELL_TEXT = st.text(
    alphabet=st.sampled_from(
        list("0123456789.,-+eE%年月日季度第一二三四Q /：:亿万元亩公顷 \u3000#REF!DIV是否√×")
    ),
    max_size=14,
)
CELL = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    CELL_TEXT,
    st.dates(),
    st.datetimes(),
    st.sampled_from(sorted(cells.EXCEL_ERRORS)),
)


@FUZZ
@given(CELL)
@example(float("inf"))
@example("1e999")
@example("٣")  # an Arabic-Indic digit: str.isdigit() yet not what float() wants? (it is)
def test_parse_number_never_raises(v):
    p = cells.parse_number(v)
    assert isinstance(p, cells.Parsed)
    assert p.value is None or isinstance(p.value, float)
    assert p.value is None or p.problem is None
    assert p.problem is None or isinstance(p.problem, str)


@FUZZ
@given(CELL, st.booleans())
@example(2024.1, False)
@example(1e300, False)
@example(float("inf"), False)
@example(20001.5, True)
def test_parse_date_never_raises(v, month_end):
    p = cells.parse_date(v, month_end=month_end)
    assert isinstance(p, cells.Parsed)
    assert p.value is None or type(p.value) is dt.date
    assert p.value is not None or p.missing is not None or p.problem


@FUZZ
@given(CELL)
def test_parse_period_never_raises(v):
    p = cells.parse_period(v)
    assert p is None or isinstance(p, cells.Period)
    if p is not None:
        assert p.freq in {"year", "quarter", "month"} and p.basis in {"period", "ytd"}
        assert isinstance(p.end, dt.date) and p.text[:4] == str(p.end.year)


@FUZZ
@given(CELL)
def test_parse_flag_never_raises(v):
    p = cells.parse_flag(v)
    assert p.value in (True, False, None)
    assert (p.value is None) == (p.problem is not None)


@FUZZ
@given(st.binary(max_size=64))
def test_sniff_format(head):
    assert sniff_format(head) in {"xlsx", "ole2", "csv"}


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=200),
        st.text(max_size=60).map(lambda s: s.encode("gbk", errors="ignore")),
        st.text(max_size=60).map(lambda s: s.encode("utf-16")),
    )
)
def test_decode_text_decodes_or_says_why(data):
    try:
        text, enc = decode_text(data)
    except ReadError as e:
        assert "encoding" in str(e)
        return
    assert isinstance(text, str) and enc in {"utf-16", "utf-8-sig", "utf-16-le", "utf-8", "gbk"}


_DIR = Path(tempfile.mkdtemp(prefix="statwh-fuzz-"))


def _xlsx_like(data: bytes) -> bytes:
    return b"PK\x03\x04" + data


def _ole_like(data: bytes) -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + data


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=600),
        st.binary(max_size=600).map(_xlsx_like),
        st.binary(max_size=600).map(_ole_like),
        st.text(max_size=300).map(lambda s: s.encode("utf-8", errors="replace")),
    ),
    st.sampled_from(["f.csv", "f.xlsx", "f.xls"]),
)
@example(b"a,b\n\x00,1", "f.csv")
@example(b'"unterminated\n' + b"x" * 10, "f.csv")
@example(b"a\r\nb\rc\n", "f.csv")
def test_read_workbook_is_a_workbook_or_a_read_error(data, name):
    p = _DIR / name
    p.write_bytes(data)
    try:
        wb = read_workbook(p)
    except ReadError as e:
        assert str(e)
        return
    assert isinstance(wb, Workbook) and wb.format in {"xlsx", "xls", "csv"}
    assert all(isinstance(g, Grid) and isinstance(g.rows, list) for g in wb.sheets)


def test_csv_field_larger_than_the_csv_module_allows_is_a_read_error(tmp_path):
    p = tmp_path / "f.csv"
    p.write_text('a,"' + "x" * 200_000 + '"\n', encoding="utf-8")
    try:
        read_workbook(p)
    except ReadError as e:
        assert "CSV" in str(e)


# ---------------------------------------------------------------- header finding


def _roster_spec():
    from etl.spec.model import specs_for

    return specs_for("enterprises")[0]


JUNK = st.one_of(
    st.none(),
    st.integers(-5, 5).map(float),
    st.sampled_from(
        [
            "淮安区工业企业主要经济指标",
            "单位：万元",
            "填报单位：淮安区工信局",
            "",
            "说明",
            "2025年1-6月",
            "x",
            "合计",
        ]
    ),
)


@FUZZ
@given(st.lists(st.lists(st.one_of(CELL, JUNK), max_size=8), max_size=12))
def test_find_header_never_raises(rows):
    from etl.extract import find_header

    best, cands = find_header(Grid("Sheet1", rows), _roster_spec())
    assert best is None or not best.missing_required


@FUZZ
@given(
    st.lists(st.lists(JUNK, max_size=6), max_size=10),
    st.permutations(["统一社会信用代码", "企业名称", "所在镇（街道）", "工业总产值（万元）"]),
    st.integers(0, 3),
)
def test_a_planted_header_is_found_where_it_is(junk, header, pad):
    from etl.extract import find_header

    rows = [list(r) for r in junk] + [[None] * pad + list(header)]
    rows += [[None] * pad + ["913208037000000017", "某公司", "施河镇", 12.5]] * 3
    best, _ = find_header(Grid("Sheet1", rows), _roster_spec())
    assert best is not None
    assert best.row == len(junk)
    assert best.mapping["credit_code"] == pad + header.index("统一社会信用代码")
    assert not math.isnan(best.score)

"""A big sheet read in parts on every core (etl/read/sheetparts.py) gives exactly what one read of the
whole sheet gives: the same rows at the same row numbers, the same column types, the same cells
named as not fitting their type. Where that cannot be assured the parts are not used."""

from __future__ import annotations

import datetime as dt
import glob
import os
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import etl.read.sheetparts as sp
from etl.read import ReadError
from etl.read.fastsheet import _read, load_columns
from tests.conftest import REPO

SHEET = "表1"


@pytest.fixture
def small_parts(monkeypatch):
    """Parts for sheets of any size, with fastexcel sampling the first 3 rows for types."""
    monkeypatch.setattr(sp, "MIN_BYTES", 0)
    monkeypatch.setattr(sp, "SAMPLE_ROWS", 3)


def whole(path, start, columns, dtypes, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(sp, "MIN_BYTES", 1 << 60)
        assert sp.read_parts(path, SHEET, start, columns, dtypes, parts=2) is None
        return _read(path, SHEET, start, columns, dtypes)


def nullable(t):
    import pyarrow as pa

    return t.cast(pa.schema([f.with_nullable(True) for f in t.schema])).combine_chunks()


def same(a, b):
    assert (a.columns, a.types) == (b.columns, b.types)
    assert [f.type for f in a.table.schema] == [f.type for f in b.table.schema]
    assert nullable(a.table).equals(nullable(b.table))
    assert sorted(a.errors) == sorted(b.errors)


def write(path: Path, rows: dict[int, list], *, inline: bool = True, width: int | None = None) -> Path:
    """rows: {0-based row: cells}; a cell is a value, None (absent), ("err", text) for a formula
    showing an Excel error, ("date", datetime) or ("blank",) for a styled empty cell."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": inline})
    ws = wb.add_worksheet(SHEET)
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    bold = wb.add_format({"bold": True})
    for r in sorted(rows):
        for c, v in enumerate(rows[r]):
            if v is None:
                continue
            if isinstance(v, tuple) and v[0] == "err":
                ws.write_formula(r, c, "=1/0", None, v[1])
            elif isinstance(v, tuple) and v[0] == "date":
                ws.write_datetime(r, c, v[1], date)
            elif isinstance(v, tuple) and v[0] == "blank":
                ws.write_blank(r, c, None, bold)
            else:
                ws.write(r, c, v)
    wb.close()
    return path


def roster_like(n: int) -> dict[int, list]:
    rows = {0: ["标题"], 1: ["代码", "名称", "产值", "人数"]}
    for i in range(n):
        rows[2 + i] = [f"91{i:016d}" if i % 7 else 91000000 + i, f"企业{i}", i * 1.5, i % 50]
    return rows


def test_parts_give_what_the_whole_sheet_gives(tmp_path, small_parts, monkeypatch):
    path = write(tmp_path / "r.xlsx", roster_like(400))
    cols, types = [0, 1, 2, 3], {1: "string", 2: "float"}
    for parts in (2, 3, 4):
        got = sp.read_parts(path, SHEET, 2, cols, types, parts=parts)
        assert got is not None and got[0].num_rows == 400
        same(got, whole(path, 2, cols, types, monkeypatch))
    # and through load_columns, as extraction reads (one part per core)
    monkeypatch.setattr(sp, "cores", lambda: 2)
    parted = load_columns(path, SHEET, 2, {0: "auto", 1: "text", 2: "number", 3: "number"})
    monkeypatch.setattr(sp, "cores", lambda: 1)
    assert parted.equals(load_columns(path, SHEET, 2, {0: "auto", 1: "text", 2: "number", 3: "number"}))
    assert list(parted.index) == list(range(2, 402))
    mine = f"statwh-sheet-{os.getpid()}-*"  # only this process's copies: others may be running
    assert not glob.glob(f"/dev/shm/{mine}") and not glob.glob(os.path.join(sp.tempfile.gettempdir(), mine))


def test_rows_missing_at_a_cut_come_back_empty_and_types_follow_the_first_part(
    tmp_path, small_parts, monkeypatch
):
    """A gap in the rows at a cut is empty rows, as in a whole read; a later part whose own rows
    would give a column another type (text where the first rows held numbers) is read with the
    first part's types, so its text cells are named as errors, as in a whole read."""
    rows = {0: ["代码", "产值"]}
    for i in range(1, 200):
        rows[i] = [i * 10.0, float(i)]
    for i in range(260, 400):  # rows 200-259 absent
        rows[i] = [f"X{i}", "1,234" if i % 5 == 0 else float(i)]
    path = write(tmp_path / "g.xlsx", rows)
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    cuts = sp.cut(xml, 2, 1)
    assert cuts is not None and cuts[2][1][1] >= 260  # the cut falls beyond the gap
    got = sp.read_parts(path, SHEET, 1, [0, 1], {1: "float"}, parts=2)
    assert got is not None
    same(got, whole(path, 1, [0, 1], {1: "float"}, monkeypatch))
    table = got[0]
    assert table.num_rows == 399 and table.column(0).null_count == 60 + 140  # the gap, and the text
    assert any(pos == (260, 0) and "X260" in detail for pos, detail in got[1])


def test_styled_blank_cells_and_errors_and_dates_across_parts(tmp_path, small_parts, monkeypatch):
    rows = {0: ["名称", "产值", "日期"]}
    for i in range(1, 300):
        rows[i] = [f"名{i}", float(i), ("date", dt.datetime(2024, 1, 1) + dt.timedelta(days=i))]
    rows[150] = [("blank",), ("blank",), ("blank",)]
    rows[151] = [("err", "#REF!"), ("err", "#DIV/0!"), "2024-13-01"]
    rows[299] = [("blank",), None, None]
    path = write(tmp_path / "e.xlsx", rows, inline=False)  # shared strings, as Excel saves
    for parts in (2, 3):
        got = sp.read_parts(path, SHEET, 1, [0, 1, 2], {0: "string", 1: "float"}, parts=parts)
        assert got is not None
        same(got, whole(path, 1, [0, 1, 2], {0: "string", 1: "float"}, monkeypatch))


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda x: x.replace(b'<row r="', b'<row x="'), id="rows-without-numbers"),
        pytest.param(lambda x: x.replace(b"<sheetData>", b"<x:sheetData>"), id="prefixed"),
    ],
)
def test_rows_that_cannot_be_cut_safely_are_read_whole(tmp_path, small_parts, mangle):
    path = write(tmp_path / "r.xlsx", roster_like(300))
    xml = mangle(zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml"))
    assert sp.cut(xml, 2, 2) is None


def test_a_damaged_sheet_is_left_to_the_whole_read(tmp_path, small_parts):
    """A package whose sheet does not inflate is not read in parts: the whole read says what is
    wrong with it."""
    from etl.read import ReadError

    path = write(tmp_path / "r.xlsx", roster_like(300))
    raw = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    middle = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
    raw[middle : middle + 64] = bytes(64)
    path.write_bytes(bytes(raw))
    assert sp.read_parts(path, SHEET, 2, [0, 1], {1: "string"}, parts=2) is None
    with pytest.raises(ReadError, match="cannot read"):
        load_columns(path, SHEET, 2, {0: "auto", 1: "text"})


def test_small_sheets_and_one_core_are_read_whole(tmp_path, monkeypatch):
    path = write(tmp_path / "r.xlsx", roster_like(300))
    assert sp.read_parts(path, SHEET, 2, [0, 1], {}, parts=2) is None  # under MIN_BYTES
    monkeypatch.setattr(sp, "MIN_BYTES", 0)
    monkeypatch.setattr(sp, "cores", lambda: 1)
    assert sp.read_parts(path, SHEET, 2, [0, 1], {}) is None
    # too few rows below the header to keep fastexcel's type sample in the first part
    assert sp.read_parts(path, SHEET, 2, [0, 1], {}, parts=2) is None


CELL = st.one_of(
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.integers(-(10**6), 10**6),
    st.text(alphabet="甲乙0123456789,.-abc ", min_size=1, max_size=6),
    st.booleans(),
    st.sampled_from([("err", "#REF!"), ("err", "#N/A"), ("blank",)]),
    st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2030, 1, 1)).map(lambda d: ("date", d)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.data(),
    width=st.integers(1, 4),
    start=st.integers(0, 3),
    inline=st.booleans(),
    parts=st.integers(2, 4),
)
def test_any_sheet_reads_the_same_in_parts(
    tmp_path_factory, monkeypatch, caplog, data, width, start, inline, parts
):
    monkeypatch.setattr(sp, "MIN_BYTES", 0)
    monkeypatch.setattr(sp, "SAMPLE_ROWS", 3)
    n = data.draw(st.integers(0, 40))
    present = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    rows = {
        r: data.draw(st.lists(CELL, min_size=width, max_size=width))
        for r, keep in zip(range(start, start + n), present, strict=True)
        if keep
    }
    kinds = data.draw(st.lists(st.sampled_from([None, "string", "float"]), min_size=width, max_size=width))
    types = {c: k for c, k in enumerate(kinds) if k}
    path = write(tmp_path_factory.mktemp("s") / "s.xlsx", rows or {0: [None]}, inline=inline)
    cols = list(range(width))
    try:
        expected = whole(path, start, cols, types, monkeypatch)
    except ReadError as e:  # fastexcel refuses the sheet whole: so must the parts
        assert sp.read_parts(path, SHEET, start, cols, types, parts=parts) is None, e
        return
    caplog.clear()
    with caplog.at_level("DEBUG", logger="etl.read.sheetparts"):
        got = sp.read_parts(path, SHEET, start, cols, types, parts=parts)
    if got is None:
        # only when the rows could not be cut, the parts' cells span other columns, or no cell of
        # the first part holds a value (nothing to take the columns' types from)
        why = caplog.records[-1].getMessage() if caplog.records else ""
        assert why.endswith(("(cut)", "(columns)")) or "Too many rows skipped" in why, caplog.text
        return
    same(got, expected)


def test_the_bench_roster_reads_the_same_in_parts(tmp_path, monkeypatch):
    """The generator's roster (inline strings, as the benchmark reads), at a size the parts
    are used for without changing the thresholds when a roster of 200k rows is cached."""
    from bench.gen import rosters

    cached = glob.glob(str(REPO / "bench/.cache/v1/200000/*.xlsx"))
    if cached:
        path = Path(cached[0])
    else:
        monkeypatch.setattr(sp, "MIN_BYTES", 0)
        path = rosters(5000, cache=tmp_path)[0]
    wanted = {0: "text", 1: "auto", 2: "text", 3: "text", 4: "auto", 6: "number", 7: "number", 16: "text"}
    idx = sorted(wanted)
    types = {c: "string" if k == "text" else "float" for c, k in wanted.items() if k != "auto"}
    got = sp.read_parts(path, xlsx_name(path), 5, idx, types, parts=2)
    assert got is not None
    with monkeypatch.context() as m:
        m.setattr(sp, "MIN_BYTES", 1 << 60)
        same(got, _read(path, xlsx_name(path), 5, idx, types))


def xlsx_name(path: Path) -> str:
    from etl.read import xlsx_heads

    return xlsx_heads(path, 1)[0].name


def test_parts_go_to_the_temp_dir_when_shared_memory_has_no_room(tmp_path, small_parts, monkeypatch):
    """/dev/shm of a container is often 64 MB: the parts are then written to the temp dir."""
    import collections

    Usage = collections.namedtuple("Usage", "total used free")
    monkeypatch.setattr(sp.shutil, "disk_usage", lambda p: Usage(64 << 20, 64 << 20, 0))
    assert sp._scratch_dir(10 << 20) is None
    used = []
    real = sp.tempfile.TemporaryDirectory
    monkeypatch.setattr(sp.tempfile, "TemporaryDirectory", lambda **kw: used.append(kw["dir"]) or real(**kw))
    path = write(tmp_path / "r.xlsx", roster_like(400))
    assert sp.read_parts(path, SHEET, 2, [0, 1], {1: "string"}, parts=2) is not None
    assert used == [None]
    monkeypatch.undo()
    if Path("/dev/shm").is_dir() and os.access("/dev/shm", os.W_OK):
        assert sp._scratch_dir(10 << 20) == "/dev/shm"


def test_copies_left_by_a_killed_process_are_removed_and_no_others(tmp_path):
    """A SIGKILLed reader leaves its part copies in /dev/shm (memory) for good: the next process
    to read in parts removes the copies of dead processes, and only those."""
    import subprocess
    import sys

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(dead.stdout)  # exited: no such process now
    stale = tmp_path / f"statwh-sheet-{dead_pid}-abc"
    stale.mkdir()
    (stale / "part0.xlsx").write_bytes(b"x" * 1000)
    alive = tmp_path / f"statwh-sheet-{os.getppid()}-def"  # a live process's copies
    alive.mkdir()
    odd = tmp_path / "statwh-sheet-notapid"  # names no process
    odd.mkdir()
    other = tmp_path / "unrelated"
    other.mkdir()
    assert sp.remove_stale_parts((str(tmp_path),)) == [str(stale)]
    assert not stale.exists() and alive.exists() and odd.exists() and other.exists()

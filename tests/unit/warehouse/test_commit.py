"""`ingest_file` validates a file while a second thread writes its rows into an open transaction.

What it must keep: the warehouse ends exactly as if the suite had run first (`prepare` then
`commit`, the Airflow path), rows the suite turns away are taken back before the commit, and a
file the suite rejects leaves nothing behind but its `meta.loads` row and its reasons.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bench.gen import _Enterprises, write_roster
from etl.base.settings import Home
from etl.warehouse.connection import connect
from etl.warehouse.load import commit, ingest_file, prepare

ROWS = 40
NEGATIVE, DUP_FIRST, DUP_SECOND = 3, 4, 5  # 0-based enterprise positions (sheet row = position + 6)


def _roster(path: Path, *, bad: bool, month: int = 6) -> Path:
    ents = _Enterprises(ROWS)
    if bad:  # problems only the suite sees: extraction reads both as ordinary values
        ents.base[NEGATIVE] = -ents.base[NEGATIVE]  # a negative 工业总产值
        ents.codes[DUP_SECOND] = ents.codes[DUP_FIRST]  # one credit code on two enterprises
    return write_roster(path, ents, 2025, month)


def _snapshot(con) -> dict:
    """What the load left in the warehouse, without the columns that differ between two loads."""
    return {
        "raw": con.execute(
            "select * exclude (load_id) from raw.enterprise_periods order by _sheet, _row"
        ).fetchall(),
        "slices": con.execute("select dataset, slice_key from meta.slices order by all").fetchall(),
        "loads": con.execute(
            "select status, rows_read, rows_loaded, rows_rejected from meta.loads order by load_id"
        ).fetchall(),
        "rejections": con.execute(
            "select sheet, row_number, column_name, rule from meta.rejections order by all"
        ).fetchall(),
        "quarantine": con.execute("select sheet, row_number from meta.quarantine order by all").fetchall(),
        "warnings": con.execute("select count(*) from meta.warnings").fetchall(),
        "results": con.execute(
            "select suite, expectation, column_name, success, unexpected_count"
            " from meta.validation_results order by all"
        ).fetchall(),
    }


def _threads_calling(monkeypatch, module, name: str) -> list[str]:
    """The names of the threads that call `module.name` from now on (the test's end undoes it)."""
    seen: list[str] = []
    original = getattr(module, name)

    def spy(*a, **k):
        seen.append(threading.current_thread().name)
        return original(*a, **k)

    monkeypatch.setattr(module, name, spy)
    return seen


@pytest.fixture
def writer_threads(monkeypatch) -> list[str]:
    """The names of the threads that wrote rows into raw tables."""
    import etl.warehouse.load

    return _threads_calling(monkeypatch, etl.warehouse.load, "_write_rows")


def test_rows_the_suite_turns_away_are_taken_back_as_if_it_had_run_first(tmp_path, writer_threads):
    path = _roster(tmp_path / "in" / "规上工业企业主要指标_2025年1-6月.xlsx", bad=True)

    overlapped = Home(tmp_path / "overlapped").ensure()
    con = connect(overlapped)
    res = ingest_file(con, overlapped, path, "enterprises")
    got = _snapshot(con)
    con.close()
    assert writer_threads and all(t.startswith("statwh-write") for t in writer_threads)

    first = Home(tmp_path / "validated-first").ensure()
    con = connect(first)
    prep = prepare(first, path, "enterprises")  # validates before any write (the Airflow path)
    assert prep.validated
    commit(con, first, prep)
    expected = _snapshot(con)
    con.close()

    assert res.status == "partial"
    assert res.rows_loaded == ROWS - 3 and res.rows_rejected == 3
    assert got == expected
    rows_left = {r[-3] for r in got["raw"]}  # _row: the sheet's row number
    assert rows_left.isdisjoint({NEGATIVE + 6, DUP_FIRST + 6, DUP_SECOND + 6})
    assert {r[1] for r in got["quarantine"]} == {NEGATIVE + 6, DUP_FIRST + 6, DUP_SECOND + 6}
    assert got["slices"] == [("enterprise_periods", "2025-06")]


def test_a_file_the_suite_rejects_mid_write_leaves_the_warehouse_as_it_was(tmp_path, monkeypatch):
    import etl.warehouse.load

    home = Home(tmp_path / "home").ensure()
    con = connect(home)
    good = _roster(tmp_path / "a" / "规上工业企业主要指标_2025年1-5月.xlsx", bad=False, month=5)
    assert ingest_file(con, home, good, "enterprises").status == "loaded"
    before = con.execute("select * from raw.enterprise_periods order by all").fetchall()
    slices = con.execute("select * from meta.slices order by all").fetchall()

    written = threading.Event()
    original_write = etl.warehouse.load._write_rows

    def write_then_signal(*a, **k):
        original_write(*a, **k)
        written.set()

    def broken_rule(*a, **k):  # a rule that fails only after the rows are in the open transaction
        assert written.wait(60)
        raise RuntimeError("rule exploded")

    monkeypatch.setattr(etl.warehouse.load, "_write_rows", write_then_signal)
    monkeypatch.setattr(etl.warehouse.load, "validate_frame", broken_rule)
    june = _roster(tmp_path / "b" / "规上工业企业主要指标_2025年1-6月.xlsx", bad=False)
    res = ingest_file(con, home, june, "enterprises")

    assert written.is_set()
    assert res.status == "rejected" and res.rows_loaded == 0
    assert "rule exploded" in res.message
    assert con.execute("select * from raw.enterprise_periods order by all").fetchall() == before
    assert con.execute("select * from meta.slices order by all").fetchall() == slices
    loads = con.execute("select load_id, status from meta.loads order by load_id").fetchall()
    assert loads == [(1, "loaded"), (2, "rejected")]  # the rejected file keeps the id it was written under
    (rule,) = con.execute("select rule from meta.rejections where load_id = 2").fetchall()
    assert rule == ("validation_error",)
    con.close()


def test_history_checks_see_the_warehouse_before_the_file(tmp_path):
    """The history query runs on its own connection, which sees the warehouse as committed, while
    the writer inserts the file's rows: a month is compared with the month before, never with
    itself."""
    home = Home(tmp_path / "home").ensure()
    con = connect(home)
    may = _Enterprises(ROWS)
    write_roster(tmp_path / "a" / "规上工业企业主要指标_2025年1-5月.xlsx", may, 2025, 5)
    assert ingest_file(con, home, tmp_path / "a" / "规上工业企业主要指标_2025年1-5月.xlsx", "enterprises").ok
    june = _Enterprises(ROWS)
    june.base[7] = june.base[7] * 1000  # ten times or more: the history suite's unit check
    path = write_roster(tmp_path / "b" / "规上工业企业主要指标_2025年1-6月.xlsx", june, 2025, 6)
    res = ingest_file(con, home, path, "enterprises")
    assert res.status == "loaded"
    flagged = [w for w in res.warnings if w.rule.startswith("expect_column_pair_values_to_be_within")]
    assert [w.row for w in flagged] == [7 + 6]
    con.close()


def test_great_expectations_is_imported_while_the_sheet_is_read(tmp_path):
    """In a fresh process, `prepare` starts the ~6 s great_expectations import on a thread before
    extracting, so a CLI run pays for it while fastexcel parses (which releases the GIL)."""
    import subprocess
    import sys

    path = _roster(tmp_path / "in" / "规上工业企业主要指标_2025年1-6月.xlsx", bad=False)
    code = f"""
import sys, threading
from pathlib import Path
from etl.warehouse.load import prepare
from etl.base.settings import Home
assert "great_expectations" not in sys.modules
prep = prepare(Home(Path({str(tmp_path / "home")!r})).ensure(), Path({str(path)!r}), "enterprises", validate=False)
assert not prep.validated and prep.validation_results is None
warm = [t for t in threading.enumerate() if t.name == "statwh-gx-warm-up"]
for t in warm:
    t.join(120)
print("imported", "great_expectations" in sys.modules)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    assert "imported True" in out.stdout, out.stdout + out.stderr


# ---------------------------------------------------------------- the build ahead (build=True)


def _built(con) -> dict:
    """The built warehouse, without what differs between two runs (timestamps, build ids)."""
    return {
        "dim_enterprise": con.execute("select * from core.dim_enterprise order by all").fetchall(),
        "freshness": con.execute(
            "select * exclude (last_received_at, last_loaded_at) from marts.source_freshness order by all"
        ).fetchall(),
        "values": con.execute(
            "select indicator_id, region_code, period, basis, value from marts.indicator_values"
            " where is_latest order by all"
        ).fetchall(),
        "builds": con.execute("select count(*) from meta.builds").fetchall(),
    }


@pytest.fixture
def build_threads(monkeypatch) -> list[str]:
    """The names of the threads that built the warehouse."""
    import etl.warehouse.build

    return _threads_calling(monkeypatch, etl.warehouse.build, "build_in_transaction")


def _build_after(tmp_path: Path, name: str, *paths: Path) -> dict:
    """The warehouse as loading each file and then building gives it."""
    from etl.warehouse.build import build

    home = Home(tmp_path / name).ensure()
    con = connect(home)
    for p in paths:
        ingest_file(con, home, p, "enterprises")
    build(con)
    out = _snapshot(con) | _built(con)
    con.close()
    return out


def test_a_load_built_ahead_ends_as_loading_then_building(tmp_path, build_threads):
    may = _roster(tmp_path / "a" / "规上工业企业主要指标_2025年1-5月.xlsx", bad=False, month=5)
    june = _Enterprises(ROWS)
    june.names[2] = june.names[2] + "（新名）"  # a renamed enterprise: a second version in the dimension
    june_path = write_roster(tmp_path / "b" / "规上工业企业主要指标_2025年1-6月.xlsx", june, 2025, 6)

    home = Home(tmp_path / "ahead").ensure()
    con = connect(home)
    assert ingest_file(con, home, may, "enterprises").build is None  # not asked to build
    res = ingest_file(con, home, june_path, "enterprises", build=True)
    got = _snapshot(con) | _built(con)
    con.close()

    assert res.status == "loaded" and res.build is not None
    assert "core.dim_enterprise" in res.build and "marts.indicator_values" in res.build
    assert set(res.build_timing) == {"seconds", "cpu", "waited"}
    assert 0 <= res.build_timing["waited"] <= res.build_timing["seconds"]
    assert build_threads and all(t.startswith("statwh-write") for t in build_threads)
    expected = _build_after(tmp_path, "after", may, june_path)
    assert got == expected
    assert got["builds"] == [(1,)]
    assert len({r[0] for r in got["dim_enterprise"]}) == ROWS
    assert len(got["dim_enterprise"]) == ROWS + 1  # the renamed one has two versions


def test_the_build_ahead_is_undone_when_the_suite_turns_rows_away(tmp_path):
    """The writer builds as extraction left the file; the suite then quarantines three rows, so
    that build counted rows that must not stay: the load is written again unbuilt."""
    path = _roster(tmp_path / "in" / "规上工业企业主要指标_2025年1-6月.xlsx", bad=True)
    home = Home(tmp_path / "ahead").ensure()
    con = connect(home)
    res = ingest_file(con, home, path, "enterprises", build=True)
    assert res.status == "partial" and res.rows_rejected == 3
    assert res.build is None and res.build_timing == {}
    assert con.execute("select count(*) from meta.builds").fetchall() == [(0,)]
    assert con.execute("select count(*) from raw.enterprise_periods").fetchall() == [(ROWS - 3,)]
    from etl.warehouse.build import build

    build(con)  # what the caller does when the load did not build
    got = _snapshot(con) | _built(con)
    con.close()
    assert got == _build_after(tmp_path, "after", path)
    assert len(got["dim_enterprise"]) == ROWS - 3
    assert got["loads"] == [("partial", ROWS, ROWS - 3, 3)]


def test_rows_extraction_turned_away_keep_the_build_ahead(tmp_path):
    """Rows extraction rejects are known before the writer starts: they are never written, the
    load is recorded partial, and the build ahead stands."""
    ents = _Enterprises(ROWS)
    path = write_roster(tmp_path / "in" / "规上工业企业主要指标_2025年1-6月.xlsx", ents, 2025, 6)
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb.active.cell(row=8, column=7).value = "一千二"  # 工业总产值 of the third enterprise: not a number
    wb.save(path)
    home = Home(tmp_path / "ahead").ensure()
    con = connect(home)
    res = ingest_file(con, home, path, "enterprises", build=True)
    got = _snapshot(con) | _built(con)
    con.close()
    assert res.status == "partial" and res.rows_rejected == 1
    assert res.build is not None
    assert got == _build_after(tmp_path, "after", path)
    assert got["loads"] == [("partial", ROWS, ROWS - 1, 1)]
    assert [(r[0], r[1]) for r in got["quarantine"]] == [(got["quarantine"][0][0], 8)]


def test_a_build_that_fails_ahead_does_not_cost_the_file_its_load(tmp_path, monkeypatch):
    import etl.warehouse.build

    def broken(con, **kw):  # a model written, then one that fails
        con.execute("create schema if not exists core")
        con.execute("create table core.half_built as select 1 as x")
        raise RuntimeError("model exploded")

    monkeypatch.setattr(etl.warehouse.build, "build_in_transaction", broken)
    path = _roster(tmp_path / "in" / "规上工业企业主要指标_2025年1-6月.xlsx", bad=False)
    home = Home(tmp_path / "home").ensure()
    con = connect(home)
    res = ingest_file(con, home, path, "enterprises", build=True)
    assert res.status == "loaded" and res.rows_loaded == ROWS
    assert res.build is None
    assert con.execute("select count(*) from raw.enterprise_periods").fetchall() == [(ROWS,)]
    assert con.execute("select load_id, status from meta.loads").fetchall() == [(1, "loaded")]
    assert con.execute("select count(*) from meta.builds").fetchall() == [(0,)]
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert "half_built" not in tables  # rolled back with the rows, which were then written again
    con.close()


def test_a_build_that_fails_while_evaluating_several_times_leaves_none_set(tmp_path, monkeypatch):
    """DuckDB keeps a connection's variables through a rollback: a build that fails with
    `as_of_list` set must not leave it set, or every later query sees several times at once."""
    import etl.warehouse.build as build_mod

    def failing(con, m, key):  # as an error inside the query would: the transaction is aborted
        con.execute("select 'x'::integer")

    monkeypatch.setattr(build_mod, "_append_changed", failing)
    path = _roster(tmp_path / "in" / "规上工业企业主要指标_2025年1-6月.xlsx", bad=False)
    home = Home(tmp_path / "home").ensure()
    con = connect(home)
    res = ingest_file(con, home, path, "enterprises", build=True)
    assert res.status == "loaded" and res.build is None
    assert con.execute("select getvariable('as_of_list'), getvariable('as_of')").fetchall() == [(None, None)]
    monkeypatch.undo()
    build_mod.build(con)
    assert con.execute("select count(*) from stg.stg_enterprises__periods").fetchall() == [(ROWS,)]
    assert con.execute("select count(*) from marts.indicator_values where is_latest").fetchall()[0][0] > 0
    con.close()


def test_a_rejected_file_does_not_build(tmp_path, monkeypatch):
    import etl.warehouse.load

    monkeypatch.setattr(
        etl.warehouse.load, "validate_frame", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("no"))
    )
    path = _roster(tmp_path / "in" / "规上工业企业主要指标_2025年1-6月.xlsx", bad=False)
    home = Home(tmp_path / "home").ensure()
    con = connect(home)
    res = ingest_file(con, home, path, "enterprises", build=True)
    assert res.status == "rejected" and res.build is None
    assert con.execute("select count(*) from meta.builds").fetchall() == [(0,)]
    assert con.execute("select count(*) from raw.enterprise_periods").fetchall() == [(0,)]
    con.close()


def test_frames_reach_duckdb_as_arrow_so_its_scan_needs_no_gil():
    """Dates and text beside None sit in pandas object columns, which DuckDB reads one Python
    object at a time under the GIL (twice as slow while the suite runs beside the writer)."""
    import datetime as dt

    import duckdb
    import pandas as pd
    import pyarrow as pa

    from etl.base.frames import scannable

    frame = pd.DataFrame(
        {
            "period_end": [dt.date(2025, 6, 30)] * 3,
            "entry_type": pd.Series([None, "新增", None], dtype=object),
            "n": pd.array([1, None, 3], dtype="Int64"),
        }
    )
    assert frame["period_end"].dtype == object and frame["entry_type"].dtype == object
    table = scannable(frame)
    assert isinstance(table, pa.Table)
    assert table.schema.field("period_end").type == pa.date32()
    assert pa.types.is_string(table.schema.field("entry_type").type)
    con = duckdb.connect()
    con.execute("create table t (period_end date, entry_type varchar, n bigint)")
    con.register("_t", table)
    con.execute("insert into t by name select * from _t")
    assert set(con.execute("select * from t").fetchall()) == {
        (dt.date(2025, 6, 30), None, 1),
        (dt.date(2025, 6, 30), "新增", None),
        (dt.date(2025, 6, 30), None, 3),
    }
    for odd in ([1, "a", None], [2**70, 1]):  # Arrow has no type for these: the frame as it is
        mixed = pd.DataFrame({"x": pd.Series(odd, dtype=object)})
        assert scannable(mixed) is mixed

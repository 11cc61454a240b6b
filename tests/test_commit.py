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
from etl.load import commit, ingest_file, prepare
from etl.settings import Home
from etl.warehouse import connect

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


@pytest.fixture
def writer_threads(monkeypatch) -> list[str]:
    """The names of the threads that wrote rows into raw tables."""
    import etl.load

    seen: list[str] = []
    original = etl.load._write_rows

    def spy(*a, **k):
        seen.append(threading.current_thread().name)
        return original(*a, **k)

    monkeypatch.setattr(etl.load, "_write_rows", spy)
    return seen


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
    import etl.load

    home = Home(tmp_path / "home").ensure()
    con = connect(home)
    good = _roster(tmp_path / "a" / "规上工业企业主要指标_2025年1-5月.xlsx", bad=False, month=5)
    assert ingest_file(con, home, good, "enterprises").status == "loaded"
    before = con.execute("select * from raw.enterprise_periods order by all").fetchall()
    slices = con.execute("select * from meta.slices order by all").fetchall()

    written = threading.Event()
    original_write = etl.load._write_rows

    def write_then_signal(*a, **k):
        original_write(*a, **k)
        written.set()

    def broken_rule(*a, **k):  # a rule that fails only after the rows are in the open transaction
        assert written.wait(60)
        raise RuntimeError("rule exploded")

    monkeypatch.setattr(etl.load, "_write_rows", write_then_signal)
    monkeypatch.setattr(etl.load, "validate_frame", broken_rule)
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
    """The history query runs on the writer thread before its writes: a month is compared with
    the month before, never with itself."""
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
from etl.load import prepare
from etl.settings import Home
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

"""One file must not kill the run (issue #21): each file is read in a worker process with limits.

A poisoned file (a cell at XFD200000, a huge declared dimension, a reference past column XFD in a
title row, a reader that aborts) between two good files: both good ones load, the poisoned one is
recorded with one line and no traceback, exit 1; a file that crashed the reader is not read again
by the next run. A file larger than `STATWH_MAX_FILE_BYTES` (a 3 GB sparse file) is refused before
it is copied, recorded, and moved out of the inbox. A file still being written is hashed, archived
and loaded as one version.

Every run is a `statwh` process of its own: before the worker processes, a poisoned file aborted it.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, query

GOOD = ("2022年高新技术企业认定名单.xlsx", "2024年高新技术企业认定名单.xlsx")
POISON = "2023年高新技术企业认定名单.xlsx"  # sorts between the two good ones


# ---------------------------------------------------------------- hostile files, made here


def _rewrite_sheet(src: Path, dest: Path, edit) -> Path:
    """`src` with its first sheet's XML passed through `edit(bytes) -> bytes`."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if re.fullmatch(r"xl/worksheets/sheet1\.xml", info.filename):
                data = edit(data)
            zout.writestr(info, data)
    return dest


def xfd200000(good: Path, dest: Path) -> Path:
    """One value at cell XFD200000 (a 6 KB file; the reader would allocate ~100 GB for it)."""
    import openpyxl

    wb = openpyxl.load_workbook(good)
    wb.active.cell(row=200_000, column=16_384, value=1)
    wb.save(dest)
    return dest


def huge_dimension(good: Path, dest: Path) -> Path:
    """The declared dimension says A1:XFD1048576; the cells are a handful."""
    return _rewrite_sheet(
        good, dest, lambda x: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', x)
    )


def far_reference(good: Path, dest: Path) -> Path:
    """A title cell whose reference is ZZZZZZZ1 (memory grew to 7 GB before an empty rejection)."""
    return _rewrite_sheet(good, dest, lambda x: re.sub(rb'<c r="A1"', b'<c r="ZZZZZZZ1"', x, count=1))


def hidden_cell(good: Path, dest: Path) -> Path:
    """A cell at XFD200000 beyond a dimension that claims A1:A1 (the dimension lies)."""

    def edit(x: bytes) -> bytes:
        x = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', x)
        return x.replace(b"</sheetData>", b'<row r="200000"><c r="XFD200000"><v>1</v></c></row></sheetData>')

    return _rewrite_sheet(good, dest, edit)


# ---------------------------------------------------------------- running statwh


def statwh(home: Path, *args: str, hook: str | None = None, **env: str) -> subprocess.CompletedProcess:
    """`statwh ARGS` in a process of its own; `hook`: Python run first (sets a test hook)."""
    code = (hook or "") + "\nimport sys\nfrom etl.cli import main\nsys.exit(main(sys.argv[1:]))"
    environ = dict(
        os.environ,
        STATWH_HOME=str(home),
        GX_ANALYTICS_ENABLED="false",
        PYTHONPATH=str(REPO),
        STATWH_STABLE_SECONDS="0",
        STATWH_WORKER_MEMORY=str(2 * 2**30),
        STATWH_DATA_DOCS="0",
    )
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
    )


def inbox_with(home: Path, demo_files: Path, poison=None) -> Path:
    d = home / "inbox" / "hightech"
    d.mkdir(parents=True, exist_ok=True)
    for name in GOOD:
        shutil.copy(demo_files / "hightech" / name, d / name)
    if poison is not None:
        poison(demo_files / "hightech" / GOOD[0], d / POISON)
    return d / POISON


def loads(home: Path) -> dict[str, list[tuple]]:
    rows = query(
        home / "warehouse.duckdb",
        "select l.file_name, l.status, coalesce(list(r.rule order by r.rule), []) from meta.loads l"
        " left join meta.rejections r using (load_id) group by l.load_id, l.file_name, l.status order by l.load_id",
    )
    out: dict[str, list[tuple]] = {}
    for name, status, rules in rows:
        out.setdefault(name, []).append((status, [r for r in rules if r]))
    return out


def one_line_about(err: str, name: str) -> list[str]:
    """The summary lines naming the file (its reason follows on the next line)."""
    return [ln for ln in err.splitlines() if ln.startswith("✘") and name in ln]


@pytest.mark.parametrize("poison", [xfd200000, huge_dimension, far_reference, hidden_cell])
def test_a_sheet_too_large_to_read_is_rejected_and_the_files_around_it_load(poison, tmp_path, demo_files):
    home = tmp_path / "home"
    inbox_with(home, demo_files, poison)
    out = statwh(home, "run")
    assert out.returncode == 1, out.stderr[-2000:]
    assert "Traceback" not in out.stderr
    got = loads(home)
    assert [s for s, _ in got[GOOD[0]]] == ["loaded"] and [s for s, _ in got[GOOD[1]]] == ["loaded"]
    ((status, rules),) = got[POISON]
    assert status == "rejected" and rules == ["too_many_cells"], rules
    lines = one_line_about(out.stderr, POISON)
    assert len(lines) == 1 and lines[0].endswith("rejected")
    message = query(
        home / "warehouse.duckdb", "select message from meta.rejections where rule = 'too_many_cells'"
    )
    assert re.search(r"XFD|Excel|STATWH_MAX_CELLS", message[0][0])
    assert not list((home / "inbox" / "hightech").iterdir()), "nothing left to block the queue"


ABORT_HOOK = """
import os
import etl.warehouse.sandbox as sandbox
def _abort(name):
    if name == {name!r}:
        with open({marker!r}, "a") as f:
            f.write("read\\n")
        os.abort()
sandbox.before_read = _abort
"""


def test_a_reader_that_crashes_is_recorded_and_never_fed_the_file_again(tmp_path, demo_files):
    home = tmp_path / "home"
    poisoned = inbox_with(home, demo_files, lambda good, dest: shutil.copy(good, dest))
    poisoned.write_bytes(poisoned.read_bytes() + b"\0")  # its own sha256: not a duplicate of the first
    kept = poisoned.read_bytes()
    marker = tmp_path / "reads.txt"
    hook = ABORT_HOOK.format(name=POISON, marker=str(marker))
    out = statwh(home, "run", hook=hook)
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr[-2000:]
    got = loads(home)
    assert [s for s, _ in got[GOOD[0]]] == ["loaded"] and [s for s, _ in got[GOOD[1]]] == ["loaded"]
    assert got[POISON] == [("rejected", ["reader_crashed"])]
    assert "读取程序在此文件上崩溃 / the reader crashed on this file" in out.stderr
    assert "SIGABRT" in out.stderr
    assert marker.read_text() == "read\n"

    # the department sends it again: recorded, not read
    poisoned.write_bytes(kept)
    again = statwh(home, "run", hook=hook)
    assert again.returncode == 1 and "Traceback" not in again.stderr
    assert marker.read_text() == "read\n", "a file that crashed a reader is never read again by a run"
    assert loads(home)[POISON][-1] == ("rejected", ["reader_crashed_before"])
    assert len(one_line_about(again.stderr, POISON)) == 1

    # `statwh reprocess` asks for it explicitly: read again (and it crashes again, recorded)
    re_out = statwh(home, "reprocess", "--source", "hightech", hook=hook)
    assert "Traceback" not in re_out.stderr
    assert marker.read_text() == "read\nread\n"


def test_a_worker_out_of_memory_or_time_is_a_rejection(tmp_path, demo_files):
    home = tmp_path / "home"
    inbox_with(home, demo_files, lambda good, dest: shutil.copy(good, dest))
    (home / "inbox" / "hightech" / POISON).write_bytes(
        (home / "inbox" / "hightech" / POISON).read_bytes() + b"\0\0"
    )
    hog = f"""
import etl.warehouse.sandbox as sandbox
def _hog(name):
    if name == {POISON!r}:
        import time
        time.sleep(60)
sandbox.before_read = _hog
"""
    out = statwh(home, "run", hook=hog, STATWH_WORKER_SECONDS="3")
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr[-2000:]
    got = loads(home)
    assert got[POISON] == [("rejected", ["reader_crashed"])]
    assert "STATWH_WORKER_SECONDS=3" in out.stderr
    assert [s for s, _ in got[GOOD[1]]] == ["loaded"]


def test_a_file_over_the_size_limit_is_refused_uncopied_recorded_and_moved_aside(tmp_path, demo_files):
    home = tmp_path / "home"
    big = inbox_with(home, demo_files)
    subprocess.run(["truncate", "-s", "3G", str(big)], check=True)
    out = statwh(home, "run")
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr[-2000:]
    got = loads(home)
    assert got[POISON] == [("rejected", ["file_too_large"])]
    assert [s for s, _ in got[GOOD[0]]] == ["loaded"] and [s for s, _ in got[GOOD[1]]] == ["loaded"]
    archived = [p for p in (home / "archive").rglob("*") if p.is_file()]
    assert archived and max(p.stat().st_size for p in archived) < 2**20, "nothing big was copied"
    assert not any(p.name.startswith(".receiving") for p in archived)
    msg = query(
        home / "warehouse.duckdb", "select message from meta.rejections where rule = 'file_too_large'"
    )[0][0]
    assert "3,221,225,472" in msg
    refused = list((home / "refused").iterdir())
    assert len(refused) == 1 and refused[0].name.endswith(POISON) and refused[0].stat().st_size == 3 * 2**30
    assert not big.exists(), "moved out of the inbox: it does not block the queue"
    assert len(one_line_about(out.stderr, POISON)) == 1


def _csv(rows: int, start: int = 0) -> bytes:
    out = io.StringIO()
    for i in range(start, start + rows):
        out.write(f"地区生产总值,{2000 + i % 20}年,{1000 + i}\n")
    return out.getvalue().encode("utf-8")


def test_a_file_still_being_written_is_hashed_archived_and_loaded_as_one_version(tmp_path, monkeypatch):
    """A writer appends to the file for the whole ingest: the sha256 recorded is the archived
    copy's, and the rows loaded are the rows of that copy."""
    from etl.base.settings import Home
    from etl.warehouse import archive
    from etl.warehouse.connection import connect
    from etl.warehouse.load import ingest_file

    monkeypatch.setattr(archive, "CHUNK", 256)  # many reads: the writer gets in between them
    home = Home(tmp_path / "home").ensure()
    path = tmp_path / "主要经济指标_地区生产总值.csv"
    path.write_bytes("指标,时期,数值\n".encode() + _csv(200))
    stop = threading.Event()

    def grow():
        n = 200
        while not stop.is_set() and n < 20_000:
            with path.open("ab") as f:
                f.write(_csv(5, n))
            n += 5
            time.sleep(0.0005)

    t = threading.Thread(target=grow)
    t.start()
    try:
        con = connect(home)
        r = ingest_file(con, home, path, "indicators")
    finally:
        stop.set()
        t.join()
    sha, rel, rows_read = con.execute(
        "select sha256, archive_path, rows_read from meta.loads where load_id = ?", [r.load_id]
    ).fetchall()[0]
    con.close()
    copy = home.root / rel
    data = copy.read_bytes()
    assert hashlib.sha256(data).hexdigest() == sha
    assert path.read_bytes().startswith(data)
    lines = [ln for ln in data.splitlines()[1:] if ln.strip()]
    assert rows_read == len(lines), (r.status, r.message)


def test_the_archive_path_is_recorded_relative_to_the_data_area(tmp_path, demo_files):
    home = tmp_path / "home"
    inbox_with(home, demo_files)
    assert statwh(home, "run").returncode == 0
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    paths = [p for (p,) in con.execute("select archive_path from meta.loads").fetchall()]
    con.close()
    assert paths and all(not Path(p).is_absolute() and p.startswith("archive/") for p in paths)
    assert all((home / p).is_file() for p in paths)

"""Two writers at once: the second waits for the first (and says so), both succeed, never both write;
with `STATWH_LOCK_TIMEOUT=1` a writer that cannot get the lock exits 1 with a clear message.

The processes are real `statwh` processes (through tests/hostile/killpoint.py `wrapped-lock`, which only
logs when each process enters and leaves the write lock, so that overlap can be checked)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import query
from tests.integration.test_crash import ROOT, env_for, small_inbox


def writer(home: Path, log: Path, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.hostile.killpoint", "wrapped-lock", *args],
        cwd=ROOT,
        env=env_for(home, STATWH_LOCK_LOG=str(log), **env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(cond, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def holds(log: Path) -> list[tuple[int, float, float]]:
    """(pid, entered, left) for every hold of the write lock."""
    opened: dict[int, float] = {}
    out = []
    for line in log.read_text().splitlines():
        what, pid, t = line.split()
        if what == "enter":
            opened[int(pid)] = float(t)
        else:
            out.append((int(pid), opened.pop(int(pid)), float(t)))
    assert not opened, "a hold never ended"
    return out


def test_two_writers_wait_for_each_other_and_never_overlap(tmp_path, demo_files):
    home = tmp_path / "home"
    inbox = home / "inbox"
    (inbox / "land_use").mkdir(parents=True)
    for f in (demo_files / "land_use").iterdir():
        shutil.copy(f, inbox / "land_use" / f.name)
    extra = tmp_path / "targets.xlsx"
    shutil.copy(next((demo_files / "targets").iterdir()), extra)
    late = tmp_path / "主要经济指标_地区生产总值.csv"
    shutil.copy(demo_files / "indicators" / late.name, late)
    log = tmp_path / "lock.log"
    log.touch()

    first = writer(home, log, "run")
    wait_for(lambda: "enter" in log.read_text())  # the first holds the lock
    second = writer(home, log, "ingest", "targets", str(extra))
    impatient = writer(home, log, "ingest", "indicators", str(late), STATWH_LOCK_TIMEOUT="1")

    rc3 = impatient.wait(timeout=60)
    err3 = impatient.stderr.read().decode()
    rc1, rc2 = first.wait(timeout=120), second.wait(timeout=120)
    err1, err2 = first.stderr.read().decode(), second.stderr.read().decode()
    for p in (first, second, impatient):
        p.stderr.close()

    assert rc1 == 0, err1
    assert rc2 == 0, err2
    assert "waiting for another writer" in err2
    assert rc3 == 1, err3
    assert "timed out waiting for another writer" in err3 and "Traceback" not in err3
    assert f"pid {first.pid}" in err3, "the message names who holds the lock"

    spans = sorted(holds(log), key=lambda h: h[1])
    assert {pid for pid, _, _ in spans} == {first.pid, second.pid}, "the impatient writer never wrote"
    for (_, _, left), (_, entered, _) in zip(spans, spans[1:], strict=False):
        assert left <= entered, "two writers held the warehouse at once"

    loads = query(home / "warehouse.duckdb", "select file_name, status from meta.loads order by load_id")
    assert sorted(loads) == sorted(
        [(f.name, "loaded") for f in (demo_files / "land_use").iterdir()] + [(extra.name, "loaded")]
    )


def test_two_runs_on_one_inbox_take_each_file_once(tmp_path, demo_files):
    """Two `statwh run` started together: each file is claimed by one of them, loaded once."""
    home = tmp_path / "home"
    small_inbox(demo_files, home / "inbox")
    for src in ("enterprises", "hightech", "indicators"):
        shutil.rmtree(home / "inbox" / src)
    n_files = len([p for p in (home / "inbox").rglob("*") if p.is_file()])
    log = tmp_path / "lock.log"
    log.touch()
    a, b = writer(home, log, "run"), writer(home, log, "run")
    rcs = [a.wait(timeout=120), b.wait(timeout=120)]
    errs = [a.stderr.read().decode(), b.stderr.read().decode()]
    for p in (a, b):
        p.stderr.close()
    assert rcs == [0, 0], errs
    assert any("waiting for another writer" in e for e in errs)
    spans = sorted(holds(log), key=lambda h: h[1])
    assert len(spans) == 2 and spans[0][2] <= spans[1][1]
    loads = query(home / "warehouse.duckdb", "select status, count(*) from meta.loads group by 1")
    assert dict(loads) == {"loaded": n_files}

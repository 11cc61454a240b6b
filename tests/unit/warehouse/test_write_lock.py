"""A forked reading worker does not hold the write lock: one left running by a killed run had kept
it, and the next run timed out on a writer that was gone (naming the dead pid)."""

from __future__ import annotations

import os
import signal
import time

from etl.base.settings import Home
from etl.warehouse.connection import LockTimeout, write_lock


def test_a_worker_outliving_a_killed_run_does_not_keep_the_write_lock(tmp_path):
    home = Home(tmp_path / "home").ensure()
    r, w = os.pipe()
    run = os.fork()
    if run == 0:  # pragma: no cover - the run: takes the lock, forks a worker, is killed holding it
        with write_lock(home):
            worker = os.fork()
            if worker == 0:
                time.sleep(5)
                os._exit(0)
            os.write(w, f"{worker}\n".encode())
            os.kill(os.getpid(), signal.SIGKILL)
    os.close(w)
    worker = int(os.read(r, 64).decode())
    os.close(r)
    os.waitpid(run, 0)
    try:
        with write_lock(home, timeout=1):  # the run is gone; its worker, alive, holds nothing
            pass
    except LockTimeout as e:  # pragma: no cover - the failure this test is for
        raise AssertionError(f"the killed run's worker kept the lock: {e}") from e
    finally:
        os.kill(worker, signal.SIGKILL)


def test_a_reader_holding_the_warehouse_file_is_waited_for_then_named(tmp_path, monkeypatch):
    """A query session on `warehouse.duckdb` itself (read only, in another process): the next run had
    stopped at once as an internal error (`IOException: Could not set lock`). It waits for it, as
    for another writer, then says what holds the file (exit 1, `LockTimeout`)."""
    import subprocess
    import sys

    import pytest

    from etl.warehouse.connection import connect

    home = Home(tmp_path / "home").ensure()
    connect(home).close()
    monkeypatch.setenv("STATWH_LOCK_TIMEOUT", "1")
    code = f"import duckdb, time; c = duckdb.connect({str(home.warehouse)!r}, read_only=True); print(1, flush=True); time.sleep({{}})"
    held = subprocess.Popen([sys.executable, "-c", code.format(30)], stdout=subprocess.PIPE)
    try:
        held.stdout.readline()
        with pytest.raises(LockTimeout, match="held open by another process"):
            connect(home)
    finally:
        held.kill()
        held.wait()
    brief = subprocess.Popen([sys.executable, "-c", code.format(0.5)], stdout=subprocess.PIPE)
    brief.stdout.readline()
    connect(home).close()  # waited for the reader to let go
    brief.wait()

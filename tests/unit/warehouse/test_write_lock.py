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

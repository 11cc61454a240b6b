"""Resident workers (`etl.warehouse.sandbox.resident_workers`, issue #23): a worker forked once
great_expectations is imported reads file after file, and keeps every limit of a worker forked
for one file — a crash, running out of memory or time, or a failure is that file's `ReaderCrash`
only, the worker leaves, and the next file gets a new one."""

from __future__ import annotations

import faulthandler
import functools
import os
import sys
import time
import types

import pytest

from etl.warehouse import sandbox
from etl.warehouse.sandbox import ReaderCrash, ResidentPool, resident_workers

LIMITS = {"memory": 0, "timeout": 30.0}
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def warm(monkeypatch):
    """Workers forked from here count as forked with great_expectations imported (they stay)."""
    if "great_expectations" not in sys.modules:
        monkeypatch.setitem(sys.modules, "great_expectations", types.ModuleType("great_expectations"))


@pytest.fixture
def pool():
    with resident_workers() as p:
        yield p


def _run(pool: ResidentPool, run, **limits):
    job = pool.start(run, "f.xlsx", **(LIMITS | limits))
    assert job is not None
    return job.result()


def _abort() -> None:
    """A reader aborting the process (its fault handler's dump left out of the test's output)."""
    faulthandler.disable()
    os.abort()


def _reaped(pid: int) -> bool:
    """The worker has exited and been reaped (by its reading thread, which may still be at it)."""
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{pid}"):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_a_warm_worker_reads_file_after_file(warm, pool):
    pids = [_run(pool, os.getpid) for _ in range(4)]
    assert len(set(pids)) == 1 and pids[0] != os.getpid()


def test_a_worker_forked_before_great_expectations_reads_one_file(monkeypatch, pool):
    monkeypatch.delitem(sys.modules, "great_expectations", raising=False)
    first, second = _run(pool, os.getpid), _run(pool, os.getpid)
    assert first != second
    assert _reaped(first)


def test_two_files_at_once_take_two_workers_which_then_both_stay(warm, pool):
    slow = functools.partial(time.sleep, 0.5)
    a, b = (pool.start(slow, f"{n}.xlsx", **LIMITS) for n in "ab")
    assert a.pid != b.pid
    a.result(), b.result()
    assert {_run(pool, os.getpid), _run(pool, os.getpid)} <= {a.pid, b.pid}


@pytest.mark.parametrize(
    ("run", "limits", "said"),
    [
        (_abort, {}, "SIGABRT"),
        (functools.partial(time.sleep, 60), {"timeout": 1.0}, "STATWH_WORKER_SECONDS=1"),
        (functools.partial(bytearray, 2**31), {"memory": 256 * 2**20}, "STATWH_WORKER_MEMORY"),
        (functools.partial(int, "x"), {}, "the reader failed: ValueError"),
    ],
    ids=["crash", "time", "memory", "error"],
)
def test_a_file_that_breaks_its_worker_is_its_crash_alone(warm, pool, run, limits, said):
    before = _run(pool, os.getpid)
    with pytest.raises(ReaderCrash, match=said):
        _run(pool, run, **limits)
    after = _run(pool, os.getpid)
    assert after != before, "the worker left with the file that broke it"
    assert _reaped(before)
    assert _run(pool, os.getpid) == after


def test_a_worker_leaves_after_its_share_of_files(warm, pool, monkeypatch):
    monkeypatch.setattr(sandbox, "RESIDENT_JOBS", 2)
    pids = [_run(pool, os.getpid) for _ in range(5)]
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4]


def test_a_job_that_does_not_pickle_is_not_taken(warm, pool):
    assert pool.start(lambda: 1, "f.xlsx", **LIMITS) is None


def test_the_workers_leave_with_the_pool_and_hold_no_other_workers_pipe(warm):
    """Each worker leaves when its job pipe closes: one holding another's (inherited at its
    fork) would keep that one waiting, and the pool's end would never come."""
    with resident_workers() as pool:
        slow = functools.partial(time.sleep, 0.3)
        jobs = [pool.start(slow, f"{n}.xlsx", **LIMITS) for n in "abc"]
        for j in jobs:
            j.result()
        pids = {j.pid for j in jobs}
        assert len(pids) == 3
    assert all(_reaped(p) for p in pids)


def test_a_cancelled_job_kills_only_its_worker(warm, pool):
    _run(pool, os.getpid)
    slow = pool.start(functools.partial(time.sleep, 60), "slow.xlsx", **LIMITS)
    started = time.monotonic()
    slow.cancel()
    assert time.monotonic() - started < 10
    assert _reaped(slow.pid)
    assert _run(pool, os.getpid) != slow.pid


def test_extraction_goes_to_a_resident_worker_within_the_pool(warm, tmp_path):
    """`start_extraction` hands its (picklable) job to the pool; outside one, it forks."""
    csv = tmp_path / "x.csv"
    csv.write_text("a,b\n1,2\n", encoding="utf-8")
    kwargs = {"memory": 0, "timeout": 30.0}
    with resident_workers():
        pids = [
            sandbox.start_extraction(csv, "indicators", "x.csv", {}, then=_pid_of, **kwargs).result()
            for _ in range(3)
        ]
    alone = [
        sandbox.start_extraction(csv, "indicators", "x.csv", {}, then=_pid_of, **kwargs).result()
        for _ in range(2)
    ]
    assert len(set(pids)) == 1
    assert len(set(alone)) == 2


def _pid_of(_extracted) -> int:
    return os.getpid()


def test_a_job_for_an_idle_worker_takes_one_kept_idle_and_forks_none(warm, pool):
    assert sandbox.on_idle_worker(os.getpid, "f.xlsx · history", **LIMITS) is None  # none idle yet
    pool.keep_one_idle()
    job = sandbox.on_idle_worker(os.getpid, "f.xlsx · history", **LIMITS)
    assert job is not None
    pid = job.result()
    assert pid != os.getpid()
    pool.keep_one_idle()  # it is idle again: nothing forked
    assert _run(pool, os.getpid) == pid


def test_no_worker_is_kept_idle_before_great_expectations_is_imported(monkeypatch, pool):
    monkeypatch.delitem(sys.modules, "great_expectations", raising=False)
    pool.keep_one_idle()
    assert sandbox.on_idle_worker(os.getpid, "f.xlsx · history", **LIMITS) is None


def test_outside_a_pool_no_job_goes_to_an_idle_worker(warm):
    assert sandbox.on_idle_worker(os.getpid, "f.xlsx · history", **LIMITS) is None

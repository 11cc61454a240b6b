"""When each step of one ingest runs, on which thread: `python -m bench.timeline [ROWS]`.

Runs `statwh ingest`'s path (ingest_file with the build, then publish) on a cached roster of ROWS
rows (default 200000), after the one-time imports and a warm-up, with the main steps wrapped to
record their start and end; prints them in order, in seconds from the start. Where two threads
overlap (the suite beside the writer's insert and build) and where one waits shows at a glance.

`statwh ingest` reads the file in a worker process; here it is read in this process instead
(`extract_isolated` replaced by `extract_here`, the warm-up still on its thread), so that the
reader's own steps are seen: the times are the worker's, without the fork. A step the code no
longer has is named at the end, not timed.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

STEPS = [
    ("etl.warehouse.sandbox", "extract_here"),
    ("etl.read.fastsheet", "_read"),
    ("etl.read.sheetparts", "_Package.inflate"),
    ("etl.read.sheetparts", "_Package.write_with_part"),
    ("etl.extract.rows", "classify_rows"),
    ("etl.extract.finish", "finish"),
    ("etl.warehouse.load", "_history_frame_or_error"),
    ("etl.warehouse.load", "validate_prepared"),
    ("etl.warehouse.load", "_write_rows"),
    ("etl.warehouse.load", "_record_load"),
    ("etl.warehouse.build", "build_in_transaction"),
    ("etl.warehouse.publish", "publish"),
]


def _wrap(log: list, t0: list, name: str, fn):
    @functools.wraps(fn)
    def inner(*a, **k):
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            return fn(*a, **k)
        finally:
            end = time.perf_counter()
            log.append(
                (start - t0[0], end - t0[0], time.thread_time() - cpu, threading.current_thread().name, name)
            )

    return inner


def wrap_steps(steps: list[tuple[str, str]], log: list, t0: list) -> list[str]:
    """Wrap each (module, attribute) of `steps` where it is looked up, so that every call appends
    (start, end, thread CPU, thread, name) to `log`, times in seconds from `t0[0]`; returns the
    steps the code no longer has."""
    missing = []
    for mod, attr in steps:
        owner = importlib.import_module(mod)
        *outer, last = attr.split(".")
        try:
            for o in outer:
                owner = getattr(owner, o)
            setattr(owner, last, _wrap(log, t0, attr, getattr(owner, last)))
        except AttributeError:
            missing.append(f"{mod}.{attr}")
    return missing


def main(argv: list[str]) -> int:
    rows = int(argv[0]) if argv and argv[0].isdigit() else 200_000
    from bench.gen import rosters
    from bench.worker import _ingest_one, _ours_setup, _warmup

    path, warm = rosters(rows)[0], rosters(50)[0]
    Home, connect = _ours_setup()
    log: list = []
    t0 = [0.0]
    _read_here()
    missing = wrap_steps(STEPS, log, t0)
    work = Path(tempfile.mkdtemp(prefix="statwh-timeline-"))
    _warmup(work, warm)
    home = Home(work / "home").ensure()
    con = connect(home)
    log.clear()
    t0[0] = time.perf_counter()
    _ingest_one(con, home, path)
    total = time.perf_counter() - t0[0]
    for start, end, _cpu, thread, name in sorted(log):
        print(f"{start:7.3f} → {end:7.3f}  {end - start:6.3f} s  {thread:<18} {name}")
    print(f"total {total:.3f} s")
    if missing:
        print("not timed (no longer in the code): " + ", ".join(missing))
    return 0


def _read_here() -> None:
    """`etl.warehouse.load` reads in this process: `extract_isolated` → `extract_here`, after its
    `meanwhile` on this thread, as beside a worker (it starts the great_expectations warm-up on
    its own thread, which then runs beside the read)."""
    from etl.warehouse import load, sandbox

    def extract_isolated(path, source, file_name, limits, *, memory, timeout, meanwhile=None):
        if meanwhile is not None:
            meanwhile()
        return sandbox.extract_here(path, source, file_name, limits)

    load.extract_isolated = extract_isolated


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

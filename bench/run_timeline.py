"""When the loading process of a `statwh run` does what: `python -m bench.run_timeline [FILES]`.

Runs `statwh run` (the CLI's `main`, in this process) on a fresh copy of the sample inbox (its
first FILES files, one source after the other; all 35 by default), with the loading process's
steps wrapped to record their start, end and thread CPU time. Prints the steps before the first
load and after the last one in order (in seconds from the start), then every step summed (calls,
wall, thread CPU), then the process's CPU beside the wall clock. The workers are other processes:
their steps show as the waits of the loading process (`Extracting.wait`, the history suite's
result). A step the code no longer has is named at the end, not timed.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.timeline import wrap_steps

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

STEPS = [
    ("etl.ingest", "connect"),
    ("etl.ingest", "load_reference_ahead"),
    ("etl.ingest", "_start_next"),
    ("etl.ingest", "ingest_started"),
    ("etl.ingest", "build_docs"),
    ("etl.ingest", "publish"),
    ("etl.ingest", "write_report"),
    ("etl.warehouse.sandbox", "warm_parent"),
    ("etl.warehouse.sandbox", "_quiet_threads"),
    ("etl.warehouse.load", "warm_up"),
    ("etl.warehouse.load", "Extracting.wait"),
    ("etl.warehouse.load", "validate_prepared"),
    ("etl.warehouse.load", "_history_frame_or_error"),
    ("etl.warehouse.load", "_add_history_issues"),
    ("etl.warehouse.load", "_add_slice_issues"),
    ("etl.warehouse.load", "_write_ahead"),
    ("etl.warehouse.load", "_insert"),
    ("etl.warehouse.build", "build_in_transaction"),
]
ONCE = {
    "connect",
    "load_reference_ahead",
    "warm_up",
    "build_in_transaction",
    "build_docs",
    "publish",
    "write_report",
}
"""Steps printed one by one (the others are summed only: they run once a file)."""


def _home(files: int | None) -> Path:
    from bench.whole import demo_inbox

    home = Path(tempfile.mkdtemp(prefix="statwh-run-timeline-"))
    shutil.copytree(demo_inbox(files=files), home / "inbox", ignore=shutil.ignore_patterns(".complete"))
    whole = time.time() - 3600  # written whole an hour ago: taken at once
    for f in (home / "inbox").rglob("*"):
        os.utime(f, (whole, whole))
    return home


def main(argv: list[str]) -> int:
    files = int(argv[0]) if argv and argv[0].isdigit() else None
    home = _home(files)
    os.environ["STATWH_HOME"] = str(home)
    t0, cpu0 = time.perf_counter(), time.process_time()
    import etl.cli  # noqa: PLC0415 - timed: the CLI's imports are part of a run

    log: list = []
    missing = wrap_steps(STEPS, log, [t0])
    code = etl.cli.main(["run"])
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    loads = sorted(e for e in log if e[4] == "ingest_started")
    first, last = (loads[0][0], loads[-1][1]) if loads else (wall, wall)
    print(f"\n{len(loads)} loads, the first began at {first:.2f} s, the last ended at {last:.2f} s")
    for start, end, thread_cpu, thread, name in sorted(log):
        if name in ONCE or start < first:
            print(f"{start:7.2f} → {end:7.2f}  cpu {thread_cpu:5.2f}  {thread:<22} {name}")
    print("\nsummed: calls, wall s, thread CPU s")
    sums: dict[tuple[str, str], list] = {}
    for _start, _end, thread_cpu, thread, name in log:
        s = sums.setdefault((thread.rstrip("_0123456789"), name), [0, 0.0, 0.0])
        s[0], s[1], s[2] = s[0] + 1, s[1] + _end - _start, s[2] + thread_cpu
    for (thread, name), (n, w, c) in sorted(sums.items(), key=lambda kv: -kv[1][1]):
        print(f"{n:5d} {w:7.2f} {c:6.2f}  {thread:<20} {name}")
    print(f"\ntotal {wall:.2f} s (exit {code}); this process's CPU {cpu:.2f} s (its workers' not counted)")
    if missing:
        print("not timed (no longer in the code): " + ", ".join(missing))
    shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

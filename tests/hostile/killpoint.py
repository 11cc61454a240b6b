"""Run `statwh` and SIGKILL the process at a chosen point: a crash at a known moment.

    python -m tests.hostile.killpoint POINT [statwh args…]

POINT is one of:
* `snapshot-replace` — just before the new snapshot is renamed over the published one;
* `parquet-replace` — just before the first Parquet export is renamed into place;
* `after-commit` — right after the first file's load transaction commits (before the claimed copy
  is removed from `processing/`);
* `wrapped-lock` — no kill: logs `enter <pid> <t>` / `exit <pid> <t>` to $STATWH_LOCK_LOG around
  every hold of the write lock (for the concurrency tests).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time


def _die() -> None:
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def main() -> int:
    point, args = sys.argv[1], sys.argv[2:]
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    if point in {"snapshot-replace", "parquet-replace"}:
        real_replace = os.replace

        def replace(src, dst, *a, **k):
            name = os.fspath(dst)
            if (point == "snapshot-replace" and name.endswith("statwh.duckdb")) or (
                point == "parquet-replace" and name.endswith(".parquet")
            ):
                _die()
            return real_replace(src, dst, *a, **k)

        os.replace = replace
    elif point == "after-commit":
        import etl.warehouse.load

        real_commit = etl.warehouse.load.commit

        def commit(*a, **k):
            real_commit(*a, **k)
            _die()

        etl.warehouse.load.commit = commit
    elif point == "wrapped-lock":
        import etl.warehouse.connection

        real_lock = etl.warehouse.connection.write_lock
        log = os.environ["STATWH_LOCK_LOG"]

        @contextlib.contextmanager
        def write_lock(*a, **k):
            with real_lock(*a, **k):
                with open(log, "a") as f:
                    f.write(f"enter {os.getpid()} {time.time():.6f}\n")
                try:
                    yield
                finally:
                    with open(log, "a") as f:
                        f.write(f"exit {os.getpid()} {time.time():.6f}\n")

        etl.warehouse.connection.write_lock = write_lock
    else:
        raise SystemExit(f"unknown point {point}")
    from etl.cli import main as statwh

    return statwh(args)


if __name__ == "__main__":
    sys.exit(main())

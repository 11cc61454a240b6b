"""The one orchestrator: inbox → extract → validate → load → build → publish → report.

Both entry points call it: `statwh` (etl.cli) runs every stage in one process; the Airflow DAGs
(etl.airflow_tasks) run the prepare step (read, extract, validate) on any worker and the warehouse
writes through `writer`. Every writer holds the warehouse's write lock. Files are claimed from the
inbox atomically (rename), so two runs — or Airflow and the command line — never take the same file.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl.base.settings import Home
from etl.report import write_report
from etl.validate.suites import build_data_docs
from etl.warehouse import build as builder
from etl.warehouse.connection import connect, write_lock
from etl.warehouse.load import data_docs_dir, ingest_file
from etl.warehouse.publish import publish

log = logging.getLogger("statwh")

SKIP_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", ".swp")


@dataclass
class RunSummary:
    results: list = field(default_factory=list)  # LoadResult
    built: bool = False
    published: dict[str, Path] = field(default_factory=dict)
    report: Path | None = None
    data_docs: Path | None = None

    @property
    def exit_code(self) -> int:
        return 0 if all(r.ok for r in self.results) else 1


@contextmanager
def writer(
    home: Home, *, lock_timeout: float | None = None, on_wait: Callable[[], None] | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse's one writer: the write lock held, a connection open, both released at the end."""
    with write_lock(home, timeout=lock_timeout, on_wait=on_wait):
        con = connect(home)
        try:
            yield con
        finally:
            con.close()


def waiting_files(home: Home, source: str | None = None) -> list[tuple[str, Path]]:
    """Files waiting in `inbox/<source>/`, oldest name first; partial uploads and lock files skipped."""
    out = []
    if not home.inbox.exists():
        return out
    for d in sorted(p for p in home.inbox.iterdir() if p.is_dir()):
        if source and d.name != source:
            continue
        for f in sorted(d.iterdir()):
            if not f.is_file() or f.name.startswith((".", "~$")) or f.name.endswith(SKIP_SUFFIXES):
                continue
            out.append((d.name, f))
    return out


def claim(home: Home, path: Path) -> Path | None:
    """Move a waiting file into `processing/` atomically; None when another run took it first.

    The original name is written beside it first, so a crash between the two never leaves a
    claimed file without its name."""
    dest_dir = home.root / "processing"
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / f"{uuid.uuid4().hex}__{path.parent.name}"
    name_file = dest_dir / (dest.name + ".name")
    # the original name, then who claimed it: a live claimant's files are never taken back
    name_file.write_text(f"{path.name}\n{os.getpid()}\n{socket.gethostname()}\n", encoding="utf-8")
    try:
        os.rename(path, dest)
    except FileNotFoundError:
        name_file.unlink(missing_ok=True)
        return None
    return dest


STALE_CLAIM_SECONDS = 6 * 3600


def _claimant_alive(lines: list[str], claimed_at: float) -> bool:
    """True while the process that claimed a file may still be working on it."""
    if len(lines) < 3:
        return False  # an old-style claim: nobody to wait for
    pid, host = lines[1], lines[2]
    if host != socket.gethostname():  # another worker sharing the data area: trust its claim a while
        return time.time() - claimed_at < STALE_CLAIM_SECONDS
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError):
        return False
    except PermissionError:
        return True
    return int(pid) != os.getpid()  # our own earlier claim is not being worked on now


def recover_claims(home: Home) -> None:
    """Put files claimed by a run that died back into the inbox (a loaded one is then a duplicate).
    Claims of a process still running (an Airflow task, another `statwh run`) are left alone; a file
    of the same name that arrived since is never overwritten."""
    d = home.root / "processing"
    if not d.exists():
        return
    for f in d.iterdir():
        if f.name.endswith(".name"):
            if not (d / f.name[: -len(".name")]).exists():
                f.unlink(missing_ok=True)  # its claim never happened
            continue
        name_file = d / (f.name + ".name")
        lines = name_file.read_text(encoding="utf-8").splitlines() if name_file.exists() else []
        if _claimant_alive(lines, f.stat().st_mtime if not name_file.exists() else name_file.stat().st_mtime):
            continue
        name = lines[0] if lines else f.name
        source = f.name.split("__", 1)[1] if "__" in f.name else "unknown"
        target = home.inbox / source / Path(name).name
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target = target.with_name(f"{target.stem} (recovered {uuid.uuid4().hex[:6]}){target.suffix}")
        os.link(f, target)  # fails rather than replace a file that is there
        f.unlink()
        name_file.unlink(missing_ok=True)


def ingest_paths(
    con,
    home: Home,
    source: str,
    paths: list[Path],
    *,
    names: list[str] | None = None,
    received_at: dt.datetime | None = None,
    build_last: bool = False,
):
    """Ingest files as `source` (no lock taken here: the caller holds it). With `build_last`, the
    last file's transaction also builds the warehouse when it can (see `built`)."""

    results = []
    for i, p in enumerate(paths):
        name = names[i] if names else p.name
        last = build_last and i == len(paths) - 1
        r = ingest_file(con, home, p, source, file_name=name, received_at=received_at, build=last)
        log.info(
            "%s %s: %s (%d rows loaded, %d rejected)", source, name, r.status, r.rows_loaded, r.rows_rejected
        )
        results.append(r)
    return results


def process_inbox(
    con, home: Home, source: str | None = None, on_file=None, *, build_last: bool = False
) -> list:
    """Claim and ingest every waiting file; the claimed copy is removed once archived and recorded.
    With `build_last`, the last file's transaction also builds the warehouse when it can."""
    recover_claims(home)
    results = []
    waiting = waiting_files(home, source)
    for i, (src, path) in enumerate(waiting):
        claimed = claim(home, path)
        if claimed is None:
            continue
        received = dt.datetime.fromtimestamp(claimed.stat().st_mtime)
        last = build_last and i == len(waiting) - 1
        (r,) = ingest_paths(
            con, home, src, [claimed], names=[path.name], received_at=received, build_last=last
        )
        claimed.unlink()
        (claimed.parent / (claimed.name + ".name")).unlink(missing_ok=True)
        results.append(r)
        if on_file:
            on_file(r)
    return results


def build_docs(home: Home) -> Path | None:
    """great_expectations Data Docs of every validation kept in the data area."""

    docs = data_docs_dir(home)
    if docs is None or not (docs / "gx").exists():
        return None

    try:
        return build_data_docs(docs)
    except Exception:  # documentation must not fail a load
        log.exception("building Data Docs failed")
        return None


def built(results: list) -> bool:
    """True when the last of a run's loads built the warehouse in its own transaction: nothing
    was written after that build, so building again would give the same tables."""
    return bool(results) and results[-1].build is not None


def build_and_publish(con, home: Home, *, report: bool = True, built: bool = False) -> RunSummary:
    """Build the warehouse (unless `built`: the run's last load did, see `built()`), publish the
    snapshot, render Data Docs and the dashboard."""

    summary = RunSummary()
    # Data Docs (great_expectations rendering HTML: Python) need none of the build; they are
    # rendered on a second thread while DuckDB builds and publishes (which release the GIL)
    with ThreadPoolExecutor(1, thread_name_prefix="statwh-docs") as pool:
        docs = pool.submit(build_docs, home)
        if not built:
            builder.build(con)
        summary.built = True
        summary.published = publish(con, home)
        summary.data_docs = docs.result()
    if report:
        summary.report = write_report(home)
    return summary

"""The one orchestrator: inbox → extract → validate → load → build → publish → report.

Both entry points call it: `statwh` (etl.cli) runs every stage in one process; the Airflow DAGs
(etl.airflow_tasks) run the prepare step (read, extract, validate) on any worker and the warehouse
writes through `writer`. Every writer holds the warehouse's write lock. Files are claimed from the
inbox atomically (rename), so two runs — or Airflow and the command line — never take the same file.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl.base.settings import Home
from etl.inbox import claim, recover_claims, refused_entries, release, stable_files
from etl.report import write_report
from etl.validate.suites import build_data_docs, hold_results
from etl.warehouse import build as builder
from etl.warehouse.archive import journal_entries, journal_path
from etl.warehouse.connection import WarehouseDamaged, connect, write_lock
from etl.warehouse.load import (
    data_docs_dir,
    docs_rendered_ahead,
    ingest_file,
    ingest_started,
    load_reference_ahead,
    start_ingest,
)
from etl.warehouse.publish import publish
from etl.warehouse.restore import replay, seed_journal
from etl.warehouse.sandbox import keep_one_worker_idle, resident_workers

log = logging.getLogger("statwh")


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
    """The warehouse's one writer: the write lock held, a connection open, both released at the end.
    Refused (`WarehouseDamaged`) while a `statwh restore` that was interrupted has left its mark: the
    warehouse holds only the loads replayed before it stopped, and a run had built and published
    marts from them as if whole."""
    with write_lock(home, timeout=lock_timeout, on_wait=on_wait):
        if (mark := restore_mark(home)).exists():
            raise WarehouseDamaged(
                f"上次 statwh restore 未完成（{mark} 仍在）：仓库只重建了一部分，请再运行 statwh restore /"
                " an interrupted restore left the warehouse partial: run `statwh restore` again"
            )
        con = connect(home)
        try:
            if seed_journal(con, home):
                log.warning("wrote the archive's journal from meta.loads (a data area from before it)")
            yield con
        finally:
            con.close()


class NothingToRestore(Exception):
    """The archive has no journal: nothing to rebuild the warehouse from (the warehouse is left as it is)."""


@contextmanager
def restoring(
    home: Home, *, on_wait: Callable[[], None] | None = None
) -> Iterator[tuple[duckdb.DuckDBPyConnection, Path | None]]:
    """`statwh restore`'s writer: the write lock held, the warehouse file (damaged or not) moved
    aside (never deleted), a new empty one open. Yields it and where the old one went (None: none)."""
    if not any(journal_entries(home)):
        raise NothingToRestore(
            f"存档中没有日志 {journal_path(home)}，无从重建 / no journal in the archive: nothing to restore from"
        )
    with write_lock(home, on_wait=on_wait):
        mark = restore_mark(home)
        mark.write_text(
            json.dumps({"started": dt.datetime.now().isoformat(timespec="seconds"), "pid": os.getpid()})
            + "\n",
            encoding="utf-8",
        )
        aside = None
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
        for f in (home.warehouse, home.warehouse.with_name(home.warehouse.name + ".wal")):
            if f.exists():
                moved = f.with_name(f"{f.name}.before-restore-{stamp}")
                f.rename(moved)
                aside = aside or moved
        con = connect(home)
        try:
            yield con, aside
        finally:
            con.close()
        mark.unlink(missing_ok=True)  # reached only when the restore (replay, build, publish) is whole


def restore_mark(home: Home) -> Path:
    """The file a `statwh restore` writes first and removes only once it has finished: while it is
    there, writers refuse the partial warehouse (`writer`)."""
    return home.root / "restore.incomplete"


def restore(con, home: Home) -> list:
    """Replay the archive's journal on `con` (see `etl.warehouse.restore`), logging each load."""
    results = replay(con, home)
    for r in results:
        log.info("%s %s: %s (restored)", r.source, r.file_name, r.status)
    return results


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
    With `build_last`, the last file's transaction also builds the warehouse when it can.

    The files are pipelined on the two cores: up to `READ_AHEAD` files are claimed and their
    worker processes started (`start_ingest`), and they read (and run their dataset suites) while
    this process validates and loads the file before them (`ingest_started`): a worker's part of
    a small file takes about twice this process's part, so two read at once. Files are loaded
    one by one, in order, exactly as `ingest_file` loads them."""
    recover_claims(home)
    hold_results()  # Data Docs' copies of the results written once, by `build_docs`, off this path
    results = []
    for src, path, why in refused_entries(home, source):
        log.warning("%s/%s: %s", src, path.name, why)
    queue = iter(stable_files(home, source))
    with resident_workers():  # a worker forked once great_expectations is imported reads many files
        return _load_queue(con, home, queue, results, on_file, build_last)


def _load_queue(con, home: Home, queue, results: list, on_file, build_last: bool) -> list:
    """`process_inbox`'s pipeline: each file's worker started ahead, the files loaded in order."""
    jobs: deque = deque()
    _read_ahead(con, home, queue, jobs, at_most=1)
    if jobs:  # the first file's worker reads, great_expectations is imported on a thread meanwhile
        load_reference_ahead(con)
    _read_ahead(con, home, queue, jobs)
    try:
        while jobs:
            src, name, claimed, extracting = jobs.popleft()
            extracting.wait()
            _read_ahead(con, home, queue, jobs)  # the next files read while this one loads
            keep_one_worker_idle()  # for this file's history suite
            r = ingest_started(con, home, extracting, build=build_last and not jobs)
            log.info(
                "%s %s: %s (%d rows loaded, %d rejected)", src, name, r.status, r.rows_loaded, r.rows_rejected
            )
            release(claimed)  # archived and recorded, or refused unread and set aside in refused/
            results.append(r)
            if on_file:
                on_file(r)
    finally:
        # a load failed: the next files' workers are stopped, their claims recovered next run
        for job in jobs:
            job[3].cancel()
    return results


READ_AHEAD = 2
"""Files whose workers run at once, ahead of the one being loaded (`process_inbox`)."""
READ_AHEAD_BYTES = 32 * 2**20
"""…while the files they read are smaller than this together: big files are read one at a time
ahead (a worker's memory follows its file; two 200k-row rosters are 42 MB)."""


def _read_ahead(
    con, home: Home, queue: Iterator[tuple[str, Path]], jobs: deque, at_most: int = READ_AHEAD
) -> None:
    while len(jobs) < at_most and (not jobs or _claimed_bytes(jobs) < READ_AHEAD_BYTES):
        job = _start_next(con, home, queue)
        if job is None:
            return
        jobs.append(job)


def _claimed_bytes(jobs: deque) -> int:
    total = 0
    for _src, _name, claimed, _extracting in jobs:
        try:
            total += claimed.stat().st_size
        except OSError:  # gone already (refused and set aside): reads nothing
            pass
    return total


def _start_next(con, home: Home, queue: Iterator[tuple[str, Path]]):
    """Claim the next waiting file that no other run took and start its extraction: (source,
    name, claimed path, `Extracting`), or None when none is left."""
    for src, path in queue:
        claimed = claim(home, path)
        if claimed is None:
            continue
        received = dt.datetime.fromtimestamp(claimed.stat().st_mtime)
        extracting = start_ingest(con, home, claimed, src, file_name=path.name, received_at=received)
        return src, path.name, claimed, extracting
    return None


def build_docs(home: Home) -> Path | None:
    """great_expectations Data Docs of every validation kept in the data area."""

    docs = data_docs_dir(home)
    if docs is None or not (docs / "gx").exists():
        return None

    try:
        ahead = docs_rendered_ahead(home)  # `statwh run`: rendered on a worker beside the last build
        built = build_data_docs(docs)  # what is left (nothing, when the worker rendered them all)
        return ahead or built
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

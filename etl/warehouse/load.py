"""Loading one file: archive it, extract, validate, and write it in one DuckDB transaction.

Nothing a department sends is lost: the file is archived under its sha256 before anything else,
rejected rows are kept in `meta.quarantine` (and a CSV beside the archive) with their reasons, and
a file that fails leaves the warehouse's data exactly as it was (only its `meta.loads` row and its
rejections are recorded).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from etl.base.datasets import DATASETS, LINEAGE
from etl.base.frames import scannable
from etl.base.issues import Issue
from etl.base.settings import Home, data_docs_enabled, limits, worker_limits
from etl.extract.model import row_counts
from etl.validate.history import history_check, history_frame
from etl.validate.replacing import shrinking_slices
from etl.validate.suites import (
    build_data_docs,
    store_held_results,
    validate_frame,
    validate_reconciliations,
    warm_up,
)
from etl.warehouse import build as builder
from etl.warehouse.archive import (
    ArchiveError,
    Received,
    TooLarge,
    archived,
    journal,
    receive,
    sha256_of,
)
from etl.warehouse.sandbox import (
    Extracted,
    Pending,
    ReaderCrash,
    extract_isolated,
    on_idle_worker,
    resident_job_seconds,
    start_extraction,
)

__all__ = ["sha256_of"]  # the archive's hash, imported from here by older callers

log = logging.getLogger("statwh.load")


@dataclass
class LoadResult:
    """What happened to one file: what a person reads in the summary."""

    file_name: str
    source: str
    status: str  # loaded / partial / rejected / duplicate
    load_id: int | None = None
    layout: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rejections: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    message: str = ""
    # seconds per model when the load's own transaction also built the warehouse
    # (`ingest_file(build=True)`); None: the caller builds
    build: dict[str, float] | None = None
    # how that build went on the writer thread: its wall and CPU seconds, and the part of its
    # wall the file's validation did not hide (the time `commit` waited for it)
    build_timing: dict[str, float] = field(default_factory=dict)
    # the file was refused unread and not archived (too large): the caller keeps the original
    refused: bool = False

    @property
    def ok(self) -> bool:
        return self.status in {"loaded", "duplicate"}


def _now_after(con: duckdb.DuckDBPyConnection) -> dt.datetime:
    """A vintage strictly after every earlier one (two loads never share a timestamp)."""
    last = con.execute("select max(loaded_at) from meta.loads").fetchall()[0][0]
    now = dt.datetime.now().replace(tzinfo=None)
    if last is not None and now <= last:
        now = last + dt.timedelta(microseconds=1)
    return now


def _issue_rows(load_id: int, file_name: str, issues: list[Issue]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "load_id": [load_id] * len(issues),
            "file_name": [file_name] * len(issues),
            "sheet": [i.sheet for i in issues],
            "row_number": pd.array([i.row for i in issues], dtype="Int32"),
            "column_name": [i.column for i in issues],
            "value": [None if i.value is None else str(i.value)[:500] for i in issues],
            "rule": [i.rule for i in issues],
            "severity": [i.severity for i in issues],
            "message": [i.message for i in issues],
        }
    )


RECONCILIATION_COLUMNS = (
    "sheet",
    "row_number",
    "column_name",
    "total",
    "sum_of_parts",
    "difference",
    "passed",
)


def reconciliation_rows(load_id: int, file_name: str, recs: list[dict]) -> pd.DataFrame:
    """The rows of meta.reconciliations for one file: every 合计/小计 row checked, per column."""
    out = pd.DataFrame(
        [{c: r.get(c) for c in RECONCILIATION_COLUMNS} for r in recs], columns=list(RECONCILIATION_COLUMNS)
    )
    out.insert(0, "file_name", file_name)
    out.insert(0, "load_id", load_id)
    out["row_number"] = out["row_number"].astype("Int32")
    out["passed"] = out["passed"].astype("boolean")
    return out


def slice_keys(dataset: str, frame: pd.DataFrame) -> pd.Series:
    cols = DATASETS[dataset].slice_by
    key = frame[cols[0]].astype("string").fillna("")
    for c in cols[1:]:
        key = key + "|" + frame[c].astype("string").fillna("")
    return key


@dataclass
class Prepared:
    """A file archived, extracted and validated, ready to load: what the staging area holds.

    Preparing needs no warehouse connection, so it runs in parallel (Airflow workers); only
    `commit` writes, under the write lock."""

    file_name: str
    source: str
    sha256: str
    archive_path: str
    received_at: dt.datetime
    layout: str | None = None
    dataset: str | None = None
    format: str | None = None
    encoding: str | None = None
    reporter: str | None = None
    rows_read: int = 0
    wide: bool = False
    issues: list[Issue] = field(default_factory=list)
    column_map: list[dict] = field(default_factory=list)
    reconciliations: list[dict] = field(default_factory=list)  # for meta.reconciliations
    frame: pd.DataFrame | None = None
    validation_results: pd.DataFrame | None = None
    validated: bool = False  # the suite has run (`validate_prepared`)

    def save(self, directory: Path) -> Path:
        """Write to `directory` (frame as Parquet, the rest as JSON); returns the directory."""
        directory.mkdir(parents=True, exist_ok=True)
        meta = {k: v for k, v in self.__dict__.items() if k not in {"frame", "validation_results", "issues"}}
        meta["received_at"] = self.received_at.isoformat()
        meta["issues"] = [i.__dict__ for i in self.issues]
        if self.frame is not None:
            self.frame.to_parquet(directory / "frame.parquet", index=False)
        if self.validation_results is not None:
            self.validation_results.to_parquet(directory / "validation.parquet", index=False)
        (directory / "prepared.json").write_text(
            json.dumps(meta, ensure_ascii=False, default=str), encoding="utf-8"
        )
        return directory

    @classmethod
    def read(cls, directory: Path) -> Prepared:
        meta = json.loads((directory / "prepared.json").read_text(encoding="utf-8"))
        meta["received_at"] = dt.datetime.fromisoformat(meta["received_at"])
        meta["issues"] = [Issue(**i) for i in meta["issues"]]
        frame = directory / "frame.parquet"
        vr = directory / "validation.parquet"
        return cls(
            **meta,
            frame=pd.read_parquet(frame) if frame.exists() else None,
            validation_results=pd.read_parquet(vr) if vr.exists() else None,
        )


def data_docs_dir(home: Home) -> Path | None:
    """Where validation results are kept for Data Docs (`STATWH_DATA_DOCS=0` turns them off)."""
    return home.data_docs if data_docs_enabled() else None


def prepare(
    home: Home,
    path: Path,
    source: str,
    *,
    file_name: str | None = None,
    received_at: dt.datetime | None = None,
    validate: bool = True,
) -> Prepared:
    """Archive, extract and validate one file (Airflow's prepare step). Touches no warehouse; never
    raises on bad input. The archived copy is read in a worker process under the worker's limits,
    as `statwh run` reads it (`_extract_in_worker`): a file that crashes the reader, or runs it out
    of memory or time, is a rejected `Prepared` (`reader_crashed`), so the task itself does not
    fail (and is not retried) and the commit records the file in `meta.loads`.

    With `validate=False` the suite is left for `commit`."""
    file_name = file_name or path.name
    received_at = received_at or dt.datetime.now()
    got = _receive(home, path, source, file_name, received_at)
    if isinstance(got, Prepared):
        return got
    prep = _extract_in_worker(home, got, source, file_name, received_at)
    if validate:  # nothing to validate after a critical issue (a crashed reader's too)
        validate_prepared(prep, data_docs_dir(home))
    return prep


def _receive(
    home: Home, path: Path, source: str, file_name: str, received_at: dt.datetime
) -> Received | Prepared:
    """The file copied into the archive (`etl.warehouse.archive.receive`), or, when it is refused
    unread, a rejected `Prepared` saying why. A refused file inside the data area (a claimed
    inbox file) is moved to `STATWH_HOME/refused/` for a person: never deleted, never in the queue again."""
    try:
        return receive(home, path, limits()["max_bytes"])
    except (TooLarge, ArchiveError) as e:
        rule = "file_too_large" if isinstance(e, TooLarge) else "unreadable_entry"
        message = str(e)
        if path.is_relative_to(home.root) and path.exists() and not path.is_symlink():
            kept = _set_aside(home, path, file_name)
            message += f"；原文件移至 / kept at {kept.relative_to(home.root)}"
        return _rejected(file_name, source, "", None, received_at, Issue("critical", rule, message))


def _set_aside(home: Home, path: Path, file_name: str) -> Path:
    """Move a refused file into `STATWH_HOME/refused/` under a unique name ending in its own."""
    home.refused.mkdir(parents=True, exist_ok=True)
    dest = home.refused / f"{dt.datetime.now():%Y%m%dT%H%M%S}-{path.name[:8]}-{Path(file_name).name}"
    path.rename(dest)
    return dest


def _rejected(
    file_name: str, source: str, sha: str, rel: str | None, received_at: dt.datetime, why: Issue
) -> Prepared:
    """A file rejected before it was read (refused, archive altered, the reader crashed)."""
    return Prepared(
        file_name=file_name,
        source=source,
        sha256=sha,
        archive_path=rel,
        received_at=received_at,
        issues=[why],
    )


def _prepared(ex: Extracted, file_name: str, got: Received, received_at: dt.datetime) -> Prepared:
    return Prepared(
        file_name=file_name,
        source=ex.source,
        sha256=got.sha256,
        archive_path=got.relative,
        received_at=received_at,
        layout=ex.layout,
        dataset=ex.dataset,
        format=ex.format,
        encoding=ex.encoding,
        reporter=ex.reporter,
        rows_read=ex.rows_read,
        wide=ex.wide,
        issues=ex.issues,
        column_map=ex.column_map,
        reconciliations=ex.reconciliations,
        frame=ex.frame,
    )


def _warm_validation(docs_dir: Path | None) -> None:
    """Import great_expectations and open its contexts on another thread while this one reads
    the sheet: the sheet's parser releases the GIL, so the ~6 s import of a fresh process (and
    the file context's setup) cost no wall time. `etl.validate.suites` serialises with it by its lock."""

    threading.Thread(target=warm_up, args=(docs_dir,), name="statwh-gx-warm-up", daemon=True).start()


def validate_prepared(prep: Prepared, docs_dir: Path | None) -> None:
    """Run the dataset's suite on the prepared frame; add its issues (those extraction has not
    already given for the same row and column) to `prep.issues`. Never raises on bad input."""
    prep.validated = True
    if prep.frame is None or prep.dataset is None or any(i.severity == "critical" for i in prep.issues):
        return
    try:
        v_issues, results = validate_frame(prep.dataset, prep.frame, prep.column_map, docs_dir)
        prep.validation_results = _with_reconciliations(prep, results, docs_dir)
    except Exception as e:  # a bug in a rule must not lose the file
        log.exception("validation failed for %s", prep.file_name)
        v_issues = [Issue("critical", "validation_error", f"校验过程出错 / validation failed: {e}")]
    _add_suite_issues(prep, v_issues)


def _with_reconciliations(prep: Prepared, results: pd.DataFrame, docs_dir: Path | None) -> pd.DataFrame:
    """The dataset suite's `results` and, for a file with total rows, the `reconciliations` suite's
    (`validate_reconciliations`: Data Docs show the file's totals check; a mismatch is extraction's
    warning already, so the suite adds no issue)."""
    if not prep.reconciliations:
        return results
    try:
        checked = validate_reconciliations(prep.reconciliations, docs_dir, prep.file_name)
    except Exception:  # the totals are in meta.reconciliations and the warnings: never lose the file
        log.exception("the reconciliations suite failed for %s", prep.file_name)
        return results
    return pd.concat([results, checked], ignore_index=True)


def _add_suite_issues(prep: Prepared, v_issues: list[Issue]) -> None:
    # one reason per row and column: extraction's own messages are more precise than a suite's
    seen = {(i.sheet, i.row, (i.column or "").split(" (")[0]) for i in prep.issues}
    prep.issues.extend(
        i for i in v_issues if (i.sheet, i.row, (i.column or "").split(" (")[0]) not in seen or i.row is None
    )


VALIDATE_AHEAD_ROWS = 100_000
"""Frames up to this many rows are validated by the worker that extracted them (`start_ingest`);
bigger ones by the loading process, beside the warehouse writes (`commit`)."""


IMPORT_HEADROOM = 60.0
"""Seconds of its file's time (`STATWH_WORKER_SECONDS`) a resident worker must have left to import
great_expectations itself (a few seconds): with less, the loading process validates the file."""


def _validated_ahead(prep: Prepared, docs_dir: Path | None, timeout: float) -> Prepared:
    """In the worker (`start_ingest`), after extraction: the dataset's suite run there, as
    `validate_prepared` runs it, when the frame is small (`VALIDATE_AHEAD_ROWS`) and
    great_expectations was imported before the fork, or the worker is a resident one with
    `IMPORT_HEADROOM` of its `timeout` left (it then imports it itself: the first worker of
    `statwh run` is forked before the loading process has it). Anything unusual — the import or
    the suite raising, running out of the worker's memory — leaves the file unvalidated: the
    loading process validates it as usual."""
    if (
        prep.frame is None
        or prep.dataset is None
        or len(prep.frame) > VALIDATE_AHEAD_ROWS
        or any(i.severity == "critical" for i in prep.issues)
    ):
        return prep
    elapsed = resident_job_seconds()
    if (
        "great_expectations" not in sys.modules
        and elapsed is not None
        and timeout - elapsed >= IMPORT_HEADROOM
    ):
        # `statwh run`'s first worker, forked before the loading process imported it: it imports
        # it too, on the core that would wait meanwhile, validates, and stays for the next files
        warm_up(docs_dir)
    if "great_expectations" not in sys.modules:
        return prep
    store_held_results(write=False)  # the parent's held results, copied by the fork: its to write
    try:
        v_issues, results = validate_frame(prep.dataset, prep.frame, prep.column_map, docs_dir)
        results = _with_reconciliations(prep, results, docs_dir)
    except Exception:  # noqa: BLE001 - validated again by the parent, which reports it
        return prep
    prep.validated, prep.validation_results = True, results
    _add_suite_issues(prep, v_issues)
    return prep


def prior_load(con: duckdb.DuckDBPyConnection, sha: str) -> int | None:
    """The load that already holds a file with this content, if any."""
    rows = con.execute(
        "select load_id from meta.loads where sha256 = ? and status in ('loaded','partial') order by load_id limit 1",
        [sha],
    ).fetchall()
    return rows[0][0] if rows else None


def _other_period(con: duckdb.DuckDBPyConnection, prior: int, file_name: str) -> Issue | None:
    """The same bytes as an earlier load under a name that states another period (`…_6月.xlsx`
    sent as `…_3月.xlsx` was): the department sent one period's file as another's, or reused it.
    Taken as a duplicate, the period the name promises would be missing without a word."""
    from etl.extract.meta import stated_period

    (before,) = con.execute("select file_name from meta.loads where load_id = ?", [prior]).fetchall()[0]
    was, now = (stated_period(Path(str(n or "")).stem) for n in (before, file_name))
    if was is None or now is None or was.end == now.end:
        return None
    return Issue(
        "critical",
        "duplicate_other_period",
        f"与第 {prior} 次入库的“{before}”（{was.text}）内容完全相同，但文件名写的是 {now.text}：未入库，"
        f"请核对是否报错了文件 / the same bytes as load {prior}, {before!r} ({was.text}), but this name"
        f" says {now.text}: not loaded — was the wrong file sent?",
        value=file_name,
    )


def _record_duplicate(
    con, source: str, file_name: str, sha: str, archived: str, received_at, prior: int
) -> LoadResult:
    load_id = con.execute("select nextval('meta.load_id_seq')").fetchall()[0][0]
    clash = _other_period(con, prior, file_name)
    if clash is not None:
        con.execute(
            "insert into meta.loads (load_id, source, file_name, sha256, archive_path, status, received_at,"
            " loaded_at, message) values (?, ?, ?, ?, ?, 'rejected', ?, ?, ?)",
            [load_id, source, file_name, sha, archived, received_at, _now_after(con), clash.message],
        )
        _insert(con, "meta.rejections", _issue_rows(load_id, file_name, [clash]))
        return LoadResult(file_name, source, "rejected", load_id, rejections=[clash], message=clash.message)
    con.execute(
        "insert into meta.loads (load_id, source, file_name, sha256, archive_path, status, received_at, loaded_at, message)"
        " values (?, ?, ?, ?, ?, 'duplicate', ?, ?, ?)",
        [
            load_id,
            source,
            file_name,
            sha,
            archived,
            received_at,
            _now_after(con),
            f"与第 {prior} 次入库的文件内容相同，未重复入库 / same content as load {prior}",
        ],
    )
    return LoadResult(
        file_name,
        source,
        "duplicate",
        load_id,
        message=f"already loaded as load {prior} (same sha256): nothing loaded twice",
    )


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    path: Path,
    source: str,
    *,
    file_name: str | None = None,
    received_at: dt.datetime | None = None,
    force: bool = False,
    reprocess_of: int | None = None,
    build: bool = False,
    archived_as: tuple[str, str] | None = None,
    replay: bool = False,
) -> LoadResult:
    """Archive, extract, validate and load one file in one transaction. Never raises on bad input.

    The file is copied into the archive once (`_receive`); only that copy is read, by a worker
    process (`etl.warehouse.sandbox`). A file whose reader crashed before is not read again unless
    `force` (`statwh reprocess`). `archived_as` (archive path, sha256): the file is in the archive
    already (reprocess, restore), checked against its sha256 before it is read. `replay`: restore's
    replay of the journal, which is not written again.

    With `build=True` the warehouse is also built in that transaction, on the writer thread while
    the suite runs, when it can be done ahead (`commit`); `result.build` tells whether it was."""
    file_name = file_name or path.name
    received_at = received_at or dt.datetime.now()
    got = _from_archive(home, archived_as, source, file_name, received_at) if archived_as else None
    got = got or _receive(home, path, source, file_name, received_at)
    if isinstance(got, Prepared):
        result = commit(con, home, got, force=True, reprocess_of=reprocess_of, replay=replay)
        result.refused = got.archive_path is None
        return result
    if not force:
        prior, crashed = held_before(con, got.sha256)
        if prior is not None:
            if not replay:
                _journal(home, "received", source, file_name, got.sha256, got.relative, received_at, None)
            return _record_duplicate(con, source, file_name, got.sha256, got.relative, received_at, prior)
        if crashed is not None:
            return commit(
                con, home, _not_read_again(file_name, source, got, received_at, crashed), replay=replay
            )
    also = (lambda: load_reference_ahead(con)) if build else None
    prep = _extract_in_worker(home, got, source, file_name, received_at, also)
    return commit(
        con, home, prep, force=force, reprocess_of=reprocess_of, build=build, replay=replay, checked=not force
    )


def _from_archive(
    home: Home, archived_as: tuple[str, str], source: str, file_name: str, received_at: dt.datetime
) -> Received | Prepared:
    """An archived file, its sha256 checked; a rejected `Prepared` naming it when missing or altered."""
    rel, sha = archived_as
    try:
        p = archived(home, rel, sha)
    except ArchiveError as e:
        return _rejected(
            file_name, source, sha, rel, received_at, Issue("critical", "archive_altered", str(e))
        )
    return Received(sha, p, p.relative_to(home.root).as_posix(), p.stat().st_size)


def _extract_in_worker(
    home: Home,
    got: Received,
    source: str,
    file_name: str,
    received_at: dt.datetime,
    also: Callable[[], None] | None = None,
) -> Prepared:
    """Extract the archived copy in a worker process while great_expectations warms up here (and
    `also` runs on this thread); a worker that crashes, runs out of memory or time makes the file
    a rejection (`reader_crashed`)."""
    wl = worker_limits()
    docs = data_docs_dir(home)

    def meanwhile() -> None:
        _warm_validation(docs)
        if also is not None:
            also()

    try:
        ex = extract_isolated(
            got.path,
            source,
            file_name,
            limits(),
            memory=wl["memory"],
            timeout=wl["timeout"],
            meanwhile=meanwhile,
        )
    except ReaderCrash as e:
        return _crashed(file_name, source, got, received_at, e)
    return _prepared(ex, file_name, got, received_at)


def load_reference_ahead(con: duckdb.DuckDBPyConnection) -> None:
    """The reference tables loaded before the build that would load them (`build.load_reference`),
    while a worker reads and great_expectations is imported: mostly DuckDB work, beside Python
    work. A failure is left for that build to meet and report."""
    try:
        builder.load_reference(con)
    except Exception:  # noqa: BLE001 - the build loads them again, and says why it cannot
        log.debug("loading the reference tables ahead failed", exc_info=True)


def _crashed(
    file_name: str, source: str, got: Received, received_at: dt.datetime, e: ReaderCrash
) -> Prepared:
    log.error("%s: the reader crashed: %s", file_name, e)
    why = Issue(
        "critical", "reader_crashed", f"读取程序在此文件上崩溃 / the reader crashed on this file: {e}"
    )
    return _rejected(file_name, source, got.sha256, got.relative, received_at, why)


@dataclass
class Extracting:
    """A file archived and being extracted by its worker (`start_ingest`); `ingest_started` loads it."""

    received: Received | Prepared  # a `Prepared` when it was refused unread
    source: str
    file_name: str
    received_at: dt.datetime
    pending: Pending | None = None  # None: not read (refused, a duplicate, crashed the reader before)
    done: Prepared | None = None

    def prepared(self) -> Prepared:
        """Wait for the worker: the extracted file, or its rejection when the reader crashed."""
        if isinstance(self.received, Prepared):
            return self.received
        if self.done is None:
            if self.pending is None:
                raise RuntimeError(
                    f"{self.file_name}: not read (a duplicate, or it crashed the reader before)"
                )
            try:
                ex = self.pending.result()  # a `Prepared` when the worker validated it too
                self.done = (
                    ex
                    if isinstance(ex, Prepared)
                    else _prepared(ex, self.file_name, self.received, self.received_at)
                )
            except ReaderCrash as e:
                self.done = _crashed(self.file_name, self.source, self.received, self.received_at, e)
        return self.done

    def wait(self) -> None:
        """Wait for the worker, if there is one (`prepared` then returns at once)."""
        if self.pending is not None:
            self.prepared()

    def cancel(self) -> None:
        """Stop the worker (the load is given up: an error in the loads before it)."""
        if self.pending is not None and self.done is None:
            self.pending.cancel()


def start_ingest(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    path: Path,
    source: str,
    *,
    file_name: str | None = None,
    received_at: dt.datetime | None = None,
) -> Extracting:
    """The part of `ingest_file` that needs no warehouse write, started: the file archived, its
    worker forked (call it from the loading thread, between loads: `con` is idle). The worker reads
    while this process loads the previous file; `ingest_started` then loads this one as
    `ingest_file` would. As there, a file the warehouse holds already, or that crashed the reader
    before, is not read; one that a load made since holds is told so by `ingest_started`."""
    file_name = file_name or path.name
    received_at = received_at or dt.datetime.now()
    got = _receive(home, path, source, file_name, received_at)
    job = Extracting(got, source, file_name, received_at)
    if isinstance(got, Prepared):
        return job
    if any(found is not None for found in held_before(con, got.sha256)):
        return job
    wl, docs = worker_limits(), data_docs_dir(home)
    job.pending = start_extraction(
        got.path,
        source,
        file_name,
        limits(),
        memory=wl["memory"],
        timeout=wl["timeout"],
        meanwhile=lambda: _warm_validation(docs),
        then=functools.partial(_prepared_ahead, file_name, got, received_at, docs, wl["timeout"]),
    )
    return job


def _prepared_ahead(
    file_name: str, got: Received, received_at: dt.datetime, docs: Path | None, timeout: float, ex: Extracted
) -> Prepared:
    """In the worker: the extraction prepared and validated (`start_ingest`; a function of the
    module, so that a resident worker can be sent it)."""
    return _validated_ahead(_prepared(ex, file_name, got, received_at), docs, timeout)


def ingest_started(
    con: duckdb.DuckDBPyConnection, home: Home, job: Extracting, *, build: bool = False
) -> LoadResult:
    """Load a file `start_ingest` began: what `ingest_file` does once it has the file's sha256."""
    got = job.received
    if isinstance(got, Prepared):
        result = commit(con, home, got, force=True)
        result.refused = got.archive_path is None
        return result
    prior, crashed = held_before(con, got.sha256)
    crashed = None if prior is not None else crashed
    if prior is None and crashed is None:
        return commit(con, home, job.prepared(), build=build, checked=True)
    job.wait()  # read meanwhile: a load made since holds (or crashed on) the same content
    if prior is not None:
        _journal(home, "received", job.source, job.file_name, got.sha256, got.relative, job.received_at, None)
        return _record_duplicate(
            con, job.source, job.file_name, got.sha256, got.relative, job.received_at, prior
        )
    return commit(con, home, _not_read_again(job.file_name, job.source, got, job.received_at, crashed))


# rejections made without reading the file: restore records them again without reading it
UNREAD_RULES = (
    "file_too_large",
    "unreadable_entry",
    "archive_altered",
    "reader_crashed",
    "reader_crashed_before",
)


def held_before(con: duckdb.DuckDBPyConnection, sha: str) -> tuple[int | None, int | None]:
    """The load that holds a file with this content (`prior_load`), and the first load at which a
    file with it crashed the reader, if any: one query (each file asks both, before it is read)."""
    rows = con.execute(
        "select min(load_id) filter (where status in ('loaded','partial')), min(load_id) filter (where crashed)"
        " from (select l.load_id, l.status, exists (select 1 from meta.rejections as r"
        "       where r.load_id = l.load_id and r.rule = 'reader_crashed') as crashed"
        "       from meta.loads as l where l.sha256 = ?)",
        [sha],
    ).fetchall()
    return rows[0][0], rows[0][1]


def _not_read_again(
    file_name: str, source: str, got: Received, received_at: dt.datetime, crashed: int
) -> Prepared:
    why = Issue(
        "critical",
        "reader_crashed_before",
        f"此文件曾使读取程序崩溃（第 {crashed} 次入库），不再自动读取；如需重试请运行 statwh reprocess"
        f" / crashed the reader at load {crashed}: not read again (statwh reprocess to try)",
    )
    return _rejected(file_name, source, got.sha256, got.relative, received_at, why)


def _journal(
    home: Home,
    event: str,
    source: str,
    file_name: str,
    sha: str,
    rel: str | None,
    received_at: dt.datetime,
    reprocess_of: int | None,
    rule: str | None = None,
) -> None:
    """One load in the archive's journal (`etl.warehouse.archive`), in the order loads are made."""
    journal(
        home,
        event,
        sha256=sha,
        archive=rel,
        source=source,
        file_name=file_name,
        received_at=received_at,
        reprocess_of=reprocess_of,
        rule=rule,
    )


def commit(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    prep: Prepared,
    *,
    force: bool = False,
    reprocess_of: int | None = None,
    build: bool = False,
    replay: bool = False,
    checked: bool = False,
) -> LoadResult:
    """Load a prepared file in one transaction: all of its good rows, or (when rejected) none.
    `checked`: the caller has just found that no load holds the file's content (`held_before`,
    on this connection, nothing loaded since), so it is not looked up again.

    The load is first appended to the archive's journal (unless `replay`: restore replaying it),
    so that the journal lists every load in the order the warehouse made them.

    A file with rows to load is checked here, on this thread — its suite unless its worker ran
    it already (`_validated_ahead`), then the history and slice checks (their queries on a second
    connection, which sees the warehouse as committed: without this file) — while a second thread
    writes the rows that extraction and the suite kept into an open transaction (DuckDB releases
    the GIL, great_expectations holds it). Rows the checks then turn away are deleted before the
    commit; a file they reject is rolled back. Either way the warehouse ends as if the checks had
    run first.

    With `build=True` the writer thread then records the load as extraction left it and builds
    the warehouse (`build_in_transaction`) in the same transaction, still while the suite runs.
    That build stands when the suite turns nothing more away (the usual case: the load then
    commits built, and `result.build` holds the seconds per model). Otherwise, or if the build
    fails, the transaction is rolled back and the rows written again as the suite decided,
    unbuilt (`result.build` is None: the caller builds, as without `build`)."""
    prior = None if force or checked else prior_load(con, prep.sha256)
    if not replay:
        unread = next((i.rule for i in prep.issues if i.rule in UNREAD_RULES), None)
        event = "reprocess" if reprocess_of is not None else "received"
        _journal(
            home,
            event,
            prep.source,
            prep.file_name,
            prep.sha256,
            prep.archive_path,
            prep.received_at,
            reprocess_of,
            unread,
        )
    if prior is not None:
        return _record_duplicate(
            con, prep.source, prep.file_name, prep.sha256, prep.archive_path, prep.received_at, prior
        )
    try:
        return _commit(con, home, prep, reprocess_of, build)
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # a transaction left open (none: an error, ignored)
            con.execute("rollback")
        builder.reset_as_of(con)
        raise


def _commit(
    con: duckdb.DuckDBPyConnection, home: Home, prep: Prepared, reprocess_of: int | None, build: bool
) -> LoadResult:
    """`commit`'s work, in order: validate (beside the writer thread when the file has rows to
    write), take back a write ahead the verdict outdates, load the rows
    the verdict keeps, record the load with its issues and results, commit."""
    loadable = prep.frame is not None and not any(i.severity == "critical" for i in prep.issues)
    staged: _Staged | None = None
    waited_from = 0.0
    if loadable:
        staged, waited_from = _validate_while_writing(con, home, prep, build, reprocess_of)
    elif not prep.validated:  # nothing to write: its suite, if it can run, only says why
        validate_prepared(prep, data_docs_dir(home))
    verdict = _Verdict.of(prep.issues)
    result = LoadResult(
        prep.file_name,
        prep.source,
        "rejected",
        layout=prep.layout,
        rows_read=prep.rows_read,
        warnings=verdict.warnings,
    )
    _drop_outdated_write_ahead(con, staged, verdict)
    load_id, now = _load_transaction(con, staged)
    result.load_id = load_id
    if verdict.critical or prep.frame is None:
        _reject(result, verdict.critical)
    else:
        _load_rows(con, home, prep, result, staged, verdict, load_id, now)
    if staged is None or staged.build is None:  # else recorded so by the writer, before it built
        counts = (result.status, result.rows_loaded, result.rows_rejected)
        _record_load(con, prep, load_id, now, counts, result.message or None, reprocess_of)
    if result.rejections:
        _insert(con, "meta.rejections", _issue_rows(load_id, prep.file_name, result.rejections))
    if result.warnings:
        _insert(con, "meta.warnings", _issue_rows(load_id, prep.file_name, result.warnings))
    if prep.reconciliations:
        _insert(
            con, "meta.reconciliations", reconciliation_rows(load_id, prep.file_name, prep.reconciliations)
        )
    _record_validation_results(con, prep, load_id, now)
    if staged is not None and staged.build is not None:
        result.build = staged.build
        result.build_timing = _build_timing(staged, waited_from)
    con.execute("commit")
    return result


@dataclass
class _Verdict:
    """A validated file's issues by severity, and the rows (sheet, row) its row issues turn away."""

    critical: list[Issue]
    row_issues: list[Issue]
    warnings: list[Issue]
    bad: set[tuple[str | None, int | None]]

    @classmethod
    def of(cls, issues: list[Issue]) -> _Verdict:
        row_issues = [i for i in issues if i.severity == "row"]
        return cls(
            [i for i in issues if i.severity == "critical"],
            row_issues,
            [i for i in issues if i.severity == "warning"],
            {(i.sheet, i.row) for i in row_issues},
        )


def _validate_while_writing(
    con: duckdb.DuckDBPyConnection, home: Home, prep: Prepared, build: bool, reprocess_of: int | None
) -> tuple[_Staged, float]:
    """The suite (unless the file's worker ran it) and the history and slice checks on this
    thread, while a writer thread writes the rows extraction and the suite kept into a
    transaction it leaves open on `con` (and, with `build`, records the load and builds in it:
    `_write_ahead`). Returns what the writer staged, and when this thread
    began to wait for it (the part of the build after that is what validation did not hide)."""
    with ThreadPoolExecutor(1, thread_name_prefix="statwh-write") as pool, con.cursor() as before:
        db = pool.submit(_write_ahead, con, prep, _extraction_bad(prep), build, reprocess_of)
        try:
            # the history query reads the warehouse as committed, without this file, on its
            # own connection: at the same time as the writer's insert
            hist = _history_frame_or_error(before, prep)
            if not prep.validated:  # else its worker ran the suite (`_validated_ahead`)
                validate_prepared(prep, data_docs_dir(home))
            if not any(i.severity == "critical" for i in prep.issues):
                checking = _start_history_check(prep, hist)  # on an idle worker, while the slices are checked
                known = len(prep.issues)
                _add_slice_issues(before, prep)
                prep.issues, sliced = prep.issues[:known], prep.issues[known:]
                _add_history_issues(prep, hist, checking)
                prep.issues = prep.issues + sliced
            if build:  # the run's last file: every result is in, the build takes a while yet
                _start_docs(home)
        finally:
            waited_from = time.perf_counter()
            staged = db.result()
    return staged, waited_from


def _drop_outdated_write_ahead(
    con: duckdb.DuckDBPyConnection, staged: _Staged | None, verdict: _Verdict
) -> None:
    """Roll the write ahead back when the suite rejected the file (none of its rows stay) or
    turned away rows that the build ahead counted in: the load begins again, as if the suite had
    run first."""
    if (
        staged is not None
        and staged.written
        and (verdict.critical or (staged.build is not None and verdict.bad != staged.without))
    ):
        con.execute("rollback")
        staged.written = False
        staged.build = None


def _load_transaction(con: duckdb.DuckDBPyConnection, staged: _Staged | None) -> tuple[int, dt.datetime]:
    """The load's id and time, in an open transaction: the writer's (still open, else begun
    again), or a new load's when nothing was written ahead."""
    if staged is None or not staged.written:
        con.execute("begin transaction")
    return (staged.load_id, staged.now) if staged is not None else _new_load(con)


def _reject(result: LoadResult, critical: list[Issue]) -> None:
    """The file rejected whole: its critical issues are the rejections, every row read is rejected."""
    result.rejections = critical or [Issue("critical", "unreadable", "文件无法读取 / unreadable")]
    result.rows_rejected = result.rows_read
    result.message = result.rejections[0].message


def _load_rows(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    prep: Prepared,
    result: LoadResult,
    staged: _Staged | None,
    verdict: _Verdict,
    load_id: int,
    now: dt.datetime,
) -> None:
    """The rows the verdict keeps into raw.<dataset> (written ahead: the ones turned away since
    are taken back), the others into quarantine; status and counts into `result`."""
    frame = prep.frame
    is_bad = _rows_at(frame, verdict.bad)
    loaded = frame[~is_bad]
    quarantined = frame[is_bad]
    result.rejections = verdict.row_issues
    result.status, result.rows_loaded, result.rows_rejected = _load_counts(prep, loaded, verdict.bad)
    if staged is not None and staged.written:
        _unwrite(con, prep.dataset, load_id, verdict.bad - staged.without)
    elif len(loaded):
        _write_rows(con, prep.dataset, loaded, load_id, now)
    if len(quarantined):
        _quarantine(con, home, load_id, prep.dataset, prep.file_name, quarantined, verdict.row_issues)


def _record_validation_results(
    con: duckdb.DuckDBPyConnection, prep: Prepared, load_id: int, now: dt.datetime
) -> None:
    """The suite's results (and the history checks') for the load, in meta.validation_results."""
    vr = prep.validation_results
    if vr is None or not len(vr):
        return
    vr = vr.rename(columns={"column": "column_name"}).copy()
    vr["load_id"], vr["run_at"] = load_id, now
    keep = [
        "load_id",
        "suite",
        "expectation",
        "column_name",
        "success",
        "unexpected_count",
        "unexpected_percent",
        "sample_values",
        "severity",
        "run_at",
    ]
    _insert(con, "meta.validation_results", vr[[c for c in keep if c in vr.columns]])


def _build_timing(staged: _Staged, waited_from: float) -> dict[str, float]:
    """The build ahead's wall and CPU seconds on the writer thread, and the part of its wall
    that validation did not hide (from when `commit` began to wait for the writer)."""
    started, ended = staged.build_span
    return {
        "seconds": ended - started,
        "cpu": staged.build_cpu,
        "waited": max(0.0, ended - max(started, waited_from)),
    }


def _load_counts(prep: Prepared, loaded: pd.DataFrame, bad: set) -> tuple[str, int, int]:
    """status, rows loaded and rows rejected of a load that keeps `loaded` and turns `bad` away."""
    counts = row_counts(prep.frame, bad, prep.wide)  # the one count `statwh check` prints too
    return ("partial" if bad else "loaded"), counts.rows, counts.quarantined


def _record_load(
    con: duckdb.DuckDBPyConnection,
    prep: Prepared,
    load_id: int,
    now: dt.datetime,
    counts: tuple[str, int, int],
    message: str | None,
    reprocess_of: int | None,
) -> None:
    """The load's row of meta.loads and its columns in meta.load_columns."""
    status, rows_loaded, rows_rejected = counts
    con.execute(
        "insert into meta.loads (load_id, source, layout, dataset, file_name, sha256, archive_path, format, encoding,"
        " status, rows_read, rows_loaded, rows_rejected, received_at, loaded_at, reporter, message, reprocess_of)"
        " values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            load_id,
            prep.source,
            prep.layout,
            prep.dataset,
            prep.file_name,
            prep.sha256,
            prep.archive_path,
            prep.format,
            prep.encoding,
            status,
            prep.rows_read,
            rows_loaded,
            rows_rejected,
            prep.received_at,
            now,
            prep.reporter,
            message,
            reprocess_of,
        ],
    )
    if prep.column_map:
        cm = pd.DataFrame(prep.column_map)
        cm["load_id"] = load_id
        _insert(con, "meta.load_columns", cm)


@dataclass
class _Staged:
    """Rows written ahead of the suite's verdict, in a transaction still open on the connection."""

    load_id: int
    now: dt.datetime
    without: set[tuple[str | None, int | None]]  # rows extraction had turned away: never written
    written: bool = True
    build: dict[str, float] | None = None  # seconds per model of the build ahead, if it was made
    build_span: tuple[float, float] = (0.0, 0.0)  # perf_counter at its start and end
    build_cpu: float = 0.0  # the writer thread's CPU seconds for it


def _new_load(con: duckdb.DuckDBPyConnection) -> tuple[int, dt.datetime]:
    load_id = con.execute("select nextval('meta.load_id_seq')").fetchall()[0][0]
    return load_id, _now_after(con)


def _extraction_bad(prep: Prepared) -> set[tuple[str | None, int | None]]:
    return {(i.sheet, i.row) for i in prep.issues if i.severity == "row"}


def _rows_at(frame: pd.DataFrame, where: set[tuple[str | None, int | None]]) -> pd.Series:
    """True for the frame's rows at (sheet, row) in `where`."""
    is_bad = pd.Series(False, index=frame.index)
    if where:
        at = pd.MultiIndex.from_arrays([frame["_sheet"].astype(object), frame["_row"].astype("int64")])
        is_bad[:] = at.isin(list(where))
    return is_bad


def _write_rows(con: duckdb.DuckDBPyConnection, dataset: str, rows: pd.DataFrame, load_id: int, now) -> None:
    """Append `rows` to raw.<dataset> and their slices to meta.slices (inside the caller's transaction)."""
    rows = rows.copy()
    rows["load_id"] = load_id
    rows["slice_key"] = slice_keys(dataset, rows)
    cols = list(DATASETS[dataset].columns) + list(LINEAGE) + ["load_id", "slice_key"]
    _insert(con, f"raw.{dataset}", rows[cols])
    slices = pd.DataFrame({"slice_key": rows["slice_key"].unique()})
    slices["load_id"], slices["dataset"], slices["loaded_at"] = load_id, dataset, now
    _insert(con, "meta.slices", slices)


def _unwrite(con: duckdb.DuckDBPyConnection, dataset: str, load_id: int, where: set) -> None:
    """Take back rows written ahead of validation that the suite turned away, and the slices
    left with no row."""
    if not where:
        return
    gone = pd.DataFrame({"_sheet": [s for s, _ in where], "_row": [r for _, r in where]})
    con.register("_gone", gone)
    try:
        con.execute(
            f"delete from raw.{dataset} as r using _gone as g"
            " where r.load_id = ? and r._sheet is not distinct from g._sheet and r._row = g._row",
            [load_id],
        )
    finally:
        con.unregister("_gone")
    con.execute(
        f"delete from meta.slices where load_id = ? and slice_key not in"
        f" (select distinct slice_key from raw.{dataset} where load_id = ?)",
        [load_id, load_id],
    )


def _history_frame_or_error(
    con: duckdb.DuckDBPyConnection, prep: Prepared
) -> pd.DataFrame | Exception | None:

    try:
        return history_frame(con, prep)
    except Exception as e:  # a check against history must never stop a load
        log.exception("history checks failed for %s", prep.file_name)
        return e


def _write_ahead(
    con: duckdb.DuckDBPyConnection, prep: Prepared, without: set, build: bool, reprocess_of: int | None
) -> _Staged:
    """The writer thread of `commit`: a transaction left open with the rows extraction kept;
    with `build`, the load recorded and the warehouse built in it too (`_build_ahead`)."""
    con.execute("begin transaction")
    try:
        load_id, now = _new_load(con)
        frame = prep.frame
        assert frame is not None and prep.dataset is not None
        rows = frame[~_rows_at(frame, without)] if without else frame
        if len(rows):
            _write_rows(con, prep.dataset, rows, load_id, now)
    except Exception:
        con.execute("rollback")
        raise
    staged = _Staged(load_id, now, without)
    if build:
        _build_ahead(con, prep, staged, rows, reprocess_of)
    return staged


def _build_ahead(
    con: duckdb.DuckDBPyConnection,
    prep: Prepared,
    staged: _Staged,
    rows: pd.DataFrame,
    reprocess_of: int | None,
) -> None:
    """Record the load as extraction's verdict has it, and build the warehouse, in the writer's
    open transaction. A build that fails is rolled back with the rows (`commit` writes them again
    and leaves the build, and its error, to the caller): it never costs the file its load."""

    started, cpu = time.perf_counter(), time.thread_time()
    try:
        _record_load(
            con,
            prep,
            staged.load_id,
            staged.now,
            _load_counts(prep, rows, staged.without),
            None,
            reprocess_of,
        )
        staged.build = builder.build_in_transaction(con)
    except Exception:
        log.exception("building the warehouse with %s failed; loading it unbuilt", prep.file_name)
        con.execute("rollback")
        builder.reset_as_of(con)
        staged.written = False
        staged.build = None
        return
    staged.build_span = (started, time.perf_counter())
    staged.build_cpu = time.thread_time() - cpu


def _start_history_check(prep: Prepared, hist: pd.DataFrame | Exception | None) -> Pending | None:
    """The history suite started on an idle resident worker of `statwh run` (its core is mostly
    idle: the loading process is the one the run waits for), or None: `_add_history_issues` runs
    it here. The worker is sent what `history_check` reads: the frame's lineage and names only."""
    if not isinstance(hist, pd.DataFrame) or prep.frame is None:
        return None
    light = replace(
        prep,
        frame=prep.frame[[c for c in ("_sheet", "_row", "name") if c in prep.frame.columns]],
        issues=[],
        validation_results=None,
    )
    wl = worker_limits()
    return on_idle_worker(
        functools.partial(history_check, light, hist),
        f"{prep.file_name} · history",  # not a read of the file: `sandbox.before_read` hooks do not take it
        memory=wl["memory"],
        timeout=wl["timeout"],
    )


def _add_history_issues(
    prep: Prepared, hist: pd.DataFrame | Exception | None, checking: Pending | None = None
) -> None:
    """Validate the history frame (warnings only) and add its issues and results to `prep`:
    `checking`'s, when a worker ran the suite (`_start_history_check`), else the suite's here."""

    if isinstance(hist, Exception):
        h_issues: list[Issue] = [
            Issue("warning", "history_check_error", f"与历史数据的比对未能执行 / {hist}")
        ]
        h_results = None
    else:
        try:
            h_issues, h_results = _worker_result(checking, "the history suite") or history_check(prep, hist)
        except Exception as e:
            log.exception("history checks failed for %s", prep.file_name)
            h_issues, h_results = (
                [Issue("warning", "history_check_error", f"与历史数据的比对未能执行 / {e}")],
                None,
            )
    prep.issues = prep.issues + h_issues
    if h_results is not None:
        prep.validation_results = pd.concat(
            [x for x in (prep.validation_results, h_results) if x is not None]
        )


_DOCS_AHEAD: dict[Path, Pending] = {}  # Data Docs being rendered on a worker, by docs directory


def _start_docs(home: Home) -> None:
    """Render Data Docs on an idle resident worker of `statwh run` while the last file's load
    builds the marts (`docs_rendered_ahead` gives it to `etl.ingest.build_docs`). The results
    this process holds are stored first: the worker renders what the docs store holds."""
    docs = data_docs_dir(home)
    if docs is None or not (docs / "gx").exists():
        return
    store_held_results()
    wl = worker_limits()
    job = on_idle_worker(
        functools.partial(_render_docs, docs), "Data Docs", memory=wl["memory"], timeout=wl["timeout"]
    )
    if job is not None:
        _DOCS_AHEAD[docs.resolve()] = job


def _render_docs(docs: Path) -> Path:
    """In the worker: `build_data_docs` (the held results it was forked with are its parent's)."""
    store_held_results(write=False)
    return build_data_docs(docs)


def docs_rendered_ahead(home: Home) -> Path | None:
    """Wait for the Data Docs `_start_docs` began for this data area: their index, or None (none
    begun, or the worker failed: the caller renders them)."""
    docs = data_docs_dir(home)
    return _worker_result(None if docs is None else _DOCS_AHEAD.pop(docs.resolve(), None), "Data Docs")


def _worker_result(job: Pending | None, what: str) -> Any:
    """What a job on a resident worker gave; None when there was none or it failed (logged: the
    caller then does it in this process)."""
    if job is None:
        return None
    try:
        return job.result()
    except ReaderCrash:
        log.warning("%s on a worker failed: done in this process", what, exc_info=True)
        return None


def _add_slice_issues(con: duckdb.DuckDBPyConnection, prep: Prepared) -> None:
    """Turn away the rows of a slice that would replace a held one with far fewer rows
    (`etl.validate.replacing`); the rows other checks turned away are not counted in it."""
    frame = prep.frame
    if frame is None or prep.dataset is None:
        return
    rows = frame[~_rows_at(frame, {(i.sheet, i.row) for i in prep.issues if i.severity == "row"})]
    fields = DATASETS[prep.dataset].slice_by
    column = next(
        (f"{c['header_text']} ({c['column_letter']})" for c in prep.column_map if c["field"] in fields),
        None,
    )
    try:
        prep.issues = prep.issues + shrinking_slices(
            con, prep.dataset, rows, slice_keys(prep.dataset, rows), column
        )
    except Exception as e:  # the check must not lose the file: said, the file loads as before it
        log.exception("the slice check failed for %s", prep.file_name)
        prep.issues = prep.issues + [
            Issue("warning", "slice_check_error", f"与已入库各期行数的比对未能执行 / {e}")
        ]


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Append a DataFrame to a table by column name, through Arrow (never row by row)."""
    con.register("_frame", scannable(frame))
    try:
        con.execute(f"insert into {table} by name select * from _frame")
    finally:
        con.unregister("_frame")


def _quarantine(
    con, home: Home, load_id: int, dataset: str, file_name: str, rows: pd.DataFrame, issues: list[Issue]
) -> None:
    reasons: dict[tuple[str | None, int | None], list[str]] = {}
    for i in issues:
        reasons.setdefault((i.sheet, i.row), []).append(f"{i.column or ''}: {i.message}")
    data_cols = [c for c in rows.columns if c not in LINEAGE]
    q = pd.DataFrame(
        {
            "load_id": load_id,
            "dataset": dataset,
            "sheet": rows["_sheet"].values,
            "row_number": rows["_row"].astype("int32").values,
            "row_json": [
                json.dumps({k: (None if pd.isna(v) else str(v)) for k, v in r.items()}, ensure_ascii=False)
                for r in rows[data_cols].to_dict("records")
            ],
            "reasons": [
                "; ".join(reasons.get((s, int(r)), []))
                for s, r in zip(rows["_sheet"], rows["_row"], strict=True)
            ],
        }
    )
    _insert(con, "meta.quarantine", q)
    home.quarantine.mkdir(parents=True, exist_ok=True)
    out = rows.copy()
    out.insert(0, "reasons", q["reasons"].values)
    dest = home.quarantine / f"load{load_id:06d}.csv"
    tmp = dest.with_name(dest.name + ".tmp")
    try:
        out.to_csv(tmp, index=False, encoding="utf-8-sig")
    except BaseException:  # a full disk: no partial CSV left filling it (the load rolls back)
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(dest)

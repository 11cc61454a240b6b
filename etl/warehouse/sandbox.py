"""Each file read and extracted in its own worker process, under memory and time limits.

A reader (calamine, fastexcel: native code) can abort the process, allocate without bound or hang
on a hostile file. `extract_isolated` forks a worker (the parent has imported pandas, pyarrow and
the readers already: a fork costs milliseconds, nothing is imported again), limits its address
space (`RLIMIT_AS`: what it had at the fork plus `STATWH_WORKER_MEMORY`) and waits at most
`STATWH_WORKER_SECONDS`. The worker sends its `Extraction`'s parts back through a pipe (pickled).
A worker that dies by a signal, runs out of memory or time, or sends nothing is a `ReaderCrash`:
the caller records the file as rejected (rule `reader_crashed`) and goes on with the next one.
Within `resident_workers()` (`statwh run`) a worker stays for the next files, under the same
limits for each (see "resident workers" below).

Validation and the warehouse write stay in the parent.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import resource
import select
import signal
import struct
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import fastexcel  # noqa: F401 - imported before any fork, so no worker imports it again
import pandas as pd
import python_calamine  # noqa: F401 - as fastexcel

from etl.base.issues import Issue
from etl.extract import extract
from etl.read import OLE2_MAGIC, ZIP_MAGIC
from etl.read.biff import check_xls_extent
from etl.read.ooxml import CELL_REF, ExtentError, calculated_on_load, check_extent
from etl.reference.regions import RegionResolver
from etl.spec.model import builtin_specs

T = TypeVar("T")

# called in the worker with the file's name before it reads (tests: make a worker crash)
before_read: Callable[[str], None] | None = None


class ReaderCrash(Exception):
    """The worker reading a file died, ran out of memory or time: the message says which."""


@dataclass
class Extracted:
    """What the parent needs of an `Extraction` (the spec by its names only)."""

    source: str
    layout: str | None = None
    dataset: str | None = None
    wide: bool = False
    format: str | None = None
    encoding: str | None = None
    reporter: str | None = None
    rows_read: int = 0
    issues: list[Issue] = field(default_factory=list)
    column_map: list[dict] = field(default_factory=list)
    reconciliations: list[dict] = field(default_factory=list)
    frame: pd.DataFrame | None = None


def extract_here(path: Path, source: str, file_name: str, limits: dict[str, int]) -> Extracted:
    """Extract in this process (the worker's work). An
    .xlsx whose sheets reach beyond Excel's limits or `max_cells` is refused before it is read."""
    before = file_issues(path, limits.get("max_cells", 60_000_000))
    if any(i.severity == "critical" for i in before):
        return Extracted(source=source, issues=before)
    ex = extract(path, source, file_name=file_name, limits=limits)
    ex.issues[:0] = before
    return Extracted(
        source=ex.source,
        layout=ex.spec.layout if ex.spec else None,
        dataset=ex.spec.dataset if ex.spec else None,
        wide=ex.reshaped,
        format=ex.format,
        encoding=ex.encoding,
        reporter=next((s.reporter for s in ex.sheets if s.reporter), None),
        rows_read=ex.rows_read,
        issues=list(ex.issues),
        column_map=ex.column_map,
        reconciliations=ex.reconciliations,
        frame=ex.frame,
    )


def file_issues(path: Path, max_cells: int) -> list[Issue]:
    """What is seen of a workbook before it is read: a critical issue when the .xlsx's or .xls's
    sheets are too large to read (`check_extent`, `check_xls_extent`); a warning for each sheet
    of an .xlsx with formulas that were never calculated (read as blank cells). [] otherwise (a
    CSV, or a file the reader will name the damage of)."""
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(OLE2_MAGIC):
        try:
            check_xls_extent(path, max_cells)
        except ExtentError as e:
            return [Issue("critical", "too_many_cells", str(e))]
        return []
    if not head.startswith(ZIP_MAGIC):
        return []
    try:
        with zipfile.ZipFile(path) as z:
            uncached = check_extent(z, max_cells)
            if (sheet := calculated_on_load(z)) is not None:
                return [
                    Issue(
                        "critical",
                        "formula_not_calculated",
                        f"工作表“{sheet}”中的公式从未计算（文件由程序生成，要求打开时重算），保存的结果不是公式的值："
                        "请在 Excel/WPS 中打开、保存后重新报送 / the workbook's formulas were never calculated"
                        " (written by a program, calculated on opening): their stored results are not their"
                        " values; open and save the file in Excel or WPS",
                        sheet,
                    )
                ]
    except ExtentError as e:
        return [Issue("critical", "too_many_cells", str(e))]
    except Exception:  # noqa: BLE001 - damage: the reader's own message names it
        return []
    return [
        Issue(
            "warning",
            "formula_not_calculated",
            f"工作表“{sheet}”中的公式没有计算结果（如 {ref}），这些单元格按空白读取：文件可能由程序生成、"
            f"未经 Excel/WPS 保存，请在 Excel/WPS 中打开、保存后重新报送 / formulas never calculated"
            f" (e.g. {ref}) are read as blank cells: open and save the file in Excel or WPS",
            sheet,
            int(m.group(2)) if (m := CELL_REF.fullmatch(ref)) else None,
            m.group(1) if m else None,
        )
        for sheet, ref in uncached.items()
    ]


def _address_space() -> int:
    """This process's virtual size in bytes (Linux: /proc/self/statm), 0 when unknown."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _worker(write_fd: int, run: Callable[[], object], file_name: str, memory: int) -> None:
    """The child: limit memory, extract, send the result (or the error) and exit without cleanup."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if memory:
            limit = _address_space() + memory
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        if before_read is not None:
            before_read(file_name)
        try:
            payload = pickle.dumps(("ok", run()), protocol=5)
        except MemoryError:
            payload = pickle.dumps(("memory", None))
        except Exception as e:  # extract never raises on bad input: this is a reader's failure
            payload = pickle.dumps(("error", f"{type(e).__name__}: {e}"[:500]))
        with os.fdopen(write_fd, "wb") as out:
            out.write(payload)
    except BaseException:
        code = 70
    finally:
        os._exit(code)


def _read_all(fd: int, pid: int, timeout: float) -> bytes | None:
    """Everything the worker writes, or None when it took longer than `timeout` (then it is killed)."""
    chunks, deadline = [], time.monotonic() + timeout
    with os.fdopen(fd, "rb", buffering=0) as f:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([f], [], [], left)[0]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                return None
            chunk = f.read(1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def _why(status: int, data: bytes | None, timeout: float) -> str:
    if data is None:
        return f"超过 {timeout:g} 秒未读完 / took longer than STATWH_WORKER_SECONDS={timeout:g}"
    if os.WIFSIGNALED(status):
        return f"读取进程被信号 {signal.Signals(os.WTERMSIG(status)).name} 终止 / killed by a signal"
    return f"读取进程退出码 {os.waitstatus_to_exitcode(status)} / exit status"


def warm_parent() -> None:
    """Build here, once, what every extraction loads on first use (the region tables, ~1 s; the
    source specs), so that each worker inherits it instead of loading it again and throwing it away."""
    RegionResolver.default()
    builtin_specs()


def _warming_up() -> bool:
    return any(t.name == "statwh-gx-warm-up" and t.is_alive() for t in threading.enumerate())


def _quiet_threads() -> None:
    """Wait for the great_expectations warm-up thread (`etl.warehouse.load`) to end before a fork:
    a thread importing modules while the process forks could leave the worker waiting on a lock."""
    for t in threading.enumerate():
        if t.name == "statwh-gx-warm-up" and t is not threading.current_thread():
            t.join()


@dataclass
class Pending:
    """A worker started by `start_worker`: its pipe read on a thread of this process while it runs
    (the thread then reaps the worker: `result` waits for what the worker sent, not for its exit)."""

    pid: int
    file_name: str
    memory: int
    timeout: float
    reader: threading.Thread
    data: list[bytes | None] = field(default_factory=list)
    status: list[int] = field(default_factory=list)
    sent: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        """Kill the worker and wait for it (its result is not wanted). One that has sent its result
        is exiting by itself, and may be reaped already: its pid is not signalled (it could be
        another process's by then)."""
        if not self.sent.is_set():  # not reaped before the reading thread sets it
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        self.reader.join()

    def result(self) -> Any:
        """Wait for the worker: its `Extracted`, or `ReaderCrash` when it failed. A worker that
        sent its result is reaped by the reading thread meanwhile; one that sent nothing is waited
        for here, for its exit status."""
        self.sent.wait()
        data = self.data[0] if self.data else None
        if not data:
            self.reader.join()
            raise ReaderCrash(_why(self.status[0] if self.status else 0, data, self.timeout))
        kind, value = pickle.loads(data)
        if kind == "ok":
            return value
        if kind == "memory":
            raise ReaderCrash(f"内存超过上限 STATWH_WORKER_MEMORY={self.memory:,} 字节 / out of memory")
        raise ReaderCrash(f"读取出错 / the reader failed: {value}")


def _read_and_reap(job: Pending, fd: int) -> None:
    """The reading thread of `job`: what the worker sends (`_read_all`), then the worker's exit."""
    try:
        job.data.append(_read_all(fd, job.pid, job.timeout))
    finally:
        job.sent.set()
        with contextlib.suppress(ChildProcessError):
            job.status.append(os.waitpid(job.pid, 0)[1])


def start_worker(
    run: Callable[[], Any],
    file_name: str,
    *,
    memory: int,
    timeout: float,
    meanwhile: Callable[[], None] | None = None,
) -> Pending:
    """Fork the worker of `run()` (see the module's doc) and return at once: a thread here reads
    what it sends (so this thread can do other work, e.g. load the previous file, meanwhile);
    `Pending.result()` waits for it. Call it from the thread that loads (forks happen while the
    other threads of statwh are idle). `meanwhile` is called here once the worker runs."""
    warm_parent()
    _quiet_threads()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (coverage does not follow it)
        os.close(read_fd)
        _worker(write_fd, run, file_name, memory)
    os.close(write_fd)
    reader = threading.Thread(
        target=lambda: _read_and_reap(job, read_fd), name=f"statwh-worker-{pid}", daemon=True
    )
    job = Pending(pid, file_name, memory, timeout, reader)
    reader.start()
    if meanwhile is not None:
        meanwhile()
    return job


def in_worker(
    run: Callable[[], T],
    file_name: str,
    *,
    memory: int,
    timeout: float,
    meanwhile: Callable[[], None] | None = None,
) -> T:
    """`run()` in a forked worker (see the module's doc); `ReaderCrash` when the worker fails.
    `meanwhile` is called here once the worker runs (work to overlap with the read). What `run`
    returns must pickle (an `Extracted`; `statwh spec draft`'s draft)."""
    return start_worker(run, file_name, memory=memory, timeout=timeout, meanwhile=meanwhile).result()


def start_extraction(
    path: Path,
    source: str,
    file_name: str,
    limits: dict[str, int],
    *,
    memory: int,
    timeout: float,
    meanwhile: Callable[[], None] | None = None,
    then: Callable[[Extracted], Any] | None = None,
) -> Pending:
    """`extract_isolated` started, not waited for: `Pending.result()` gives what it returns, or
    what `then` (run in the worker too) makes of it. Inside `resident_workers()` a resident worker
    takes it when `then` pickles (a module's function, or a `functools.partial` of one)."""
    run = functools.partial(_extract_then, path, source, file_name, limits, then)
    if _pool is not None and (job := _pool.start(run, file_name, memory=memory, timeout=timeout)):
        if meanwhile is not None:
            meanwhile()
        return job
    return start_worker(run, file_name, memory=memory, timeout=timeout, meanwhile=meanwhile)


def _extract_then(
    path: Path, source: str, file_name: str, limits: dict[str, int], then: Callable[[Extracted], Any] | None
) -> Any:
    ex = extract_here(path, source, file_name, limits)
    return ex if then is None else then(ex)


def extract_isolated(
    path: Path,
    source: str,
    file_name: str,
    limits: dict[str, int],
    *,
    memory: int,
    timeout: float,
    meanwhile: Callable[[], None] | None = None,
) -> Extracted:
    """Extract `path` in a worker process: `ReaderCrash` when it crashes, runs out of memory or
    time. `meanwhile`: called in this process while the worker reads."""
    return in_worker(
        lambda: extract_here(path, source, file_name, limits),
        file_name,
        memory=memory,
        timeout=timeout,
        meanwhile=meanwhile,
    )


# ---- resident workers ---------------------------------------------------------------------------
#
# A fork copies nothing at first, but from then on every page the parent writes to is copied
# (a fault each): the loading process, ≈ 1 GB with DuckDB's buffers, took ≈ 570,000 faults
# (3 s of system time) in a run of the 35 sample files, forking once a file. Within
# `resident_workers()` (a run of `process_inbox`) a worker forked once great_expectations is
# imported stays for the next files: it reads a job (a pickled call) from a pipe, runs it under
# the same limits, sends the result, and waits for the next. One that crashes, runs out of memory
# or time, or fails does one file only, as before. One forked before great_expectations was
# imported (`statwh run`'s first) imports it in its job (`etl.warehouse.load._validated_ahead`),
# on the core that would otherwise wait for the loading process's import, and stays.

RESIDENT_JOBS = 64
"""Files a resident worker reads before it leaves (a new one is forked when needed)."""
RESIDENT_GROWTH = 512 * 2**20
"""…or once its address space has grown this much over what it started with (bytes)."""

_HEAD = struct.Struct("<QB")  # a message's length, and (a result's) whether the worker stays
_pool: ResidentPool | None = None
_job_began: float | None = None  # in a resident worker: when its current job began (`resident_job_seconds`)


@dataclass
class _Resident:
    pid: int
    jobs: int  # the pipe's end this process writes jobs to (-1: closed)
    results: int  # the end it reads results from (-1: closed)

    def close(self) -> None:
        """Close this process's ends of the worker's pipes (once: the numbers may be reused)."""
        for fd in (self.jobs, self.results):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.jobs = self.results = -1


class ResidentPool:
    """The resident workers of one run (`resident_workers`): idle ones wait for a job."""

    def __init__(self) -> None:
        self._idle: list[_Resident] = []
        self._live: dict[int, _Resident] = {}  # by pid: every worker not reaped yet
        self._lock = threading.Lock()
        self._closed = False

    def start(
        self, run: Callable[[], Any], file_name: str, *, memory: int, timeout: float, fork: bool = True
    ) -> Pending | None:
        """`run()` on an idle worker, else on a new one, as `start_worker` runs it; None when
        `run` does not pickle (a lambda, a local function: `start_worker` forks for it), or when
        no worker is idle and not `fork` (forks happen while statwh's other threads are idle)."""
        try:
            job = pickle.dumps((run, file_name, memory), protocol=5)
        except (pickle.PicklingError, TypeError, AttributeError):
            return None
        with self._lock:
            worker = self._idle.pop() if self._idle else None
        if worker is not None and not _send(worker, job):
            self._end(worker, kill=True)
            worker = None
        if worker is None:
            if not fork:
                return None
            worker = self._fork()
            _send(worker, job)  # when it died at once, the reading thread says how
        pending = Pending(worker.pid, file_name, memory, timeout, threading.Thread())
        pending.reader = threading.Thread(
            target=self._read, args=(pending, worker), name=f"statwh-worker-{worker.pid}", daemon=True
        )
        pending.reader.start()
        return pending

    def keep_one_idle(self) -> None:
        """Fork a worker now, from the loading thread between loads, when none is idle and
        great_expectations is imported (`on_idle_worker` then finds one while a file loads)."""
        with self._lock:
            if self._idle or self._closed:
                return
        if "great_expectations" in sys.modules and not _warming_up():
            worker = self._fork()
            with self._lock:
                self._idle.append(worker)

    def _fork(self) -> _Resident:
        warm_parent()
        _quiet_threads()
        with self._lock:
            jobs_r, jobs_w = os.pipe()
            results_r, results_w = os.pipe()
            others = [fd for w in self._live.values() for fd in (w.jobs, w.results) if fd >= 0]
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child (coverage does not follow it)
                for fd in (jobs_w, results_r, *others):  # the other workers' pipes: theirs
                    with contextlib.suppress(OSError):
                        os.close(fd)
                _resident(jobs_r, results_w)
            os.close(jobs_r)
            os.close(results_w)
            worker = self._live[pid] = _Resident(pid, jobs_w, results_r)
        return worker

    def _read(self, pending: Pending, worker: _Resident) -> None:
        """The reading thread of one job: its result, then the worker back to the idle ones — or
        reaped, when it left or failed."""
        stays = False
        try:
            data, stays = _read_message(worker.results, worker.pid, pending.timeout)
            pending.data.append(data)
        finally:
            pending.sent.set()
            self._keep_or_end(pending, worker, stays)

    def _keep_or_end(self, pending: Pending, worker: _Resident, stays: bool) -> None:
        with self._lock:
            kept = stays and not self._closed
            if kept:
                self._idle.append(worker)
        if not kept:
            pending.status.extend(self._end(worker, kill=False))

    def close(self) -> None:
        """Let the idle workers go (each leaves when its job pipe closes) and reap them."""
        with self._lock:
            idle, self._idle, self._closed = self._idle, [], True
        for worker in idle:
            self._end(worker, kill=False)

    def _end(self, worker: _Resident, *, kill: bool) -> list[int]:
        """Close the worker's pipes (an idle one then leaves) and reap it: [its exit status]."""
        with self._lock:  # not while a fork takes the numbers of the pipes to close in the child
            worker.close()
        if kill:
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGKILL)
        try:
            return [os.waitpid(worker.pid, 0)[1]]
        except ChildProcessError:
            return []
        finally:
            with self._lock:
                self._live.pop(worker.pid, None)


def _send(worker: _Resident, job: bytes) -> bool:
    try:
        _write_all(worker.jobs, _HEAD.pack(len(job), 0) + job)
    except OSError:  # it died while idle (killed from outside)
        return False
    return True


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes | None:
    """`n` bytes from `fd`; fewer at its end (b"" at once); None past `deadline`."""
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _read_message(fd: int, pid: int, timeout: float) -> tuple[bytes | None, bool]:
    """A resident worker's result and whether it stays: (b"", False) when it died before it had
    sent it all, (None, False) when it took longer than `timeout` (then it is killed)."""
    deadline = time.monotonic() + timeout
    head = _read_exact(fd, _HEAD.size, deadline)
    if head is not None and len(head) == _HEAD.size:
        size, stays = _HEAD.unpack(head)
        body = _read_exact(fd, size, deadline)
        if body is not None:
            return (body, bool(stays)) if len(body) == size else (b"", False)
    elif head is not None:
        return b"", False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    return None, False


def _resident(jobs: int, results: int) -> None:
    """The resident worker: each job read from `jobs` run as `_worker` runs its one, its result
    written to `results`; it leaves at the pipe's end, or after a job it should not outlive."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        born, done = _address_space(), 0
        warm = "great_expectations" in sys.modules  # forked warm: it validates as it reads
        global _job_began
        while (head := _read_exact(jobs, _HEAD.size, None)) and len(head) == _HEAD.size:
            run, file_name, memory = pickle.loads(_read_exact(jobs, _HEAD.unpack(head)[0], None) or b"")
            # the job's limit from here (a soft one: the next job's may be higher, or none)
            soft = hard if not memory else _address_space() + memory
            resource.setrlimit(resource.RLIMIT_AS, (soft if hard < 0 else min(soft, hard), hard))
            _job_began = time.monotonic()
            payload, ok = _run_job(run, file_name)
            # lifted again: neither waiting nor the next job's unpickling is under this file's limit
            resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
            done += 1
            if not warm and "great_expectations" in sys.modules:  # imported by its job: warm from now on
                born, warm = _address_space(), True  # (what the import took is not the files' growth)
            stays = warm and ok and done < RESIDENT_JOBS and _address_space() - born < RESIDENT_GROWTH
            _write_all(results, _HEAD.pack(len(payload), stays) + payload)
            if not stays:
                break
    except BaseException:
        code = 70
    finally:
        os._exit(code)


def _run_job(run: Callable[[], Any], file_name: str) -> tuple[bytes, bool]:
    """The job's pickled result (as `_worker` sends it), and whether it went well."""
    if before_read is not None:
        before_read(file_name)
    try:
        return pickle.dumps(("ok", run()), protocol=5), True
    except MemoryError:
        return pickle.dumps(("memory", None)), False
    except Exception as e:  # as in `_worker`: a reader's failure
        return pickle.dumps(("error", f"{type(e).__name__}: {e}"[:500])), False


def resident_job_seconds() -> float | None:
    """In a resident worker (`resident_workers`): the seconds since its current job began (its
    file's time, `STATWH_WORKER_SECONDS`, runs from then); None in any other process."""
    return None if _job_began is None else time.monotonic() - _job_began


def on_idle_worker(run: Callable[[], Any], name: str, *, memory: int, timeout: float) -> Pending | None:
    """`run()` on an idle resident worker of the open `resident_workers()`, if there is one (and
    `run` pickles): its `Pending`; else None (nothing is forked: the caller runs it itself)."""
    pool = _pool
    return None if pool is None else pool.start(run, name, memory=memory, timeout=timeout, fork=False)


def keep_one_worker_idle() -> None:
    """Within `resident_workers()`: see `ResidentPool.keep_one_idle`."""
    if _pool is not None:
        _pool.keep_one_idle()


@contextlib.contextmanager
def resident_workers() -> Iterator[ResidentPool]:
    """Within it, `start_extraction` hands files to resident workers (see above); they leave at its end."""
    global _pool
    outer, pool = _pool, ResidentPool()
    _pool = pool
    try:
        yield pool
    finally:
        _pool = outer
        pool.close()

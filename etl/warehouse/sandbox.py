"""Each file read and extracted in its own worker process, under memory and time limits.

A reader (calamine, fastexcel: native code) can abort the process, allocate without bound or hang
on a hostile file. `extract_isolated` forks a worker (the parent has imported pandas, pyarrow and
the readers already: a fork costs milliseconds, nothing is imported again), limits its address
space (`RLIMIT_AS`: what it had at the fork plus `STATWH_WORKER_MEMORY`) and waits at most
`STATWH_WORKER_SECONDS`. The worker sends its `Extraction`'s parts back through a pipe (pickled).
A worker that dies by a signal, runs out of memory or time, or sends nothing is a `ReaderCrash`:
the caller records the file as rejected (rule `reader_crashed`) and goes on with the next one.

Validation and the warehouse write stay in the parent.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import resource
import select
import signal
import threading
import time
import zipfile
from collections.abc import Callable
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
from etl.read.ooxml import CELL_REF, ExtentError, check_extent
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
    what `then` (run in the worker too) makes of it."""

    def run() -> Any:
        ex = extract_here(path, source, file_name, limits)
        return ex if then is None else then(ex)

    return start_worker(run, file_name, memory=memory, timeout=timeout, meanwhile=meanwhile)


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

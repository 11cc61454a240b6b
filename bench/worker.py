"""One benchmark configuration, run in a fresh process: `python -m bench.worker KIND OUT.json ARGS…`.

KIND is `floor`, `ours`, `naive` or `history`. Imports (great_expectations included) happen before
any timing; each stage is timed with `perf_counter`, and the process's peak RSS is read at the end
(`ru_maxrss`) and after every stage (`VmHWM`, the high-water mark so far). The result is written to
OUT.json for `bench.run` to collect.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def rss_mb() -> float:
    return _status_kb("VmRSS") / 1024


def hwm_mb() -> float:
    return _status_kb("VmHWM") / 1024


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class Stages:
    """Times named stages and records the memory high-water mark after each.

    Stages nest: a stage entered inside another (validate inside load, when commit validates
    against history) is counted for itself only, and its time is taken out of the outer one, so
    the stages add up to the wall time.

    CPU seconds are the process's (every thread), except for a stage entered with `thread=True`:
    its CPU is the calling thread's only. Validation is timed so, because `ingest_file` runs it
    while a writer thread inserts the rows: the writer's CPU then stays with `load`, where its
    work belongs. CPU another thread spends for a stage while a different one is open is moved
    with `move_cpu` (the great_expectations warm-up that runs during extraction)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}  # CPU seconds, as above: steadier on a busy machine
        self.hwm_mb: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._stack: list[
            list
        ] = []  # [name, start, cpu start, wall in inner stages, cpu in inner stages, clock]
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def __call__(self, name: str, *, thread: bool = False):
        clock = time.thread_time if thread else time.process_time
        frame = [name, time.perf_counter(), clock(), 0.0, 0.0, clock]
        self._stack.append(frame)
        try:
            yield
        finally:
            self._stack.pop()
            elapsed = time.perf_counter() - frame[1]
            cpu = frame[5]() - frame[2]
            with self._lock:
                self.seconds[name] = self.seconds.get(name, 0.0) + elapsed - frame[3]
                self.cpu[name] = self.cpu.get(name, 0.0) + cpu - frame[4]
            self.calls[name] = self.calls.get(name, 0) + 1
            self.hwm_mb[name] = hwm_mb()
            if self._stack:
                self._stack[-1][3] += elapsed
                self._stack[-1][4] += cpu

    def move_cpu(self, seconds: float, *, from_stage: str, to_stage: str) -> None:
        with self._lock:
            self.cpu[from_stage] = self.cpu.get(from_stage, 0.0) - seconds
            self.cpu[to_stage] = self.cpu.get(to_stage, 0.0) + seconds

    def move_seconds(self, seconds: float, *, from_stage: str, to_stage: str) -> None:
        """Wall time one stage spent waiting for another's work on a second thread."""
        with self._lock:
            self.seconds[from_stage] = self.seconds.get(from_stage, 0.0) - seconds
            self.seconds[to_stage] = self.seconds.get(to_stage, 0.0) + seconds
            self.calls[to_stage] = self.calls.get(to_stage, 0) + 1


def _quiet() -> None:
    import logging

    logging.disable(logging.WARNING)


# ---------------------------------------------------------------- floor


def run_floor(path: Path, work: Path) -> dict:
    """A raw fastexcel read of the whole sheet into Arrow, then a DuckDB insert of that table."""
    import duckdb
    import fastexcel

    from bench.gen import FIRST_DATA_ROW

    base = rss_mb()
    st = Stages()
    with st("read"):  # typed: the body below the 5 head rows, fastexcel infers each column's type
        tbl = (
            fastexcel.read_excel(str(path))
            .load_sheet(0, header_row=None, skip_rows=FIRST_DATA_ROW)
            .to_arrow()
        )
    rows = tbl.num_rows
    con = duckdb.connect(str(work / "floor.duckdb"))
    with st("insert"):
        con.execute("create table roster as select * from tbl")
    con.close()
    del tbl
    with st("read_untyped"):  # every row, every cell as text (what header_row=None alone gives)
        untyped = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None).to_arrow()
    del untyped
    return {"rows": rows, "seconds": st.seconds, "cpu": st.cpu, "hwm_mb": st.hwm_mb, "baseline_rss_mb": base}


# ---------------------------------------------------------------- ours


_CURRENT: list[Stages] = []
"""The Stages the wrapped extract / validate report to (the last one set by `_instrument`)."""


def _instrument(st: Stages) -> None:
    """Time extract (as etl.warehouse.load calls it) and validate (as etl.warehouse.load's validation imports it);
    the CPU of the great_expectations warm-up thread, which runs while the sheet is read, is
    moved from extract to validate."""
    import etl.validate.suites
    import etl.warehouse.load

    if not _CURRENT:
        orig_extract, orig_validate, orig_warm = (
            etl.warehouse.load.extract_isolated,  # the worker process reading the file
            etl.validate.suites.validate,
            etl.validate.suites.warm_up,
        )

        def extract(*a, **k):
            with _CURRENT[-1]("extract"):
                return orig_extract(*a, **k)

        def validate(*a, **k):
            with _CURRENT[-1]("validate", thread=True):
                return orig_validate(*a, **k)

        def warm_up(*a, **k):
            t0 = time.thread_time()
            try:
                return orig_warm(*a, **k)
            finally:
                _CURRENT[-1].move_cpu(time.thread_time() - t0, from_stage="extract", to_stage="validate")

        etl.warehouse.load.extract_isolated, etl.validate.suites.validate, etl.validate.suites.warm_up = (
            extract,
            validate,
            warm_up,
        )
        _CURRENT.append(st)
    _CURRENT[-1] = st


def _ingest_one(con, home, path: Path, st: Stages | None = None) -> dict:
    """What `statwh ingest` does with one file: ingest_file (archive, extract, then validate while
    the rows are written and the warehouse built) → publish, each stage timed."""
    from etl.warehouse.build import build
    from etl.warehouse.load import ingest_file
    from etl.warehouse.publish import publish

    st = st or Stages()
    # load = what ingest_file does besides extract and validate (both timed inside it, and taken
    # out): sha256, the archive copy, the history query and the DuckDB writes that did not
    # overlap validation, the commit
    with st("load"):
        res = ingest_file(con, home, path, "enterprises", build=True)
    if res.build is not None:
        # built on the writer thread while the suite ran: the part of it validation did not hide
        # (what the load waited for) is the build's, and so is the writer's CPU for it
        st.move_seconds(res.build_timing["waited"], from_stage="load", to_stage="build")
        st.move_cpu(res.build_timing["cpu"], from_stage="load", to_stage="build")
        models = res.build
    else:
        with st("build"):
            models = build(con)  # seconds per model
    with st("publish"):
        publish(con, home)
    return {
        "status": res.status,
        "rows_read": res.rows_read,
        "rows_loaded": res.rows_loaded,
        "rows_rejected": res.rows_rejected,
        "warnings": len(res.warnings),
        "message": res.message,
        "build_models": {k: round(v, 4) for k, v in (models or {}).items()},
        "build_ahead": {k: round(v, 4) for k, v in res.build_timing.items()},
    }


def _ours_setup():
    import great_expectations  # noqa: F401  the one-time 6-7 s import, never timed

    import etl.extract
    import etl.validate.suites  # noqa: F401
    from etl.base.settings import Home
    from etl.warehouse.connection import connect

    _quiet()
    return Home, connect


def _warmup(work: Path, warm: Path | None) -> float:
    """Process-wide one-time costs (GX context, region tables, model files) on a tiny roster."""
    if warm is None:
        return 0.0
    Home, connect = _ours_setup()
    home = Home(work / "warmup").ensure()
    con = connect(home)
    t0 = time.perf_counter()
    _ingest_one(con, home, warm)
    con.close()
    return time.perf_counter() - t0


def run_ours(path: Path, work: Path, warm: Path | None) -> dict:
    Home, connect = _ours_setup()
    base = rss_mb()
    warm_s = _warmup(work, warm)
    home = Home(work / "home").ensure()
    st = Stages()
    _instrument(st)
    with st("connect"):
        con = connect(home)
    info = _ingest_one(con, home, path, st)
    con.close()
    return {
        "rows": info["rows_loaded"],
        "result": info,
        "seconds": st.seconds,
        "cpu": st.cpu,
        "calls": st.calls,
        "hwm_mb": st.hwm_mb,
        "baseline_rss_mb": base,
        "warmup_s": warm_s,
    }


# ---------------------------------------------------------------- naive


NAIVE_COLUMNS = ["seq", "credit_code", "name", "township", "industry_code", "chain", "output_month", "output_ytd",
                 "revenue_month", "revenue_ytd", "employees", "is_above_scale", "is_srdi", "is_hightech",
                 "is_listed", "is_top50", "entry_type"]  # fmt: skip
FLAGS = ["is_above_scale", "is_srdi", "is_hightech", "is_listed", "is_top50"]


def naive_frame(path: Path):
    """What a tutorial does: read_excel with openpyxl and a two-row header, then tidy by hand."""
    import pandas as pd

    from etl.demo import DEMO_TOWNSHIPS

    df = pd.read_excel(path, engine="openpyxl", header=[2, 3])
    return df, DEMO_TOWNSHIPS


def naive_tidy(df, path: Path, towns):
    import pandas as pd

    df.columns = NAIVE_COLUMNS
    df = df[df["credit_code"].notna()].copy()  # drops the 合计 row, the blank row and the notes
    y, m = map(int, re.search(r"(\d{4})年1?-?(\d{1,2})月", path.name).groups())
    df["period"] = f"{y}-{m:02d}"
    df["period_end"] = pd.Timestamp(y, m, 1) + pd.offsets.MonthEnd(0)
    df["township_code"] = df["township"].map({name: code for code, name in towns})
    df["industry_code"] = df["industry_code"].astype("Int64").astype("string")
    df["employees"] = df["employees"].astype("Int64")
    for f in FLAGS:
        df[f] = df[f].map({"是": True, "否": False})
    return df.drop(columns=["seq"])


def run_naive(path: Path, work: Path, warm: Path | None) -> dict:
    import great_expectations  # noqa: F401  never timed
    import sqlalchemy

    from etl.validate.suites import validate

    _quiet()
    base = rss_mb()
    warm_s = 0.0
    if warm is not None:  # the same one-time GX context cost ours is spared from
        t0 = time.perf_counter()
        df, towns = naive_frame(warm)
        validate("enterprise_periods", naive_tidy(df, warm, towns))
        warm_s = time.perf_counter() - t0
    st = Stages()
    with st("read"):
        df, towns = naive_frame(path)
    with st("transform"):
        df = naive_tidy(df, path, towns)
    with st("validate"):
        outcome = validate("enterprise_periods", df)
    engine = sqlalchemy.create_engine(f"duckdb:///{work / 'naive.duckdb'}")
    with st("to_sql"):
        df.to_sql("enterprise_periods", engine, if_exists="append", index=False)
    engine.dispose()
    return {
        "rows": len(df),
        "issues": len(outcome.issues),
        "seconds": st.seconds,
        "cpu": st.cpu,
        "hwm_mb": st.hwm_mb,
        "baseline_rss_mb": base,
        "warmup_s": warm_s,
    }


# ---------------------------------------------------------------- history


def run_history(paths: list[Path], work: Path, warm: Path | None) -> dict:
    """Month 1..N loaded one by one into the same warehouse, each followed by build and publish."""
    Home, connect = _ours_setup()
    base = rss_mb()
    warm_s = _warmup(work, warm)
    home = Home(work / "home").ensure()
    con = connect(home)
    months = []
    for p in paths:
        st = Stages()
        _instrument(st)
        info = _ingest_one(con, home, p, st)
        months.append(
            {
                "file": p.name,
                "rows": info["rows_loaded"],
                "status": info["status"],
                "build_models": info["build_models"],
                "seconds": st.seconds,
                "cpu": st.cpu,
                "calls": st.calls,
                "hwm_mb": hwm_mb(),
            }
        )
    con.close()
    return {"months": months, "baseline_rss_mb": base, "warmup_s": warm_s}


def main(argv: list[str]) -> int:
    kind, out, *args = argv
    work = Path(tempfile.mkdtemp(prefix=f"statwh-bench-{kind}-"))
    warm = Path(os.environ["BENCH_WARMUP"]) if os.environ.get("BENCH_WARMUP") else None
    try:
        if kind == "floor":
            res = run_floor(Path(args[0]), work)
        elif kind == "ours":
            res = run_ours(Path(args[0]), work, warm)
        elif kind == "naive":
            res = run_naive(Path(args[0]), work, warm)
        elif kind == "history":
            res = run_history([Path(a) for a in args], work, warm)
        else:
            raise SystemExit(f"unknown kind {kind!r}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    res["peak_rss_mb"] = peak_mb()
    res["kind"] = kind
    Path(out).write_text(json.dumps(res, ensure_ascii=False, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""What users wait for: whole processes, timed from start to exit (`python -m bench.run --whole`).

    python -m bench.whole [--repeat 3] [--rows 200000] [--naive-repeat 1] [--inbox DIR] [--out JSON]

Three comparisons, each made of fresh processes run alternately (one of each, then again, `repeat`
times; the figure is the median of each), in fresh data areas prepared before the clock starts:

* **demo inbox**: `statwh run` on the sample inbox (`etl.demo.write_demo`, 35 files) against the
  floor (`bench/floor_inbox.py`: fastexcel read of every sheet + DuckDB insert) and the naive peer
  (`bench/naive_inbox.py`: pandas/openpyxl + a two-expectation GX suite + `to_sql`, per sheet);
* **one more roster**: `statwh ingest enterprises` of a 500-row roster into a data area that holds
  the demo, against a bare process importing what that command imports and great_expectations;
* **the 200k roster**: `statwh ingest enterprises` of it in a fresh data area against the naive
  stack as a process (`bench/naive_roster.py`; it takes a minute, so it runs `naive_repeat` times).

Goals (issue #23) are printed with PASS / MISS beside the previous run's figures (`--out`, by
default bench/results/whole.json, read before it is overwritten). The 1-minute load average is
recorded around every process: the machine is shared, so compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
DEMO_INBOX = Path(__file__).resolve().parent / ".cache" / "demo-inbox"
BARE_IMPORTS = (
    "import etl.cli, etl.ingest, etl.warehouse.load, etl.warehouse.sandbox, etl.report;"
    " import great_expectations"
)
ROSTER_MONTH = (2026, 2)  # the 500-row roster's period: after the demo's last (no slice superseded)

GOALS = [
    # key, what, target text, test
    ("demo_over_floor", "demo inbox, `statwh run` / floor", "≤ 8×", lambda v: v <= 8),
    ("naive_over_demo", "demo inbox, naive peer / `statwh run`", "≥ 3× faster", lambda v: v >= 3),
    ("ingest_over_imports", "500-row ingest into the demo / bare imports", "≤ 3×", lambda v: v <= 3),
    ("naive_over_roster", "200k roster, naive process / `statwh ingest`", "≥ 15× faster", lambda v: v >= 15),
    ("airflow_s", "Airflow, demo inbox trigger → marts (s)", "≤ 60 s", lambda v: v <= 60),
]


def _env(code: Path = ROOT, **extra: str) -> dict[str, str]:
    env = dict(os.environ, GX_ANALYTICS_ENABLED="false", PYTHONPATH=str(code))
    env.pop("STATWH_HOME", None)
    env.update(extra)
    return env


def timed(cmd: list[str], env: dict[str, str], log: Path, timeout: float = 1800) -> dict:
    """Wall seconds of one process (it must exit 0), with the load average before and after. It
    runs in the checkout its PYTHONPATH names (`python -m` looks in the working directory first)."""
    load_before = os.getloadavg()[0]
    with log.open("a", encoding="utf-8") as err:
        err.write(f"\n=== {' '.join(cmd[-3:])}\n")
        err.flush()
        t0 = time.perf_counter()
        cwd = env.get("PYTHONPATH", str(ROOT))
        proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=err, stderr=err, timeout=timeout)
        wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}; see {log}")
    return {"s": wall, "load": [load_before, os.getloadavg()[0]]}


def alternate(setups: dict[str, Callable[[], tuple[list[str], dict]]], repeats: dict[str, int], log: Path):
    """Each configuration's runs, alternated: {name: {"runs": [...], "median_s": ...}}."""
    out: dict[str, dict] = {name: {"runs": []} for name in setups}
    for k in range(max(repeats.values())):
        for name, setup in setups.items():
            if k < repeats[name]:
                cmd, env = setup()
                out[name]["runs"].append(timed(cmd, env, log))
    for v in out.values():
        v["median_s"] = statistics.median(r["s"] for r in v["runs"])
    return out


def demo_inbox(inbox: Path | None = None, files: int | None = None) -> Path:
    """The sample inbox (written once into bench/.cache/demo-inbox), or `inbox` as given; with
    `files`, an inbox of the demo's first files only, one source after the other (the tests')."""
    if inbox is not None:
        return inbox
    if not (DEMO_INBOX / ".complete").exists():
        from etl.demo import write_demo

        shutil.rmtree(DEMO_INBOX, ignore_errors=True)
        write_demo(DEMO_INBOX)
        (DEMO_INBOX / ".complete").touch()
    if files is None:
        return DEMO_INBOX
    part = DEMO_INBOX.with_name(f"demo-inbox-{files}")
    if not (part / ".complete").exists():
        shutil.rmtree(part, ignore_errors=True)
        first: dict[str, Path] = {}
        for p in sorted(DEMO_INBOX.glob("*/*.*")):
            first.setdefault(p.parent.name, p)
        for p in sorted(first.values())[:files]:
            (part / p.parent.name).mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, part / p.parent.name / p.name)
        (part / ".complete").touch()
    return part


def fresh_home(work: Path, inbox: Path | None = None, template: Path | None = None) -> Path:
    """A new data area under `work`: a copy of `template`, or empty; with `inbox` copied into it,
    dated an hour ago (whole files: `statwh run` takes them at once)."""
    home = Path(tempfile.mkdtemp(prefix="home-", dir=work))
    if template is not None:
        shutil.copytree(template, home, dirs_exist_ok=True)
    if inbox is not None:
        shutil.copytree(inbox, home / "inbox", ignore=shutil.ignore_patterns(".complete"))
        old = time.time() - 3600
        for f in (home / "inbox").rglob("*"):
            os.utime(f, (old, old))
    return home


def _statwh(*args: str) -> list[str]:
    return [sys.executable, "-m", "etl.cli", *args]


def measure_demo(
    inbox: Path, work: Path, repeat: int, log: Path, baseline: Path | None = None
) -> tuple[dict, Path]:
    """Floor, `statwh run` and the naive peer on the demo inbox (and `statwh run` of another
    checkout, `baseline`, e.g. before a change); also returns a data area that holds the demo
    (the first `statwh run`'s), for the next comparison."""
    homes: list[Path] = []

    def ours():
        homes.append(fresh_home(work, inbox))
        return _statwh("run"), _env(STATWH_HOME=str(homes[-1]))

    def before():
        return _statwh("run"), _env(baseline, STATWH_HOME=str(fresh_home(work, inbox)))

    def floor():
        db = Path(tempfile.mkdtemp(prefix="floor-", dir=work)) / "floor.duckdb"
        return [sys.executable, "-m", "bench.floor_inbox", str(inbox), str(db)], _env()

    def naive():
        db = Path(tempfile.mkdtemp(prefix="naive-", dir=work)) / "naive.duckdb"
        return [sys.executable, "-m", "bench.naive_inbox", str(inbox), str(db)], _env()

    setups = {"floor": floor, "ours": ours, "naive": naive} | ({"before": before} if baseline else {})
    runs = alternate(setups, dict.fromkeys(setups, repeat), log)
    files = sum(1 for p in inbox.rglob("*") if p.is_file() and p.name != ".complete")
    return {"files": files, **runs}, homes[0]


def measure_ingest(demo_home: Path, roster: Path, work: Path, repeat: int, log: Path) -> dict:
    """One more roster into a copy of a data area holding the demo, against the bare imports."""

    def ours():
        home = fresh_home(work, template=demo_home)
        return _statwh("ingest", "enterprises", str(roster)), _env(STATWH_HOME=str(home))

    def imports():
        return [sys.executable, "-c", BARE_IMPORTS], _env()

    return alternate({"imports": imports, "ours": ours}, {"imports": repeat, "ours": repeat}, log)


def measure_roster(roster: Path, work: Path, repeat: int, naive_repeat: int, log: Path) -> dict:
    """`statwh ingest` of a big roster in a fresh data area against the naive stack as a process."""

    def ours():
        home = fresh_home(work)
        return _statwh("ingest", "enterprises", str(roster)), _env(STATWH_HOME=str(home))

    def naive():
        db = Path(tempfile.mkdtemp(prefix="naive-", dir=work)) / "naive.duckdb"
        return [sys.executable, "-m", "bench.naive_roster", str(roster), str(db)], _env()

    return alternate({"ours": ours, "naive": naive}, {"ours": repeat, "naive": naive_repeat}, log)


def figures(report: dict) -> dict[str, float | None]:
    """The goals' figures from a report (None: not measured)."""

    def med(part: str, name: str) -> float | None:
        return ((report.get(part) or {}).get(name) or {}).get("median_s")

    def ratio(a, b):
        return a / b if a is not None and b else None

    demo_floor, demo_ours, demo_naive = (med("demo", n) for n in ("floor", "ours", "naive"))
    before = med("demo", "before")
    return {
        "demo_over_floor": ratio(demo_ours, demo_floor),
        "naive_over_demo": ratio(demo_naive, demo_ours),
        "ingest_over_imports": ratio(med("ingest", "ours"), med("ingest", "imports")),
        "naive_over_roster": ratio(med("roster", "naive"), med("roster", "ours")),
        "airflow_s": (report.get("airflow") or {}).get("total_s"),
        "before_over_demo": ratio(before, demo_ours),
    }


def goal_rows(report: dict, previous: dict | None) -> list[dict]:
    now, before = figures(report), figures(previous or {})
    rows = []
    for key, what, target, ok in GOALS:
        v = now[key]
        rows.append(
            {
                "goal": what,
                "key": key,
                "target": target,
                "value": v,
                "previous": before[key],
                "status": "n/a" if v is None else ("PASS" if ok(v) else "MISS"),
            }
        )
    return rows


def _fmt(v: float | None, key: str) -> str:
    if v is None:
        return "—"
    return f"{v:.1f} s" if key == "airflow_s" else f"{v:.2f}×"


def print_whole(report: dict, p=print) -> None:
    for part, names in (
        ("demo", ("floor", "ours", "naive")),
        ("ingest", ("imports", "ours")),
        ("roster", ("ours", "naive")),
    ):
        got = report.get(part)
        if not got:
            continue
        cells = []
        for n in names:
            runs = got[n]["runs"]
            cells.append(f"{n} {got[n]['median_s']:.2f} s (" + ", ".join(f"{r['s']:.2f}" for r in runs) + ")")
        loads = [x for n in names for r in got[n]["runs"] for x in r["load"]]
        p(f"{part:7} " + " | ".join(cells) + f" | load avg {min(loads):.1f}–{max(loads):.1f}")
    speedup = figures(report)["before_over_demo"]
    if speedup is not None:
        p(f"demo inbox: the baseline checkout's `statwh run` / this one's: {speedup:.2f}×")
    p()
    for g in report["goals"]:
        p(
            f"{g['status']:5} {g['goal']}: {_fmt(g['value'], g['key'])} (goal {g['target']}; previous {_fmt(g['previous'], g['key'])})"
        )


def run_whole(
    *,
    out: Path,
    repeat: int = 3,
    rows: int = 200_000,
    naive_repeat: int = 1,
    inbox: Path | None = None,
    files: int | None = None,
    baseline: Path | None = None,
    p=print,
) -> dict:
    from bench.gen import rosters

    previous = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    out.parent.mkdir(parents=True, exist_ok=True)
    log = out.with_suffix(".log")
    log.write_text("", encoding="utf-8")
    work = Path(tempfile.mkdtemp(prefix="statwh-whole-"))
    report: dict = {
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "repeat": repeat,
        "rows": rows,
    }
    t0 = time.perf_counter()
    try:
        inbox = demo_inbox(inbox, files)
        p(f"… demo inbox: floor, statwh run, naive peer × {repeat}", flush=True)
        report["demo"], demo_home = measure_demo(inbox, work, repeat, log, baseline)
        p("… one more 500-row roster into the demo's data area, against the bare imports", flush=True)
        small = rosters(500, 1, start=ROSTER_MONTH)[0]
        report["ingest"] = measure_ingest(demo_home, small, work, repeat, log)
        if rows:
            p(f"… the {rows:,}-row roster as a whole process (naive × {naive_repeat})", flush=True)
            report["roster"] = measure_roster(rosters(rows)[0], work, repeat, naive_repeat, log)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    airflow = RESULTS / "airflow.json"  # `make bench-airflow`'s last result, when there is one
    report["airflow"] = json.loads(airflow.read_text(encoding="utf-8")) if airflow.exists() else None
    report["goals"] = goal_rows(report, previous)
    report["total_wall_s"] = time.perf_counter() - t0
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.whole", description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs of each configuration (median)")
    ap.add_argument("--rows", type=int, default=200_000, help="the big roster's rows (0: skip it)")
    ap.add_argument("--naive-repeat", type=int, default=1, help="runs of the naive 200k process")
    ap.add_argument("--inbox", type=Path, help="an inbox to use instead of the demo's")
    ap.add_argument(
        "--baseline", type=Path, help="another checkout whose `statwh run` runs beside (before/after)"
    )
    ap.add_argument("--out", type=Path, default=RESULTS / "whole.json")
    args = ap.parse_args(argv)
    report = run_whole(
        out=args.out,
        repeat=args.repeat,
        rows=args.rows,
        naive_repeat=args.naive_repeat,
        inbox=args.inbox,
        baseline=args.baseline,
    )
    print()
    print_whole(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

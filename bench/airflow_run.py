"""Airflow, the demo inbox from trigger to published marts on the CeleryExecutor (`make bench-airflow`).

    python -m bench.airflow_run [--timeout 600] [--concurrency N] [--out bench/results/airflow.json]

A fresh data area holding the demo inbox (`etl.demo.write_demo`, 35 files, dated an hour ago), a fresh
AIRFLOW_HOME and a PostgreSQL database of its own (dropped afterwards) with Redis database 11 as the
broker (flushed), the project's settings from scripts/airflow-env.sh; api-server, scheduler,
dag-processor and a Celery worker as real processes (bench/airflow_stack.py, the Celery test's).
Once `statwh_pipeline` is parsed and the worker ready, the DAG is unpaused and triggered through the
REST API (login: the generated admin password); the clock runs from that call to the end of the
`publish` task. Each task's queue wait (queued → start) and run time is printed from the metadata
DB, then the total with PASS / MISS against the goal of issue #23 (≤ 60 s) beside the previous
figure (bench/results/airflow.json, read before it is overwritten), and the marts are checked:
published/statwh.duckdb must hold rows of marts.indicator_progress. Everything started is stopped,
also on failure or Ctrl-C. The machine is shared: the 1-minute load average is printed with the figure.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench import airflow_stack as stack

RESULTS = Path(__file__).resolve().parent / "results"
DAG_ID = "statwh_pipeline"
GOAL_S = 60.0
REDIS_NUMBER = 11  # not the Celery test's (13)
PORTS = (19000, 19999)  # the api-server's and the worker log server's


# ---------------------------------------------------------------- figures (no Airflow needed)


def _seconds(a: dt.datetime | None, b: dt.datetime | None) -> float | None:
    return None if a is None or b is None else (b - a).total_seconds()


def task_timings(rows: list[dict], triggered: dt.datetime) -> list[dict]:
    """Per task instance (task_id, map_index, state, queued_dttm, start_date, end_date): the queue
    wait (queued → start), the run time (start → end) and the end as seconds after the trigger,
    in the order they started."""
    out = []
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    for r in sorted(rows, key=lambda r: (r["start_date"] or far, r["task_id"], r["map_index"])):
        out.append(
            {
                "task": r["task_id"],
                "map_index": r["map_index"],
                "state": r["state"],
                "queue_s": _seconds(r["queued_dttm"], r["start_date"]),
                "run_s": _seconds(r["start_date"], r["end_date"]),
                "end_s": _seconds(triggered, r["end_date"]),
            }
        )
    return out


def published_after(tasks: list[dict]) -> float | None:
    """Seconds from the trigger to the end of a successful `publish` (None: it did not succeed)."""
    ends = [t["end_s"] for t in tasks if t["task"] == "publish" and t["state"] == "success"]
    return max(ends) if ends else None


def verdict(total_s: float | None) -> str:
    return "MISS" if total_s is None or total_s > GOAL_S else "PASS"


def _f(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}"


def print_report(report: dict, previous: dict | None, p=print) -> None:
    """The table of task instances, their sums, then the goal line with PASS / MISS."""
    tasks = report["tasks"]
    p(f"{'task':14} {'map':>4} {'state':9} {'queue s':>8} {'run s':>7} {'end s':>7}")
    for t in tasks:
        p(
            f"{t['task']:14} {t['map_index']:>4} {t['state'] or '—':9} {_f(t['queue_s']):>8}"
            f" {_f(t['run_s']):>7} {_f(t['end_s']):>7}"
        )
    queued = sum(t["queue_s"] or 0 for t in tasks)
    ran = sum(t["run_s"] or 0 for t in tasks)
    p(f"{len(tasks)} task instances: {queued:.1f} s queued, {ran:.1f} s running (summed over instances)")
    p(f"trigger → run queued → first task start: {_f(report.get('first_start_s'))} s")
    p(
        f"stack start (not counted): {_f(report.get('stack_start_s'))} s; load avg {report['load'][0]:.1f}–{report['load'][1]:.1f}"
    )
    prev = (previous or {}).get("total_s")
    p(
        f"{verdict(report['total_s'])}  Airflow (CeleryExecutor), demo inbox trigger → published: "
        f"{_f(report['total_s'])} s (goal ≤ {GOAL_S:.0f} s; previous {_f(prev)} s)"
    )


# ---------------------------------------------------------------- the run


def stack_env(
    work: Path, statwh_home: Path, dbname: str, api_port: int, log_port: int, concurrency: int
) -> tuple[dict, Path]:
    """The processes' environment: the Celery stack's, then scripts/airflow-env.sh (its tuning) over it."""
    airflow_home = work / "airflow"
    airflow_home.mkdir(parents=True)
    env = stack.celery_env(
        airflow_home=airflow_home,
        statwh_home=statwh_home,
        dbname=dbname,
        api_port=api_port,
        log_port=log_port,
        redis_number=REDIS_NUMBER,
        jwt_secret=secrets.token_urlsafe(32),
        concurrency=concurrency,
    )
    env["AIRFLOW__CORE__PARALLELISM"] = str(max(4, concurrency))
    env["AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT"] = str(stack.free_port(low=log_port + 1, high=PORTS[1]))
    script = stack.REPO / "scripts" / "airflow-env.sh"
    out = subprocess.run(
        ["bash", "-c", f'source "{script}" >/dev/null 2>&1 && env -0'],
        env={**env, "STATWH_AIRFLOW_NO_SETUP": "1"},
        capture_output=True,
        check=True,
        timeout=60,
    )
    sourced = dict(line.split("=", 1) for line in out.stdout.decode().split("\0") if "=" in line)
    sourced.pop("STATWH_AIRFLOW_NO_SETUP", None)
    return sourced, airflow_home


def _task_rows(dbname: str, run_id: str) -> list[dict]:
    cols = ("task_id", "map_index", "state", "queued_dttm", "start_date", "end_date")
    rows = stack.pg(
        f"select {', '.join(cols)} from task_instance where dag_id = %s and run_id = %s",
        dbname,
        (DAG_ID, run_id),
        fetch=True,
    )
    return [dict(zip(cols, r, strict=True)) for r in rows]


def _wait_run(
    procs: stack.Processes, dbname: str, run_id: str, seconds: float
) -> tuple[str, dt.datetime | None]:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        rows = stack.pg(
            "select state, start_date from dag_run where dag_id = %s and run_id = %s",
            dbname,
            (DAG_ID, run_id),
            fetch=True,
        )
        if rows and rows[0][0] in ("success", "failed"):
            return rows[0][0], rows[0][1]
        procs.check_alive()
        time.sleep(1)
    raise stack.StackError(f"{DAG_ID} run {run_id} did not finish in {seconds:.0f} s")


def marts_rows(snapshot: Path) -> int:
    import duckdb

    if not snapshot.exists():
        return 0
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        return con.execute("select count(*) from marts.indicator_progress").fetchone()[0]
    finally:
        con.close()


def _trigger(procs: stack.Processes, dbname: str, api_port: int, password: str, timeout: float) -> dict:
    """Unpause and trigger the DAG; wait for its run: the run's id, state and timings."""
    jwt = stack.token(api_port, password)
    stack.api(api_port, "PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": False}, jwt)
    triggered = dt.datetime.now(dt.UTC)
    run = stack.api(api_port, "POST", f"/api/v2/dags/{DAG_ID}/dagRuns", {"logical_date": None}, jwt)
    state, run_start = _wait_run(procs, dbname, run["dag_run_id"], timeout)
    tasks = task_timings(_task_rows(dbname, run["dag_run_id"]), triggered)
    return {
        "run_id": run["dag_run_id"],
        "state": state,
        "tasks": tasks,
        "total_s": published_after(tasks),
        "run_start_s": _seconds(triggered, run_start),
        "first_start_s": min(
            (t["end_s"] - t["run_s"] for t in tasks if t["run_s"] is not None), default=None
        ),
    }


def run_bench(*, out: Path, timeout: float, concurrency: int, keep: bool = False, p=print) -> dict:
    from bench.whole import demo_inbox, fresh_home

    previous = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    stack.ensure_postgres()
    stack.ensure_redis()
    if stack.redis_clients(REDIS_NUMBER):
        raise stack.StackError(
            f"Redis database {REDIS_NUMBER} has clients connected (a Celery worker left running would take "
            f"this run's tasks): stop them, see `redis-cli client list`"
        )
    work = Path(tempfile.mkdtemp(prefix="statwh-bench-airflow-"))
    dbname = f"statwh_bench_{uuid.uuid4().hex[:10]}"
    api_port = stack.free_port(low=PORTS[0], high=PORTS[1])
    log_port = stack.free_port(low=api_port + 1, high=PORTS[1])
    statwh_home = fresh_home(work, demo_inbox())
    env, airflow_home = stack_env(work, statwh_home, dbname, api_port, log_port, concurrency)
    password = stack.write_password(airflow_home)
    stack.redis_db(REDIS_NUMBER).flushdb()
    stack.pg(f'create database "{dbname}"')
    procs = stack.Processes(env, work)
    load0 = os.getloadavg()[0]
    try:
        t0 = time.monotonic()
        p(f"… migrating the metadata DB {dbname}, starting the stack (api-server on {api_port})", flush=True)
        stack.setup_db(env, timeout=300)
        procs.start_celery_stack(api_port, concurrency)
        stack.wait_api(procs, api_port, 180)
        stack.wait_parsed(procs, dbname, {DAG_ID}, 180)
        stack.wait_worker(procs, 120)
        stack_start = time.monotonic() - t0
        p(f"… stack up in {stack_start:.0f} s; triggering {DAG_ID}", flush=True)
        report = _trigger(procs, dbname, api_port, password, timeout)
    except BaseException:
        keep = True
        p(f"logs and data area kept in {work}", flush=True)
        raise
    finally:
        procs.stop()
        with contextlib.suppress(Exception):
            stack.pg(f'drop database if exists "{dbname}" with (force)')
        with contextlib.suppress(Exception):
            stack.redis_db(REDIS_NUMBER).flushdb()
    report |= {
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "stack_start_s": stack_start,
        "load": [load0, os.getloadavg()[0]],
        "concurrency": concurrency,
        "marts_rows": marts_rows(statwh_home / "published" / "statwh.duckdb"),
        "goal_s": GOAL_S,
    }
    report["status"] = verdict(report["total_s"])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    if keep:
        p(f"kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    print_report(report, previous, p)
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.airflow_run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--timeout", type=float, default=600, help="seconds the run may take")
    ap.add_argument("--concurrency", type=int, default=os.cpu_count() or 2, help="Celery worker slots")
    ap.add_argument("--out", type=Path, default=RESULTS / "airflow.json")
    ap.add_argument("--keep", action="store_true", help="keep the data area and the logs")
    args = ap.parse_args(argv)
    try:
        report = run_bench(out=args.out, timeout=args.timeout, concurrency=args.concurrency, keep=args.keep)
    except stack.StackError as e:
        print(f"bench-airflow: {e}", file=sys.stderr)
        return 1
    if report["state"] != "success" or not report["marts_rows"]:
        failed = [
            f"{t['task']}[{t['map_index']}] {t['state']}" for t in report["tasks"] if t["state"] != "success"
        ]
        print(
            f"bench-airflow: the run ended {report['state']}, marts.indicator_progress has "
            f"{report['marts_rows']} rows; not successful: {', '.join(failed) or 'none'}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

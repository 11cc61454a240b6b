"""The distributed run: Airflow's CeleryExecutor with its four processes on this machine's PostgreSQL and Redis.

api-server, scheduler, dag-processor and a Celery worker run as real processes; the metadata DB is a
uniquely named PostgreSQL database (dropped afterwards) and the broker a Redis database of its own
number (flushed afterwards). The REST API needs a login, as operators run it (simple auth manager, a
generated password): a call without a token is refused, the test takes a JWT from /auth/token. The demo
files are dropped into a temporary inbox, the ingestion DAGs and the marts DAG are unpaused and the
ingestion DAGs triggered through the REST API; the test waits until the published snapshot holds the
marts of all 35 files, then checks the marts against `statwh run` on the same files (the command line,
one process: the ground truth), table by table, every figure and status. Every process started is
stopped, also when the test fails. Bounded: 6 minutes for the Airflow run, 3 more for the comparison.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import duckdb
import pytest

from bench import airflow_stack as stack
from etl.spec.model import source_ids
from tests.conftest import REPO

DEADLINE = 600  # seconds for the whole test, processes' start and stop included (a liveness bound for a loaded 2-core machine, not a speed goal: make bench-airflow measures speed)
pytestmark = [pytest.mark.slow, pytest.mark.timeout(DEADLINE + 240)]

REDIS_DB = 13  # the Celery broker's own database number on the machine's Redis (make bench-airflow: 11)


# the marts' figures and statuses; when a row was loaded or which load brought it differ between runs
NOT_FIGURES = {"as_of", "vintage", "load_id", "loaded_at", "received_at", "last_loaded_at"}
NOT_FIGURES |= {"last_received_at", "valid_from", "valid_to", "superseded_at"}


def _marts(snapshot: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' union "
                "select view_name from duckdb_views() where schema_name = 'marts' and not internal"
            ).fetchall()
        ]
        out = {}
        for table in sorted(tables):
            cols = [
                r[0] for r in con.execute(f"describe marts.{table}").fetchall() if r[0] not in NOT_FIGURES
            ]
            quoted = ", ".join(f'"{c}"' for c in cols)
            rows = con.execute(f"select {quoted} from marts.{table}").fetchall()
            out[table] = sorted(rows, key=repr)
        return out
    finally:
        con.close()


def _cli_snapshot(tmp_path: Path, demo_files: Path, timeout: float) -> Path:
    """`statwh run` on the demo files in a data area of its own: the marts the DAGs must also give."""
    home = tmp_path / "cli"
    shutil.copytree(demo_files, home / "inbox")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}
    env.update(STATWH_HOME=str(home), GX_ANALYTICS_ENABLED="false")
    env["PYTHONPATH"] = str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, "-m", "etl.cli", "run"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert out.returncode == 0, f"statwh run failed:\n{out.stderr[-3000:]}"
    return home / "published" / "statwh.duckdb"


def _snapshot_state(snapshot: Path) -> tuple[int, int]:
    """(loaded files, indicators with an actual) in the published snapshot; (0, 0) when not there yet."""
    if not snapshot.exists():
        return 0, 0
    try:
        con = duckdb.connect(str(snapshot), read_only=True)
    except duckdb.Error:
        return 0, 0
    try:
        loaded = con.execute("select count(*) from meta.loads where status = 'loaded'").fetchall()[0][0]
        ind = con.execute(
            "select count(distinct indicator_id) from marts.indicator_progress where actual is not null"
        ).fetchall()[0][0]
        return loaded, ind
    finally:
        con.close()


def _runs(dbname: str) -> dict[str, list[str]]:
    rows = stack.pg("select dag_id, state from dag_run order by id", dbname, fetch=True)
    out: dict[str, list[str]] = {}
    for dag_id, state in rows:
        out.setdefault(dag_id, []).append(state)
    return out


def _failed_tasks(dbname: str) -> list[tuple]:
    return stack.pg(
        "select dag_id, task_id, map_index, state from task_instance where state in "
        "('failed', 'upstream_failed')",
        dbname,
        fetch=True,
    )


def test_celery_executor_runs_ingestion_and_marts(tmp_path, demo_files):
    started = time.monotonic()

    def left() -> float:
        return DEADLINE - (time.monotonic() - started)

    try:
        stack.ensure_postgres()
        stack.ensure_redis()
    except stack.StackError as e:
        pytest.fail(str(e))
    dbname = f"statwh_airflow_{uuid.uuid4().hex[:12]}"
    api_port, log_port = stack.free_port(), stack.free_port()
    statwh_home, airflow_home = tmp_path / "statwh", tmp_path / "airflow"
    airflow_home.mkdir()
    shutil.copytree(demo_files, statwh_home / "inbox")
    env = stack.celery_env(
        airflow_home=airflow_home,
        statwh_home=statwh_home,
        dbname=dbname,
        api_port=api_port,
        log_port=log_port,
        redis_number=REDIS_DB,
        jwt_secret=secrets.token_urlsafe(32),
    )
    password = stack.write_password(airflow_home)
    stack.redis_db(REDIS_DB).flushdb()
    stack.pg(f'create database "{dbname}"')
    procs = stack.Processes(env, tmp_path)
    try:
        stack.setup_db(env, timeout=max(30, left() - 200))
        procs.start_celery_stack(api_port)
        stack.wait_api(procs, api_port, min(120, left() - 150))
        wanted = {f"statwh_ingest_{s}" for s in source_ids()} | {"statwh_marts"}
        stack.wait_parsed(procs, dbname, wanted, min(120, left() - 120))
        stack.wait_worker(procs, 60)

        # no login, no access; a JWT from /auth/token opens the API
        assert stack.refused(api_port, "PATCH", "/api/v2/dags/statwh_marts", {"is_paused": False}) in (
            401,
            403,
        )
        token = stack.token(api_port, password)
        for dag_id in sorted(wanted):
            stack.api(api_port, "PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False}, token)
        for source in source_ids():
            stack.api(
                api_port,
                "POST",
                f"/api/v2/dags/statwh_ingest_{source}/dagRuns",
                {"logical_date": None},
                token,
            )

        snapshot = statwh_home / "published" / "statwh.duckdb"
        state = (0, 0)
        while left() > 30:
            state = _snapshot_state(snapshot)
            if state[0] == 35 and state[1] >= 15:
                break
            procs.check_alive()
            bad = [t for t in _failed_tasks(dbname)]
            assert not bad, f"tasks failed: {bad}\n" + _task_logs(airflow_home)
            time.sleep(3)
        while left() > 20 and "success" not in _runs(dbname).get("statwh_marts", []):
            time.sleep(2)  # the snapshot is written; the marts task reports its success
        runs = _runs(dbname)
        assert state[0] == 35 and state[1] >= 15, (
            f"after {time.monotonic() - started:.0f} s the snapshot holds {state[0]} loaded files and "
            f"{state[1]} indicators; runs: {runs}\nscheduler:\n{procs.tail('scheduler', 2000)}\n"
            f"worker:\n{procs.tail('celery-worker', 2000)}"
        )
        assert "success" in runs.get("statwh_marts", []), runs
        for source in source_ids():
            assert "success" in runs[f"statwh_ingest_{source}"], runs
        # the work ran on the Celery worker, the writers one at a time in the pool
        ran = stack.pg(
            "select count(*) from task_instance where state = 'success' and queue = 'default' "
            "and hostname <> ''",
            dbname,
            fetch=True,
        )[0][0]
        assert ran >= 35 + 3 * len(source_ids())
        pools = {
            r[0]
            for r in stack.pg(
                "select distinct pool from task_instance where task_id in "
                "('load_files', 'build_and_publish')",
                dbname,
                fetch=True,
            )
        }
        assert pools == {"statwh_duckdb"}
        assert list((statwh_home / "processing").iterdir()) == []
        print(f"celery run: snapshot complete after {time.monotonic() - started:.0f} s")
    finally:
        procs.stop()
        with contextlib.suppress(Exception):
            stack.pg(f'drop database if exists "{dbname}" with (force)')
        with contextlib.suppress(Exception):
            stack.redis_db(REDIS_DB).flushdb()
    # the marts the DAGs published are those of `statwh run` on the same files, figure for figure
    got, want = _marts(snapshot), _marts(_cli_snapshot(tmp_path, demo_files, timeout=180))
    assert sorted(got) == sorted(want) and "indicator_progress" in got
    for table in want:
        assert want[table], f"marts.{table} is empty in the command line's run"
        assert got[table] == want[table], f"marts.{table} differs from statwh run's"


def _task_logs(airflow_home: Path, chars: int = 4000) -> str:
    logs = sorted((airflow_home / "logs").rglob("*.log"), key=lambda p: p.stat().st_mtime)
    return "\n".join(
        f"== {p.relative_to(airflow_home)}\n{p.read_text(errors='replace')[-chars:]}" for p in logs[-3:]
    )

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
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import duckdb
import pytest

from etl.spec.model import source_ids
from tests.conftest import REPO

DEADLINE = 600  # seconds for the whole test, processes' start and stop included (a liveness bound for a loaded 2-core machine, not a speed goal: make bench-airflow measures speed)
pytestmark = [pytest.mark.slow, pytest.mark.timeout(DEADLINE + 240)]

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS_PORT = 6379
REDIS_DB = 13  # the Celery broker's own database number on the machine's Redis
AIRFLOW = str(Path(sys.executable).parent / "airflow")


# ---------------------------------------------------------------- services


def _port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        return True
    return False


def _wait_port(port: int, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if _port_open(port):
            return True
        time.sleep(0.5)
    return False


def _ensure_postgres() -> None:
    if _port_open(PG["port"]):
        return
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if not versions or not shutil.which("pg_ctlcluster"):
        pytest.fail("PostgreSQL is not running on 127.0.0.1:5432 and no cluster to start was found")
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if not _wait_port(PG["port"], 30):
        pytest.fail(f"PostgreSQL {versions[-1]}/main did not come up on 127.0.0.1:5432")


def _ensure_redis() -> None:
    if _port_open(REDIS_PORT):
        return
    if not shutil.which("redis-server"):
        pytest.fail("Redis is not running on 127.0.0.1:6379 and redis-server is not installed")
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            str(REDIS_PORT),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if not _wait_port(REDIS_PORT, 20):
        pytest.fail("redis-server did not come up on 127.0.0.1:6379")


def _pg(sql: str, dbname: str = "postgres", params=None, fetch: bool = False):
    import psycopg2

    con = psycopg2.connect(dbname=dbname, connect_timeout=10, **PG)
    con.autocommit = True
    try:
        with con.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if fetch else None
    finally:
        con.close()


def _redis():
    import redis

    return redis.Redis(host="127.0.0.1", port=REDIS_PORT, db=REDIS_DB, socket_timeout=5)


def _free_port(avoid=(8080, 8793)) -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in avoid:
            return port


# ---------------------------------------------------------------- Airflow processes


class Processes:
    """The Airflow processes of the test, each in its own process group, logs in files."""

    def __init__(self, env: dict[str, str], log_dir: Path):
        self.env, self.log_dir = env, log_dir
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args: str) -> None:
        log = (self.log_dir / f"{name}.log").open("wb")
        self.procs[name] = subprocess.Popen(
            [AIRFLOW, *args],
            env=self.env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def dead(self) -> list[str]:
        return [n for n, p in self.procs.items() if p.poll() is not None]

    def tail(self, name: str, chars: int = 3000) -> str:
        f = self.log_dir / f"{name}.log"
        return f.read_text(errors="replace")[-chars:] if f.exists() else "(no log)"

    def _family(self) -> set[int]:
        """The started processes and all their descendants (task processes may start new sessions)."""
        parent: dict[int, int] = {}
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    parent[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
        family = {p.pid for p in self.procs.values()}
        grew = True
        while grew:
            new = {pid for pid, ppid in parent.items() if ppid in family} - family
            family |= new
            grew = bool(new)
        return family

    @staticmethod
    def _signal(pids, sig) -> None:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)

    def stop(self) -> None:
        family = self._family()
        for p in self.procs.values():
            if p.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGTERM)
        self._signal(family, signal.SIGTERM)
        end = time.monotonic() + 20
        for p in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(timeout=max(0.1, end - time.monotonic()))
        family |= self._family()
        for p in self.procs.values():  # anything left, children included
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
        self._signal(family, signal.SIGKILL)
        for p in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(timeout=5)


def _api(port: int, method: str, path: str, body: dict | None = None, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers=headers,
    )
    with urllib.request.urlopen(req, timeout=20) as resp:
        return json.loads(resp.read() or b"{}")


def _refused(port: int, method: str, path: str, body: dict | None = None) -> int:
    """The HTTP status of a call without credentials (0 when it was answered)."""
    try:
        _api(port, method, path, body)
    except urllib.error.HTTPError as err:
        return err.code
    return 0


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
    rows = _pg("select dag_id, state from dag_run order by id", dbname, fetch=True)
    out: dict[str, list[str]] = {}
    for dag_id, state in rows:
        out.setdefault(dag_id, []).append(state)
    return out


def _failed_tasks(dbname: str) -> list[tuple]:
    return _pg(
        "select dag_id, task_id, map_index, state from task_instance where state in "
        "('failed', 'upstream_failed')",
        dbname,
        fetch=True,
    )


def test_celery_executor_runs_ingestion_and_marts(tmp_path, demo_files):
    started = time.monotonic()

    def left() -> float:
        return DEADLINE - (time.monotonic() - started)

    _ensure_postgres()
    _ensure_redis()
    dbname = f"statwh_airflow_{uuid.uuid4().hex[:12]}"
    api_port, log_port = _free_port(), _free_port()
    statwh_home, airflow_home = tmp_path / "statwh", tmp_path / "airflow"
    airflow_home.mkdir()
    shutil.copytree(demo_files, statwh_home / "inbox")
    pg_url = f"postgresql+psycopg2://{PG['user']}@{PG['host']}:{PG['port']}/{dbname}"
    # PYTHONDONTWRITEBYTECODE (set on some machines) would make every task process compile
    # great_expectations, pandas and Airflow from source again: tens of seconds each
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AIRFLOW__") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(
        {
            "AIRFLOW_HOME": str(airflow_home),
            "STATWH_HOME": str(statwh_home),
            "STATWH_STABLE_SECONDS": "1",
            "STATWH_RETRY_DELAY": "5",
            "GX_ANALYTICS_ENABLED": "false",
            "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),  # the DAGs' timetable (etl.schedule)
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
            "AIRFLOW__CORE__FERNET_KEY": "",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(api_port),
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{api_port}",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": pg_url,
            "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{REDIS_PORT}/{REDIS_DB}",
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql://{PG['user']}@{PG['host']}:{PG['port']}/{dbname}",
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": "3",
            "AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS": "etl.airflow_tasks.CELERY_CONFIG",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(log_port),
            "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "300",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
        }
    )
    password = secrets.token_urlsafe(16)
    (airflow_home / "simple_auth_manager_passwords.json.generated").write_text(
        json.dumps({"admin": password})
    )
    _redis().flushdb()
    _pg(f'create database "{dbname}"')
    procs = Processes(env, tmp_path)
    try:
        mig = subprocess.run(
            [AIRFLOW, "db", "migrate"],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=max(30, left() - 200),
        )
        assert mig.returncode == 0, f"airflow db migrate failed:\n{(mig.stdout + mig.stderr)[-4000:]}"
        pool = subprocess.run(
            [AIRFLOW, "pools", "set", "statwh_duckdb", "1", "statwh: one DuckDB writer"],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert pool.returncode == 0, f"airflow pools set failed:\n{pool.stderr[-3000:]}"

        procs.start(
            "api-server", "api-server", "--host", "127.0.0.1", "--port", str(api_port), "--workers", "1"
        )
        procs.start("scheduler", "scheduler")
        procs.start("dag-processor", "dag-processor")
        procs.start(
            "celery-worker", "celery", "worker", "--concurrency", "3", "--without-gossip", "--without-mingle"
        )

        # the api-server answers
        end = time.monotonic() + min(120, left() - 150)
        while True:
            assert not procs.dead(), f"{procs.dead()} exited at start:\n{procs.tail(procs.dead()[0])}"
            with contextlib.suppress(OSError, urllib.error.URLError):
                if (
                    _api(api_port, "GET", "/api/v2/monitor/health").get("metadatabase", {}).get("status")
                    == "healthy"
                ):
                    break
            assert time.monotonic() < end, (
                f"airflow api-server did not come up on port {api_port}:\n" + procs.tail("api-server")
            )
            time.sleep(1)

        # the dag-processor parsed the DAGs
        wanted = {f"statwh_ingest_{s}" for s in source_ids()} | {"statwh_marts"}
        end = time.monotonic() + min(120, left() - 120)
        while True:
            parsed = {r[0] for r in _pg("select dag_id from dag", dbname, fetch=True)}
            if wanted <= parsed:
                break
            assert not procs.dead(), f"{procs.dead()} exited:\n{procs.tail(procs.dead()[0])}"
            assert time.monotonic() < end, (
                f"airflow dag-processor did not parse {sorted(wanted - parsed)}:\n"
                + procs.tail("dag-processor")
            )
            time.sleep(1)

        # the worker is connected to the broker
        end = time.monotonic() + 60
        while b"ready" not in (tmp_path / "celery-worker.log").read_bytes():
            assert procs.procs["celery-worker"].poll() is None, (
                "airflow celery worker exited:\n" + procs.tail("celery-worker")
            )
            assert time.monotonic() < end, "airflow celery worker did not come up:\n" + procs.tail(
                "celery-worker"
            )
            time.sleep(1)

        # no login, no access; a JWT from /auth/token opens the API
        assert _refused(api_port, "PATCH", "/api/v2/dags/statwh_marts", {"is_paused": False}) in (401, 403)
        token = _api(api_port, "POST", "/auth/token", {"username": "admin", "password": password})[
            "access_token"
        ]
        for dag_id in sorted(wanted):
            _api(api_port, "PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False}, token)
        for source in source_ids():
            _api(
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
            dead = procs.dead()
            assert not dead, f"airflow {dead[0]} exited during the run:\n{procs.tail(dead[0])}"
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
        ran = _pg(
            "select count(*) from task_instance where state = 'success' and queue = 'default' "
            "and hostname <> ''",
            dbname,
            fetch=True,
        )[0][0]
        assert ran >= 35 + 3 * len(source_ids())
        pools = {
            r[0]
            for r in _pg(
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
            _pg(f'drop database if exists "{dbname}" with (force)')
        with contextlib.suppress(Exception):
            _redis().flushdb()
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

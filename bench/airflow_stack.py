"""A real CeleryExecutor stack on this machine: PostgreSQL, Redis and the four Airflow processes.

Shared by `make bench-airflow` (bench/airflow_run.py) and the Celery test
(tests/dags/test_airflow_celery.py): the services are checked (started when a local cluster or
redis-server can be), the metadata DB is a database of its own on 127.0.0.1:5432 (user postgres,
trust), the broker a Redis database number of its own. api-server, scheduler, dag-processor and a
Celery worker run each in its own process group with its log in a file; `Processes.stop` ends them
and every descendant (task processes may start sessions of their own).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS_PORT = 6379
AIRFLOW = str(Path(sys.executable).parent / "airflow")
REPO = Path(__file__).resolve().parent.parent


class StackError(RuntimeError):
    """A service or an Airflow process did not come up (the message says which and why)."""


# ---------------------------------------------------------------- services


def port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        return True
    return False


def wait_port(port: int, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if port_open(port):
            return True
        time.sleep(0.5)
    return False


def ensure_postgres() -> None:
    if port_open(PG["port"]):
        return
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if not versions or not shutil.which("pg_ctlcluster"):
        raise StackError("PostgreSQL is not running on 127.0.0.1:5432 and no cluster to start was found")
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if not wait_port(PG["port"], 30):
        raise StackError(f"PostgreSQL {versions[-1]}/main did not come up on 127.0.0.1:5432")


def ensure_redis() -> None:
    if port_open(REDIS_PORT):
        return
    if not shutil.which("redis-server"):
        raise StackError("Redis is not running on 127.0.0.1:6379 and redis-server is not installed")
    subprocess.run(
        ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(REDIS_PORT)]
        + ["--save", "", "--appendonly", "no"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if not wait_port(REDIS_PORT, 20):
        raise StackError("redis-server did not come up on 127.0.0.1:6379")


def pg(sql: str, dbname: str = "postgres", params=None, fetch: bool = False):
    import psycopg2

    con = psycopg2.connect(dbname=dbname, connect_timeout=10, **PG)
    con.autocommit = True
    try:
        with con.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if fetch else None
    finally:
        con.close()


def redis_db(number: int):
    import redis

    return redis.Redis(host="127.0.0.1", port=REDIS_PORT, db=number, socket_timeout=5)


def redis_clients(number: int) -> int:
    """Clients connected to Redis database `number`: a Celery worker left there would take the tasks."""
    r = redis_db(number)
    me = str(r.client_id())
    return sum(1 for c in r.client_list() if str(c.get("db")) == str(number) and str(c.get("id")) != me)


def free_port(avoid=(8080, 8793), low: int | None = None, high: int | None = None) -> int:
    """A port nobody listens on: any the kernel gives, or the first free one in [low, high]."""
    if low is not None and high is not None:
        for port in range(low, high + 1):
            with contextlib.suppress(OSError), socket.socket() as s:
                s.bind(("127.0.0.1", port))
                return port
        raise StackError(f"no free port in {low}-{high}")
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in avoid:
            return port


def celery_env(
    *,
    airflow_home: Path,
    statwh_home: Path,
    dbname: str,
    api_port: int,
    log_port: int,
    redis_number: int,
    jwt_secret: str,
    concurrency: int = 3,
    base: dict[str, str] | None = None,
) -> dict[str, str]:
    """The processes' environment: CeleryExecutor on PostgreSQL `dbname` and Redis `redis_number`,
    the simple auth manager with one admin, the execution API on the api-server's port."""
    # PYTHONDONTWRITEBYTECODE (set on some machines) would make every task process compile
    # great_expectations, pandas and Airflow from source again: tens of seconds each
    env = {
        k: v
        for k, v in (os.environ if base is None else base).items()
        if not k.startswith("AIRFLOW__") and k != "PYTHONDONTWRITEBYTECODE"
    }
    pg_url = f"postgresql+psycopg2://{PG['user']}@{PG['host']}:{PG['port']}/{dbname}"
    env.update(
        {
            "AIRFLOW_HOME": str(airflow_home),
            "STATWH_HOME": str(statwh_home),
            "STATWH_STABLE_SECONDS": "1",
            "STATWH_RETRY_DELAY": "5",
            "GX_ANALYTICS_ENABLED": "false",
            "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            # registers the DAGs' timetable (etl.schedule.NextPointCron): without it they fail to load
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
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
            "AIRFLOW__API_AUTH__JWT_SECRET": jwt_secret,
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": pg_url,
            "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{REDIS_PORT}/{redis_number}",
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql://{PG['user']}@{PG['host']}:{PG['port']}/{dbname}",
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(concurrency),
            "AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS": "etl.airflow_tasks.CELERY_CONFIG",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(log_port),
            "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "300",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
        }
    )
    return env


def write_password(airflow_home: Path) -> str:
    """A generated password for the simple auth manager's admin (the file it reads at start)."""
    import secrets

    password = secrets.token_urlsafe(16)
    path = airflow_home / "simple_auth_manager_passwords.json.generated"
    path.write_text(json.dumps({"admin": password}))
    path.chmod(0o600)
    return password


def setup_db(env: dict[str, str], timeout: float) -> None:
    """`airflow db migrate` and the one-slot pool statwh_duckdb."""
    mig = subprocess.run(
        [AIRFLOW, "db", "migrate"], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout
    )
    if mig.returncode != 0:
        raise StackError(f"airflow db migrate failed:\n{(mig.stdout + mig.stderr)[-4000:]}")
    pool = subprocess.run(
        [AIRFLOW, "pools", "set", "statwh_duckdb", "1", "statwh: one DuckDB writer"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if pool.returncode != 0:
        raise StackError(f"airflow pools set failed:\n{pool.stderr[-3000:]}")


# ---------------------------------------------------------------- Airflow processes


class Processes:
    """Airflow processes, each in its own process group, logs in files."""

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

    def start_celery_stack(self, api_port: int, concurrency: int = 3) -> None:
        """api-server, scheduler, dag-processor and a Celery worker."""
        self.start(
            "api-server", "api-server", "--host", "127.0.0.1", "--port", str(api_port), "--workers", "1"
        )
        self.start("scheduler", "scheduler")
        self.start("dag-processor", "dag-processor")
        self.start(
            "celery-worker",
            *("celery", "worker", "--concurrency", str(concurrency), "--without-gossip", "--without-mingle"),
        )

    def dead(self) -> list[str]:
        return [n for n, p in self.procs.items() if p.poll() is not None]

    def tail(self, name: str, chars: int = 3000) -> str:
        f = self.log_dir / f"{name}.log"
        return f.read_text(errors="replace")[-chars:] if f.exists() else "(no log)"

    def check_alive(self, when: str = "during the run") -> None:
        dead = self.dead()
        if dead:
            raise StackError(f"airflow {dead[0]} exited {when}:\n{self.tail(dead[0])}")

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
        """TERM to every process group and descendant, KILL to what is left after 20 s; a second
        Ctrl-C does not interrupt it (that would leave processes behind)."""
        import threading

        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            self._stop()
        finally:
            if main:
                signal.signal(signal.SIGINT, previous)

    def _stop(self) -> None:
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


# ---------------------------------------------------------------- REST API and readiness


def api(port: int, method: str, path: str, body: dict | None = None, token: str | None = None) -> dict:
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


def refused(port: int, method: str, path: str, body: dict | None = None) -> int:
    """The HTTP status of a call without credentials (0 when it was answered)."""
    try:
        api(port, method, path, body)
    except urllib.error.HTTPError as err:
        return err.code
    return 0


def token(port: int, password: str) -> str:
    """A JWT for the admin from /auth/token."""
    return api(port, "POST", "/auth/token", {"username": "admin", "password": password})["access_token"]


def wait_api(procs: Processes, port: int, seconds: float) -> None:
    end = time.monotonic() + seconds
    while True:
        procs.check_alive("at start")
        with contextlib.suppress(OSError, urllib.error.URLError):
            health = api(port, "GET", "/api/v2/monitor/health")
            if health.get("metadatabase", {}).get("status") == "healthy":
                return
        if time.monotonic() > end:
            raise StackError(
                f"airflow api-server did not come up on port {port}:\n" + procs.tail("api-server")
            )
        time.sleep(1)


def wait_parsed(procs: Processes, dbname: str, wanted: set[str], seconds: float) -> None:
    end = time.monotonic() + seconds
    while True:
        parsed = {r[0] for r in pg("select dag_id from dag", dbname, fetch=True)}
        if wanted <= parsed:
            return
        procs.check_alive()
        if time.monotonic() > end:
            raise StackError(
                f"airflow dag-processor did not parse {sorted(wanted - parsed)}:\n"
                + procs.tail("dag-processor")
            )
        time.sleep(1)


def wait_worker(procs: Processes, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    log = procs.log_dir / "celery-worker.log"
    while b"ready" not in log.read_bytes():
        if procs.procs["celery-worker"].poll() is not None:
            raise StackError("airflow celery worker exited:\n" + procs.tail("celery-worker"))
        if time.monotonic() > end:
            raise StackError("airflow celery worker did not come up:\n" + procs.tail("celery-worker"))
        time.sleep(1)

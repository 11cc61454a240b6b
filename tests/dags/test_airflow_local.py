"""`make airflow` / `make airflow-stop` (scripts/airflow-local.sh) as an operator runs them.

The choice of metadata DB is checked without starting Airflow (PostgreSQL where one answers, else SQLite
with one task slot). The slow test starts the real api-server, scheduler, dag-processor and triggerer on
a PostgreSQL database of its own and free ports: the UI and the REST API refuse a call without
credentials and answer one with a JWT from /auth/token; the server listens on 127.0.0.1 only; the stop
leaves no process of the run alive and frees every port. Every process started is stopped, also when the
test fails (process groups, then SIGKILL).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.conftest import REPO

SCRIPT = REPO / "scripts" / "airflow-local.sh"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AIRFLOW__") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(
        STATWH_HOME=str(tmp_path / "statwh"),
        AIRFLOW_HOME=str(tmp_path / "airflow"),
        STATWH_PYTHON=sys.executable,
        GX_ANALYTICS_ENABLED="false",
        PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
        **extra,
    )
    return env


def _script(env: dict[str, str], command: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(SCRIPT), command],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _settings(out: str) -> dict[str, str]:
    return dict(re.findall(r"^export (\w+)='?([^'\n]*)'?$", out, re.M))


def test_sqlite_when_no_postgres_answers_with_one_task_slot(tmp_path):
    closed = _free_port()  # nothing listens there
    out = _script(_env(tmp_path, STATWH_PG_PORT=str(closed)), "settings", timeout=60)
    assert out.returncode == 0, out.stderr
    settings = _settings(out.stdout)
    assert settings["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("sqlite:///")
    assert settings["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert settings["AIRFLOW__CORE__PARALLELISM"] == "1"
    assert settings["AIRFLOW__API__HOST"] == "127.0.0.1"
    assert "SQLite" in out.stderr


def test_env_script_requires_a_login_and_binds_locally():
    """`source scripts/airflow-env.sh` (airflow standalone) no longer makes everyone admin on 0.0.0.0."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}
    env["STATWH_AIRFLOW_NO_SETUP"] = "1"
    env["AIRFLOW_HOME"] = "/nonexistent-not-created"
    env["STATWH_HOME"] = str(REPO / "data")
    out = subprocess.run(
        ["bash", "-c", f'source "{REPO}/scripts/airflow-env.sh" 2>/dev/null && env'],
        env={**env, "AIRFLOW_HOME": str(Path(os.environ.get("TMPDIR", "/tmp")) / "statwh-env-check")},
        capture_output=True,
        text=True,
        timeout=30,
    )
    got = dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)
    assert got["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS"] == "False"
    assert got["AIRFLOW__API__HOST"] == "127.0.0.1"
    assert got["AIRFLOW__CORE__PARALLELISM"] == "1"


def _pg(sql: str) -> None:
    import psycopg2

    con = psycopg2.connect(dbname="postgres", connect_timeout=10, **PG)
    con.autocommit = True
    try:
        with con.cursor() as cur:
            cur.execute(sql)
    finally:
        con.close()


def _call(url: str, token: str | None = None, body: dict | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(
        url, data=None if body is None else json.dumps(body).encode(), headers=headers
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, {}


def _listening(port: int) -> set[str]:
    """The local addresses (hex, as in /proc/net/tcp*) listening on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                addr, hexport = local.rsplit(":", 1)
                if state == "0A" and int(hexport, 16) == port:
                    found.add(addr)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _in_groups(pgids: list[int]) -> list[int]:
    """Running processes whose process group is one of `pgids` (children, log servers, task runners)."""
    found = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) in pgids and fields[0] not in ("Z", "X"):
                    found.append(int(d.name))
    return found


def _kill_groups(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_make_airflow_starts_with_a_login_and_stops_everything(tmp_path):
    dbname = f"statwh_airflow_{uuid.uuid4().hex[:12]}"
    api, logs, triggers = _free_port(), _free_port(), _free_port()
    env = _env(
        tmp_path,
        STATWH_PG_DB=dbname,
        AIRFLOW__API__PORT=str(api),
        AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(logs),
        AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=str(triggers),
        STATWH_AIRFLOW_START_TIMEOUT="240",
    )
    pids_file = tmp_path / "airflow" / "statwh-local.pids"
    started: list[int] = []
    try:
        out = _script(env, "start", timeout=420)
        if pids_file.exists():
            started = [int(x.split()[1]) for x in pids_file.read_text().splitlines()]
        assert out.returncode == 0, out.stdout + out.stderr[-4000:]
        assert sorted(x.split()[0] for x in pids_file.read_text().splitlines()) == [
            "api-server",
            "dag-processor",
            "scheduler",
            "triggerer",
        ]
        settings = _settings((tmp_path / "airflow" / "statwh-local.env").read_text())
        assert settings["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].endswith(f"/{dbname}")
        assert settings["AIRFLOW__CORE__PARALLELISM"] == str(os.cpu_count())
        password = json.loads(
            (tmp_path / "airflow" / "simple_auth_manager_passwords.json.generated").read_text()
        )["admin"]
        assert f"http://127.0.0.1:{api}" in out.stdout and f"admin / {password}" in out.stdout

        base = f"http://127.0.0.1:{api}"
        assert _call(f"{base}/api/v2/dags")[0] in (401, 403)
        assert _call(f"{base}/api/v2/dags", token="not-a-token")[0] in (401, 403)
        assert _call(f"{base}/auth/token", body={"username": "admin", "password": "wrong"})[0] in (
            401,
            403,
        )
        status, got = _call(f"{base}/auth/token", body={"username": "admin", "password": password})
        assert status == 201 and got.get("access_token"), (status, got)
        status, dags = _call(f"{base}/api/v2/dags", token=got["access_token"])
        assert status == 200 and "total_entries" in dags
        assert _listening(api) == {"0100007F"}, "the api-server must listen on 127.0.0.1 only"
    finally:
        stop = _script(env, "stop", timeout=120)
        _kill_groups(started)  # whatever the script left: the test fails below, nothing keeps running
        with contextlib.suppress(Exception):
            _pg(f'drop database if exists "{dbname}" with (force)')
    assert stop.returncode == 0, stop.stderr
    assert started and not [p for p in started if _alive(p)]
    assert _in_groups(started) == []
    for port in (api, logs, triggers):
        assert not _listening(port), f"port {port} is still held after airflow-stop"
    assert not pids_file.exists()

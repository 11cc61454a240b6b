"""docker-compose.yml, Dockerfile, .dockerignore and .env.example, checked without a Docker engine: every service
of Airflow 3's official layout (with the airflow-cli and flower profiles), health checks, the shared data
volume, the read-only reader, the mounted dags/specs/expectations, the variables each service needs, no
secret in the files, the init service refusing placeholder secrets (its script run by bash), a build context
without the virtualenv, data or secrets, and the image installing the locked dependencies."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

COMPOSE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
ENV_EXAMPLE = REPO / ".env.example"
DOCKERIGNORE = REPO / ".dockerignore"

SERVICES = {
    "postgres",
    "redis",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "airflow-init",
    "reader",
}
PROFILED = {"airflow-cli": {"debug", "airflow-cli"}, "flower": {"flower"}}
AIRFLOW_SERVICES = {s for s in SERVICES if s.startswith("airflow-")}
LONG_RUNNING = SERVICES - {"airflow-init"}
MOUNTED = {"./dags:/opt/statwh/dags:ro", "./etl/specs:/opt/statwh/etl/specs:ro"}
MOUNTED.add("./expectations:/opt/statwh/expectations:ro")
INIT_SECRETS = (
    "POSTGRES_PASSWORD",
    "REDIS_PASSWORD",
    "AIRFLOW_FERNET_KEY",
    "AIRFLOW_API_SECRET_KEY",
    "AIRFLOW_JWT_SECRET",
    "AIRFLOW_ADMIN_PASSWORD",
)
AIRFLOW_ENV = {
    "AIRFLOW__CORE__EXECUTOR",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    "AIRFLOW__CELERY__BROKER_URL",
    "AIRFLOW__CELERY__RESULT_BACKEND",
    "AIRFLOW__CORE__FERNET_KEY",
    "AIRFLOW__API_AUTH__JWT_SECRET",
    "AIRFLOW__API__SECRET_KEY",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
    "AIRFLOW__CORE__DAGS_FOLDER",
    "STATWH_HOME",
    "GX_ANALYTICS_ENABLED",
}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN|_KEY$", re.I)
VAR = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?][^}]*)?\}")  # `$${X}` is the container's


def _compose_text() -> str:
    """The compose file without comments (compose interpolates only values)."""
    return "\n".join(
        x for x in COMPOSE.read_text(encoding="utf-8").splitlines() if not x.lstrip().startswith("#")
    )


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    out = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            k, _, v = line.partition("=")
            out[k.strip()] = v.strip()
    return out


def _env(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(e.split("=", 1) for e in env)
    return {k: str(v) for k, v in env.items()}


def _strings(node):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)
    elif isinstance(node, str):
        yield node


def test_every_service_of_the_official_layout(compose):
    always = {n for n, s in compose["services"].items() if not s.get("profiles")}
    assert always == SERVICES
    assert {n: set(s["profiles"]) for n, s in compose["services"].items() if s.get("profiles")} == PROFILED
    assert compose["services"]["flower"]["command"] == "celery flower"
    assert compose["services"]["airflow-cli"]["build"]["context"] == "."


def test_airflow_services_run_the_projects_image(compose):
    for name in AIRFLOW_SERVICES:
        s = compose["services"][name]
        assert s["build"]["context"] == ".", name
        assert s.get("image"), name
    commands = {n: compose["services"][n].get("command") for n in AIRFLOW_SERVICES - {"airflow-init"}}
    assert commands == {
        "airflow-apiserver": "api-server",
        "airflow-scheduler": "scheduler",
        "airflow-dag-processor": "dag-processor",
        "airflow-triggerer": "triggerer",
        "airflow-worker": "celery worker",
    }


def test_health_checks(compose):
    for name in LONG_RUNNING:
        hc = compose["services"][name].get("healthcheck")
        assert hc and hc.get("test"), f"{name} has no health check"
        assert hc.get("interval") and hc.get("retries"), name
    for name in AIRFLOW_SERVICES - {"airflow-init"}:
        deps = compose["services"][name]["depends_on"]
        assert deps["postgres"]["condition"] == "service_healthy", name
        assert deps["redis"]["condition"] == "service_healthy", name
        assert deps["airflow-init"]["condition"] == "service_completed_successfully", name
    assert (
        compose["services"]["airflow-worker"]["depends_on"]["airflow-apiserver"]["condition"]
        == "service_healthy"
    )


def test_worker_has_room_in_dev_shm_for_the_parts_of_a_big_sheet(compose):
    from etl.read.sheetparts import MAX_BYTES

    size = compose["services"]["airflow-worker"]["shm_size"]
    units = {"kb": 1 << 10, "mb": 1 << 20, "gb": 1 << 30}
    assert int(size[:-2]) * units[size[-2:].lower()] > 2 * MAX_BYTES


def test_shared_data_volume(compose):
    assert "statwh-data" in compose["volumes"]
    for name in ("airflow-worker", "airflow-init"):
        s = compose["services"][name]
        assert "statwh-data:/data" in s["volumes"], name
        assert _env(s)["STATWH_HOME"] == "/data", name


def test_variables_each_service_needs(compose):
    for name in AIRFLOW_SERVICES:
        env = _env(compose["services"][name])
        missing = AIRFLOW_ENV - set(env)
        assert not missing, f"{name} lacks {sorted(missing)}"
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
        assert "@postgres:5432/" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
        assert (
            env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
            and "@redis:6379/" in env["AIRFLOW__CELERY__BROKER_URL"]
        )
        assert env["GX_ANALYTICS_ENABLED"] == "false"
    assert {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"} <= set(_env(compose["services"]["postgres"]))
    assert "REDIS_PASSWORD" in _env(compose["services"]["redis"])
    init = _env(compose["services"]["airflow-init"])
    assert {"AIRFLOW_ADMIN_USER", "AIRFLOW_ADMIN_PASSWORD"} <= set(init)
    script = "\n".join(compose["services"]["airflow-init"]["command"])
    assert "airflow db migrate" in script and "airflow pools set statwh_duckdb 1" in script


def test_no_secret_is_hard_coded(compose):
    for name, s in compose["services"].items():
        for key, value in _env(s).items():
            if SECRET_NAME.search(key) and not key.endswith("_FILE"):
                assert VAR.fullmatch(value) or value.startswith("${"), f"{name}: {key} is hard-coded"
    for text in _strings(compose):
        for m in re.finditer(r"://([^:/@\s]*):([^@\s]*)@", text):
            assert m.group(2).startswith("${") or m.group(2) == "", f"password in a URL: {text}"
    # required secrets have no default value in the compose file
    for m in VAR.finditer(_compose_text()):
        if SECRET_NAME.search(m.group(1)):
            assert not (m.group(2) or "").startswith((":-", "-")), f"{m.group(0)}: a secret with a default"


def test_env_example_covers_every_variable(env_example):
    text = _compose_text()
    used = {m.group(1) for m in VAR.finditer(text) if not (m.group(2) or "").startswith((":-", "-"))}
    assert used - set(env_example) == set(), "variables the compose file needs but .env.example lacks"
    for key, value in env_example.items():
        if SECRET_NAME.search(key):
            assert "CHANGE-ME" in value, f".env.example: {key} must be a placeholder, not a real secret"


def test_env_is_git_ignored():
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in ignored
    assert ENV_EXAMPLE.exists()


def test_dockerfile_installs_the_locked_dependencies():
    text = DOCKERFILE.read_text(encoding="utf-8")
    syncs = re.findall(r"^RUN uv sync (.*)$", text, re.M)
    assert syncs and all("--frozen" in s for s in syncs)
    assert "COPY pyproject.toml uv.lock" in text
    assert re.search(r"^FROM python:3\.11", text, re.M), "pyproject.toml requires Python 3.11"
    for d in ("etl", "dags", "warehouse", "expectations"):
        assert re.search(rf"^COPY {d} ", text, re.M), f"the image lacks {d}/"
    assert not re.search(r"(PASSWORD|SECRET|FERNET)[A-Z_]*=", text), "no secret in the image"
    assert "ENTRYPOINT" in text and "airflow" in text


def test_dags_specs_and_expectations_are_mounted_so_a_new_spec_needs_no_rebuild(compose):
    for name in AIRFLOW_SERVICES | {"flower"}:
        volumes = set(compose["services"][name]["volumes"])
        assert MOUNTED <= volumes, f"{name} lacks {sorted(MOUNTED - volumes)}"
    from etl.base.paths import REPO_DIR, SPEC_DIR, SUITE_DIR

    for mount in MOUNTED:  # the container's paths are where etl looks (/opt/statwh is the image's repo)
        host, inside, _ = mount.split(":")
        assert (REPO / host).is_dir()
        local = {"./dags": REPO_DIR / "dags", "./etl/specs": SPEC_DIR, "./expectations": SUITE_DIR}[host]
        assert inside == "/opt/statwh/" + local.relative_to(REPO_DIR).as_posix()
    assert "WORKDIR /opt/statwh" in DOCKERFILE.read_text(encoding="utf-8")


def test_reader_serves_the_published_files_read_only(compose):
    reader = compose["services"]["reader"]
    assert reader["volumes"] == ["statwh-data:/data:ro"]
    assert reader.get("read_only") is True
    command = reader["entrypoint"]
    assert "http.server" in command and command[command.index("--directory") + 1] == "/data/published"
    assert reader["ports"] and reader["ports"][0].endswith(":8000") and "8000" in command
    assert reader["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
    from etl.base.settings import Home

    published = Home(Path("/data")).published
    assert str(published) == "/data/published"


def test_init_system_settings_fit_tini():
    text = COMPOSE.read_text(encoding="utf-8") + DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r'ENTRYPOINT \["/usr/bin/tini", "--"', text)
    assert "DUMB_INIT" not in _compose_text(), "dumb-init's variable for an image that runs tini"
    assert re.search(r"apt-get install .*\btini\b", DOCKERFILE.read_text(encoding="utf-8"))


def test_build_context_leaves_out_venv_data_git_and_secrets():
    lines = [x.strip() for x in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()]
    rules = [x for x in lines if x and not x.startswith("#")]
    for needed in (".venv/", "data/", ".git/", ".env", ".tools/"):
        assert needed in rules, f".dockerignore lacks {needed}"
    copied = re.findall(r"^COPY (.+) \S+$", DOCKERFILE.read_text(encoding="utf-8"), re.M)
    ignored = {r.rstrip("/") for r in rules if not r.startswith("!")}
    for item in " ".join(copied).split():
        assert item not in ignored, f"the Dockerfile copies {item}, which .dockerignore leaves out"


def _init_check(compose) -> str:
    """The secret check of airflow-init's script, as the container's bash gets it ($$ → $)."""
    script = "\n".join(compose["services"]["airflow-init"]["command"][1:])
    check, found, _rest = script.partition("mkdir -p /data/published")
    # never run the rest here (it migrates a DB and writes /data); no check before it = a failure
    assert found and "exit 1" in check, "airflow-init checks no secret before it starts its work"
    return check.replace("$$", "$")


def _run_init_check(compose, **secrets: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], **secrets}
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env["PATH"]
    return subprocess.run(
        ["bash", "-c", _init_check(compose)], env=env, capture_output=True, text=True, timeout=60
    )


def _good_secrets() -> dict[str, str]:
    from cryptography.fernet import Fernet

    good = {name: f"s3cret-{n}-Xq9" for n, name in enumerate(INIT_SECRETS)}
    good["AIRFLOW_FERNET_KEY"] = Fernet.generate_key().decode()
    return good


def test_init_accepts_real_secrets(compose):
    assert set(INIT_SECRETS) <= set(_env(compose["services"]["airflow-init"]))
    out = _run_init_check(compose, **_good_secrets())
    assert out.returncode == 0 and out.stderr == "", out.stderr


@pytest.mark.parametrize("name", INIT_SECRETS)
@pytest.mark.parametrize("value", ["", "CHANGE-ME-random-string", "CHANGE-ME"])
def test_init_refuses_placeholder_or_empty_secrets(compose, env_example, name, value):
    out = _run_init_check(compose, **{**_good_secrets(), name: value})
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and "refusing to start" in lines[0], out.stderr


def test_init_refuses_every_placeholder_of_env_example(compose, env_example):
    out = _run_init_check(compose, **{k: v for k, v in env_example.items() if k in INIT_SECRETS})
    assert out.returncode != 0
    (line,) = out.stderr.strip().splitlines()
    assert all(name in line for name in INIT_SECRETS), line


def test_init_refuses_an_invalid_fernet_key(compose):
    out = _run_init_check(compose, **{**_good_secrets(), "AIRFLOW_FERNET_KEY": "not-a-fernet-key"})
    assert out.returncode != 0
    (line,) = out.stderr.strip().splitlines()
    assert "AIRFLOW_FERNET_KEY" in line and "Fernet" in line


def test_compose_env_script_writes_secrets_the_init_accepts_once(compose, tmp_path):
    target = tmp_path / ".env"
    script = str(REPO / "scripts" / "compose-env.sh")
    first = subprocess.run(["bash", script, str(target)], capture_output=True, text=True, timeout=60)
    assert first.returncode == 0 and str(target) in first.stderr, first.stderr
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    written = dict(
        x.split("=", 1) for x in target.read_text().splitlines() if x.strip() and not x.startswith("#")
    )
    needed = {m.group(1) for m in VAR.finditer(_compose_text()) if (m.group(2) or "").startswith(":?")}
    assert needed and all(written.get(k) for k in needed), sorted(k for k in needed if not written.get(k))
    assert not [v for v in written.values() if "CHANGE-ME" in v]
    assert _run_init_check(compose, **{k: written[k] for k in INIT_SECRETS}).returncode == 0
    before = target.read_text()
    again = subprocess.run(["bash", script, str(target)], capture_output=True, text=True, timeout=60)
    assert again.returncode != 0 and target.read_text() == before, "an existing .env is never overwritten"
    other = tmp_path / "other.env"
    subprocess.run(["bash", script, str(other)], capture_output=True, text=True, timeout=60, check=True)
    regenerated = dict(x.split("=", 1) for x in other.read_text().splitlines() if "=" in x and x[0] != "#")
    assert all(regenerated[k] != written[k] for k in INIT_SECRETS), "secrets must be random"

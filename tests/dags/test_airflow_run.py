"""The DAGs run by Airflow itself: `airflow dags test` (in-process, SQLite metadata DB) on the demo data.

Settings come from `scripts/airflow-env.sh`, as a user gets them; AIRFLOW_HOME and STATWH_HOME are
throwaway directories.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

ENV_SCRIPT = REPO / "scripts" / "airflow-env.sh"


def _env(airflow_home: Path, statwh_home: Path, **extra: str) -> dict[str, str]:
    # without PYTHONDONTWRITEBYTECODE, Airflow's and great_expectations' modules are compiled once, not per run
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AIRFLOW__") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(
        AIRFLOW_HOME=str(airflow_home),
        STATWH_HOME=str(statwh_home),
        STATWH_STABLE_SECONDS="1",
        PATH=str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""),
        **extra,
    )
    return env


def airflow(
    airflow_home: Path, statwh_home: Path, command: str, *, timeout: float = 600, setup: bool = False
):
    """Run `airflow <command>` after sourcing the project's settings; returns (returncode, output)."""
    env = _env(airflow_home, statwh_home)
    if not setup:
        env["STATWH_AIRFLOW_NO_SETUP"] = "1"
    started = time.monotonic()
    out = subprocess.run(
        ["bash", "-c", f'source "{ENV_SCRIPT}" && {command}'],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=timeout,
    )
    log = out.stdout + out.stderr
    (airflow_home / f"{command.split()[2] if len(command.split()) > 2 else 'cmd'}.log").write_text(log)
    print(f"{command}: exit {out.returncode} in {time.monotonic() - started:.0f} s")
    return out.returncode, log


@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory) -> Path:
    """A migrated SQLite metadata DB with the pool, made by sourcing scripts/airflow-env.sh."""
    home = tmp_path_factory.mktemp("airflow")
    code, log = airflow(
        home, tmp_path_factory.mktemp("unused"), "airflow pools get statwh_duckdb", setup=True
    )
    assert code == 0, f"airflow db migrate / pools set failed:\n{log[-4000:]}"
    assert (home / "airflow.db").exists() and "statwh_duckdb" in log
    return home


def _task_states(airflow_home: Path, dag_id: str) -> dict[str, str]:
    con = sqlite3.connect(airflow_home / "airflow.db")
    try:
        rows = con.execute(
            "select task_id, map_index, state from task_instance where dag_id = ?", [dag_id]
        ).fetchall()
    finally:
        con.close()
    return {(t if m < 0 else f"{t}[{m}]"): s for t, m, s in rows}


def _asset_events(airflow_home: Path) -> list[str]:
    con = sqlite3.connect(airflow_home / "airflow.db")
    try:
        return [
            r[0]
            for r in con.execute(
                "select a.uri from asset_event e join asset a on a.id = e.asset_id order by e.id"
            ).fetchall()
        ]
    finally:
        con.close()


def _q(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_pipeline_dag_runs_the_demo_end_to_end(airflow_home, tmp_path, demo_files):
    statwh_home = tmp_path / "statwh"
    shutil.copytree(demo_files, statwh_home / "inbox")
    code, log = airflow(airflow_home, statwh_home, "airflow dags test statwh_pipeline")
    assert code == 0, log[-6000:]
    states = _task_states(airflow_home, "statwh_pipeline")
    assert {k: v for k, v in states.items() if v != "success"} == {}, states
    assert sum(1 for k in states if k.startswith("prepare_file[")) == 35

    snapshot = statwh_home / "published" / "statwh.duckdb"
    assert snapshot.exists()
    (n_ind,) = _q(
        snapshot, "select count(distinct indicator_id) from marts.indicator_progress where actual is not null"
    )[0]
    assert n_ind >= 15
    assert _q(snapshot, "select status, count(*) from meta.loads group by all") == [("loaded", 35)]
    assert (statwh_home / "published" / "report" / "index.html").exists()
    # every file left the inbox and the staging area is gone
    assert [p for p in (statwh_home / "inbox").rglob("*") if p.is_file()] == []
    assert list((statwh_home / "staging").iterdir()) == []
    assert list((statwh_home / "processing").iterdir()) == []


def test_ingest_dag_loads_the_good_file_and_fails_on_the_bad_one(airflow_home, tmp_path, demo_files):
    statwh_home = tmp_path / "statwh"
    inbox = statwh_home / "inbox" / "enterprises"
    inbox.mkdir(parents=True)
    good = demo_files / "enterprises" / "规上工业企业主要指标_2025年1-6月.xlsx"
    shutil.copy(good, inbox / good.name)
    (inbox / "空白报表.xlsx").write_bytes(b"")
    (inbox / "still_uploading.xlsx.part").write_bytes(b"PK")

    code, log = airflow(airflow_home, statwh_home, "airflow dags test statwh_ingest_enterprises")
    assert code != 0, "the run of a DAG whose load task failed must fail"
    states = _task_states(airflow_home, "statwh_ingest_enterprises")
    assert states == {
        "wait_for_files": "success",
        "claim_files": "success",
        "prepare_file[0]": "success",
        "prepare_file[1]": "success",
        "load_files": "failed",
        "finish": "success",
    }, states
    assert "statwh: statwh_ingest_enterprises/load_files failed: 空白报表.xlsx: " in log
    # the good file is in the warehouse, the bad one recorded as rejected, the partial upload untouched
    loads = _q(
        statwh_home / "warehouse.duckdb",
        "select file_name, status, rows_loaded from meta.loads order by load_id",
    )
    assert loads == [("空白报表.xlsx", "rejected", 0), (good.name, "loaded", 506)]
    (n_rej,) = _q(
        statwh_home / "warehouse.duckdb",
        "select count(*) from meta.rejections where file_name = '空白报表.xlsx'",
    )[0]
    assert n_rej >= 1
    assert sorted(p.name for p in inbox.iterdir()) == ["still_uploading.xlsx.part"]
    # the teardown announced the load, so statwh_marts gets scheduled
    assert _asset_events(airflow_home)[-1] == "statwh://warehouse/enterprises"

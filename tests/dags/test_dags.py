"""DAG integrity: the DAG files load, every DAG is documented, owned, tagged and retried; one ingest DAG
per source id; every task that writes DuckDB is in the one-slot pool; nothing heavy at parse time.

Airflow is loaded in a subprocess with a throwaway AIRFLOW_HOME (importing it writes airflow.cfg),
which dumps what the tests check as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from etl.spec.model import source_ids
from tests.conftest import REPO

DAGS = REPO / "dags"
POOL = "statwh_duckdb"
# the tasks that open the warehouse for writing (commit, build, publish, reprocess)
WRITERS = {"load_files", "build", "publish", "build_and_publish", "reprocess", "settle"}
HEAVY = {
    "pandas",
    "duckdb",
    "great_expectations",
    "numpy",
    "pyarrow",
    "etl.warehouse.load",
    "etl.warehouse.connection",
    "etl.extract",
}

DESCRIBE = r"""
import json, sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
cbs = lambda c: [] if not c else list(c) if isinstance(c, (list, tuple)) else [c]
out = {"errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": {}}
for dag_id, dag in bag.dags.items():
    cond = getattr(dag.timetable, "asset_condition", None)
    out["dags"][dag_id] = {
        "tags": sorted(dag.tags), "owner": dag.owner, "doc_md": dag.doc_md or "",
        "fileloc": dag.fileloc, "params": sorted(dag.params.keys()),
        "schedule_assets": sorted(a.uri for a in getattr(cond, "objects", []) or []),
        "tasks": {t.task_id: {
            "retries": t.retries, "backoff": t.retry_exponential_backoff, "pool": t.pool,
            "owner": t.owner, "callbacks": [getattr(c, "__name__", repr(c)) for c in cbs(t.on_failure_callback)],
            "outlets": [o.uri for o in t.outlets], "mode": getattr(t, "mode", None),
            "setup": t.is_setup, "teardown": t.is_teardown, "trigger_rule": str(t.trigger_rule),
        } for t in dag.tasks},
    }
print("JSON:" + json.dumps(out))
"""


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # compile Airflow once
    env.update(
        AIRFLOW_HOME=str(tmp / "airflow"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
        AIRFLOW__CORE__PLUGINS_FOLDER=str(REPO / "plugins"),
        GX_ANALYTICS_ENABLED="false",
        PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    return env


@pytest.fixture(scope="module")
def bag(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("dagbag")
    out = subprocess.run(
        [sys.executable, "-c", DESCRIBE, str(DAGS)],
        capture_output=True,
        text=True,
        env=_env(tmp),
        cwd=REPO,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-4000:]
    line = next(x for x in out.stdout.splitlines() if x.startswith("JSON:"))
    return json.loads(line[5:])


def test_no_import_errors(bag):
    assert bag["errors"] == {}


def test_the_dags(bag):
    expected = {f"statwh_ingest_{s}" for s in source_ids()} | {
        "statwh_marts",
        "statwh_pipeline",
        "statwh_reprocess",
        "statwh_sftp",
    }
    assert set(bag["dags"]) == expected


def test_one_ingest_dag_per_source_from_one_file(bag):
    files = {d["fileloc"] for k, d in bag["dags"].items() if k.startswith("statwh_ingest_")}
    assert len(files) == 1, "ingest DAGs are generated in one loop, not copied"
    assert len(list(DAGS.glob("*ingest*.py"))) == 1


@pytest.mark.parametrize("key", ["tags", "owner", "doc_md"])
def test_every_dag_is_documented_owned_and_tagged(bag, key):
    for dag_id, d in bag["dags"].items():
        if key == "tags":
            assert "statwh" in d["tags"], dag_id
        elif key == "owner":
            assert d["owner"] == "statwh", dag_id
            assert all(t["owner"] == "statwh" for t in d["tasks"].values()), dag_id
        else:
            assert len(d["doc_md"].strip()) > 80, f"{dag_id}: doc_md missing"


def test_every_task_retries_with_backoff_and_reports_failures(bag):
    for dag_id, d in bag["dags"].items():
        for task_id, t in d["tasks"].items():
            assert t["retries"] >= 2, f"{dag_id}.{task_id}"
            assert t["backoff"] >= 2, f"{dag_id}.{task_id}: exponential backoff"
            assert "notify_failure" in t["callbacks"], f"{dag_id}.{task_id}: on_failure_callback"


def test_duckdb_writers_are_in_the_one_slot_pool(bag):
    seen = set()
    for dag_id, d in bag["dags"].items():
        for task_id, t in d["tasks"].items():
            if task_id in WRITERS:
                seen.add(task_id)
                assert t["pool"] == POOL, f"{dag_id}.{task_id} writes DuckDB outside pool {POOL}"
            else:
                assert t["pool"] != POOL, f"{dag_id}.{task_id} takes the writer's slot needlessly"
    assert seen == WRITERS


def test_ingest_dags_wait_claim_prepare_load_and_announce(bag):
    for source in source_ids():
        d = bag["dags"][f"statwh_ingest_{source}"]
        t = d["tasks"]
        assert list(t) == ["wait_for_files", "claim_files", "prepare_file", "load_files", "finish"]
        assert t["wait_for_files"]["mode"] == "reschedule"
        assert t["claim_files"]["setup"] and t["finish"]["teardown"]
        assert t["finish"]["outlets"] == [f"statwh://warehouse/{source}"]
        assert source in d["tags"]


def test_marts_are_scheduled_on_every_source(bag):
    assert bag["dags"]["statwh_marts"]["schedule_assets"] == sorted(
        f"statwh://warehouse/{s}" for s in source_ids()
    )


def test_pipeline_runs_the_stages_as_separate_tasks(bag):
    assert {"claim_files", "prepare_file", "load_files", "build", "publish"} <= set(
        bag["dags"]["statwh_pipeline"]["tasks"]
    )


def test_reprocess_takes_source_and_period(bag):
    d = bag["dags"]["statwh_reprocess"]
    assert d["params"] == ["period", "source"]
    assert sorted(d["tasks"]["reprocess"]["outlets"]) == sorted(
        f"statwh://warehouse/{s}" for s in source_ids()
    )


@pytest.mark.parametrize("dag_file", sorted(p.name for p in DAGS.glob("*.py")))
def test_dag_files_import_nothing_heavy(dag_file, tmp_path):
    """Parsing a DAG file (scheduler, dag-processor) imports neither pandas, duckdb nor great_expectations."""
    code = (
        "import runpy, sys, json; runpy.run_path(sys.argv[1]); "
        "print('JSON:' + json.dumps(sorted(m for m in sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code, str(DAGS / dag_file)],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        cwd=REPO,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-4000:]
    modules = set(json.loads(next(x for x in out.stdout.splitlines() if x.startswith("JSON:"))[5:]))
    heavy = sorted(m for m in modules if m in HEAVY or m.split(".")[0] in HEAVY)
    assert heavy == [], f"{dag_file} imports {heavy} at parse time"
    # -X importtime agrees (cumulative microseconds of etl's own imports stay small)
    etl_lines = [
        x for x in out.stderr.splitlines() if x.startswith("import time:") and x.rstrip().endswith(" etl")
    ]
    assert etl_lines, "importtime output missing"

"""Unpausing a DAG starts nothing at once: its timetable gives the next point to come, not the last one past.

Airflow is loaded in a subprocess (importing it writes airflow.cfg into a throwaway AIRFLOW_HOME);
"now" is fixed there by replacing the timetables' `utcnow`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

SCRIPT = r"""
import json, sys
import pendulum
import airflow.timetables.trigger as trigger
import etl.schedule as schedule
from airflow.dag_processing.dagbag import DagBag
from airflow.timetables.base import DataInterval, TimeRestriction

bag = DagBag(dag_folder=sys.argv[1])
out = {"errors": {k: str(v) for k, v in bag.import_errors.items()}}

def ask(dag_id, now, last=None):
    now = pendulum.parse(now)
    trigger.utcnow = schedule.utcnow = lambda: now
    dag = bag.dags[dag_id]
    interval = None if last is None else DataInterval(*(pendulum.parse(x) for x in last))
    info = dag.timetable.next_dagrun_info(
        last_automated_data_interval=interval,
        restriction=TimeRestriction(earliest=dag.start_date, latest=None, catchup=False),
    )
    return None if info is None else info.run_after.isoformat()

out["types"] = {d: type(bag.dags[d].timetable).__name__ for d in ("statwh_pipeline", "statwh_ingest_enterprises")}
out["first_unpause"] = ask("statwh_pipeline", "2026-12-06T15:00:00")
out["after_long_pause"] = ask("statwh_pipeline", "2026-12-06T15:00:00", ("2026-11-20T00:00:00", "2026-11-20T00:00:00"))
out["scheduler_on_time"] = ask("statwh_pipeline", "2026-12-06T00:00:20", ("2026-12-05T00:00:00", "2026-12-05T00:00:00"))
out["after_a_run"] = ask("statwh_pipeline", "2026-12-06T00:00:05", ("2026-12-06T00:00:00", "2026-12-06T00:00:00"))
out["ingest_unpause"] = ask("statwh_ingest_enterprises", "2026-12-06T15:02:00", ("2026-12-01T10:00:00", "2026-12-01T10:00:00"))
# what Airflow's own timetable does with the same question: the latest past point, at once
trigger.utcnow = lambda: pendulum.datetime(2026, 12, 6, 15)
stock = trigger.CronTriggerTimetable("0 0 * * *", timezone="UTC").next_dagrun_info(
    last_automated_data_interval=None,
    restriction=TimeRestriction(earliest=bag.dags["statwh_pipeline"].start_date, latest=None, catchup=False),
)
out["stock"] = stock.run_after.isoformat()
# the scheduler stores DAGs serialized: the plugin must register the timetable
from airflow.serialization.serialized_objects import DagSerialization
try:
    data = DagSerialization.to_dict(bag.dags["statwh_pipeline"])
    back = DagSerialization.from_dict(data)
    out["serialized"] = type(back.timetable).__name__
except Exception as e:
    out["serialized"] = f"{type(e).__name__}: {e}"
print("JSON:" + json.dumps(out))
"""


def _describe(tmp: Path, plugins: bool = True) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}
    env.update(
        AIRFLOW_HOME=str(tmp / "airflow"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_FOLDER=str(REPO / "dags"),
        AIRFLOW__CORE__PLUGINS_FOLDER=str(REPO / "plugins" if plugins else tmp / "no-plugins"),
        GX_ANALYTICS_ENABLED="false",
        PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(REPO / "dags")],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-4000:]
    return json.loads(next(x for x in out.stdout.splitlines() if x.startswith("JSON:"))[5:])


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict:
    return _describe(tmp_path_factory.mktemp("schedule"))


def test_the_scheduled_dags_use_the_next_point_timetable(answers):
    assert answers["errors"] == {}
    assert set(answers["types"].values()) == {"NextPointCron"}


def test_unpausing_the_daily_pipeline_waits_for_the_next_midnight(answers):
    # Airflow's own timetable would start today's 00:00 run at once
    assert answers["stock"] == "2026-12-06T00:00:00+00:00"
    assert answers["first_unpause"] == "2026-12-07T00:00:00+00:00"
    assert answers["after_long_pause"] == "2026-12-07T00:00:00+00:00"


def test_a_due_point_still_runs_when_the_scheduler_is_a_moment_late(answers):
    assert answers["scheduler_on_time"] == "2026-12-06T00:00:00+00:00"
    assert answers["after_a_run"] == "2026-12-07T00:00:00+00:00"


def test_unpausing_an_ingest_dag_waits_for_the_next_five_minutes(answers):
    assert answers["ingest_unpause"] == "2026-12-06T15:05:00+00:00"


def test_the_plugin_registers_the_timetable_for_serialization(answers, tmp_path):
    assert answers["serialized"] == "NextPointCron"
    # without the plugin Airflow refuses to store the DAG: the plugins folder setting matters
    assert "is not registered" in _describe(tmp_path, plugins=False)["serialized"]


def test_every_way_of_running_airflow_loads_the_plugin():
    env_script = (REPO / "scripts" / "airflow-env.sh").read_text(encoding="utf-8")
    assert 'export AIRFLOW__CORE__PLUGINS_FOLDER="$_statwh_repo/plugins"' in env_script
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY plugins ./plugins" in dockerfile
    assert "AIRFLOW__CORE__PLUGINS_FOLDER=/opt/statwh/plugins" in dockerfile
    compose = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    common = compose[: compose.index("\nservices:")]
    assert "AIRFLOW__CORE__PLUGINS_FOLDER: /opt/statwh/plugins" in common

"""A Celery worker warms up before it forks its pool (`etl.airflow_tasks.warm_worker`, connected to
`worker_init` by `CELERY_CONFIG`): the tasks it forks start with great_expectations' context, the
region tables, the source specs and every suite's objects built — and validate exactly as a cold
process does. Each check runs in a fresh interpreter, as a worker starts."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SUITES = sorted(p.stem for p in (REPO / "expectations").glob("*.json"))


def _python(code: str, timeout: float = 180) -> str:
    env = dict(os.environ, GX_ANALYTICS_ENABLED="false", PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.strip().splitlines()[-1]


def test_worker_init_warms_what_every_task_would_build():
    out = _python(
        """
import json, sys
import etl.airflow_tasks as sw
from celery.signals import worker_init
from etl.reference import regions
from etl.validate import suites
config = sw.CELERY_CONFIG  # as Airflow's Celery app reads it, in the worker and the scheduler
before = [regions._reference.cache_info().currsize, "great_expectations" in sys.modules]
worker_init.send(sender=None)  # what the worker sends before it forks its pool
after = [regions._reference.cache_info().currsize, "great_expectations" in sys.modules]
print(json.dumps({"imports": list(config["imports"]), "before": before, "after": after,
                  "suites": sorted(k[3:] for k in suites._ephemeral if k.startswith("bd:"))}))
"""
    )
    got = json.loads(out)
    assert got["imports"] == ["pandas", "duckdb", "great_expectations", *got["imports"][3:]]
    assert got["before"] == [0, False]  # nothing built by reading the configuration
    assert got["after"] == [1, True]
    assert got["suites"] == SUITES  # each suite ran once, so its objects are built


_VALIDATE = """
import json, sys
from pathlib import Path
if {warm}:
    from etl.airflow_tasks import warm_worker
    warm_worker()
from etl.extract.workbook import extract
from etl.validate.suites import validate_frame
ex = extract(Path({path!r}), "enterprises")
f = ex.frame.copy()
f.loc[f.index[0], "credit_code"] = "91320000XXXXXXXXXX"  # not a credit code
f.loc[f.index[1], "output_month"] = -5.0  # below the bound
f.loc[f.index[2], "name"] = None  # a required value missing
f.loc[f.index[3], ["credit_code", "period"]] = f.loc[f.index[4], ["credit_code", "period"]].values  # a duplicate
issues, results = validate_frame("enterprise_periods", f, ex.column_map)
print(json.dumps({{"issues": [[i.severity, i.rule, i.sheet, i.row, i.column, str(i.value)] for i in issues],
                  "results": results.astype(str).values.tolist()}}, ensure_ascii=False))
"""


def test_a_warmed_worker_validates_as_a_cold_process(demo_files):
    roster = sorted((demo_files / "enterprises").glob("*.xlsx"))[0]
    cold = json.loads(_python(_VALIDATE.format(warm=False, path=str(roster))))
    warm = json.loads(_python(_VALIDATE.format(warm=True, path=str(roster))))
    assert len(cold["issues"]) >= 4  # the four rows spoiled above are found
    assert warm == cold


def test_a_warm_up_that_fails_is_only_logged(monkeypatch, caplog):
    import etl.validate.suites as suites
    from etl import airflow_tasks as sw

    def broken(*_a, **_k):
        raise RuntimeError("no great_expectations here")

    monkeypatch.setattr(suites, "warm_up", broken)
    with caplog.at_level(logging.WARNING, logger="statwh.airflow"):
        assert sw.warm_worker() is None
    assert any("warming the Celery worker up failed" in r.getMessage() for r in caplog.records)


def test_every_suite_warms_on_a_blank_row_and_a_broken_one_is_left_out(tmp_path):
    from etl.validate.suites import warm_validations

    assert warm_validations() == SUITES
    for name in ("targets", "history"):
        (tmp_path / f"{name}.json").write_text(
            (REPO / "expectations" / f"{name}.json").read_text("utf-8"), "utf-8"
        )
    (tmp_path / "broken.json").write_text("{not json", "utf-8")
    assert warm_validations(tmp_path) == ["history", "targets"]

"""Airflow's prepare step reads each file in the reader's worker process (`etl.warehouse.sandbox`),
as `statwh run` does: a file that crashes the reader is a rejection recorded in `meta.loads` (rule
`reader_crashed`), the task that read it does not fail (nothing for Airflow to retry), and the load
task fails once, without retry, naming it. `statwh spec draft` reads through the worker too."""

from __future__ import annotations

import faulthandler
import os
import tempfile

import duckdb
import pytest

os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="statwh-test-airflow-"))

from etl import airflow_tasks as sw  # noqa: E402
from etl.base.settings import Home  # noqa: E402
from etl.inbox import stable_files  # noqa: E402
from etl.warehouse import sandbox  # noqa: E402
from tests.conftest import run_cli  # noqa: E402

TARGETS = "targets/工作报告目标任务表.xlsx"
POISON = "0_crashes_the_reader.xlsx"


@pytest.fixture
def crashing_reader(monkeypatch):
    """The worker aborts (SIGABRT, as a native reader's panic would) on the file named POISON;
    the hook runs in the forked worker only, so an in-process read never meets it."""

    def abort(name: str) -> None:
        if name == POISON:
            faulthandler.disable()  # pytest's handler would print the worker's stack
            os.abort()

    monkeypatch.setattr(sandbox, "before_read", abort)


def test_a_file_that_crashes_the_reader_is_rejected_and_recorded_not_retried(
    tmp_path, demo_files, crashing_reader
):
    from airflow.sdk.exceptions import AirflowFailException

    home = Home(tmp_path).ensure()
    inbox = home.inbox / "targets"
    inbox.mkdir()
    good = demo_files / TARGETS
    (inbox / POISON).write_bytes(good.read_bytes() + b"\0")  # a readable file: only the worker dies
    (inbox / good.name).write_bytes(good.read_bytes())
    run = sw.staging_dir(home, "statwh_ingest_targets", "manual__1")
    claims = sw.claim_files(home, run, stable_files(home, "targets", wait=0))
    assert [c["name"] for c in claims] == [POISON, good.name]
    staged = [sw.prepare_claim(home, run, n, c) for n, c in enumerate(claims)]  # neither task fails
    assert staged[0]["issues"] == 1 and staged[0]["rows_read"] == 0

    outcomes = sw.commit_staged(home, run)
    assert [(o.file_name, o.status) for o in outcomes] == [(POISON, "rejected"), (good.name, "loaded")]
    assert "the reader crashed on this file" in outcomes[0].reason and "SIGABRT" in outcomes[0].reason
    with pytest.raises(AirflowFailException):  # failed once, never retried
        sw.raise_for_bad(outcomes)
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        got = con.execute(
            "select l.file_name, l.status, r.rule from meta.loads as l"
            " left join meta.rejections as r using (load_id) order by l.load_id"
        ).fetchall()
    finally:
        con.close()
    assert got == [(POISON, "rejected", "reader_crashed"), (good.name, "loaded", None)]
    sw.finish_run(home, run)
    assert list(inbox.iterdir()) == [], "the crashed file is archived and recorded, not returned to the queue"


def test_spec_draft_reads_in_the_worker(tmp_path, demo_files, crashing_reader, capsys):
    poison = tmp_path / POISON
    poison.write_bytes((demo_files / TARGETS).read_bytes())
    assert run_cli("spec", "draft", str(poison)) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the reader crashed on this file" in err and "SIGABRT" in err
    fine = tmp_path / "目标任务表.xlsx"
    fine.write_bytes(poison.read_bytes())
    assert run_cli("spec", "draft", str(fine)) == 0
    assert "source:" in capsys.readouterr().out

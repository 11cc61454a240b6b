"""`etl.airflow_tasks`: the logic the Airflow DAGs call (stable files, claims, staging, commit, failures)."""

from __future__ import annotations

import http.server
import json
import os
import tempfile
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

# importing airflow.sdk must not write into ~/airflow
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="statwh-test-airflow-"))

from etl import airflow_tasks as sw
from etl.base.settings import Home  # noqa: E402
from etl.inbox import stable_files  # noqa: E402
from tests.conftest import REPO

TARGETS = "targets/工作报告目标任务表.xlsx"


def test_light_at_import():
    import subprocess
    import sys

    code = (
        "import sys, etl.airflow_tasks; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pandas','duckdb','great_expectations','numpy'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    assert out.stdout.strip() == "[]"


def test_stable_files_skips_growing_and_partial(tmp_path):
    home = Home(tmp_path)
    inbox = home.inbox / "enterprises"
    inbox.mkdir(parents=True)
    (inbox / "done.xlsx").write_bytes(b"PK" + b"x" * 100)
    growing = inbox / "copying.xlsx"
    growing.write_bytes(b"PK")
    (inbox / "upload.xlsx.part").write_bytes(b"PK")
    (inbox / "~$lock.xlsx").write_bytes(b"")

    def sleep(_seconds):  # the copy goes on between the two looks
        with growing.open("ab") as f:
            f.write(b"more")

    assert [p.name for _, p in stable_files(home, "enterprises", sleep=sleep)] == ["done.xlsx"]
    assert [p.name for _, p in stable_files(home, "enterprises", wait=0)] == ["copying.xlsx", "done.xlsx"]
    assert stable_files(home, "targets", wait=0) == []


def test_run_key_is_a_safe_directory_name():
    key = sw.run_key("statwh_ingest_enterprises", "manual__2025-06-01T00:00:00+00:00")
    assert key == "statwh_ingest_enterprises__manual__2025-06-01T00_00_00_00_00"
    assert "/" not in sw.run_key("d", "../../etc")


def test_claims_survive_a_retry_and_unloaded_files_go_back(tmp_path):
    home = Home(tmp_path).ensure()
    (home.inbox / "targets").mkdir()
    a, b = home.inbox / "targets" / "a.xlsx", home.inbox / "targets" / "b.xlsx"
    a.write_bytes(b"a")
    b.write_bytes(b"b")
    run = sw.staging_dir(home, "dag", "run1")
    first = sw.claim_files(home, run, [("targets", a)])
    assert [c["name"] for c in first] == ["a.xlsx"] and not a.exists()
    # a retry of the claim task: a is gone from the inbox, b is claimed too, a's claim is kept
    again = sw.claims_by_name(home, run, "targets", ["a.xlsx", "b.xlsx"])
    assert [c["name"] for c in again] == ["a.xlsx", "b.xlsx"]
    assert sw.read_claims(run) == again
    # another run finds nothing left
    assert sw.claims_by_name(home, sw.staging_dir(home, "dag", "run2"), "targets", ["a.xlsx"]) == []
    # nothing was committed: the teardown puts both back under their names and drops the staging dir
    assert sw.finish_run(home, run) == []
    assert sorted(p.name for p in (home.inbox / "targets").iterdir()) == ["a.xlsx", "b.xlsx"]
    assert a.read_bytes() == b"a" and not run.exists()
    assert [p for p in (home.root / "processing").iterdir()] == []


def test_prepare_commit_and_fail_after_the_others(tmp_path, demo_files):
    import duckdb

    home = Home(tmp_path).ensure()
    inbox = home.inbox / "targets"
    inbox.mkdir()
    (inbox / "0_empty.xlsx").write_bytes(b"")
    good = demo_files / TARGETS
    (inbox / good.name).write_bytes(good.read_bytes())
    run = sw.staging_dir(home, "statwh_ingest_targets", "manual__1")
    claims = sw.claim_files(home, run, stable_files(home, "targets", wait=0))
    assert [c["name"] for c in claims] == ["0_empty.xlsx", good.name]
    staged = [sw.prepare_claim(home, run, n, c) for n, c in enumerate(claims)]
    assert all((Path(s["staged"]) / "prepared.json").exists() for s in staged)

    outcomes = sw.commit_staged(home, run)
    assert [(o.file_name, o.status) for o in outcomes] == [
        ("0_empty.xlsx", "rejected"),
        (good.name, "loaded"),
    ]
    assert outcomes[0].reason and outcomes[1].rows_loaded == 17
    with pytest.raises(sw.FilesRejected) as err:
        sw.raise_for_bad(outcomes)
    assert err.value.file_names == "0_empty.xlsx"
    # a retried load commits nothing twice
    assert [o.status for o in sw.commit_staged(home, run)] == ["rejected", "loaded"]
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        rows = con.execute("select file_name, status from meta.loads order by load_id").fetchall()
    finally:
        con.close()
    assert rows == [("0_empty.xlsx", "rejected"), (good.name, "loaded")]
    # the claimed copies are gone (both are archived); the teardown has nothing to return
    done = sw.finish_run(home, run)
    assert [o.status for o in done] == ["rejected", "loaded"] and not run.exists()
    assert list(inbox.iterdir()) == [] and [p for p in (home.root / "processing").iterdir()] == []


def test_commit_reports_a_file_whose_prepare_failed(tmp_path):
    home = Home(tmp_path).ensure()
    (home.inbox / "targets").mkdir()
    f = home.inbox / "targets" / "x.xlsx"
    f.write_bytes(b"x")
    run = sw.staging_dir(home, "d", "r")
    sw.claim_files(home, run, [("targets", f)])
    (o,) = sw.commit_staged(home, run)
    assert o.status == "not_prepared" and o.bad
    sw.finish_run(home, run)
    assert f.exists()


def _context(exc, map_index=None):
    from airflow.sdk import DAG

    ti = SimpleNamespace(
        dag_id="statwh_ingest_enterprises", task_id="load_files", rendered_map_index=map_index
    )
    return {"ti": ti, "dag": DAG("statwh_ingest_enterprises", schedule=None), "exception": exc}


def test_failure_message_is_one_line():
    rej = sw.FilesRejected(
        [
            sw.FileOutcome("enterprises", "空.xlsx", "rejected", reason="文件为空\n(0 字节)"),
            sw.FileOutcome("enterprises", "b.xlsx", "partial", 10, 2, reason="2 rows quarantined"),
        ]
    )
    assert sw.failure_message(_context(rej)) == (
        "statwh: statwh_ingest_enterprises/load_files failed: 空.xlsx, b.xlsx: 文件为空 (0 字节); 2 rows quarantined"
    )
    msg = sw.failure_message(_context(OSError("disk full"), map_index="a.xlsx"))
    assert msg == "statwh: statwh_ingest_enterprises/load_files failed: a.xlsx: OSError: disk full"
    assert "\n" not in sw.failure_message({"exception": None})


def test_airflow_fail_exception_is_not_retried():
    from airflow.sdk.exceptions import AirflowFailException

    with pytest.raises(AirflowFailException):
        sw.raise_for_bad([sw.FileOutcome("targets", "a.xlsx", "rejected", reason="bad")])
    sw.raise_for_bad(
        [sw.FileOutcome("targets", "a.xlsx", "loaded"), sw.FileOutcome("targets", "b", "duplicate")]
    )


def test_notify_failure_without_a_notifier_only_logs(caplog):
    caplog.set_level("ERROR", logger="statwh.airflow")
    sw.notify_failure(_context(ValueError("boom"), map_index="f.xlsx"))
    assert "statwh: statwh_ingest_enterprises/load_files failed: f.xlsx: ValueError: boom" in caplog.text


def test_webhook_notifier_posts_the_line(monkeypatch):
    got = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.handle_request, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/hook"
    monkeypatch.setattr(sw, "_notifier_config", lambda: {"type": "webhook", "url": url})
    try:
        sw.notify_failure(_context(ValueError("boom"), map_index="f.xlsx"))
    finally:
        server.server_close()
    assert got == [{"text": "statwh: statwh_ingest_enterprises/load_files failed: f.xlsx: ValueError: boom"}]


def test_default_args():
    args = sw.default_args()
    assert args["owner"] == "statwh" and args["retries"] >= 2 and args["retry_exponential_backoff"] >= 2
    assert args["on_failure_callback"] is sw.notify_failure

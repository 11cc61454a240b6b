"""The benchmark harness runs (at its smallest size) and reports what docs/benchmarks.md describes.

Timings are not asserted — only the shape of the report, so `make bench` cannot rot unnoticed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def smoke_report(tmp_path_factory):
    from bench.run import run

    out = tmp_path_factory.mktemp("bench") / "smoke.json"
    report = run("smoke", out=out, p=lambda *a, **k: None)
    assert out.exists()
    return report, json.loads(out.read_text(encoding="utf-8"))


def _positive(d: dict, keys) -> None:
    for k in keys:
        assert isinstance(d[k], (int, float)) and d[k] > 0, (k, d.get(k))


def test_report_is_written_as_json(smoke_report):
    report, stored = smoke_report
    assert stored["mode"] == "smoke"
    assert set(stored) >= {"mode", "started", "machine", "sizes", "history", "dags", "goals", "total_wall_s"}
    m = stored["machine"]
    assert m["cores"] >= 1 and m["python"] and m["cpu"] is not None
    assert {"pandas", "duckdb", "great-expectations", "fastexcel", "openpyxl"} <= set(m["packages"])


def test_every_configuration_has_its_stages(smoke_report):
    from bench.run import STAGES_FLOOR, STAGES_NAIVE, STAGES_OURS

    _, r = smoke_report
    assert list(r["sizes"]) == ["2000"]
    entry = r["sizes"]["2000"]
    _positive(entry["floor"]["seconds"], STAGES_FLOOR)
    _positive(entry["ours"]["seconds"], STAGES_OURS)
    _positive(entry["naive"]["seconds"], STAGES_NAIVE)
    for kind in ("floor", "ours", "naive"):
        assert entry[kind]["peak_rss_mb"] > entry[kind]["baseline_rss_mb"] > 0
    assert entry["floor"]["rows"] >= 2000
    assert entry["ours"]["result"]["status"] == "loaded"
    assert entry["ours"]["rows"] == entry["naive"]["rows"] == 2000


def test_summary_ratios(smoke_report):
    _, r = smoke_report
    s = r["sizes"]["2000"]["summary"]
    _positive(s, ["ours_total_s", "ours_ingest_s", "floor_total_s", "naive_total_s", "validation_overhead"])
    assert set(s["ratios"]) == {"read", "validate", "load", "end_to_end"}
    for stage in ("read", "load", "end_to_end"):
        assert s["ratios"][stage]["ours_over_floor"] > 0
        assert s["ratios"][stage]["naive_over_ours"] > 0
    assert s["ratios"]["validate"]["ours_over_floor"] is None  # the floor does not validate
    assert s["ours_rows_per_s"]["end_to_end"] > 0


def test_history(smoke_report):
    _, r = smoke_report
    h = r["history"]
    assert h["n_months"] == len(h["months"]) == 3
    assert all(m["status"] == "loaded" and m["rows"] == 2000 for m in h["months"])
    _positive(h, ["first_load_build_s", "last_load_build_s", "ratio_last_over_first"])
    assert len({m["file"] for m in h["months"]}) == 3  # three different months, three files


def test_goals_are_all_reported(smoke_report):
    _, r = smoke_report
    names = [g["goal"] for g in r["goals"]]
    assert len(names) == 6
    assert all(g["status"] in {"PASS", "MISS", "n/a"} for g in r["goals"])
    assert any("month 3" in n for n in names)


def test_printed_table(smoke_report):
    from bench.run import print_report

    report, _ = smoke_report
    lines: list[str] = []
    print_report(report, p=lambda *a, **k: lines.append(" ".join(map(str, a))))
    text = "\n".join(lines)
    for word in ("ours/floor", "naive/ours", "end to end", "peak RSS MB", "== goals", "history"):
        assert word in text


def test_the_excel_like_roster_is_measured_too(smoke_report):
    """The same roster with a shared-string table (as Excel saves it) runs floor, ours and naive,
    and the 20× goal's note gives its ratio beside the main file's."""
    from bench.run import markdown, print_report

    report, stored = smoke_report
    entry = stored["excel_like"]["2000"]
    assert entry["shared"] is True and "-shared" in entry["file"]
    assert entry["ours"]["result"]["status"] == "loaded"
    assert entry["ours"]["rows"] == entry["naive"]["rows"] == 2000
    assert entry["summary"]["ratios"]["end_to_end"]["naive_over_ours"] > 0
    (goal,) = [g for g in stored["goals"] if g["goal"].startswith("200k rows end to end")]
    assert "shared strings, as Excel does" in goal["note"]
    lines: list[str] = []
    print_report(report, p=lambda *a, **k: lines.append(" ".join(map(str, a))))
    assert any("shared strings (as Excel saves)" in line for line in lines)
    assert "| 2,000 shared strings | read |" in markdown(report)


def test_shared_and_inline_rosters_hold_the_same_cells(tmp_path):
    """Only the storage of the strings differs: every cell reads the same."""
    import zipfile

    import fastexcel

    from bench.gen import _Enterprises, write_roster

    ents = _Enterprises(30)
    inline = write_roster(tmp_path / "inline" / "r.xlsx", ents, 2025, 6)
    shared = write_roster(tmp_path / "shared" / "r.xlsx", ents, 2025, 6, shared=True)
    assert "xl/sharedStrings.xml" in zipfile.ZipFile(shared).namelist()
    assert "xl/sharedStrings.xml" not in zipfile.ZipFile(inline).namelist()

    def cells(path):
        return fastexcel.read_excel(str(path)).load_sheet(0, header_row=None).to_arrow().to_pylist()

    assert cells(inline) == cells(shared)
    assert len(cells(inline)) == 30 + 5 + 4  # head rows, enterprises, blank row and three notes


def test_whole_processes(smoke_report):
    """bench/whole.py: every configuration ran as a process, the goals of #23 are reported."""
    _, r = smoke_report
    w = r["whole"]
    parts = {"demo": ("floor", "ours", "naive"), "ingest": ("imports", "ours"), "roster": ("ours", "naive")}
    for part, names in parts.items():
        for name in names:
            runs = w[part][name]["runs"]
            assert len(runs) == 1 and runs[0]["s"] > 0 and len(runs[0]["load"]) == 2
            assert w[part][name]["median_s"] == runs[0]["s"]
    assert w["demo"]["files"] == 2
    goals = {g["key"]: g for g in w["goals"]}
    assert list(goals) == [
        "demo_over_floor",
        "naive_over_demo",
        "ingest_over_imports",
        "naive_over_roster",
        "airflow_s",
    ]
    for key in ("demo_over_floor", "naive_over_demo", "ingest_over_imports", "naive_over_roster"):
        assert goals[key]["value"] > 0 and goals[key]["status"] in {"PASS", "MISS"}


def test_whole_goals_beside_the_previous_run():
    from bench.whole import goal_rows

    def report(ours: float) -> dict:
        runs = lambda s: {"median_s": s}  # noqa: E731
        return {
            "demo": {"floor": runs(1.0), "ours": runs(ours), "naive": runs(12.0)},
            "ingest": {"imports": runs(2.0), "ours": runs(7.0)},
            "roster": {"ours": runs(4.0), "naive": runs(64.0)},
            "airflow": {"total_s": 75.0},
        }

    rows = {g["key"]: g for g in goal_rows(report(3.0), report(20.0))}
    assert rows["demo_over_floor"]["value"] == 3.0 and rows["demo_over_floor"]["status"] == "PASS"
    assert rows["demo_over_floor"]["previous"] == 20.0
    assert rows["naive_over_demo"]["value"] == 4.0 and rows["naive_over_demo"]["status"] == "PASS"
    assert rows["ingest_over_imports"]["status"] == "MISS"  # 3.5× the bare imports
    assert rows["naive_over_roster"]["value"] == 16.0 and rows["naive_over_roster"]["status"] == "PASS"
    assert rows["airflow_s"]["status"] == "MISS"
    assert all(g["status"] == "n/a" for g in goal_rows({}, None))


# ---------------------------------------------------------------- make bench-airflow (no Airflow started)


def _ti(task: str, map_index: int, queued: float, start: float, end: float, state: str = "success") -> dict:
    import datetime as dt

    t0 = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
    at = lambda s: t0 + dt.timedelta(seconds=s)  # noqa: E731
    return {
        "task_id": task,
        "map_index": map_index,
        "state": state,
        "queued_dttm": at(queued),
        "start_date": at(start),
        "end_date": at(end),
    }


def test_airflow_bench_table_and_verdict():
    import datetime as dt

    from bench.airflow_run import print_report, published_after, task_timings

    triggered = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
    rows = [
        _ti("publish", -1, 40.0, 41.5, 44.0),
        _ti("claim_files", -1, 2.0, 3.0, 5.0),
        _ti("prepare_file", 1, 6.0, 9.0, 20.0),
        _ti("prepare_file", 0, 6.0, 7.0, 15.0),
        _ti("load_files", -1, 21.0, 22.0, 30.0),
        _ti("build", -1, 31.0, 32.0, 39.0),
    ]
    tasks = task_timings(rows, triggered)
    assert [(t["task"], t["map_index"]) for t in tasks][:4] == [
        ("claim_files", -1),
        ("prepare_file", 0),
        ("prepare_file", 1),
        ("load_files", -1),
    ]
    second = tasks[2]
    assert (second["queue_s"], second["run_s"], second["end_s"]) == (3.0, 11.0, 20.0)
    assert published_after(tasks) == 44.0

    lines: list[str] = []
    report = {
        "tasks": tasks,
        "total_s": 44.0,
        "load": [1.0, 2.5],
        "stack_start_s": 30.0,
        "first_start_s": 3.0,
    }
    print_report(report, {"total_s": 230.0}, p=lambda *a, **k: lines.append(" ".join(map(str, a))))
    assert any(line.split()[:2] == ["prepare_file", "1"] and "11.0" in line for line in lines)
    assert lines[-1].startswith("PASS") and "44.0 s" in lines[-1] and "previous 230.0 s" in lines[-1]

    slow = task_timings([*rows[1:], _ti("publish", -1, 40.0, 41.5, 61.0)], triggered)
    lines.clear()
    print_report(
        report | {"tasks": slow, "total_s": published_after(slow)}, None, p=lambda *a, **k: lines.append(a[0])
    )
    assert lines[-1].startswith("MISS") and "61.0 s" in lines[-1] and "previous — s" in lines[-1]


def test_airflow_bench_without_a_publish_is_a_miss():
    import datetime as dt

    from bench.airflow_run import published_after, task_timings, verdict

    triggered = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
    tasks = task_timings([_ti("load_files", -1, 1, 2, 3), _ti("publish", -1, 4, 5, 6, "failed")], triggered)
    assert published_after(tasks) is None
    assert verdict(None) == "MISS" and verdict(60.0) == "PASS" and verdict(60.1) == "MISS"


def test_airflow_bench_env_keeps_celery_under_the_local_tuning(tmp_path):
    """scripts/airflow-env.sh is sourced over the Celery stack's settings: its tuning applies, but
    it does not turn the executor, the DB or the parallelism back into the SQLite defaults."""
    from bench.airflow_run import stack_env

    env, airflow_home = stack_env(tmp_path, tmp_path / "statwh", "statwh_bench_x", 19001, 19002, 2)
    assert airflow_home.is_dir()
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].endswith("/statwh_bench_x")
    assert env["AIRFLOW__CELERY__BROKER_URL"].endswith(":6379/11")
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:19001/execution/"
    assert env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] == "19002"
    assert int(env["AIRFLOW__CORE__PARALLELISM"]) >= 2
    assert env["AIRFLOW__CORE__PLUGINS_FOLDER"].endswith("/plugins")  # set by airflow-env.sh
    assert env["AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL"] == "1"  # its tuning (Airflow's default: 5)
    assert "STATWH_AIRFLOW_NO_SETUP" not in env


def _bench_output(module: str, *args: str) -> str:
    """What `python -m <module> ARGS` prints, run from the repository (it must exit 0)."""
    repo = Path(__file__).resolve().parents[2]
    env = dict(os.environ, GX_ANALYTICS_ENABLED="false", PYTHONPATH=str(repo))
    env.pop("STATWH_HOME", None)
    proc = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=repo, env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_timeline_times_each_step_of_an_ingest():
    """`python -m bench.timeline ROWS` (docs/benchmarks.md): every step it names is still in the
    code, and each one it wraps shows up timed — the reader's steps too (it reads in-process)."""
    out = _bench_output("bench.timeline", "300")
    assert "not timed" not in out, out
    for step in (
        "extract_here",
        "_read",
        "classify_rows",
        "validate_prepared",
        "build_in_transaction",
        "publish",
    ):
        assert f" {step}\n" in out, (step, out)
    assert out.strip().splitlines()[-1].startswith("total ")


def test_run_timeline_times_the_loading_process_of_a_run():
    """`python -m bench.run_timeline FILES` (docs/benchmarks.md): a `statwh run` of the sample
    inbox's first files, every step it names still in the code, each load and the build timed."""
    out = _bench_output("bench.run_timeline", "3")
    assert "not timed" not in out, out
    assert "\n3 loads, the first began at " in out, out
    summed = out.split("summed:")[1]
    for step in ("ingest_started", "build_in_transaction", "publish", "warm_up", "_history_frame_or_error"):
        assert f" {step}\n" in summed, (step, out)
    assert out.strip().splitlines()[-1].startswith("total ")

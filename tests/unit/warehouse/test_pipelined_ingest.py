"""The inbox pipelined over two cores (issue #23): the next file is read, and a small file's
dataset suite run, by its worker while the loading process loads the file before.

What it must keep: files load one by one, in order, and each ends exactly as `ingest_file`
leaves it (the suite's verdict, its results, its quarantine)."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import pytest

from bench.gen import _Enterprises, write_roster
from etl.base.settings import Home
from etl.validate import suites
from etl.warehouse import load, sandbox
from etl.warehouse.connection import connect

ROWS = 30


def _roster(path: Path, month: int, *, bad: bool = False) -> Path:
    ents = _Enterprises(ROWS)
    if bad:  # a negative 工业总产值 and one credit code on two enterprises: the suite turns both away
        ents.base[3] = -ents.base[3]
        ents.codes[5] = ents.codes[4]
    return write_roster(path, ents, 2025, month)


def _loaded(con) -> dict:
    return {
        "loads": con.execute(
            "select file_name, status, rows_loaded, rows_rejected from meta.loads order by load_id"
        ).fetchall(),
        "rejections": con.execute(
            "select file_name, row_number, column_name, rule from meta.rejections order by all"
        ).fetchall(),
        "results": con.execute(
            "select suite, expectation, column_name, success, unexpected_count"
            " from meta.validation_results order by all"
        ).fetchall(),
        "raw": con.execute(
            "select * exclude (load_id, slice_key) from raw.enterprise_periods order by all"
        ).fetchall(),
    }


@pytest.fixture
def rosters(tmp_path) -> list[Path]:
    d = tmp_path / "files"
    d.mkdir()
    return [_roster(d / f"r{m}.xlsx", m, bad=(m == 7)) for m in (6, 7)]


def test_started_ingest_loads_as_ingest_file(tmp_path, rosters):
    """The worker's suite (great_expectations imported before the fork) gives the same load as
    `ingest_file`, which validates in the loading process."""
    suites.warm_up(None)
    homes = [Home(tmp_path / name).ensure() for name in ("pipelined", "plain")]
    cons = [connect(h) for h in homes]
    try:
        for p in rosters:
            job = load.start_ingest(cons[0], homes[0], p, "enterprises")
            assert job.prepared().validated, "the worker ran the suite"
            load.ingest_started(cons[0], homes[0], job)
            load.ingest_file(cons[1], homes[1], p, "enterprises")
        pipelined, plain = (_loaded(c) for c in cons)
    finally:
        for c in cons:
            c.close()
    assert pipelined == plain
    assert [s for _, s, _, _ in plain["loads"]] == ["loaded", "partial"]
    assert {r[3] for r in plain["rejections"]} >= {"expect_column_values_to_be_between"}


def test_the_next_file_is_started_before_the_previous_one_loads(tmp_path, rosters, monkeypatch):
    from etl import ingest

    home = Home(tmp_path / "home").ensure()
    for p in rosters:
        (home.inbox / "enterprises").mkdir(parents=True, exist_ok=True)
        shutil.copy(p, home.inbox / "enterprises" / p.name)
    events = _spied(ingest, monkeypatch)
    con = connect(home)
    try:
        results = ingest.process_inbox(con, home)
    finally:
        con.close()
    assert events == ["start r6.xlsx", "start r7.xlsx", "load r6.xlsx", "load r7.xlsx"]
    assert [r.status for r in results] == ["loaded", "partial"]
    assert not [p for p in (home.root / "processing").glob("*") if not p.name.endswith(".claim")]


def _spied(ingest, monkeypatch) -> list[str]:
    """`process_inbox`'s starts and loads, in order (`load X +build` for the one that builds),
    recorded into the list returned; the inbox taken as stable at once."""
    events: list[str] = []
    start, load_ = ingest.start_ingest, ingest.ingest_started

    def spy_start(con, home, path, source, **k):
        events.append(f"start {k['file_name']}")
        return start(con, home, path, source, **k)

    def spy_load(con, home, job, **k):
        events.append(f"load {job.file_name}" + (" +build" if k.get("build") else ""))
        return load_(con, home, job, **k)

    monkeypatch.setattr(ingest, "start_ingest", spy_start)
    monkeypatch.setattr(ingest, "ingest_started", spy_load)
    monkeypatch.setenv("STATWH_STABLE_SECONDS", "0")
    return events


def _inbox_of(tmp_path, months: list[int]) -> Home:
    home = Home(tmp_path / "home").ensure()
    (home.inbox / "enterprises").mkdir(parents=True, exist_ok=True)
    for m in months:
        _roster(home.inbox / "enterprises" / f"r{m:02d}.xlsx", m)
    return home


def test_two_files_read_ahead_of_the_one_loading_and_all_load_in_order(tmp_path, monkeypatch):
    from etl import ingest

    home = _inbox_of(tmp_path, [1, 2, 3, 4, 5])
    events = _spied(ingest, monkeypatch)
    con = connect(home)
    try:
        results = ingest.process_inbox(con, home, build_last=True)
        periods = con.execute("select distinct period from raw.enterprise_periods order by 1").fetchall()
        order = con.execute("select file_name from meta.loads order by load_id").fetchall()
    finally:
        con.close()
    assert ingest.READ_AHEAD == 2
    assert events == [
        "start r01.xlsx", "start r02.xlsx",
        "start r03.xlsx", "load r01.xlsx",
        "start r04.xlsx", "load r02.xlsx",
        "start r05.xlsx", "load r03.xlsx",
        "load r04.xlsx",
        "load r05.xlsx +build",
    ]  # fmt: skip
    assert [r.status for r in results] == ["loaded"] * 5
    assert [r[0] for r in order] == [f"r{m:02d}.xlsx" for m in range(1, 6)]
    assert [r[0] for r in periods] == [f"2025-{m:02d}" for m in range(1, 6)]


def test_big_files_are_read_one_ahead(tmp_path, monkeypatch):
    from etl import ingest

    home = _inbox_of(tmp_path, [1, 2, 3, 4])
    events = _spied(ingest, monkeypatch)
    size = (home.inbox / "enterprises" / "r01.xlsx").stat().st_size
    monkeypatch.setattr(ingest, "READ_AHEAD_BYTES", size)  # each file as big as the limit
    con = connect(home)
    try:
        results = ingest.process_inbox(con, home)
    finally:
        con.close()
    assert events == [
        "start r01.xlsx", "start r02.xlsx", "load r01.xlsx",
        "start r03.xlsx", "load r02.xlsx",
        "start r04.xlsx", "load r03.xlsx",
        "load r04.xlsx",
    ]  # fmt: skip
    assert [r.status for r in results] == ["loaded"] * 4


def test_a_failed_load_stops_the_workers_ahead_and_their_files_load_next_run(tmp_path, monkeypatch):
    from etl import ingest

    home = _inbox_of(tmp_path, [1, 2, 3, 4])
    load_ = ingest.ingest_started

    def failing(con, home, job, **k):
        if job.file_name == "r02.xlsx":
            raise RuntimeError("the disk went away")
        return load_(con, home, job, **k)

    monkeypatch.setattr(ingest, "ingest_started", failing)
    monkeypatch.setenv("STATWH_STABLE_SECONDS", "0")
    con = connect(home)
    try:
        with pytest.raises(RuntimeError):
            ingest.process_inbox(con, home)
        monkeypatch.setattr(ingest, "ingest_started", load_)
        again = ingest.process_inbox(con, home)
        loads = con.execute("select file_name, status from meta.loads order by load_id").fetchall()
    finally:
        con.close()
    assert [r.file_name for r in again] == ["r02.xlsx", "r03.xlsx", "r04.xlsx"]
    assert loads == [(f"r{m:02d}.xlsx", "loaded") for m in range(1, 5)]


def test_held_results_are_written_once_asked(tmp_path, rosters):
    """Data Docs' copies of a run's results: held in memory, written by `store_held_results`."""
    docs = tmp_path / "docs"
    prep = load.prepare(Home(tmp_path / "home").ensure(), rosters[0], "enterprises", validate=False)

    def stored() -> int:
        return len(list((docs / "gx" / "uncommitted" / "validations").rglob("*.json")))

    suites.warm_up(docs)
    suites.hold_results()
    try:
        load.validate_prepared(prep, docs)
        assert stored() == 0
    finally:
        written = suites.store_held_results()
    assert prep.reconciliations  # the roster's 合计 row: its totals check is a result of its own
    assert written == 2
    assert stored() == 2


def test_the_history_suite_on_a_resident_worker_gives_what_it_gives_here(tmp_path, monkeypatch):
    """`statwh run` sends a file's history suite to an idle resident worker: the warnings and
    results are those the loading process gives (`ingest_file`, one file after another)."""
    from etl import ingest

    suites.warm_up(None)
    d = tmp_path / "files"
    d.mkdir()
    ents = _Enterprises(ROWS)
    paths = []
    for m in (1, 2, 3, 4):
        base = ents.base.copy()
        if m == 3:  # one enterprise's figure 30 times the month before: the history suite warns
            ents.base[2] = ents.base[2] * 30
        paths.append(write_roster(d / f"r{m:02d}.xlsx", ents, 2025, m))
        ents.base = base
    plain = Home(tmp_path / "plain").ensure()
    home = Home(tmp_path / "home").ensure()
    (home.inbox / "enterprises").mkdir(parents=True)
    for p in paths:
        shutil.copy(p, home.inbox / "enterprises" / p.name)
    on_worker: list[bool] = []
    worker_result = load._worker_result

    def spy(job, what):
        got = worker_result(job, what)
        on_worker.append(got is not None)
        return got

    monkeypatch.setattr(load, "_worker_result", spy)
    reads = tmp_path / "reads.txt"  # written by the workers: `before_read` is a hook on reading a file
    monkeypatch.setattr(sandbox, "before_read", functools.partial(_note_read, reads))
    monkeypatch.setenv("STATWH_STABLE_SECONDS", "0")
    con, con_plain = connect(home), connect(plain)
    try:
        ingest.process_inbox(con, home)
        ran_on_workers = list(on_worker)
        for p in paths:
            load.ingest_file(con_plain, plain, p, "enterprises")
        got, expected = (
            _loaded(c)
            | {
                "warnings": c.execute(
                    "select file_name, row_number, rule from meta.warnings order by all"
                ).fetchall()
            }
            for c in (con, con_plain)
        )
    finally:
        con.close()
        con_plain.close()
    assert got == expected
    factor = [(f, r) for f, r, rule in got["warnings"] if rule.endswith("_to_be_within_a_factor")]
    assert factor == [("r03.xlsx", 8), ("r04.xlsx", 8)]  # 30 times the month before, then a 30th
    assert sum(ran_on_workers) >= 2, ran_on_workers
    names = [
        p.name for p in paths
    ]  # each read twice (`statwh run`, `ingest_file`), its history suite no read
    assert sorted(n for n in reads.read_text("utf-8").split() if n in names) == sorted(names * 2)
    assert not any(on_worker[len(ran_on_workers) :]), "ingest_file runs it in its own process"


def _note_read(path: Path, name: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(name.replace(" ", "_") + "\n")


def _docs_pages(home: Home) -> tuple[int, int]:
    """(validation pages in the Data Docs site, results listed as rendered)."""
    site = next(home.data_docs.rglob("local_site"))
    rendered = (home.data_docs / suites.RENDERED).read_text("utf-8").split("\n")
    return len(list((site / "validations").rglob("*.html"))), len([r for r in rendered if r])


def test_data_docs_are_rendered_on_a_worker_beside_the_last_build(tmp_path, monkeypatch, rosters):
    """`statwh run` renders Data Docs on an idle worker while the last file builds; the site
    holds what rendering them in the loading process gives (`statwh ingest`)."""
    from etl import ingest

    suites.warm_up(None)
    home, plain = (Home(tmp_path / n).ensure() for n in ("home", "plain"))
    (home.inbox / "enterprises").mkdir(parents=True)
    for p in rosters:
        shutil.copy(p, home.inbox / "enterprises" / p.name)
    monkeypatch.setenv("STATWH_STABLE_SECONDS", "0")
    ahead: list = []
    rendered_ahead = ingest.docs_rendered_ahead
    monkeypatch.setattr(ingest, "docs_rendered_ahead", lambda h: ahead.append(rendered_ahead(h)) or ahead[-1])
    for h, load_all in (
        (home, lambda con: ingest.process_inbox(con, home, build_last=True)),
        (plain, lambda con: ingest.ingest_paths(con, plain, "enterprises", rosters, build_last=True)),
    ):
        con = connect(h)
        try:
            results = load_all(con)
            summary = ingest.build_and_publish(con, h, report=False, built=ingest.built(results))
        finally:
            con.close()
        assert summary.data_docs is not None and summary.data_docs.exists()
    assert ahead[0] is not None and ahead[0].is_relative_to(home.data_docs.resolve())
    assert ahead[1] is None, "no worker outside statwh run"
    assert _docs_pages(home) == _docs_pages(plain)
    assert _docs_pages(home)[0] >= 2


FIRST_WORKER = """
import json, sys
from pathlib import Path
from bench.gen import _Enterprises, write_roster
from etl.base.settings import Home
from etl.warehouse import load, sandbox
from etl.warehouse.connection import connect

work = Path(sys.argv[1])
ents = _Enterprises(30)
ents.base[3] = -ents.base[3]  # a negative 工业总产值: the suite turns the row away
paths = [write_roster(work / f"r{m}.xlsx", ents, 2025, m) for m in (6, 7)]
homes = [Home(work / name).ensure() for name in ("run", "plain")]
con = connect(homes[0])
seen = {"gx_before": "great_expectations" in sys.modules}
with sandbox.resident_workers() as pool:
    first = load.start_ingest(con, homes[0], paths[0], "enterprises")
    prep = first.prepared()
    seen["first"] = [prep.validated, first.pending.pid]
    load.ingest_started(con, homes[0], first)
    second = load.start_ingest(con, homes[0], paths[1], "enterprises")
    seen["second"] = [second.prepared().validated, second.pending.pid]
    load.ingest_started(con, homes[0], second)
rows = "select file_name, status, rows_loaded, rows_rejected from meta.loads order by load_id"
seen["run"] = con.execute(rows).fetchall()
plain = connect(homes[1])
for p in paths:
    load.ingest_file(plain, homes[1], p, "enterprises")
seen["plain"] = plain.execute(rows).fetchall()
print(json.dumps(seen))
"""


def _first_worker(tmp_path, **env: str) -> dict:
    """`FIRST_WORKER` run in a fresh interpreter (as a run starts), with `env`: what it saw."""
    import json
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    env = dict(os.environ, GX_ANALYTICS_ENABLED="false", PYTHONPATH=str(REPO), **env)
    proc = subprocess.run(
        [sys.executable, "-c", FIRST_WORKER, str(tmp_path)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_runs_first_worker_imports_the_validator_itself_and_stays(tmp_path):
    """`statwh run`'s first worker is forked before the loading process has imported
    great_expectations (it imports it on a thread meanwhile): the worker imports it too, runs the
    file's suite there (the loading process does not), and stays to read the next file. The
    loads end as `ingest_file` leaves them."""
    seen = _first_worker(tmp_path)
    assert seen["gx_before"] is False
    assert seen["first"][0] is True, "the first worker ran the suite"
    assert seen["second"] == [True, seen["first"][1]], "the same worker read and validated the next file"
    assert seen["run"] == seen["plain"]
    assert [r[1] for r in seen["plain"]] == ["partial", "partial"]


def test_with_little_of_the_files_time_left_the_first_worker_does_not_import_it(tmp_path):
    """The import takes seconds of the file's time (`STATWH_WORKER_SECONDS`, which bounds a
    hostile file's read): with less than `IMPORT_HEADROOM` left, the worker leaves the suite to
    the loading process, as before, and the next file gets a worker forked warm."""
    seen = _first_worker(tmp_path, STATWH_WORKER_SECONDS="20")
    assert seen["first"][0] is False, "the loading process ran the suite"
    assert seen["second"][0] is True and seen["second"][1] != seen["first"][1]
    assert seen["run"] == seen["plain"]

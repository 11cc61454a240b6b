"""Crashes: the loader SIGKILLed at random (seeded) moments, and at chosen points of publishing.

After every kill the warehouse opens, no load is half applied (each load's `rows_loaded` matches its
raw rows; no raw row without its `meta.loads` row), no file is lost (each is loaded, or waiting in
the inbox or in `processing/` for `recover_claims`), and a final rerun ends with the marts of a
clean run. Readers keep the previous snapshot when publishing dies.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, HomeEnv, query, run_cli

ROOT = REPO
SEED = 20250601
KILLS = 20  # in two chains of 10, side by side (one warehouse each)
KILL_WINDOW = (0.5, 10.0)  # seconds after start: import, claim, load, build, publish all fall in it
# (the upper bound shrinks to the duration of the last run that finished before its kill)


def small_inbox(demo_files: Path, dest: Path) -> None:
    """A handful of every source: quick to load, enough to build every mart."""
    for src in ("land_use", "targets", "indicators", "hightech"):
        shutil.copytree(demo_files / src, dest / src, dirs_exist_ok=True)
    (dest / "enterprises").mkdir(parents=True, exist_ok=True)
    for f in sorted((demo_files / "enterprises").iterdir())[-4:]:
        shutil.copy(f, dest / "enterprises" / f.name)


def env_for(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, STATWH_HOME=str(home), GX_ANALYTICS_ENABLED="false", PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


def statwh(home: Path, *args: str, **extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "etl.cli", *args],
        cwd=ROOT,
        env=env_for(home, **extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def input_shas(inbox: Path) -> set[str]:
    from etl.warehouse.load import sha256_of

    return {sha256_of(p) for p in inbox.rglob("*") if p.is_file()}


def check_consistent(home: Path, shas: set[str]) -> None:
    """The warehouse opens; no load half applied; every input file loaded or still waiting."""
    from etl.base.datasets import DATASETS
    from etl.warehouse.load import sha256_of

    db = home / "warehouse.duckdb"
    waiting = {
        sha256_of(p)
        for d in (home / "inbox", home / "processing")
        if d.exists()
        for p in d.rglob("*")
        if p.is_file() and not p.name.endswith(".claim")
    }
    if not db.exists():
        assert shas <= waiting
        return
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = {
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where schema_name='raw'"
            ).fetchall()
        }
        has_loads = con.execute(
            "select count(*) from duckdb_tables() where schema_name='meta' and table_name='loads'"
        ).fetchall()[0][0]
        loads = (
            con.execute("select load_id, dataset, status, rows_loaded, sha256 from meta.loads").fetchall()
            if has_loads
            else []
        )
        by_id = {r[0]: r for r in loads}
        for ds in DATASETS:
            if ds not in tables:
                continue
            for load_id, n, n_rows in con.execute(
                f"select load_id, count(*), count(distinct _row) from raw.{ds} group by 1"
            ).fetchall():
                assert load_id in by_id, (
                    f"raw.{ds} holds rows of load {load_id}, which meta.loads does not know"
                )
                _, dataset, status, rows_loaded, _ = by_id[load_id]
                assert dataset == ds and status in {"loaded", "partial"}
                assert rows_loaded in (n, n_rows), f"load {load_id}: {rows_loaded} recorded, {n} in raw.{ds}"
        for load_id, ds, status, rows_loaded, _ in loads:
            if status in {"loaded", "partial"} and rows_loaded:
                assert con.execute(f"select count(*) from raw.{ds} where load_id = ?", [load_id]).fetchall()[
                    0
                ][0]
        loaded = {r[4] for r in loads if r[2] in {"loaded", "partial"}}
    finally:
        con.close()
    lost = shas - loaded - waiting
    assert not lost, f"{len(lost)} input files neither loaded nor waiting in inbox/processing"


def mart_rows(db: Path):
    progress = query(db, "select * exclude (as_of) from marts.indicator_progress order by all")
    # lineage included: a CSV's sheet is named after the department's file, not the claimed copy
    values = query(
        db, "select * exclude (vintage, load_id, superseded_at) from marts.indicator_values order by all"
    )
    return progress, values


@pytest.fixture(scope="module")
def clean_marts(tmp_path_factory, demo_files):
    root = tmp_path_factory.mktemp("clean")
    small_inbox(demo_files, root / "inbox")
    with HomeEnv(root):
        assert run_cli("run") == 0
    return mart_rows(root / "warehouse.duckdb")


def kill_chain(home: Path, shas: set[str], seed: int, kills: int) -> list[tuple[float, int | None]]:
    """Runs `statwh run`, each SIGKILLed after a random delay, until `kills` of them were killed
    (at most 3× as many runs). A run that finishes first sets the window for the next delays to
    its own duration, so that however fast the machine, the kills land inside runs."""
    rng = random.Random(seed)
    log: list[tuple[float, int | None]] = []
    window = KILL_WINDOW[1]
    while sum(1 for _, rc in log if rc == -signal.SIGKILL) < kills and len(log) < 3 * kills:
        delay = rng.uniform(KILL_WINDOW[0], max(window, KILL_WINDOW[0] + 0.1))
        started = time.monotonic()
        p = statwh(home, "run")
        try:
            rc = p.wait(timeout=delay)  # finished before the kill: fine, nothing left to load then
            window = time.monotonic() - started
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGKILL)
            rc = p.wait()
        err = p.stderr.read().decode(errors="replace")
        p.stderr.close()
        assert "Traceback" not in err, err
        log.append((round(delay, 2), rc))
        check_consistent(home, shas)
    return log


def test_sigkill_at_random_moments_loses_nothing(tmp_path, demo_files, clean_marts):
    homes = []
    for i in range(2):
        home = tmp_path / f"home{i}"
        small_inbox(demo_files, home / "inbox")
        homes.append(home)
    shas = input_shas(homes[0] / "inbox")
    with ThreadPoolExecutor(2) as ex:
        logs = list(ex.map(lambda ih: kill_chain(ih[1], shas, SEED + ih[0], KILLS // 2), enumerate(homes)))
    killed = sum(1 for log in logs for _, rc in log if rc == -signal.SIGKILL)
    assert killed == KILLS, logs
    for home in homes:
        with HomeEnv(home):
            assert run_cli("run") == 0  # recovers claimed files, loads what is left, builds
        assert not [p for p in (home / "processing").glob("*")] if (home / "processing").exists() else True
        assert not [p for p in (home / "inbox").rglob("*") if p.is_file()]
        check_consistent(home, shas)
        statuses = query(home / "warehouse.duckdb", "select distinct status from meta.loads")
        assert {s for (s,) in statuses} <= {"loaded", "duplicate"}
        progress, values = mart_rows(home / "warehouse.duckdb")
        assert progress == clean_marts[0]
        diff = sorted(set(values) ^ set(clean_marts[1]))
        assert not diff, "\n".join(map(repr, diff[:12]))
        assert values == clean_marts[1]


def test_kill_after_commit_then_recover_claims(tmp_path, demo_files):
    """Killed between a file's commit and the removal of its claimed copy: back to the inbox, then a duplicate."""
    home = tmp_path / "home"
    inbox = home / "inbox" / "land_use"
    inbox.mkdir(parents=True)
    for f in (demo_files / "land_use").iterdir():
        shutil.copy(f, inbox / f.name)
    shas = input_shas(home / "inbox")
    p = subprocess.run(
        [sys.executable, "-m", "tests.hostile.killpoint", "after-commit", "run"],
        cwd=ROOT,
        env=env_for(home),
        capture_output=True,
        timeout=120,
    )
    assert p.returncode == -signal.SIGKILL
    # the committed file, and the next one (claimed and being read while the first loaded)
    assert len([f for f in (home / "processing").iterdir() if not f.name.endswith(".claim")]) == 2
    check_consistent(home, shas)
    with HomeEnv(home):
        assert run_cli("run", "--source", "land_use") == 0
    rows = query(home / "warehouse.duckdb", "select file_name, status from meta.loads order by load_id")
    assert sorted(s for _, s in rows) == ["duplicate", "loaded", "loaded"]
    assert len({n for n, _ in rows}) == 2, "the recovered file keeps its name"
    assert not list((home / "processing").iterdir())


def _snapshot_state(snap: Path):
    con = duckdb.connect(str(snap), read_only=True)
    try:
        return con.execute("select * from marts.indicator_progress order by all").fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("point", ["snapshot-replace", "parquet-replace"])
def test_kill_during_publish_keeps_the_previous_snapshot(point, copied_home, tmp_path):
    snap = copied_home / "published" / "statwh.duckdb"
    before = _snapshot_state(snap)
    reader = duckdb.connect(str(snap), read_only=True)  # a reader with the snapshot open throughout
    # something new to publish: a revised GDP table
    db = copied_home / "warehouse.duckdb"
    with HomeEnv(copied_home):
        con = duckdb.connect(str(db))
        con.execute("update marts.indicator_progress set actual = actual + 1 where indicator_id = 'gdp'")
        con.close()
    p = subprocess.run(
        [sys.executable, "-m", "tests.hostile.killpoint", point, "publish"],
        cwd=ROOT,
        env=env_for(copied_home),
        capture_output=True,
        timeout=60,
    )
    assert p.returncode == -signal.SIGKILL
    assert reader.execute("select * from marts.indicator_progress order by all").fetchall() == before
    reader.close()
    assert _snapshot_state(snap) == before, "readers keep the previous snapshot"
    assert not (snap.stat().st_mode & 0o222)
    with HomeEnv(copied_home):
        assert run_cli("publish") == 0
    gdp = "select period, actual from marts.indicator_progress where indicator_id = 'gdp' order by all"
    assert _snapshot_state(snap) != before
    assert query(snap, gdp) == query(db, gdp)


def test_kill_publish_at_random_moments(copied_home):
    """`statwh publish` killed at seeded random moments: the snapshot always opens, whole."""
    snap = copied_home / "published" / "statwh.duckdb"
    before = _snapshot_state(snap)
    rng = random.Random(SEED)
    for _ in range(6):
        p = statwh(copied_home, "publish")
        time.sleep(rng.uniform(0.05, 0.8))
        p.send_signal(signal.SIGKILL)
        p.wait()
        p.stderr.close()
        assert _snapshot_state(snap) == before


def test_a_crash_inside_claim_keeps_the_file_name(tmp_path, monkeypatch):
    from etl import inbox as pipeline
    from etl.base.settings import Home

    home = Home(tmp_path / "home").ensure()
    f = home.inbox / "land_use" / "增减挂钩项目验收台账.xlsx"
    f.parent.mkdir(parents=True)
    f.write_bytes(b"PK\x03\x04 stand-in")

    class Killed(BaseException):
        pass

    real = Path.write_text

    def write_text(self, *a, **k):
        if self.name.endswith(".claim"):
            raise Killed  # the process dies here
        return real(self, *a, **k)

    monkeypatch.setattr(Path, "write_text", write_text)
    with pytest.raises(Killed):
        pipeline.claim(home, f)
    monkeypatch.setattr(Path, "write_text", real)
    pipeline.recover_claims(home)
    assert [p.name for p in (home.inbox / "land_use").iterdir()] == [f.name]


def test_recover_claims_never_overwrites_a_newer_inbox_file(tmp_path):
    from etl import inbox as pipeline
    from etl.base.settings import Home

    home = Home(tmp_path / "home").ensure()
    f = home.inbox / "land_use" / "增减挂钩项目验收台账.xlsx"
    f.parent.mkdir(parents=True)
    f.write_bytes(b"old")
    assert pipeline.claim(home, f) is not None  # ...and the run dies
    f.write_bytes(b"new")  # the department sends the corrected file under the same name
    pipeline.recover_claims(home)
    assert sorted(p.read_bytes() for p in f.parent.iterdir()) == [b"new", b"old"]


def test_csv_lineage_names_the_departments_file(built_home):
    rows = query(
        built_home / "warehouse.duckdb",
        "select distinct source_file, source_sheet from "
        "marts.indicator_values where source_file like '%.csv'",
    )
    assert rows and all(sheet == Path(f).stem for f, sheet in rows)

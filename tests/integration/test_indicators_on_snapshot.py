"""`statwh indicators --on DATE` on a day other than the snapshot's judges the published snapshot
again (etl.warehouse.judge), read only: it never takes the writer's lock nor opens the writer's
file, so it answers while a run holds both; and it answers what judging the warehouse would."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import duckdb
import pandas as pd

from etl.warehouse.build import progress_as_of
from etl.warehouse.judge import progress_on
from tests.conftest import REPO, run_cli

HOLD = """
import sys, duckdb
from etl.base.settings import Home
from etl.warehouse.connection import write_lock
home = Home.from_env()
with write_lock(home):
    con = duckdb.connect(str(home.warehouse))  # a writer's connection: no other process may open the file
    print("holding", flush=True)
    sys.stdin.read()
"""


def test_judged_on_another_day_while_a_writer_holds_the_lock(copied_home, monkeypatch, capsys):
    import os

    monkeypatch.setenv("STATWH_LOCK_TIMEOUT", "1")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        assert run_cli("indicators", "--on", "2025-12-31", "--latest", "--format", "json") == 0
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    rows = {r["indicator_id"]: r for r in json.loads(capsys.readouterr().out)}
    linkage = rows["land_linkage_new_mu"]
    # README: 5,320 亩 at 2025Q4, judged on 2025-12-31: 731 of 1,096 days of the window gone
    assert linkage["period"] == "2025Q4" and linkage["judged_on"].startswith("2025-12-31")
    assert abs(linkage["expected_pct"] - 100 * 731 / 1096) < 0.01 and linkage["status"] == "at_risk"


def test_the_snapshot_judges_as_the_warehouse_would(copied_home):
    for on in (dt.date(2025, 6, 30), dt.date(2025, 12, 31), dt.date(2027, 3, 1)):
        con = duckdb.connect(str(copied_home / "warehouse.duckdb"), read_only=True)
        try:
            want = progress_as_of(con, None, on, published=True)
        finally:
            con.close()
        got = progress_on(copied_home / "published" / "statwh.duckdb", on)
        key = ["indicator_id", "period_end"]
        pd.testing.assert_frame_equal(
            got[want.columns].sort_values(key).reset_index(drop=True),
            want.sort_values(key).reset_index(drop=True),
            check_dtype=False,
        )


def test_a_withheld_cell_is_not_judged_again(copied_home):
    """A chain cell the snapshot withholds has no figure there: its row stays as published."""
    snap = copied_home / "published" / "statwh.duckdb"
    snap.chmod(0o644)
    con = duckdb.connect(str(snap))
    try:
        iid, period, judged = con.execute(
            "select indicator_id, period, judged_on from marts.indicator_progress"
            " where indicator_id = 'chain_output_green_food' order by period_end desc limit 1"
        ).fetchone()
        for table, figures in (
            ("indicator_values", "value = null"),
            ("indicator_progress", "actual = null, progress_pct = null, pace_ratio = null"),
        ):
            con.execute(
                f"update marts.{table} set {figures}, is_suppressed = true where indicator_id = ? and period = ?",
                [iid, period],
            )
    finally:
        con.close()
    got = progress_on(snap, dt.date(2027, 3, 1))
    row = got[(got.indicator_id == iid) & (got.period == period)]
    assert len(row) == 1 and bool(row.is_suppressed.iloc[0]) and pd.isna(row.actual.iloc[0])
    assert pd.Timestamp(row.judged_on.iloc[0]) == pd.Timestamp(judged), (
        "judged on the snapshot's day, as published"
    )
    others = got[(got.indicator_id != iid) & got.period.notna()]
    assert (others.groupby("indicator_id").judged_on.max() == pd.Timestamp(2027, 3, 1)).all()

"""`statwh indicators --on DATE`: pace judged at a date (progress_as_of's `on`), periods after it left out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from etl.cli import main
from etl.warehouse.build import build, progress_as_of
from tests.golden.test_marts_golden import load_case

CASE = Path(__file__).parents[2] / "golden" / "judged_on.yaml"


@pytest.fixture()
def con():
    c = duckdb.connect()
    load_case(c, yaml.safe_load(CASE.read_text(encoding="utf-8")))
    c.execute("set variable on_date = '2026-12-06'::date")
    build(c)
    c.execute("reset variable on_date")
    return c


def _linkage(df):
    return df[df.indicator_id == "land_linkage_new_mu"].sort_values("period_end")


def test_on_a_date_the_latest_period_by_then_is_judged_at_that_date(con):
    rows = _linkage(progress_as_of(con, None, dt.date(2025, 8, 15)))
    assert rows.period.iloc[-1] == "2025Q2"  # 2025Q3 ends after the date: left out
    last = rows.iloc[-1]
    assert last.judged_on == pd_date(2025, 8, 15) and last.actual == 2000.0
    # 593 of 1,096 days of the window gone at 2025-08-15
    assert last.expected_pct == pytest.approx(100 * 593 / 1096)
    # an earlier quarter keeps the judgement of its own end
    assert rows.iloc[0].judged_on == pd_date(2024, 3, 31)


def test_a_later_date_judges_the_same_figure_more_harshly(con):
    early = _linkage(progress_as_of(con, None, dt.date(2025, 12, 31))).iloc[-1]
    late = _linkage(progress_as_of(con, None, dt.date(2026, 12, 6))).iloc[-1]
    assert early.actual == late.actual == 4800.0
    assert early.expected_pct < late.expected_pct and late.status == "off_track"
    assert early.status == "at_risk"  # 4,800 of 10,000 with 66.7 % of the window gone: ratio 0.72


def pd_date(y, m, d):
    return pd.Timestamp(y, m, d)


def test_a_bad_on_date_is_wrong_usage(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("STATWH_HOME", str(tmp_path))
    assert main(["indicators", "--on", "2025-02-30"]) == 2
    assert "--on" in capsys.readouterr().err


def test_judged_again_small_chain_cells_stay_withheld():
    """Judged on another day than the build's, the figures are still as published: a chain cell of
    fewer than 3 enterprises is withheld (is_suppressed), as in the snapshot."""
    c = duckdb.connect()
    load_case(c, yaml.safe_load((CASE.parent / "chain_output.yaml").read_text(encoding="utf-8")))
    c.execute("set variable on_date = '2025-03-01'::date")
    build(c)
    c.execute("reset variable on_date")
    raw = progress_as_of(c, None, dt.date(2025, 3, 15))
    shown = progress_as_of(c, None, dt.date(2025, 3, 15), published=True)
    chain = "indicator_id == 'chain_output_biomedicine' and period == '2025-02'"
    assert raw.query(chain).actual.tolist() == [4.0]  # the warehouse's own figure
    assert shown.query(chain).actual.isna().all() and shown.query(chain).is_suppressed.all()
    assert len(shown) == len(raw)


def test_as_of_before_any_load_every_indicator_says_no_file_was_loaded(con):
    df = progress_as_of(con, dt.datetime(2026, 1, 1), dt.date(2026, 1, 1))
    assert set(df.status) == {"no_data"}
    land = df.query("indicator_id == 'land_linkage_new_mu'").status_reason.tolist()
    assert land == ["未收到land_use数据文件 / no land_use file loaded"]

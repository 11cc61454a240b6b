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

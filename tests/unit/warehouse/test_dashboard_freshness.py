"""The dashboard's header tells the period the data describe (数据期) from when it was loaded
(更新时间), and marks 数据滞后 beside exactly the sources marts.source_freshness finds stale."""

from __future__ import annotations

import re

import pytest

from tests.conftest import HomeEnv, query, run_cli


@pytest.fixture(scope="module")
def page(built_home, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("report")
    with HomeEnv(built_home):
        assert run_cli("report", "--out", str(out)) == 0
    return (out / "index.html").read_text(encoding="utf-8")


def test_the_header_shows_the_data_period_and_the_load_time_apart(page, built_home):
    snap = built_home / "published" / "statwh.duckdb"
    ((period,),) = query(
        snap,
        "select period from marts.indicator_progress where period is not null"
        " order by period_end desc, length(period) = 4 desc limit 1",
    )
    ((loaded,),) = query(snap, "select max(as_of) from marts.indicator_progress")
    head = re.search(r'<div class="sub">(.*?)</div>', page).group(1)
    assert f"数据期 {period} " in head  # the sample data describe 2025, whenever they were loaded
    assert f"更新时间 {str(loaded)[:16]}" in head
    assert "数据截至" not in page


def test_stale_sources_are_marked(page, built_home):
    stale = {
        s
        for (s,) in query(
            built_home / "published" / "statwh.duckdb",
            "select source from marts.source_freshness where is_stale",
        )
    }
    # the sample roster ends 2025-12: with a 2-month lag it is stale from March 2026 on
    assert "enterprises" in stale
    rows = re.findall(r'<tr data-source="([^"]+)">(.*?)</tr>', page)
    marked = {s for s, row in rows if "数据滞后" in row}
    assert rows and marked == stale

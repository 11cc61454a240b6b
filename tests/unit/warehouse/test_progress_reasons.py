"""What a status rests on, mended or said: a target not met by its deadline is `missed` for good (a
later period that meets it had turned it `achieved`); a pace measured from another year than the
baseline's, or a year to date held against the calendar's share, says so in `status_reason`."""

from __future__ import annotations

import datetime as dt

from tests.conftest import query, run_cli
from tests.hostile.corpus import LEDGER_HEADER, LEDGER_NAME, TOWNSHIPS, ledger


def _ledger(tmp_path, year: int, area: float, name: str):
    rows = [
        [
            i + 1,
            f"{TOWNSHIPS[i]}测试村{year}{i + 1}号增减挂钩拆旧复垦项目",
            TOWNSHIPS[i],
            area,
            dt.date(year, 6, i + 1),
        ]
        for i in range(3)
    ]
    return str(ledger(tmp_path / name, rows, LEDGER_HEADER))


def _with_output_target(tmp_path, table) -> None:
    """`table` loaded, then the target 规上工业总产值 600 亿元 by 2027."""
    assert run_cli("ingest", "indicators", str(table)) == 0
    targets = tmp_path / "目标任务表.csv"
    targets.write_text(
        "指标名称,目标值,单位,完成时限\n规模以上工业总产值,600,亿元,2027年\n", encoding="utf-8"
    )
    assert run_cli("ingest", "targets", str(targets)) == 0


def test_a_target_met_after_its_deadline_stays_missed(tmp_path, home):
    assert run_cli("ingest", "land_use", _ledger(tmp_path, 2025, 1000.0, "2025年" + LEDGER_NAME)) == 0
    assert run_cli("ingest", "land_use", _ledger(tmp_path, 2026, 1500.0, "2026年" + LEDGER_NAME)) == 0
    targets = tmp_path / "目标任务表.csv"
    targets.write_text(
        "指标名称,目标值,单位,完成时限\n新增城乡建设用地增减挂钩,5000,亩,2025年\n", encoding="utf-8"
    )
    assert run_cli("ingest", "targets", str(targets)) == 0
    got = query(
        home / "warehouse.duckdb",
        "select period, actual, status, status_reason from marts.indicator_progress"
        " where indicator_id = 'land_linkage_new_mu' order by period_end",
    )
    by_period = {p: (a, s, why) for p, a, s, why in got}
    assert by_period["2025Q4"][:2] == (3000.0, "missed")  # the deadline's figure: short of 5000
    actual, status, why = by_period["2026Q2"]
    assert actual == 7500.0 and status == "missed", (actual, status)  # met, a half year late
    assert "2025-12-31" in why


def test_a_level_target_without_the_baseline_years_figure_says_where_its_pace_is_from(tmp_path, home):
    """规上工业总产值 with no 2023 figure: the pace was measured from 2020 (the earliest year) without
    a word; the reason now says so."""
    table = tmp_path / "主要经济指标_规模以上工业总产值.csv"
    table.write_text(
        "指标：规模以上工业总产值(亿元)\n地区,2025年,2024年,2022年,2021年,2020年\n淮安区,500.5,460.7,401.2,370.4,331.57\n",
        encoding="utf-8",
    )
    _with_output_target(tmp_path, table)
    ((why,),) = query(
        home / "warehouse.duckdb",
        "select status_reason from marts.indicator_progress where indicator_id = 'industrial_output' and period = '2025'",
    )
    assert "2023" in why and "2020" in why, why


def test_a_year_to_date_without_last_years_months_says_the_calendar_is_its_share(tmp_path, home):
    """规上工业总产值 1-2月 2026 with only whole years before: the year was estimated as 80.1 × 12/2
    without a word (1-2月 is ≈ 13 % of a year in the sample rosters, not 16.7 %)."""
    table = tmp_path / "主要经济指标.csv"
    table.write_text(
        "指标名称,时期,数值,单位\n规模以上工业总产值,2024年,460.7,亿元\n规模以上工业总产值,2025年,500.5,亿元\n"
        "规模以上工业总产值,2026年1-2月,80.1,亿元\n",
        encoding="utf-8",
    )
    _with_output_target(tmp_path, table)
    got = dict(
        query(
            home / "warehouse.duckdb",
            "select period, status_reason from marts.indicator_progress where indicator_id = 'industrial_output'",
        )
    )
    assert "2/12" in got["2026-02"], got
    assert got["2025"] is None or "/12" not in got["2025"]


def test_a_level_target_over_a_base_of_zero_says_why_it_has_no_pace(tmp_path, home):
    """A base of 0 gives no growth rate to judge by: `at_risk` with no pace had said nothing."""
    table = tmp_path / "主要经济指标_规模以上工业总产值.csv"
    table.write_text("指标：规模以上工业总产值(亿元)\n地区,2024年,2023年\n淮安区,460.7,0\n", encoding="utf-8")
    _with_output_target(tmp_path, table)
    ((status, why),) = query(
        home / "warehouse.duckdb",
        "select status, status_reason from marts.indicator_progress"
        " where indicator_id = 'industrial_output' and period = '2024'",
    )
    assert status == "at_risk" and "基期值为 0" in why, (status, why)

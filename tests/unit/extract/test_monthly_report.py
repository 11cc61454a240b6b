"""The 统计局 月报 as it is most often drawn — 指标名称 | 单位 | 本期 (or `1-9月`) | 上年同期 | 同比增长% —
with the period in the title only, had been refused as having no period columns. The column of
this period is the title's; 上年同期 the same span a year earlier; the change is no figure."""

from __future__ import annotations

import pytest

from etl.extract import extract
from tests.hostile.corpus import write_xlsx


@pytest.mark.parametrize("this", ["本期", "1-9月", "本年累计"])
def test_a_monthly_report_reads_this_period_and_a_year_earlier(tmp_path, this):
    rows = [
        ["指标名称", "计量单位", this, "上年同期", "同比增长（%）"],
        ["地区生产总值", "亿元", 640.72, 601.5, 6.5],
        ["规模以上工业总产值", "万元", 3850000.0, 3600000.0, 6.9],
    ]
    path = write_xlsx(tmp_path / "主要经济指标.xlsx", rows, title="2025年1-9月淮安区主要经济指标")
    ex = extract(path, "indicators")
    assert not [i for i in ex.issues if i.severity in ("critical", "row")], [i.message for i in ex.issues]
    got = {(r["indicator_id"], r["period"]): r["value"] for r in ex.frame.to_dict("records")}
    assert got == {
        ("gdp", "2025Q3"): 640.72,
        ("gdp", "2024Q3"): 601.5,
        ("industrial_output", "2025-09"): pytest.approx(385.0),
        ("industrial_output", "2024-09"): pytest.approx(360.0),
    }
    assert set(ex.frame["basis"]) == {"ytd"}


def test_without_a_period_in_the_title_it_is_still_refused(tmp_path):
    rows = [["指标名称", "计量单位", "本期", "上年同期"], ["地区生产总值", "亿元", 640.72, 601.5]]
    ex = extract(write_xlsx(tmp_path / "主要经济指标.xlsx", rows, title="淮安区主要经济指标"), "indicators")
    assert ex.critical

"""A long table's row that is no figure of its indicator and period is refused, never loaded as
one: a period cell that is a change, target or forecast (`2025年1-9月增长`, `2025年目标`; they
were loaded as GDP of 2025-09 and of the year 2025), a figure whose cell writes a unit of another
kind than its row's (`5.2%` beside 单位 亿元: it was loaded as 5.2 亿元)."""

from __future__ import annotations

import pytest

from etl.base.cells import parse_period
from etl.extract import extract


@pytest.mark.parametrize(
    "text",
    [
        "2025年1-9月增长",
        "2025年目标",
        "2025年预计",
        "比2024年同期增长（%）",
        "2025年三季度增速",
        "2025年1-9月同比增长(%)",
    ],
)
def test_a_periods_change_target_or_forecast_is_no_period(text):
    assert parse_period(text) is None


def test_a_title_about_growth_keeps_its_period():
    assert parse_period("淮安区2025年1-9月主要指标增长情况").text == "2025-09"


def test_a_long_tables_rows_that_are_no_figure_are_refused(tmp_path):
    path = tmp_path / "long.csv"
    rows = [
        ["指标名称", "地区", "时期", "数值", "单位"],
        ["地区生产总值", "淮安区", "2025年1-9月", "640", "亿元"],
        ["地区生产总值", "车桥镇", "2025年1-9月增长", "5", "%"],
        ["地区生产总值", "施河镇", "2025年目标", "500", "亿元"],
        ["地区生产总值", "流均镇", "2025年1-9月", "5.2%", "亿元"],
    ]
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    ex = extract(path, "indicators", file_name=path.name)
    assert {i.row for i in ex.issues if i.severity == "row"} == {3, 4, 5}

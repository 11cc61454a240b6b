"""The 分乡镇 table: the 上年同期 of a 累计 figure is 累计 a year earlier whatever the title's
period says (under `（2025年9月）` or a file named `…2025年三季度`, 工业总产值 1-9月累计 and its
上年同期 are both year to date: 上年同期 was loaded as the month or quarter alone); a 累计 of a
quarter is the year to its last month; a growth header with a bare `%` (`同比增长%`) is the
growth column (it was left unread)."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.extract import extract


def _frame(tmp_path: Path, name: str, title: str, growth: str = "同比增长"):
    rows = [
        [title],
        ["单位：个，万元"],
        ["乡镇", "规上工业企业数", "", "工业总产值", "", ""],
        ["", "本期", "上年同期", "1-9月累计", "上年同期", growth],
        ["车桥镇", "30", "28", "120000", "100000", "20"],
    ]
    path = tmp_path / name
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    ex = extract(path, "indicators", file_name=name)
    assert not ex.critical, ex.critical
    assert ex.spec is not None and ex.spec.shape == "measures"
    return {(r.indicator_id, r.period, r.basis): r.value for r in ex.frame.itertuples()}


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("分乡镇.csv", "淮安区分乡镇规模以上工业主要指标（2025年9月）"),
        ("分乡镇_2025年三季度.csv", "淮安区分乡镇规模以上工业主要指标"),
    ],
)
def test_the_prior_year_of_an_accumulated_figure_is_accumulated(tmp_path, name, title):
    got = _frame(tmp_path, name, title)
    assert got[("industrial_output", "2025-09", "ytd")] == 12.0
    assert got[("industrial_output", "2024-09", "ytd")] == 10.0
    assert not [k for k in got if k[0] == "industrial_output" and k[2] != "ytd"]


def test_a_growth_header_with_a_bare_percent_is_the_growth_column(tmp_path):
    got = _frame(tmp_path, "分乡镇.csv", "淮安区分乡镇规模以上工业主要指标（2025年1-9月）", "同比增长%")
    assert got[("industrial_output_growth", "2025-09", "rate")] == 20.0

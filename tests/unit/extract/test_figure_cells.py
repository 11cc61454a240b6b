"""A figure cell of a wide or 分乡镇 table: a footnote marker on it (`12.3①`, `30②`) is dropped,
never read as a digit (it was 12.31, 302); a unit written in it other than its column's
(`12.3亿元` or `5.2%` under 万元) refuses the cell (it was read as 12.3 万元)."""

from __future__ import annotations

from pathlib import Path

from etl.extract import extract
from etl.extract.wide import figure


def test_a_footnote_marker_on_a_figure_is_no_digit():
    assert figure("12.3①", None).value == 12.3
    assert figure("30²", "个").value == 30


def test_a_unit_in_the_cell_other_than_the_columns_refuses_it():
    assert figure("12.3亿元", "万元").value is None and figure("12.3亿元", "万元").problem
    assert figure("5.2%", "万元").problem
    assert figure("12.3万元", "万元").value == 12.3
    assert figure("5家", "个").value == 5


def _load(tmp_path: Path, name: str, rows: list[list[str]]):
    path = tmp_path / name
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    ex = extract(path, "indicators", file_name=name)
    return ex, {(r.region, r.indicator_id, r.period): r.value_read for r in ex.frame.itertuples()}


def test_a_wide_tables_cells_are_read_as_a_statistician_reads_them(tmp_path):
    ex, got = _load(
        tmp_path,
        "gdp.csv",
        [
            ["指标：地区生产总值(万元)"],
            ["地区", "2025年1-9月", "2024年1-9月"],
            ["车桥镇", "12.3亿元", "5.2%"],
            ["施河镇", "12.3①", "100000"],
        ],
    )
    assert got == {("施河镇", "gdp", "2025Q3"): 12.3, ("施河镇", "gdp", "2024Q3"): 100000.0}
    assert len([i for i in ex.issues if i.severity == "row"]) == 2


def test_a_township_tables_cells_are_read_as_a_statistician_reads_them(tmp_path):
    ex, got = _load(
        tmp_path,
        "分乡镇.csv",
        [
            ["淮安区分乡镇规模以上工业主要指标（2025年1-9月）"],
            ["单位：个，万元"],
            ["乡镇", "规上工业企业数", "", "工业总产值", ""],
            ["", "本期", "上年同期", "1-9月累计", "上年同期"],
            ["车桥镇", "30②", "28", "12亿元", "100000"],
        ],
    )
    assert got[("车桥镇", "above_scale_enterprises", "2025-09")] == 30
    assert ("车桥镇", "industrial_output", "2025-09") not in got
    assert [i for i in ex.issues if i.severity == "row"]

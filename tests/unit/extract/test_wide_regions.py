"""Whose figures a wide table's rows are, and of what: a title naming a catalog indicator
(`淮安区各镇地区生产总值`) names the table's when the 指标 line and file name name none (it was
ext.<file name>); an indicators-down table titled for a township
(`车桥镇主要经济指标`) is that township's (it was loaded as the district's); a region written once
over its indicators' rows (CSV, no merge) is theirs (they were dropped as blank), never past a
合计 row."""

from __future__ import annotations

from pathlib import Path

from etl.extract import extract
from etl.extract.meta import township_in_title


def _load(tmp_path: Path, name: str, rows: list[list[str]]):
    path = tmp_path / name
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    ex = extract(path, "indicators", file_name=name)
    assert not ex.critical, ex.critical
    return {(r.region_code, r.indicator_id, r.period): r.value for r in ex.frame.itertuples()}


def test_a_title_opening_with_a_township_names_whose_figures_they_are():
    assert township_in_title(["淮安市淮安区车桥镇2025年主要经济指标"]) == ("320803107", "车桥镇")
    assert township_in_title(["淮安区经济开发区主要指标"]) == ("320803401", "经济开发区")
    assert township_in_title(["淮安区主要经济指标（含经济开发区）"]) is None


def test_an_indicators_down_table_of_a_township_is_the_townships(tmp_path):
    got = _load(
        tmp_path,
        "main.csv",
        [
            ["车桥镇主要经济指标"],
            ["指标", "单位", "2024年", "2025年1-9月"],
            ["地区生产总值", "亿元", "85", "64"],
        ],
    )
    assert got == {("320803107", "gdp", "2024"): 85.0, ("320803107", "gdp", "2025Q3"): 64.0}


def test_a_region_written_once_over_its_indicators_is_theirs(tmp_path):
    got = _load(
        tmp_path,
        "towns.csv",
        [
            ["地区", "指标", "单位", "2024年", "2025年1-9月"],
            ["车桥镇", "地区生产总值", "亿元", "85", "64"],
            ["", "规上工业企业数", "个", "30", "31"],
            ["合计", "地区生产总值", "亿元", "85", "64"],
            ["", "规上工业企业数", "个", "30", "31"],
        ],
    )
    assert got == {
        ("320803107", "gdp", "2024"): 85.0,
        ("320803107", "gdp", "2025Q3"): 64.0,
        ("320803107", "above_scale_enterprises", "2024"): 30.0,
        ("320803107", "above_scale_enterprises", "2025-09"): 31.0,
    }


def test_a_title_naming_a_catalog_indicator_names_the_tables(tmp_path):
    got = _load(
        tmp_path,
        "各镇.csv",
        [
            ["淮安区各镇地区生产总值"],
            ["单位：万元、%"],
            ["地区", "2025年1-9月", "2024年1-9月", "增长%"],
            ["车桥镇", "100000", "90000", "11.1"],
        ],
    )
    assert got == {("320803107", "gdp", "2025Q3"): 10.0, ("320803107", "gdp", "2024Q3"): 9.0}


def test_an_export_of_one_period_column_is_read(tmp_path):
    """A 统计局 export of one year (`地区,2025年`) had been refused for want of two period columns."""
    f = tmp_path / "主要经济指标_地区生产总值.csv"
    f.write_text(
        "指标：地区生产总值(亿元)\n时间：2025年\n地区,2025年\n淮安区,905.00\n清江浦区,969.85\n",
        encoding="utf-8",
    )
    ex = extract(f, "indicators")
    assert not ex.critical, [i.message for i in ex.critical]
    got = {(r.region_code, r.period): r.value for r in ex.frame.itertuples()}
    assert got == {("320803", "2025"): 905.0, ("320812", "2025"): 969.85}

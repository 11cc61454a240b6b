"""A long table's 口径 column naming another figure than the indicator (`比上年同期增长%`, `上年同期`,
`同比增长%`, `本年新增` of a stock) had left the row as the indicator itself: GDP's growth rate 5.2
loaded as GDP in 亿元, last year's 601.5 beside this year's as duplicates. Such a 口径 is read as a
bracket after the name is: another figure (its own series, or the catalog's growth indicator)."""

from __future__ import annotations

from etl.extract import extract


def _long(path, rows):
    lines = [["指标名称", "地区", "时期", "口径", "数值", "单位"], *rows]
    path.write_text("\n".join(",".join(map(str, x)) for x in lines) + "\n", encoding="utf-8")
    return path


def test_a_basis_naming_another_figure_is_not_the_indicator(tmp_path):
    rows = [
        ["地区生产总值", "淮安区", "2025年1-9月", "本期", 640.72, "亿元"],
        ["地区生产总值", "淮安区", "2025年1-9月", "上年同期", 601.5, "亿元"],
        ["地区生产总值", "淮安区", "2025年1-9月", "比上年增长%", 5.2, "%"],
        ["规模以上工业总产值", "淮安区", "2025年1-9月", "1-9月累计", 385.0, "亿元"],
    ]
    ex = extract(_long(tmp_path / "主要经济指标.csv", rows), "indicators")
    assert not [i for i in ex.issues if i.severity in ("critical", "row")], [i.message for i in ex.issues]
    got = dict(zip(ex.frame["_row"], ex.frame["indicator_id"], strict=True))
    assert got[2] == "gdp" and got[5] == "industrial_output"
    assert got[4] == "gdp_growth"
    assert got[3].startswith("ext.") and "上年同期" in got[3]
    assert ex.frame.loc[ex.frame["indicator_id"] == "gdp", "value"].tolist() == [640.72]


def test_the_new_ones_of_a_flow_of_new_ones_are_the_flow_itself(tmp_path):
    """个转企 counts the year's new ones: 本年新增 is its own basis. A stock's 本年新增 (龙头企业:
    34 at the year's end, 3 new) is another figure."""
    rows = [
        ["个转企", "淮安区", "2025年", "本年新增", 143, "家"],
        ["省级以上农业龙头企业", "淮安区", "2025年", "本年新增", 3, "家"],
    ]
    ex = extract(_long(tmp_path / "主要经济指标.csv", rows), "indicators")
    got = dict(zip(ex.frame["_row"], ex.frame["indicator_id"], strict=True))
    assert got[2] == "individual_to_enterprise"
    assert got[3].startswith("ext.") and "本年新增" in got[3]


def test_a_flows_year_to_date_of_twelve_months_is_the_years_figure(tmp_path):
    """`2025年1-12月` 本年累计 of 规上工业总产值 had been kept as the year 2025 with basis `ytd`, beside
    the year's figure (`period`) from an annual table: both current, the later one never replacing it."""
    rows = [
        ["规模以上工业总产值", "淮安区", "2025年1-12月", "本年累计", 498.0, "亿元"],
        ["规模以上工业总产值", "淮安区", "2025年1-9月", "本年累计", 385.0, "亿元"],
    ]
    ex = extract(_long(tmp_path / "主要经济指标.csv", rows), "indicators")
    got = sorted(zip(ex.frame["period"], ex.frame["basis"], strict=True))
    assert got == [("2025", "period"), ("2025-09", "ytd")]

"""A bracket after a figure's name may name another figure: `营业收入（上年同期）` is last year's,
`地区生产总值（增长%）` a growth rate, `工业总产值（不变价）` at constant prices, `（计划）` a plan.
Brackets had been dropped before names were compared, so each was read as the figure itself:
last year's revenue loaded as this year's, a growth rate as GDP. A unit or a span in brackets
(`（万元）`, `（1-6月）`, `（街道）`) still leaves the name as it is."""

from __future__ import annotations

import pytest

from etl.base.cells import header_key
from etl.extract import extract
from etl.reference import catalog


@pytest.mark.parametrize(
    ("header", "indicator"),
    [
        ("地区生产总值（亿元）", "gdp"),
        ("地区生产总值（1-9月）", "gdp"),
        ("地区生产总值（增长%）", "gdp_growth"),
        ("地区生产总值（比上年增长%）", "gdp_growth"),
        ("地区生产总值（上年同期）", None),
        ("地区生产总值（±%）", None),
        ("地区生产总值（计划）", None),
        ("地区生产总值（预计）", None),
        ("地区生产总值（不变价）", None),
        ("一般公共预算收入（预算数）", None),
        # the new ones are not the stock: 高新技术企业 is the count of valid certificates
        ("高新技术企业（累计新增）", "hightech_new_cumulative"),
        ("规上工业企业数（新增）", None),
        ("新增民宿客房（新增）", "homestay_rooms_new"),  # said twice: the name's own word
    ],
)
def test_an_indicator_named_with_another_measure_in_brackets_is_not_that_indicator(header, indicator):
    assert catalog.indicator_id_for(header) == indicator


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("所在镇（街道）", "所在镇"),
        ("企业（单位）名称", "企业名称"),
        ("工业总产值（现价，万元）", "工业总产值"),
        ("工业总产值（本年累计）", "工业总产值"),
        ("城镇化率（%）", "城镇化率"),
        ("目标值（计划数）", "目标值"),  # a plan's figure named a plan: the target itself
        ("营业收入（上年同期）", "营业收入上年同期"),
        ("从业人员（上年末）", "从业人员上年末"),
        ("复垦面积（其中：耕地，亩）", "复垦面积其中耕地亩"),
        ("营业收入（不含税）", "营业收入不含税"),
    ],
)
def test_header_key_drops_units_and_spans_and_keeps_other_measures(header, key):
    assert header_key(header) == key


ROW = "91320803MA0BK5CX60,甲公司,车桥镇,100.5,80.0,是\n"


@pytest.mark.parametrize(
    ("other", "field"),
    [
        ("营业收入（上年同期）", "revenue_ytd"),
        ("营业收入（增长%）", "revenue_ytd"),
        ("本年累计营业收入（计划）", "revenue_ytd"),
        ("工业总产值（上年同期）", "output_ytd"),
    ],
)
def test_a_roster_column_of_another_measure_is_left_unmapped(tmp_path, other, field):
    """Beside 本月工业总产值, a column of another measure is not read as a field: not as 本年累计
    (last year's revenue had loaded as this year's), and not as a second column of a field (the
    roster had been rejected for two 工业总产值 columns)."""
    f = tmp_path / "规上工业企业主要指标_2025年1-6月.csv"
    f.write_text(
        f"统一社会信用代码,企业名称,所在镇（街道）,本月工业总产值,{other},是否规上\n" + ROW, encoding="utf-8"
    )
    ex = extract(f, "enterprises")
    assert not ex.critical, ex.critical
    assert ex.frame["output_month"].tolist() == [100.5]
    assert ex.frame[field].isna().all()
    assert any(other.replace("（", "(").replace("）", ")") in c for c in ex.sheets[0].unmapped)


def test_a_wide_tables_growth_row_is_the_growth_indicator_not_a_second_level(tmp_path):
    """地区生产总值（增长%） under 地区生产总值（亿元）: two rows of gdp, both quarantined as duplicates,
    before; now the level and the rate each load as their own indicator."""
    f = tmp_path / "主要经济指标.csv"
    f.write_text(
        "淮安区主要经济指标\n指标名称,2023年,2024年\n地区生产总值（亿元）,950,1000\n地区生产总值（增长%）,4.5,5.0\n"
        "一般公共预算收入（上年同期）,45,50\n",
        encoding="utf-8",
    )
    ex = extract(f, "indicators")
    assert not ex.critical and not [i for i in ex.issues if i.severity == "row"], ex.issues
    got = {(i, p): v for i, p, v in ex.frame[["indicator_id", "period", "value"]].itertuples(index=False)}
    assert got == {
        ("gdp", "2023"): 950.0, ("gdp", "2024"): 1000.0,
        ("gdp_growth", "2023"): 4.5, ("gdp_growth", "2024"): 5.0,
        ("ext.一般公共预算收入上年同期", "2023"): 45.0, ("ext.一般公共预算收入上年同期", "2024"): 50.0,
    }  # fmt: skip


def test_a_roster_whose_only_output_column_names_another_figure_is_rejected_saying_why(tmp_path):
    """工业总产值（不变价） alone: no 工业总产值 at current prices, so the roster is rejected (it had
    loaded constant-price figures as output); the message names the column and its bracket."""
    f = tmp_path / "规上工业企业主要指标_2025年1-6月.csv"
    f.write_text(
        "统一社会信用代码,企业名称,所在镇（街道）,工业总产值（不变价）,是否规上\n"
        "91320803MA0BK5CX60,甲公司,车桥镇,100.5,是\n",
        encoding="utf-8",
    )
    (crit,) = extract(f, "enterprises").critical
    assert crit.rule == "no_header"
    assert "“工业总产值(不变价)”括号中写明另一指标" in crit.message and "output_ytd" in crit.message


def test_a_ledger_whose_only_area_is_a_part_of_it_is_rejected_saying_why(tmp_path):
    """复垦面积（其中耕地）: the cultivated part of the reclaimed area, which had loaded as the whole."""
    f = tmp_path / "2025年增减挂钩验收台账.csv"
    f.write_text(
        "项目名称,所在镇,复垦面积（其中耕地）,验收日期\n甲项目,车桥镇,12.5,2025-03-01\n", encoding="utf-8"
    )
    (crit,) = extract(f, "land_use").critical
    assert crit.rule == "no_header" and "“复垦面积(其中耕地)”括号中写明另一指标" in crit.message


def test_a_rank_in_brackets_after_a_rank_is_the_rank_itself():
    """`经济开发区全省排名（位次）` says the rank twice (it had been an unknown indicator); a rank
    after a figure's name (`地区生产总值（位次）`) is still not the figure."""
    assert catalog.indicator_id_for("经济开发区全省排名（位次）") == "edz_provincial_rank"
    assert catalog.indicator_id_for("经济开发区全省排名(名次)") == "edz_provincial_rank"
    assert catalog.indicator_id_for("地区生产总值（位次）") is None

"""A wide table's period columns are the period's figures only: a change beside them (`增长%`,
`比2024年同期增长`, `2025年1-9月增速`, `增长%` under a repeated `2025年1-9月`) is left out, never
loaded as the indicator's value; a column headed `上年同期` is the same span a year earlier;
`累计` / `当月` under a month set its basis; a unit in a period column's own header
(`2025年1-9月（万元）`, `绝对额（万元）`) is that column's unit."""

from __future__ import annotations

from pathlib import Path

from etl.extract import extract


def _load(tmp_path: Path, name: str, rows: list[list[str]]):
    path = tmp_path / name
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    ex = extract(path, "indicators", file_name=name)
    assert not ex.critical, ex.critical
    return ex, {(r.region, r.period, r.basis): r.value for r in ex.frame.itertuples()}


def test_a_growth_column_with_a_period_in_its_header_is_not_a_value(tmp_path):
    ex, got = _load(
        tmp_path,
        "gdp.csv",
        [
            ["指标：地区生产总值(亿元)"],
            ["地区", "2025年1-9月", "2025年1-9月增速%", "2024年1-9月", "比2024年同期增长（%）"],
            ["车桥镇", "10.5", "-3.2", "9.0", "16.7"],
        ],
    )
    assert got == {("车桥镇", "2025Q3", "ytd"): 10.5, ("车桥镇", "2024Q3", "ytd"): 9.0}


def test_sub_headers_under_a_repeated_period_say_growth_year_earlier_and_basis(tmp_path):
    _, got = _load(
        tmp_path,
        "out.csv",
        [
            ["指标：规模以上工业总产值(亿元)"],
            ["地区", "2025年1-9月", "2025年1-9月", "2025年1-9月", "2025年9月", "2025年9月"],
            ["", "本期", "上年同期", "增长%", "当月", "累计"],
            ["车桥镇", "90", "80", "12.5", "11", "90"],
        ],
    )
    assert got == {
        ("车桥镇", "2025-09", "ytd"): 90.0,
        ("车桥镇", "2024-09", "ytd"): 80.0,
        ("车桥镇", "2025-09", "period"): 11.0,
    }


def test_a_unit_in_a_period_columns_header_is_that_columns_unit(tmp_path):
    _, got = _load(
        tmp_path,
        "gdp2.csv",
        [
            ["指标：地区生产总值"],
            ["地区", "2025年1-9月(万元)", "2024年1-9月(万元)"],
            ["车桥镇", "100000", "90000"],
        ],
    )
    assert got == {("车桥镇", "2025Q3", "ytd"): 10.0, ("车桥镇", "2024Q3", "ytd"): 9.0}


def test_a_code_column_beside_the_regions_is_not_the_indicator(tmp_path):
    ex, got = _load(
        tmp_path,
        "gdp3.csv",
        [
            ["指标：地区生产总值(亿元)"],
            ["区划代码", "地区", "2025年1-9月", "2024年1-9月"],
            ["320803107", "车桥镇", "10", "9"],
        ],
    )
    assert set(ex.frame["indicator_id"]) == {"gdp"}
    assert got == {("车桥镇", "2025Q3", "ytd"): 10.0, ("车桥镇", "2024Q3", "ytd"): 9.0}


def test_a_growth_indicators_own_table_is_read(tmp_path):
    _, got = _load(
        tmp_path,
        "growth.csv",
        [
            ["指标：规上工业总产值增速(%)"],
            ["地区", "2025年1-9月", "2024年1-9月"],
            ["", "增速", "增速"],
            ["车桥镇", "-3.2", "4.1"],
        ],
    )
    assert got == {("车桥镇", "2025-09", "rate"): -3.2, ("车桥镇", "2024-09", "rate"): 4.1}


def test_the_indicator_named_over_period_columns_is_theirs(tmp_path):
    _, got = _load(
        tmp_path,
        "乡镇.csv",
        [
            ["地区", "规上工业企业数（个）", "", "工业总产值（万元）", "", ""],
            ["", "2025年1-9月", "2024年1-9月", "2025年1-9月", "2024年1-9月", "同比增长"],
            ["车桥镇", "30", "28", "120000", "100000", "20"],
        ],
    )
    assert got == {
        ("车桥镇", "2025-09", "stock"): 30.0,
        ("车桥镇", "2024-09", "stock"): 28.0,
        ("车桥镇", "2025-09", "ytd"): 12.0,
        ("车桥镇", "2024-09", "ytd"): 10.0,
    }


def test_a_target_forecast_rank_or_share_beside_the_periods_is_not_a_value(tmp_path):
    ex, got = _load(
        tmp_path,
        "main.csv",
        [
            ["淮安区主要指标"],
            [
                "指标",
                "单位",
                "2024年",
                "2025年1-9月完成",
                "2025年目标",
                "2025年预计",
                "2025年1-9月位次",
                "占全市比重%",
            ],
            ["地区生产总值", "亿元", "850", "640", "950", "930", "3", "12.1"],
        ],
    )
    assert got == {("淮安区", "2024", "period"): 850.0, ("淮安区", "2025Q3", "ytd"): 640.0}
    assert any("位次" in u for u in ex.sheets[0].unmapped)


def test_a_years_spans_below_it_are_those_spans_not_the_year(tmp_path):
    _, got = _load(
        tmp_path,
        "gdp_years.csv",
        [
            ["指标：地区生产总值(亿元)"],
            ["地区", "2025年", "", "2024年", ""],
            ["", "1-9月", "9月", "1-9月", "全年"],
            ["车桥镇", "10", "1.2", "9", "12"],
        ],
    )
    assert got == {
        ("车桥镇", "2025Q3", "ytd"): 10.0,
        ("车桥镇", "2025-09", "period"): 1.2,
        ("车桥镇", "2024Q3", "ytd"): 9.0,
        ("车桥镇", "2024", "period"): 12.0,
    }


def test_a_column_naming_a_span_no_period_places_is_a_warning_not_the_year(tmp_path):
    """`2025年H2`, `2025年第3期`, `2025年6月上旬` had loaded as the year 2025 (or its month), or, for
    `2025年下半年`, been left out without a word: each is now left out with a warning naming it."""
    ex, got = _load(
        tmp_path,
        "gdp3.csv",
        [
            ["指标：地区生产总值(亿元)"],
            ["地区", "2024年", "2025年H1", "2025年H2", "2025年第3期", "2025年下半年", "2025年目标"],
            ["车桥镇", "20", "9", "11", "3", "11", "22"],
        ],
    )
    assert got == {("车桥镇", "2024", "period"): 20.0, ("车桥镇", "2025Q2", "ytd"): 9.0}  # GDP: quarterly
    warned = {i.column for i in ex.issues if i.rule == "period_not_placed"}
    assert warned == {"2025年H2 (D)", "2025年第3期 (E)", "2025年下半年 (F)"}  # 目标 is said as a target


def test_a_target_or_change_column_beside_the_periods_is_said_not_dropped(tmp_path):
    """`2025年目标`, `2025年预计`, `2025年增长%` beside the year columns: not loaded, and each listed
    among the unmapped columns with why (they had been left out without a word)."""
    ex, got = _load(
        tmp_path,
        "gdp4.csv",
        [
            ["指标：地区生产总值(亿元)"],
            ["地区", "2023年", "2024年", "2025年目标", "2025年预计", "2025年增长%"],
            ["车桥镇", "18", "20", "22", "21", "5"],
        ],
    )
    assert got == {("车桥镇", "2023", "period"): 18.0, ("车桥镇", "2024", "period"): 20.0}
    unmapped = ex.sheets[0].unmapped
    assert [u.split(":")[0] for u in unmapped] == ["2025年目标 (D)", "2025年预计 (E)", "2025年增长% (F)"]
    assert "非实际数" in unmapped[0] and "非实际数" in unmapped[1] and "增长" in unmapped[2]
    assert not [i for i in ex.issues if i.rule == "period_not_placed"]


def test_a_growth_tables_change_in_words_is_its_signed_figure(tmp_path):
    """`下降3.2%` in a growth indicator's table is -3.2 (it had been refused); a change of the rate
    (`回落0.5个百分点`) is not the rate and stays refused, as does a word without a figure."""
    ex, got = _load(
        tmp_path,
        "规上工业增加值增速.csv",
        [
            ["指标：规模以上工业增加值增速(%)"],
            ["地区", "2024年", "2025年1-9月"],
            ["车桥镇", "下降3.2%", "增长5.1%"],
            ["石塘镇", "-1.5", "回落0.5个百分点"],
            ["施河镇", "减少 0.8", "增长"],
        ],
    )
    assert got == {
        ("车桥镇", "2024", "rate"): -3.2,
        ("车桥镇", "2025-09", "rate"): 5.1,
        ("石塘镇", "2024", "rate"): -1.5,
        ("施河镇", "2024", "rate"): -0.8,
    }
    refused = {(i.row, i.value) for i in ex.issues if i.severity == "row"}
    assert refused == {(4, "回落0.5个百分点"), (5, "增长")}


def test_a_change_in_words_in_a_level_indicators_table_is_refused(tmp_path):
    """`增长1.2%` under 城镇化率 (a level in %) is a change, never the level."""
    ex, got = _load(
        tmp_path,
        "城镇化率.csv",
        [["指标：城镇化率(%)"], ["地区", "2024年", "2025年"], ["车桥镇", "增长1.2%", "65.3"]],
    )
    assert list(got.values()) == [65.3]
    assert [(i.row, i.value) for i in ex.issues if i.severity == "row"] == [(3, "增长1.2%")]

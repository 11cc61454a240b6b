"""Layouts the generator found failing, kept by name (each was fixed in etl/extract or etl/base):
they run in every `make test`, whatever hypothesis draws."""

from __future__ import annotations

from tests.layouts.hightech import hightech
from tests.layouts.indicators import indicators_down, indicators_measures, indicators_wide
from tests.layouts.land import land
from tests.layouts.roster import roster
from tests.layouts.space import Layout
from tests.layouts.targets import targets

_BASE = dict(
    format="xlsx", header_depth=1, merges=False, parent_repeated=False, single_label_at="top",
    extra_columns=0, serial="int", total="absent", parts=False, unit_place="header", money_unit="万元",
    area_unit="亩", period_place="title", period_form="ytd", township_form="full", flag_form="是/否",
    origin_row=0, origin_col=0, notes=False, side_table=False, hidden_rows=False, hidden_cols=False,
    repeated_header=False, date_form="date", seed=1,
)  # fmt: skip


def _lay(**kw) -> Layout:
    return Layout(**{**_BASE, **kw})


NAMED = {
    # 合计 in a 序号 column that stands right of the figures
    "total_in_serial_column_right_of_figures": (
        roster,
        _lay(extra_columns=3, serial="text", total="below", parts=True, money_unit="元", period_place="column",
             township_form="short", flag_form="√/×", origin_row=4, origin_col=3, notes=True),
    ),
    # a unit row above a three-row header, a small table beside it
    "unit_row_above_three_row_header_and_side_table": (
        roster,
        _lay(format="csv-bom", header_depth=3, merges=True, extra_columns=3, serial="text", total="below",
             parts=True, unit_place="unit_row", money_unit="元", period_place="sheet", origin_row=1,
             origin_col=1, notes=True, side_table=True, seed=3231646302),
    ),
    # 1—9月 in a 统计期 column, the year only in the title
    "months_in_a_column_year_in_the_title": (
        roster, _lay(header_depth=2, merges=True, period_place="column", period_form="month_only", seed=7),
    ),
    "months_in_the_sheet_name_year_in_the_title": (
        roster, _lay(period_place="sheet", period_form="month_only", seed=8),
    ),
    # 320803107车桥镇
    "townships_with_their_codes": (roster, _lay(format="csv-gbk", township_form="code", seed=9)),
    # 复垦面积 over 合计 | 其中耕地: 合计 is the child that is the field, not a total row
    "area_over_total_and_part_children": (
        land,
        _lay(header_depth=2, merges=True, parent_repeated=True, extra_columns=2, total="below", parts=True,
             origin_col=3, date_form="dot", seed=310644385),
    ),
    # a three-row header repeated on every page, its grouping row with it
    "repeated_three_row_header": (
        land,
        _lay(format="csv-gbk", header_depth=3, merges=True, parent_repeated=True, single_label_at="bottom",
             extra_columns=2, serial="absent", total="above", parts=True, unit_place="spec",
             area_unit="平方米", township_form="code", origin_row=4, origin_col=3, notes=True,
             side_table=True, hidden_rows=True, repeated_header=True, date_form="iso", seed=2786340443),
    ),
    # a 合计 row with no figures right below the header is not a second header row
    "total_row_without_figures_below_the_header": (
        hightech,
        _lay(format="csv-utf8", header_depth=2, merges=True, total="above", parts=True, unit_place="title",
             period_place="file_name", period_form="dot", township_form="short", origin_row=1,
             side_table=True, repeated_header=True, date_form="cn", seed=558254957),
    ),
    # 淮安区高新技术企业认定名单（2025）
    "year_in_brackets_in_the_title": (
        hightech,
        _lay(period_place="title", period_form="iso", township_form="code", origin_row=2, origin_col=1,
             side_table=True, hidden_rows=True, hidden_cols=True, repeated_header=True, total="below",
             date_form="iso", seed=2717552120),
    ),
    # 序号 | 地区 | 2023年 | 2025年1-7月 …: the 序号 column is neither the region nor an indicator
    "serial_column_left_of_regions_in_a_wide_table": (indicators_wide, _lay(total="above", seed=0)),
    # 地区 in the top row of a two-row header, the periods below the indicator's name
    "region_label_in_the_top_header_row_of_a_wide_table": (
        indicators_wide, _lay(header_depth=2, total="above", township_form="code", seed=0),
    ),
    # the header printed again every few regions
    "repeated_header_in_a_wide_table": (
        indicators_wide, _lay(merges=True, extra_columns=1, total="above", repeated_header=True, seed=5),
    ),
    # 指标 | 单位 | periods: each row's unit from its 单位 cell (was ignored: 元 read as 亿元)
    "unit_column_in_a_table_of_indicators_down": (
        indicators_down, _lay(merges=True, total="above", unit_place="unit_row", money_unit="元", seed=0),
    ),
    # 规模以上工业 over 规上工业企业数 / 工业总产值 over 本期 / 上年同期 …: a three-row header
    "measures_under_a_grouping_row": (
        indicators_measures, _lay(header_depth=3, merges=True, unit_place="unit_row", money_unit="元",
                                  period_form="month_only", seed=5),
    ),
    # 工业总产值（元） over 同比增长（%）: the child's own unit
    "measure_child_unit_under_a_parent_unit": (
        indicators_measures, _lay(header_depth=2, merges=True, total="above", money_unit="元", seed=0),
    ),
    "repeated_header_in_a_measures_table": (
        indicators_measures, _lay(header_depth=2, merges=True, total="above", repeated_header=True, seed=3),
    ),
    # …主要指标（2025年1-8月）（元）: the unit in the title (was ignored: 元 read as 亿元)
    "measures_unit_in_the_title": (
        indicators_measures, _lay(header_depth=2, merges=True, total="above", unit_place="title",
                                  money_unit="元", seed=0),
    ),
    # 完成时限 2023—2025年: done by the end of 2025 (was read as its first year, 2023)
    "target_deadline_a_span_of_years": (targets, _lay(unit_place="spec", seed=11)),
    # 完成时限 2028年9月底: the month's last day (was read as the year's end)
    "target_deadline_a_month": (targets, _lay(header_depth=2, merges=True, unit_place="spec", seed=7)),
    # 三年新增挂钩(平方米) | 5900000: the unit in each indicator's name (was ignored: 平方米 read as 亩)
    "target_unit_in_the_indicator_name": (targets, _lay(unit_place="header", seed=26)),
    # 小升规企业（累计） over 2023年 | 2025.6: the indicator's name, not a 累计 basis (2025.6 was read ytd)
    "wide_indicator_name_with_leiji_over_the_periods": (
        indicators_wide, _lay(header_depth=2, merges=True, serial="int", total="above", money_unit="元",
                              period_form="dot", seed=239),
    ),
    # 高新技术企业…（累计…） written once over the first period column only: still the name, not a basis
    "wide_indicator_name_with_leiji_over_the_first_period": (
        indicators_wide, _lay(header_depth=2, period_form="dot", seed=209868),
    ),
    # 地区生产总值比上年增长 over the periods: a growth indicator's name, not 上年 (its periods were read a year early)
    "wide_growth_name_with_shangnian_over_the_periods": (indicators_wide, _lay(header_depth=2, seed=166867255)),
}  # fmt: skip

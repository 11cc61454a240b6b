"""A roster's 规上 status: its flag column, else its title or file name, else its spec's
`coverage`, else a warning — never a silent empty 规上 count or chain output downstream."""

from __future__ import annotations

import pandas as pd

from etl.extract import extract
from tests.unit.extract.test_vocabularies import roster


def warnings(ex, rule):
    return [i for i in ex.issues if i.rule == rule]


def test_a_roster_titled_above_scale_without_a_flag_column_is_above_scale(tmp_path):
    f = roster(tmp_path, {}, name="2025年1-6月名录.csv", title="规模以上工业企业主要经济指标")
    ex = extract(f, "enterprises")
    assert not ex.critical, ex.critical
    assert ex.frame["is_above_scale"].tolist() == [True, True]
    assert "title" in ex.sheets[0].columns["is_above_scale"]
    assert not warnings(ex, "coverage_unknown")


def test_the_flag_column_wins_over_the_title(tmp_path):
    f = roster(
        tmp_path, {"是否规上": ["是", "否"]}, name="2025年1-6月名录.csv", title="规模以上工业企业主要经济指标"
    )
    ex = extract(f, "enterprises")
    assert ex.frame.sort_values("_row")["is_above_scale"].tolist() == [True, False]


def test_a_roster_that_cannot_tell_says_the_status_is_unknown(tmp_path):
    f = roster(tmp_path, {}, name="2025年1-6月名录.csv", title="工业企业主要经济指标")
    ex = extract(f, "enterprises")
    assert ex.frame["is_above_scale"].isna().all()
    (unknown,) = warnings(ex, "coverage_unknown")
    assert unknown.severity == "warning" and "规上状态未知" in unknown.message
    (gap,) = warnings(ex, "no_indicator_value")
    assert gap.message.startswith("2025-06") and "chain_output_" in gap.message


def test_the_spec_can_state_the_coverage(tmp_path):
    from etl.base.paths import SPEC_DIR

    text = (SPEC_DIR / "enterprises_roster.yaml").read_text(encoding="utf-8")
    spec = tmp_path / "roster_above.yaml"
    spec.write_text(
        text.replace("layout: monthly_roster", "layout: above\ncoverage: above_scale"), encoding="utf-8"
    )
    f = roster(tmp_path, {}, name="2025年1-6月名录.csv", title="工业企业主要经济指标")
    ex = extract(f, str(spec))
    assert ex.frame["is_above_scale"].tolist() == [True, True] and not warnings(ex, "coverage_unknown")


def test_a_chain_without_above_scale_enterprises_is_a_stated_gap(tmp_path):
    f = roster(tmp_path, {"是否规上": ["是", "否"], "所属产业链": ["绿色食品", "盐化工"]})
    ex = extract(f, "enterprises")
    gaps = {i.message.split(" ")[0] for i in warnings(ex, "no_indicator_value")}
    # 绿色食品 has its 规上 enterprise; 盐化工's only one is 规下; the other chains have none
    assert "chain_output_green_food" not in gaps
    assert "chain_output_salt_chemical" in gaps and len(gaps) == 4


def test_no_gap_warning_when_every_chain_has_an_above_scale_enterprise(tmp_path):
    chains = ["高端装备制造", "盐化工", "生物医药", "绿色食品", "电子信息"]
    f = roster(tmp_path, {"是否规上": ["是"] * 5, "所属产业链": chains})
    ex = extract(f, "enterprises")
    assert not warnings(ex, "no_indicator_value")
    assert pd.api.types.is_bool_dtype(ex.frame["is_above_scale"].dtype)


def test_a_roster_without_a_year_to_date_output_says_chain_outputs_are_empty(tmp_path):
    f = tmp_path / "规上工业企业主要指标_2025年1-6月.csv"
    f.write_text(
        "统一社会信用代码,企业名称,所在镇（街道）,是否规上,工业总产值/本月\n91320803MA00000001,甲公司,平桥镇,是,3\n",
        encoding="utf-8",
    )
    ex = extract(f, "enterprises")
    (gap,) = warnings(ex, "no_indicator_value")
    assert gap.message.startswith("2025-06") and "本年累计" in gap.message and gap.column == "output_ytd"


def test_a_workbook_of_above_and_below_scale_sheets_reads_each_sheets_name_before_the_file_name(tmp_path):
    """`规上工业企业主要指标.xlsx` with sheets 规上企业 and 规下企业 and no flag column: the 规下 sheet's
    enterprises were counted as 规上, from the file name (found by an adversarial sweep)."""
    import openpyxl

    wb = openpyxl.Workbook()
    for i, (sheet, code, name) in enumerate(
        [("规上企业", "91320803MA0BK5CX60", "甲公司"), ("规下企业", "91320803MA1MDEF972", "乙公司")]
    ):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = sheet
        ws.append(["2025年1-9月工业企业主要指标"])
        ws.append(["统一社会信用代码", "企业名称", "所在镇（街道）", "工业总产值（万元）"])
        ws.append([code, name, "车桥镇", 100.5])
    f = tmp_path / "规上工业企业主要指标_2025年1-9月.xlsx"
    wb.save(f)
    ex = extract(f, "enterprises", file_name=f.name)
    got = dict(zip(ex.frame["name"], ex.frame["is_above_scale"], strict=True))
    assert got == {"甲公司": True, "乙公司": False}
    assert not warnings(ex, "coverage_unknown")


def test_a_chain_enterprise_without_its_output_is_said_to_be_left_out_of_the_chain_output(tmp_path):
    f = tmp_path / "规上工业企业主要指标_2025年1-6月.csv"
    f.write_text(
        "统一社会信用代码,企业名称,所在镇（街道）,是否规上,所属产业链,工业总产值（万元）\n"
        "91320803MA00000001,甲公司,平桥镇,是,盐化工,100\n"
        "91320803MA00000002,乙公司,平桥镇,是,盐化工,\n"  # 规上, its chain summed without it
        "91320803MA00000003,丙公司,平桥镇,否,盐化工,\n"  # 规下: no chain output counts it
        "91320803MA00000004,丁公司,平桥镇,是,绿色食品,50\n",
        encoding="utf-8",
    )
    ex = extract(f, "enterprises")
    (left_out,) = warnings(ex, "output_not_summed")
    assert left_out.severity == "warning" and (left_out.row, left_out.column) == (3, "output_ytd")
    assert left_out.message.startswith("2025-06：1 家规上企业") and "第 3 行" in left_out.message
    assert "各镇（街道）产值及 chain_output_salt_chemical不含" in left_out.message


def test_a_roster_with_no_output_at_all_says_it_once(tmp_path):
    f = tmp_path / "规上工业企业主要指标_2025年1-6月.csv"
    f.write_text(
        "统一社会信用代码,企业名称,所在镇（街道）,是否规上,所属产业链,工业总产值（万元）\n"
        "91320803MA00000001,甲公司,平桥镇,是,盐化工,\n",
        encoding="utf-8",
    )
    ex = extract(f, "enterprises")
    assert not warnings(ex, "output_not_summed")
    assert [g.column for g in warnings(ex, "no_indicator_value")] == ["output_ytd"]

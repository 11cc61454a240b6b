"""Units written as symbols (`复垦面积（m²）`, `单位：hm2`, `120㎡`) are the units they stand for, and a
scale alone (`数值（万）`, `单位：亿`) is refused, never passed over: each had been dropped, so the
figure loaded in the catalog's unit (10 公顷 as 10 亩; 8,806,400 亿元 of GDP)."""

from __future__ import annotations

import pytest

from etl.base import cells
from etl.extract import extract
from tests.hostile.corpus import LEDGER_HEADER, LEDGER_NAME, ledger, ledger_rows


@pytest.mark.parametrize(
    ("word", "unit"),
    [
        ("m²", "平方米"), ("M2", "平方米"), ("㎡", "平方米"), ("平米", "平方米"), ("万㎡", "万平方米"),
        ("hm²", "公顷"), ("hm2", "公顷"), ("ha", "公顷"), ("km²", "平方公里"), ("㎢", "平方公里"),
        ("平方千米", "平方公里"), ("亩", "亩"), ("万元人民币", "万元"), ("米", None), ("万", None),
    ],
)  # fmt: skip
def test_a_unit_symbol_is_its_unit(word, unit):
    assert cells.known_unit(word) == unit
    if unit is not None:
        assert cells.unit_in_text(f"复垦面积（{word}）") == unit
        assert cells.unit_from_unit_row(f"面积单位：{word}") == unit


@pytest.mark.parametrize("scale", ["万", "亿", "千", "百万"])
def test_a_scale_alone_is_returned_as_written_so_it_cannot_be_assumed(scale):
    assert cells.unit_in_text(f"数值（{scale}）") == scale
    assert cells.unit_from_unit_row(f"单位：{scale}") == scale
    with pytest.raises(ValueError):
        cells.unit_factor(scale, "亿元")


def test_a_cell_may_write_its_unit_as_a_symbol():
    assert (cells.parse_number("120㎡").value, cells.parse_number("120㎡").unit) == (120.0, "平方米")
    assert cells.parse_number("3.5hm2").unit == "公顷"
    assert cells.parse_number("2.5万㎡").unit == "万平方米"


AREAS = [50.0 + i for i in range(5)]  # ledger_rows' areas


@pytest.mark.parametrize(
    ("header", "unit_row", "factor"),
    [
        ("复垦面积（m²）", None, 0.0015),
        ("复垦面积（㎡）", None, 0.0015),
        ("复垦面积（hm²）", None, 15.0),
        ("复垦面积", "面积单位：hm2", 15.0),
        ("复垦面积", "单位：平方千米", 1500.0),
        ("复垦面积（公顷）", None, 15.0),  # as before
    ],
)
def test_a_ledger_in_a_symbol_unit_is_converted_to_mu(tmp_path, header, unit_row, factor):
    path = ledger(
        tmp_path / LEDGER_NAME,
        header=[header if h == "复垦面积" else h for h in LEDGER_HEADER],
        unit_row=unit_row,
    )
    ex = extract(path, "land_use")
    assert not ex.critical, [i.message for i in ex.issues]
    assert ex.frame["area_mu"].tolist() == pytest.approx([a * factor for a in AREAS])


def test_a_ledger_in_ten_thousands_of_nothing_is_refused(tmp_path):
    path = ledger(
        tmp_path / LEDGER_NAME, header=[h.replace("复垦面积", "复垦面积（万）") for h in LEDGER_HEADER]
    )
    ex = extract(path, "land_use")
    assert [(i.rule, i.column) for i in ex.critical] == [("unit_mismatch", "area_mu")]
    assert "单位“万”无法换算为“亩”" in ex.critical[0].message


def test_ledger_rows_are_what_the_areas_say():
    assert [r[3] for r in ledger_rows()] == AREAS


@pytest.mark.parametrize(
    "line",
    ["单位：千 元", "单  位：千元", "单\u3000位：千元", "单位∶千元", "单位 千元", "单位/千元", "金额单位 ： 千元",
     "单位：千元            填报日期：2025年7月"],
)  # fmt: skip
def test_a_unit_row_spaced_as_forms_space_it_is_read(line):
    """Each had been passed over: 千元 figures loaded as 万元, ten times too large."""
    assert cells.unit_from_unit_row(line) == "千元"


@pytest.mark.parametrize(
    "text", ["单位名称", "各单位要按时报送", "填报单位：淮安区统计局", "单位 请于月底前报送"]
)
def test_words_about_units_that_state_none_are_no_unit(text):
    assert cells.unit_from_unit_row(text) is None


def test_a_header_unit_spaced_out_is_one_unit():
    assert cells.unit_in_text("本年累计工业总产值（千 元）") == "千元"  # had been 元: 1,000 times too small
    assert cells.unit_in_text("营业收入（含税，万元）") == "万元"


@pytest.mark.parametrize("line", ["数据单位：千元", "单位：千元", "注：单位为千元"])
def test_a_unit_line_below_the_roster_gives_its_unit(tmp_path, line):
    from tests.hostile.corpus import ROSTER_HEADER, ROSTER_NAME, roster_rows, write_xlsx

    path = write_xlsx(tmp_path / ROSTER_NAME, [ROSTER_HEADER, *roster_rows(6), [], [line]])
    ex = extract(path, "enterprises")
    assert ex.frame["output_ytd"].tolist() == pytest.approx([(600.0 + 10 * i) / 10 for i in range(6)])
    # the line is no record (it had been an enterprise without a credit code, quarantined)
    assert not [i.message for i in ex.issues if i.severity in ("critical", "row")]


@pytest.mark.parametrize(
    ("cell", "column", "unit"),
    [
        ("250.3亿", "亿元", "亿元"), ("31000万", "万元", "万元"), ("1.2万", "万人", "万人"),
        ("3万", "万平方米", "万平方米"), ("5千万", "千万元", "千万元"),
        ("20.5亿", "万元", "亿元"), ("3万", "万亿元", "万元"), ("3万", "元", "万元"), ("3万", "人", "万人"),
        ("3万", "家", "万家"), ("3万", "%", "万"), ("3万", "公顷", "万"), ("3万", None, "万"),
        ("3亿元", "万元", "亿元"),
    ],
)  # fmt: skip
def test_a_cell_that_writes_its_scale_only_counts_what_its_column_counts(cell, column, unit):
    """`250.3亿` in a 亿元 column says what the column says; under another unit of the same thing
    it is that unit (`20.5亿` under 万元 is 亿元: refused as another unit, as `20.5亿元` is); where
    no such unit is known (`3万` under % or 公顷) it stays a bare scale, which converts to nothing."""
    parsed = cells.parse_number(cell)
    assert parsed.problem is None and parsed.unit in cells.CELL_SCALES + ("亿元",)
    assert cells.in_column_unit(parsed.unit, column) == unit


@pytest.mark.parametrize(
    ("cell", "value"), [("8200.5万", 8200.5), ("0.82005亿", None), ("8,200.5万", 8200.5)]
)
def test_a_roster_figure_written_with_its_columns_scale_loads_in_it(tmp_path, cell, value):
    """A roster in 万元 whose cell says `8200.5万` loads 8200.5 (it had been refused as no number);
    `0.82005亿` in it is another unit: that row is refused, naming the cell, never read as 0.82005."""
    from tests.hostile.corpus import ROSTER_HEADER, ROSTER_NAME, roster_rows, write_xlsx

    rows = roster_rows(6)
    rows[2][6] = cell
    header = [h.replace("本年累计工业总产值", "本年累计工业总产值（万元）") for h in ROSTER_HEADER]
    ex = extract(write_xlsx(tmp_path / ROSTER_NAME, [header, *rows]), "enterprises")
    refused = [(i.row, i.message) for i in ex.issues if i.severity == "row"]
    if value is None:
        assert [r for r, _ in refused] == [4] and "亿" in refused[0][1] and "万元" in refused[0][1]
        assert ex.frame["output_ytd"].isna().tolist() == [False, False, True, False, False, False]
    else:
        assert not refused
        assert ex.frame["output_ytd"].tolist() == pytest.approx([600.0, 610.0, value, 630.0, 640.0, 650.0])


def test_an_indicator_table_cell_that_writes_its_scale_only_loads_in_the_rows_unit(tmp_path):
    """Periods across, each row's unit in its indicator's name: `250.3亿` under 亿元 and `31000万`
    under 万元 load as written; `20.5亿` under 万元 is refused, naming the cell."""
    from tests.hostile.corpus import write_xlsx

    rows = [
        ["指标", "2025年1-6月", "2025年1-9月"],
        ["地区生产总值（亿元）", "250.3亿", "380.1亿"],
        ["一般公共预算收入（万元）", "31000万", 45000],
        ["规上工业总产值（万元）", "20.5亿", 30000],
    ]
    ex = extract(write_xlsx(tmp_path / "主要经济指标.xlsx", rows), "indicators")
    refused = [(i.row, i.column, i.value) for i in ex.issues if i.severity == "row"]
    assert refused == [(4, "2025-06 (B)", "20.5亿")]
    got = {
        (n, p): v
        for n, p, v in zip(ex.frame["indicator_name"], ex.frame["period"], ex.frame["value"], strict=True)
    }
    assert got[("地区生产总值", "2025Q2")] == pytest.approx(250.3)
    assert got[("地区生产总值", "2025Q3")] == pytest.approx(380.1)
    assert got[("一般公共预算收入", "2025-06")] == pytest.approx(31000.0)
    assert ("规上工业总产值", "2025-06") not in got and got[("规上工业总产值", "2025-09")] == pytest.approx(
        3.0
    )

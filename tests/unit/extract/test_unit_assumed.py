"""A figure with no unit anywhere (header, unit row, 指标 line, title, file name) is read in its
indicator's catalog unit. When that unit has scales (亿元 / 万元 / 元, 万人 / 人) the guess can be
10,000× off, and only `(assumed)` in `statwh check` had said so: the run loaded it without a word.
Now each such sheet warns (`unit_assumed`), naming the indicators and the unit they were read in."""

from __future__ import annotations

import pytest

from etl.extract import extract
from tests.hostile.corpus import write_xlsx


def _warned(ex) -> list[str]:
    return [i.message for i in ex.issues if i.rule == "unit_assumed"]


@pytest.mark.parametrize(
    ("header", "warned"),
    [
        ("地区生产总值", True),  # 亿元 assumed: 8,806,400 万元 would be 8,806,400 亿元
        ("地区生产总值（亿元）", False),
        ("规模以上工业企业数", False),  # 家: no other scale to have meant
    ],
)
def test_a_scaled_unit_read_without_being_said_is_warned(tmp_path, header, warned):
    f = tmp_path / "主要指标.csv"
    f.write_text(f"指标：{header}\n地区,2025年,2024年\n淮安区,8806400,8312700\n", encoding="utf-8")
    ex = extract(f, "indicators")
    assert not ex.critical, [i.message for i in ex.issues]
    assert len(ex.frame) == 2
    messages = _warned(ex)
    assert bool(messages) is warned, messages
    if warned:
        assert "地区生产总值: 亿元" in messages[0]


def test_a_long_table_warns_for_the_rows_without_a_unit_only(tmp_path):
    rows = [
        ["指标名称", "时期", "数值", "单位"],
        ["地区生产总值", "2025年", 880.6, "亿元"],
        ["规模以上工业总产值", "2025年", 512345, None],
        ["规模以上工业企业数", "2025年", 230, None],
    ]
    ex = extract(
        write_xlsx(tmp_path / "主要经济指标.xlsx", rows, title="淮安区2025年主要经济指标"), "indicators"
    )
    assert not ex.critical, [i.message for i in ex.issues]
    (message,) = _warned(ex)
    assert "规模以上工业总产值" in message and "地区生产总值" not in message and "企业数" not in message


def test_a_township_table_without_a_unit_warns_for_its_output(tmp_path):
    """The 分乡镇 table's 工业总产值 in 万元 (52,000 for a township) with its unit row left blank:
    read as 亿元, each township's output 10,000× too large — a warning now names it."""
    from tests.fixtures.layouts.township_measures import write_township_measures

    path = tmp_path / "淮安区分乡镇规上工业.xlsx"
    write_township_measures(path, title="淮安区分乡镇规上工业主要指标（2025年1-9月）", unit_row="")
    ex = extract(path, "indicators")
    assert not ex.critical, [i.message for i in ex.issues]
    (message,) = _warned(ex)
    assert "亿元" in message and "企业数" not in message

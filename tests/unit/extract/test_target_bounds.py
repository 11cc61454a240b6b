"""A target written with the words that make it a lower bound (`≥1600`, `1600以上`, `不低于1600`,
`力争突破100亿元`) is the bound — the catalog says how it is met (超/突破/达) — with a warning naming
the words read past; a range or an approximation (`1500-1600`, `1600左右`) is still a rejected row,
never a guess. They had all been rejected rows. (An upper bound, `≤1600`, is no lower bound: it is
read as one only for an indicator that falls, tests/unit/warehouse/test_masked_targets.py.)"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from etl.base.cells import parse_lower_bound
from etl.extract import extract


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [("≥1600", 1600, None), ("1600以上", 1600, None), ("不低于1600", 1600, None), ("力争1600", 1600, None),
     ("力争突破100亿元", 100, "亿元"), ("确保达到 1,600", 1600, None), ("100亿元及以上", 100, "亿元")],
)  # fmt: skip
def test_a_lower_bound_is_its_figure(text, value, unit):
    p = parse_lower_bound(text)
    assert p is not None and (p.value, p.unit) == (value, unit) and text.strip() in p.warning


@pytest.mark.parametrize("text", ["1600", "1500-1600", "1600左右", "≤1600", "增长6%以上", "力争", "以上"])
def test_anything_else_is_no_lower_bound(text):
    assert parse_lower_bound(text) is None


def test_a_targets_file_reads_bounds_with_a_warning_and_refuses_ranges(tmp_path: Path):
    f = tmp_path / "目标任务表.csv"
    rows = [
        ["指标名称", "目标值", "单位", "完成时限"],
        ["地区生产总值", "力争突破1600", "亿元", "2028年"],
        ["规上工业总产值", "1500-1600", "亿元", "2028年"],
    ]
    with f.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    ex = extract(f, "targets")
    assert not ex.critical, ex.critical
    got = dict(zip(ex.frame["indicator_id"], ex.frame["target"], strict=True))
    assert [v for v in got.values() if v == v] == [1600.0]  # the range row carries no target
    warned = [i for i in ex.issues if i.severity == "warning" and i.row == 2]
    assert warned and "下限" in warned[0].message and warned[0].value == "力争突破1600"
    refused = [i for i in ex.issues if i.severity == "row"]
    assert [(i.row, i.value) for i in refused] == [(3, "1500-1600")]


@pytest.mark.parametrize("unit_column", [True, False])
def test_a_target_that_writes_its_scale_only_counts_what_its_unit_counts(tmp_path: Path, unit_column):
    """`1600亿` beside 单位 亿元 (or with no unit anywhere, the catalog's 亿元) is 1600 亿元, and
    `力争突破1600亿` its lower bound (each had been refused as `not a number`); `1.5亿` beside 单位
    万元 is 1.5 亿元, which the row's unit contradicts: refused, as `1.5亿元` there is."""
    f = tmp_path / "目标任务表.csv"
    head = ["指标名称", "目标值", "单位", "完成时限"] if unit_column else ["指标名称", "目标值", "完成时限"]
    rows = [
        ["地区生产总值", "力争突破1600亿", "亿元", "2028年"],
        ["规上工业总产值", "1500亿", "亿元", "2028年"],
    ]
    if unit_column:
        rows.append(["高端装备制造产业规模", "1.5亿", "万元", "2026年"])
    else:
        rows = [[r[0], r[1], r[3]] for r in rows]
    with f.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([head, *rows])
    ex = extract(f, "targets")
    refused = [(i.row, i.rule, i.message) for i in ex.issues if i.severity == "row"]
    assert not ex.critical
    if unit_column:
        assert [r[:2] for r in refused] == [(4, "unit_mismatch")] and "万元" in refused[0][2]
        assert "亿元" in refused[0][2]
    else:
        assert not refused
    got = dict(zip(ex.frame["indicator_id"], ex.frame["target"], strict=True))
    assert got["gdp"] == 1600.0 and got["industrial_output"] == 1500.0


def test_a_target_of_an_indicator_the_report_sets_none_for_is_said(tmp_path: Path):
    """高新技术企业 (valid certificates) has no target in the work report: a department's target for
    it is shown, never judged (status no_target) — said, where it had loaded without a word."""
    f = tmp_path / "目标任务表.csv"
    f.write_text(
        "指标名称,目标值,单位,完成时限\n高新技术企业,100,家,2025年\n地区生产总值,1600,亿元,2028年\n",
        encoding="utf-8",
    )
    ex = extract(f, "targets")
    said = [(i.row, i.rule) for i in ex.issues if i.severity == "warning" and i.rule == "target_not_judged"]
    assert said == [(2, "target_not_judged")]

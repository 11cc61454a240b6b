"""A long table's 口径 `累计`: of a flow (GDP, 规上工业总产值) it is the year to date — it had been
stored as `cumulative` and judged as a full reading (a 9-month GDP `achieved` against the plan's
target); of an indicator the marts sum from each year's 本年新增 it is a running total, kept but
not summed, and said (it had vanished between the load and the marts without a word)."""

from __future__ import annotations

from etl.extract import extract
from tests.hostile.corpus import write_xlsx

HEAD = ["指标名称", "地区", "时期", "数值", "单位", "口径"]


def _extract(tmp_path, rows):
    ex = extract(write_xlsx(tmp_path / "其他指标_长表.xlsx", [HEAD, *rows]), "indicators")
    assert not ex.critical, ex.critical
    return ex, {(r.indicator_id, r.period): r.basis for r in ex.frame.itertuples()}


def test_a_flows_running_total_is_its_year_to_date(tmp_path):
    _, got = _extract(
        tmp_path,
        [["地区生产总值", "淮安区", "2025年1-9月", 910, "亿元", "1-9月累计"],
         ["规上工业总产值", "淮安区", "2025年1-9月", 400, "亿元", "累计"]],
    )  # fmt: skip
    assert got == {("gdp", "2025Q3"): "ytd", ("industrial_output", "2025-09"): "ytd"}


def test_a_running_total_of_new_ones_is_kept_and_said(tmp_path):
    ex, got = _extract(
        tmp_path,
        [["新增民宿客房", "淮安区", "2024年", 180, "间", "本年新增"],
         ["新增民宿客房", "淮安区", "2025年", 415, "间", "累计"]],
    )  # fmt: skip
    assert got == {("homestay_rooms_new", "2024"): "period", ("homestay_rooms_new", "2025"): "cumulative"}
    said = [(i.row, i.rule) for i in ex.issues if i.severity == "warning"]
    assert said == [(3, "running_total_not_used")]

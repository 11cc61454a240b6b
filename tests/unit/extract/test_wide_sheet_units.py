"""A unit given for the whole sheet (unit row, title, file name) says nothing of a catalog
indicator of another known kind: `单位：万元` above a 规上工业企业数 row or column leaves it in the
catalog's 家 (its rows were refused, with the money rows beside them); a rate or a foreign
currency above a money indicator still refuses it, never assumed away."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.extract import extract


def _load(tmp_path: Path, rows: list[list[str]]):
    path = tmp_path / "t.csv"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    ex = extract(path, "indicators", file_name=path.name)
    return ex, {(r.indicator_id, r.period): r.value for r in ex.frame.itertuples()}


def test_a_sheets_money_unit_leaves_a_count_in_its_own(tmp_path):
    ex, got = _load(
        tmp_path,
        [
            ["淮安区主要指标（单位：万元）"],
            ["指标", "2025年1-9月", "2024年1-9月"],
            ["地区生产总值", "5000000", ""],
            ["规上工业企业数", "300", ""],
        ],
    )
    assert got == {("gdp", "2025Q3"): 500.0, ("above_scale_enterprises", "2025-09"): 300.0}
    assert not [i for i in ex.issues if i.severity == "row"]


@pytest.mark.parametrize("unit", ["%", "万美元"])
def test_a_rate_or_foreign_money_above_a_money_indicator_refuses_it(tmp_path, unit):
    ex, _ = _load(
        tmp_path,
        [
            ["指标：地区生产总值"],
            [f"单位：{unit}"],
            ["地区", "2025年1-9月", "2024年1-9月"],
            ["车桥镇", "5.1", "4.0"],
        ],
    )
    assert [i for i in ex.issues if i.severity == "row" and i.rule == "unit_mismatch"]

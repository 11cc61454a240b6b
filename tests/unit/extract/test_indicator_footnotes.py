"""An indicator's footnote marker (`地区生产总值①`, `规模以上工业总产值*`, `…（注1）`) is no part of
its name: the row is the catalog's indicator (it was loaded as `ext.地区生产总值1`), in a wide
table with indicators down as in a long table."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.extract import extract
from etl.extract.wide import without_footnote


@pytest.mark.parametrize(
    ("name", "bare"),
    [
        ("地区生产总值①", "地区生产总值"),
        ("地区生产总值*", "地区生产总值"),
        ("地区生产总值※（亿元）", "地区生产总值（亿元）"),
        ("规模以上工业总产值（注1）", "规模以上工业总产值"),
        ("地区生产总值¹", "地区生产总值"),
        ("PM2.5年均浓度", "PM2.5年均浓度"),
    ],
)
def test_a_footnote_marker_is_no_part_of_the_name(name, bare):
    assert without_footnote(name) == bare


def _ids(tmp_path: Path, name: str, rows: list[list[str]]) -> dict[str, float]:
    path = tmp_path / name
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    ex = extract(path, "indicators", file_name=name)
    assert not [i for i in ex.issues if i.rule == "unknown_indicator"]
    return dict(zip(ex.frame["indicator_id"], ex.frame["value"], strict=True))


def test_indicators_down_with_footnote_markers_are_the_catalogs(tmp_path):
    got = _ids(
        tmp_path,
        "main.csv",
        [
            ["淮安区主要经济指标"],
            ["指标", "单位", "2025年1-9月", "2024年1-9月"],
            ["地区生产总值①", "亿元", "500", ""],
            ["规模以上工业总产值*", "万元", "3000000", ""],
        ],
    )
    assert got == {"gdp": 500.0, "industrial_output": 300.0}


def test_a_long_tables_footnote_markers_are_the_catalogs(tmp_path):
    got = _ids(
        tmp_path,
        "long.csv",
        [
            ["指标名称", "地区", "时期", "数值", "单位"],
            ["地区生产总值①", "淮安区", "2025年1-9月", "500", "亿元"],
        ],
    )
    assert got == {"gdp": 500.0}

"""An indicator not in the catalog written twice under one name in units of different kinds
(`一般公共预算收入` in 亿元, and again in % for its growth) is refused in the second unit, naming
both; it was loaded as one ext. series mixing 亿元 and %."""

from __future__ import annotations

from etl.extract import extract


def test_one_ext_name_in_two_kinds_of_unit_is_refused_in_the_second(tmp_path):
    path = tmp_path / "main.csv"
    rows = [
        ["淮安区主要指标"],
        ["指标", "单位", "2025年1-9月", "2024年1-9月"],
        ["一般公共预算收入", "亿元", "30", "28"],
        ["一般公共预算收入", "%", "7.1", "5.0"],
        ["一般公共预算支出", "万元", "300000", "280000"],
        ["一般公共预算支出", "亿元", "30", "28"],
    ]
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    ex = extract(path, "indicators", file_name=path.name)
    refused = {i.row for i in ex.issues if i.severity == "row"}
    assert refused == {4}
    assert any("亿元" in i.message and "%" in i.message for i in ex.issues if i.severity == "row")

"""A flow's name that says how it is read sets its basis, in a long table as in a wide one:
`规模以上工业总产值（累计）`, `…本年累计`, `…（1-9月）` are year to date (`（累计）` was loaded as
the month alone, beside the month's own figure), `（当月）` the month alone; `…本年累计` is the
catalog's indicator (it was ext.规模以上工业总产值本年累计)."""

from __future__ import annotations

from etl.extract import extract


def test_a_flows_name_says_its_basis(tmp_path):
    path = tmp_path / "long.csv"
    rows = [
        ["指标名称", "时期", "数值", "单位"],
        ["规模以上工业总产值（累计）", "2025年9月", "400", "亿元"],
        ["规模以上工业总产值本年累计", "2025年8月", "350", "亿元"],
        ["规模以上工业总产值(1-7月)", "2025年7月", "300", "亿元"],
        ["规模以上工业总产值(当月)", "2025年9月", "50", "亿元"],
    ]
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    ex = extract(path, "indicators", file_name=path.name)
    got = {(r.indicator_id, r.period, r.basis): r.value for r in ex.frame.itertuples()}
    assert got == {
        ("industrial_output", "2025-09", "ytd"): 400.0,
        ("industrial_output", "2025-08", "ytd"): 350.0,
        ("industrial_output", "2025-07", "ytd"): 300.0,
        ("industrial_output", "2025-09", "period"): 50.0,
    }

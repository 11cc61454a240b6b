"""A target masked as the published work report masks it (`**`, `**亿元`) had been a refused row
(`not a number`): the target's row lost. INDICATORS.md: such a target is held as "not yet set"."""

from __future__ import annotations

import json

from tests.conftest import query, run_cli
from tests.hostile.corpus import write_xlsx


def test_masked_targets_are_held_as_not_yet_set(tmp_path, home, capsys):
    rows = [
        ["指标名称", "目标值", "单位", "完成时限"],
        ["地区生产总值", "**亿元", "亿元", "2028年"],
        ["规上工业企业数", "＊＊", "家", "2028年"],
    ]
    f = write_xlsx(tmp_path / "目标任务.xlsx", rows, title="淮安区政府工作报告目标任务")
    assert run_cli("ingest", "targets", str(f)) == 0
    held = query(
        home / "warehouse.duckdb", "select indicator_id, target from raw.targets order by indicator_id"
    )
    assert held == [("above_scale_enterprises", None), ("gdp", None)]
    capsys.readouterr()
    assert run_cli("indicators", "--format", "json") == 0
    gdp = {r["indicator_id"]: r for r in json.loads(capsys.readouterr().out)}["gdp"]
    assert gdp["target"] is None and gdp["status"] in ("no_target", "no_data")


def test_a_ranks_target_written_as_an_upper_bound_is_read_and_a_bound_against_the_direction_refused(
    tmp_path, home
):
    """`前10` / `进入前10名` (a rank's target, as the report writes 进入前**) had been refused as no
    number; a bound the indicator cannot be met by (`≤900` for GDP, `≥10` for a rank) is refused."""
    rows = [
        ["指标名称", "目标值", "单位", "完成时限"],
        ["经济开发区全省排名", "进入前10名", "位次", "2028年"],
        ["地区生产总值", "≤900", "亿元", "2028年"],
        ["全国百强区排名", "≥50", "位次", "2028年"],
    ]
    f = write_xlsx(tmp_path / "目标任务.xlsx", rows, title="淮安区政府工作报告目标任务")
    assert run_cli("ingest", "targets", str(f)) == 1  # two rows refused
    assert query(home / "warehouse.duckdb", "select indicator_id, target from raw.targets") == [
        ("edz_provincial_rank", 10.0)
    ]
    refused = query(
        home / "warehouse.duckdb",
        "select row_number from meta.rejections where rule = 'bound_direction' order by row_number",
    )
    assert refused == [(4,), (5,)]

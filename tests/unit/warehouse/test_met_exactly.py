"""A target met exactly is met: 1 万亩 is 10000.000000000002 亩 in binary, so a ledger of exactly
10000 亩 had been judged `on_track`, not `achieved` (and an actual of 10000.000000000002 would have
passed 超 10000). Factors are kept to 12 digits and figures are judged at 9 decimals."""

from __future__ import annotations

import datetime as dt

import pytest

from etl.base.cells import unit_factor
from tests.conftest import query, run_cli
from tests.hostile.corpus import LEDGER_HEADER, LEDGER_NAME, TOWNSHIPS, ledger


@pytest.mark.parametrize(
    ("a", "b", "f"), [("万亩", "亩", 10000.0), ("公顷", "亩", 15.0), ("平方公里", "亩", 1500.0)]
)
def test_a_factor_is_the_decimal_it_stands_for(a, b, f):
    assert unit_factor(a, b) == f and unit_factor(b, a) == pytest.approx(1 / f)


def test_a_cumulative_target_met_exactly_is_achieved(tmp_path, home):
    rows = [
        [
            i + 1,
            f"{TOWNSHIPS[i]}测试村{i + 1}号增减挂钩拆旧复垦项目",
            TOWNSHIPS[i],
            2500.0,
            dt.date(2025, 3, i + 1),
        ]
        for i in range(4)
    ]
    assert run_cli("ingest", "land_use", str(ledger(tmp_path / LEDGER_NAME, rows, LEDGER_HEADER))) == 0
    targets = tmp_path / "目标任务表.csv"
    targets.write_text(
        "指标名称,目标值,单位,完成时限\n新增城乡建设用地增减挂钩,1,万亩,2026年\n", encoding="utf-8"
    )
    assert run_cli("ingest", "targets", str(targets)) == 0
    got = query(
        home / "warehouse.duckdb",
        "select actual, target, status from marts.indicator_progress"
        " where indicator_id = 'land_linkage_new_mu' and period = '2025Q1'",
    )
    assert got == [(10000.0, 10000.0, "achieved")]

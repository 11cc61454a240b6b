"""Loading the same files in any order gives the same latest values in every mart.

A hypothesis property over the order of a subset of the demo files: every file of the small
sources (indicators, targets, land ledgers, certificate lists) and four monthly rosters (2023-12,
2024-12, 2025-02, 2025-12: an earlier month loaded after a later one rebuilds
core.dim_enterprise instead of bringing it forward). Each order is loaded file by file
(`statwh ingest SOURCE FILE --no-build`), then built once; the marts are compared with the
files loaded in name order. Load times (vintages, `as_of`) differ between orders and are left out.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import HomeEnv, query, run_cli

ROSTERS = {
    f"规上工业企业主要指标_{m}.xlsx" for m in ("2023年1-12月", "2024年1-12月", "2025年1-2月", "2025年1-12月")
}

MARTS = {
    "indicator_values": "select indicator_id, region_code, period, basis, round(value, 9)"
    " from marts.indicator_values where is_latest",
    "indicator_progress": "select * exclude (as_of) from marts.indicator_progress",
    "township_scorecard": "select * from marts.township_scorecard",
    "chain_output": "select * from marts.chain_output",
    "source_freshness": "select source, latest_period, latest_period_end, is_stale, files_loaded,"
    " files_rejected, rows_rejected from marts.source_freshness",
}


def _files(demo_files: Path) -> list[tuple[str, Path]]:
    out = []
    for src in sorted(p for p in demo_files.iterdir() if p.is_dir()):
        for f in sorted(src.iterdir()):
            if src.name != "enterprises" or f.name in ROSTERS:
                out.append((src.name, f))
    return out


def _marts_after(order: list[tuple[str, Path]]) -> dict[str, list[tuple]]:
    with tempfile.TemporaryDirectory() as tmp, HomeEnv(Path(tmp)):
        for source, f in order:
            assert run_cli("ingest", source, str(f), "--no-build") == 0, f.name
        assert run_cli("build") == 0
        db = Path(tmp) / "warehouse.duckdb"
        return {name: sorted(query(db, sql), key=repr) for name, sql in MARTS.items()}


@pytest.fixture(scope="module")
def files(demo_files) -> list[tuple[str, Path]]:
    found = _files(demo_files)
    assert {f.name for s, f in found if s == "enterprises"} == ROSTERS
    return found


@pytest.fixture(scope="module")
def in_name_order(files) -> dict[str, list[tuple]]:
    marts = _marts_after(files)
    assert all(marts.values()), "every mart holds rows"
    return marts


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_load_order_gives_the_same_marts(files, in_name_order, data):
    order = data.draw(st.permutations(files), label="load order")
    got = _marts_after(list(order))
    for name, rows in in_name_order.items():
        assert got[name] == rows, name

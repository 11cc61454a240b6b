"""After the demo, every total row of the demo files is in meta.reconciliations (#22)."""

from __future__ import annotations

import re

from etl.read import read_workbook
from tests.conftest import query

TOTAL_LABEL = re.compile(r"(合计|总计|小计|全区合计)")


def _total_rows(demo_files) -> set[tuple[str, str, int]]:
    """(file, sheet, row) of every row whose label cell reads 合计/总计/小计 and that holds a number,
    found in the grids independently of the extractor."""
    out = set()
    for f in sorted(p for p in demo_files.rglob("*") if p.is_file()):
        for grid in read_workbook(f).sheets:
            for r, row in enumerate(grid.rows):
                labels = [re.sub(r"\s", "", v) for v in row if isinstance(v, str)]
                numbers = [v for v in row if isinstance(v, int | float) and not isinstance(v, bool)]
                if numbers and any(TOTAL_LABEL.fullmatch(v) for v in labels):
                    out.add((f.name, grid.name, r + 1))
    return out


def test_every_total_row_of_the_demo_is_reconciled(built_home, demo_files):
    expected = _total_rows(demo_files)
    assert len(expected) >= 20  # the rosters' 合计 rows, the ledger's, the 高企 counts'
    got = query(
        built_home / "warehouse.duckdb",
        "select file_name, sheet, row_number, count(*), bool_and(passed),"
        " bool_and(abs(total - sum_of_parts - (-difference)) < 1e-6) from meta.reconciliations group by all",
    )
    assert {(f, s, r) for f, s, r, *_ in got} == expected
    assert all(ok and consistent for *_, ok, consistent in got)  # the demo's totals all add up

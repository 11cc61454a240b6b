"""The demo's 国家高新技术企业新增累计数 is the count of 首次认定 in its own files, counted here
with openpyxl alone (no etl code): 重新认定 never counts as first-time."""

from __future__ import annotations

import openpyxl

from tests.conftest import query


def first_time_by_year(inbox) -> dict[int, int]:
    """Year → first-time certificates: a list's rows whose 认定类型 is exactly 首次认定 (each
    enterprise once), a counts table's 首次认定 column without its 合计 row."""
    out: dict[int, int] = {}
    for path in sorted((inbox / "hightech").glob("*.xlsx")):
        year = int(path.name[:4])
        ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        header_at = next(i for i, r in enumerate(rows) if any(isinstance(c, str) and "镇" in c for c in r))
        header = [str(c or "") for c in rows[header_at]]
        body = [r for r in rows[header_at + 1 :] if any(c is not None for c in r)]
        if "认定类型" in header:
            name, kind = header.index("企业名称"), header.index("认定类型")
            out[year] = len({r[name] for r in body if r[kind] == "首次认定"})
        else:
            first = next(i for i, h in enumerate(header) if h.startswith("首次认定"))
            out[year] = sum(
                int(r[first]) for r in body if r[0] not in {"合计", "总计"} and r[first] is not None
            )
    return out


def test_hightech_new_cumulative_counts_first_time_certificates_only(built_home, demo_files):
    by_year = first_time_by_year(demo_files)
    baseline = 2023
    expected, total = {}, 0
    for year in sorted(y for y in by_year if y > baseline):
        total += by_year[year]
        expected[str(year)] = float(total)
    got = dict(
        query(
            built_home / "warehouse.duckdb",
            "select period, value from marts.indicator_values"
            " where indicator_id = 'hightech_new_cumulative' and is_latest and length(period) = 4",
        )
    )
    assert expected and got == expected

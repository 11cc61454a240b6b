"""高企 counts by township over the three years a certificate is valid: a table without a 重新认定
column had counted no renewals, and the valid total (hightech_enterprises) fell short without a
word (63 where the file stated 75). A year so sent is not known now: no valid total is summed
over it; with the column (blanks in it are none) the total is summed as before."""

from __future__ import annotations

import pytest

from tests.conftest import query, run_cli


def counts(path, year: int, renewed: bool, blank_renewed: bool = False):
    head = ["镇（街道）", "首次认定"] + (["重新认定"] if renewed else [])
    first = year - 2019  # 3, 4, 5: each year's file its own bytes
    rows = [
        ["车桥镇", first] + ([2] if renewed else []),
        ["石塘镇", 4] + (["" if blank_renewed else 1] if renewed else []),
    ]
    path.write_text("\n".join(",".join(map(str, r)) for r in [head, *rows]) + "\n", encoding="utf-8")
    return str(path)


def valid(home):
    return query(
        home / "warehouse.duckdb",
        "select period, value from marts.indicator_values where indicator_id = 'hightech_enterprises' and is_latest",
    )


@pytest.mark.parametrize(
    ("renewed", "blank", "want"),
    [(True, False, [("2024", 33.0)]), (True, True, [("2024", 30.0)]), (False, False, [])],
)
def test_the_valid_total_needs_the_renewals(tmp_path, home, renewed, blank, want):
    for year in (2022, 2023, 2024):
        f = counts(tmp_path / f"高新技术企业认定情况_{year}年.csv", year, renewed, blank)
        assert run_cli("ingest", "hightech", f) == 0
    assert valid(home) == want


def first(home):
    return query(
        home / "warehouse.duckdb",
        "select period, value from marts.indicator_values"
        " where indicator_id = 'hightech_new_cumulative' and is_latest order by period",
    )


def cert_list(path, year: int, n: int, typed: bool = True):
    head = ["企业名称", "证书编号", "发证日期"] + (["认定类型"] if typed else [])
    rows = [
        [f"淮安测试{year}{i}科技有限公司", f"GR{year}320{i:05d}", f"{year}-11-0{i % 9 + 1}"]
        + (["首次认定"] if typed else [])
        for i in range(n)
    ]
    path.write_text("\n".join(",".join(map(str, r)) for r in [head, *rows]) + "\n", encoding="utf-8")
    return str(path)


def test_first_time_certificates_since_the_baseline_need_every_year(tmp_path, home):
    """Only 2025 sent (the baseline is 2023): 2024's first-time certificates are not known, so no
    cumulative count (it had been 2025's alone, 6); with 2024 sent too, both years' values."""
    assert (
        run_cli("ingest", "hightech", counts(tmp_path / "高新技术企业认定情况_2025年.csv", 2025, True)) == 0
    )
    assert first(home) == []
    assert (
        run_cli("ingest", "hightech", counts(tmp_path / "高新技术企业认定情况_2024年.csv", 2024, True)) == 0
    )
    assert first(home) == [("2024", 9.0), ("2025", 9.0 + 10.0)]


def test_a_list_that_does_not_say_first_or_renewed_counts_no_first_time_ones(tmp_path, home):
    """A 2024 list without 认定类型: its first-time ones are not known (they had counted as none)."""
    assert (
        run_cli("ingest", "hightech", cert_list(tmp_path / "2024年高新技术企业认定名单.csv", 2024, 4, False))
        == 0
    )
    assert (
        run_cli("ingest", "hightech", counts(tmp_path / "高新技术企业认定情况_2025年.csv", 2025, True)) == 0
    )
    assert first(home) == []


def test_a_years_counts_table_sent_after_its_first_list_is_the_years_figure(tmp_path, home):
    """A 2024 list of the first batch (3 first-time), then the year's counts table (9 first-time):
    the table arrived last and is the year's (the list had hidden it)."""
    assert (
        run_cli("ingest", "hightech", cert_list(tmp_path / "2024年第一批高新技术企业认定名单.csv", 2024, 3))
        == 0
    )
    assert first(home) == [("2024", 3.0)]
    assert (
        run_cli("ingest", "hightech", counts(tmp_path / "高新技术企业认定情况_2024年.csv", 2024, True)) == 0
    )
    assert first(home) == [("2024", 9.0)]

"""Quarterly indicators (catalog `frequency: quarter`): a year-to-date figure at a quarter's end
(GDP 2025年1-3月, 1-6月, 1-9月) is the quarter (`2025Q1`, basis ytd), never the month it ends in;
a monthly indicator's 1-9月 stays the month `2025-09`; the marts compare the quarters as periods."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.base.cells import ytd_quarter
from etl.extract import extract
from etl.reference import catalog
from tests.conftest import query, run_cli


def _nbs_csv(path: Path, indicator: str, columns: list[str], rows: list[tuple[str, list[str]]]) -> Path:
    lines = ["数据库：淮安市县区季度数据", f"指标：{indicator}", "时间：2025年", ",".join(["地区", *columns])]
    lines += [",".join([region, *values]) for region, values in rows]
    lines += ["注：季度数据为累计值。", "数据来源：淮安市统计局"]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


@pytest.fixture
def gdp_csv(tmp_path) -> Path:
    return _nbs_csv(
        tmp_path / "地区生产总值_季度.csv",
        "地区生产总值(亿元)",
        ["2025年", "2025年1-9月", "2025年1-6月", "2025年1-3月"],
        [("淮安区", ["880.64", "640.72", "421.85", "201.36"])],
    )


def test_the_catalog_says_how_often_each_indicator_comes():
    freq = {i.id: i.frequency for i in catalog.indicators()}
    assert freq["gdp"] == "quarter" and freq["gdp_growth"] == "quarter"
    assert freq["industrial_output"] == "month" and freq["national_top100_rank"] == "year"
    assert set(freq.values()) <= set(catalog.FREQUENCIES)


@pytest.mark.parametrize(
    ("period", "basis", "quarter"),
    [
        ("2025-03", "ytd", "2025Q1"),
        ("2025-06", "ytd", "2025Q2"),
        ("2025-09", "ytd", "2025Q3"),
        ("2025-09", "period", None),  # 2025年9月 alone is no quarter
        ("2025-05", "ytd", None),  # 1-5月 ends inside a quarter
        ("2025-12", "ytd", None),  # 1-12月 reads as the year already
        ("2025", "period", None),
        (None, "ytd", None),
    ],
)
def test_ytd_quarter(period, basis, quarter):
    assert ytd_quarter(period, basis) == quarter


def test_a_quarterly_indicators_year_to_date_months_are_quarters(gdp_csv):
    ex = extract(gdp_csv, "indicators")
    got = {r.period: (r.basis, r.value, str(r.period_end)) for r in ex.frame.itertuples()}
    assert got == {
        "2025": ("period", 880.64, "2025-12-31"),
        "2025Q3": ("ytd", 640.72, "2025-09-30"),
        "2025Q2": ("ytd", 421.85, "2025-06-30"),
        "2025Q1": ("ytd", 201.36, "2025-03-31"),
    }


def test_a_monthly_indicators_year_to_date_month_stays_a_month(tmp_path):
    f = _nbs_csv(
        tmp_path / "规上工业总产值_月度.csv",
        "规模以上工业总产值(亿元)",
        ["2025年1-9月", "2025年1-6月"],
        [("淮安区", ["371.20", "245.10"])],
    )
    ex = extract(f, "indicators")
    assert set(ex.frame["indicator_id"]) == {"industrial_output"}
    assert sorted(ex.frame["period"]) == ["2025-06", "2025-09"]


def test_the_marts_show_quarters_and_freshness_picks_the_year(home, gdp_csv, capsys):
    assert run_cli("check", "indicators", str(gdp_csv)) == 0
    assert "periods read: 2025Q1 ytd, 2025Q2 ytd, 2025Q3 ytd, 2025 period" in capsys.readouterr().out
    assert run_cli("ingest", "indicators", str(gdp_csv)) == 0
    db = home / "warehouse.duckdb"
    rows = query(
        db,
        "select period, basis, value from marts.indicator_values"
        " where indicator_id = 'gdp' and region_code = '320803' and is_latest order by period_end",
    )
    assert rows == [
        ("2025Q1", "ytd", 201.36),
        ("2025Q2", "ytd", 421.85),
        ("2025Q3", "ytd", 640.72),
        ("2025", "period", 880.64),
    ]
    fresh = query(
        db, "select latest_period, period_freq from marts.source_freshness where source = 'indicators'"
    )
    assert fresh == [("2025", "year")]  # the year ends after its 2025Q3


def test_a_national_quarterly_export_reads_its_two_flows_apart(tmp_path):
    """Shaped like the 国家统计局's 季度数据 export (columns `2022年第一季度` …, newest first; rows
    `…当季值` and `…累计值`; no region): the 累计值 row is GDP year to date (gdp, basis ytd), the
    当季值 row the quarter alone (not the catalog's GDP: an `ext.` series, basis period)."""
    lines = [
        "数据库：季度数据",
        "时间：最近4季度",
        "指标,2022年第一季度,2021年第四季度,2021年第三季度,2021年第二季度",
        "国内生产总值当季值(亿元),270.5,320.25,290.75,280",
        "国内生产总值累计值(亿元),270.5,1140.5,820.25,529.5",
        "注：1.按当年价格计算。累计数据由当季数据相加得到。",
        "数据来源：国家统计局",
    ]
    f = tmp_path / "季度数据.csv"
    f.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    rows = extract(f, "indicators").frame
    got = {(r.indicator_id, r.period): (r.basis, r.value) for r in rows.itertuples()}
    assert got[("gdp", "2021Q4")] == ("ytd", 1140.5) and got[("gdp", "2022Q1")] == ("ytd", 270.5)
    assert got[("ext.国内生产总值当季值", "2021Q4")] == ("period", 320.25)
    assert {r.basis for r in rows.itertuples() if r.indicator_id == "gdp"} == {"ytd"}

"""A flow's quarter or month alone (`2025年7-9月`: the third quarter's GDP, not the year to date)
had been judged against the year's target — 21.9 % of it, off track. It is kept in
marts.indicator_values, and the progress judges only the year to date or the year; with nothing
else, gdp has no data, saying why."""

from __future__ import annotations

import json

from tests.conftest import query, run_cli


def test_a_quarter_alone_is_not_judged_against_the_year(tmp_path, home, capsys):
    f = tmp_path / "地区生产总值_当季.csv"
    f.write_text(
        "指标：地区生产总值（亿元）\n地区,2025年7-9月,2025年4-6月\n淮安区,218.87,220.49\n", encoding="utf-8"
    )
    assert run_cli("ingest", "indicators", str(f)) == 0
    got = query(
        home / "warehouse.duckdb",
        "select period, basis, value from marts.indicator_values where indicator_id = 'gdp' order by period",
    )
    assert got == [("2025Q2", "period", 220.49), ("2025Q3", "period", 218.87)]
    capsys.readouterr()
    assert run_cli("indicators", "--format", "json") == 0
    (gdp,) = [r for r in json.loads(capsys.readouterr().out) if r["indicator_id"] == "gdp"]
    assert gdp["status"] == "no_data" and "单季" in gdp["status_reason"]


def test_the_progress_table_prints_rows_without_a_period(monkeypatch, capsys):
    """A no_data row's period and unit can reach the table as NaN, not None (a column pandas
    reads as floats): the table had stopped with an internal error (rich renders no float)."""
    import pandas as pd

    from etl import cli

    row = {
        "indicator_id": "individual_to_enterprise", "name_zh": "个转企", "period": float("nan"),
        "actual": float("nan"), "target": float("nan"), "unit": float("nan"), "progress_pct": None,
        "expected_pct": None, "projected_at_deadline": None, "status": "no_data",
    }  # fmt: skip
    monkeypatch.setattr(cli, "_progress_frame", lambda args: pd.DataFrame([row]))
    assert cli.main(["indicators"]) == 0
    assert "个转企" in capsys.readouterr().out

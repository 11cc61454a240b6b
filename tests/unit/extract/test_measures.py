"""`shape: measures`: the 分乡镇 table (townships and zones down, several measures across)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from etl.base.cells import parse_period
from etl.extract import extract, row_counts
from etl.extract.measures import measure_key, prior_year, units_listed
from tests.conftest import HomeEnv, query, run_cli
from tests.fixtures.layouts.township_measures import PERIOD, PRIOR, totals, write_township_measures


@pytest.fixture
def table(tmp_path: Path) -> tuple[Path, list]:
    path = tmp_path / "淮安区分乡镇规上工业.xlsx"
    return path, write_township_measures(path)


def value(frame: pd.DataFrame, code: str, iid: str, period: str) -> pd.Series:
    hit = frame[(frame.region_code == code) & (frame.indicator_id == iid) & (frame.period == period)]
    assert len(hit) == 1, (code, iid, period, len(hit))
    return hit.iloc[0]


def test_every_measure_loads_in_its_indicators_unit(table):
    path, places = table
    ex = extract(path, "indicators")
    assert not ex.critical, ex.critical
    assert ex.spec is not None and ex.spec.shape == "measures"
    f = ex.frame
    assert len(f) == 5 * len(places)
    for p in places:  # every township, the development zone, the park and the farm: by their codes
        firms = value(f, p.code, "above_scale_enterprises", PERIOD)
        assert (firms.value, firms.unit, firms.basis) == (p.firms, "家", "stock")
        assert value(f, p.code, "above_scale_enterprises", PRIOR).value == p.firms_prior
        out = value(f, p.code, "industrial_output", PERIOD)  # 万元 in the file, 亿元 in the catalog
        assert (out.unit, out.basis) == ("亿元", "ytd")
        assert out.value == pytest.approx(p.output / 1e4)
        prior = value(f, p.code, "industrial_output", PRIOR)
        assert (prior.value, prior.basis) == (pytest.approx(p.output_prior / 1e4), "ytd")
        growth = value(f, p.code, "industrial_output_growth", PERIOD)
        assert (growth.value, growth.unit, growth.basis) == (pytest.approx(p.growth), "%", "rate")
    assert not [i for i in ex.issues if i.rule in {"unknown_region", "total_mismatch"}]


def test_the_total_row_is_reconciled_not_loaded(table, tmp_path):
    path, places = table
    ex = extract(path, "indicators")
    t = totals(places)
    seen = {x["field"]: (x["total"], x["sum"]) for x in ex.sheets[0].totals}
    assert seen["规上工业总产值/累计"] == (pytest.approx(t["output"]), pytest.approx(t["output"]))
    assert seen["规上工业企业数/本期"] == (t["firms"], t["firms"])
    assert not any("增长率" in k for k in seen)  # a rate is not summed
    assert "合计" not in set(ex.frame["region"])

    off = tmp_path / "off.xlsx"
    write_township_measures(off, total_off_by=1000.0)  # beyond 0.01 % of the total
    warned = [i for i in extract(off, "indicators").issues if i.rule == "total_mismatch"]
    assert len(warned) == 1 and warned[0].row == 5 + len(places) and "(D)" in warned[0].column


def test_a_unit_row_with_two_units_of_one_kind_rejects_the_file(tmp_path):
    path = tmp_path / "t.xlsx"
    write_township_measures(path, unit_row="单位：万元，亿元")
    ex = extract(path, "indicators")
    assert [i.rule for i in ex.critical] == ["unit_conflict"]
    assert "万元、亿元" in ex.critical[0].message


def test_a_whole_years_total_is_the_years_value(tmp_path):
    path = tmp_path / "t.xlsx"
    write_township_measures(path, title="淮安区分乡镇规模以上工业主要指标（2024年）")
    f = extract(path, "indicators").frame
    out = f[f.indicator_id == "industrial_output"]
    assert set(zip(out.period, out.basis, strict=True)) == {("2024", "period"), ("2023", "period")}


def test_without_a_period_the_file_is_rejected(tmp_path):
    path = tmp_path / "t.xlsx"
    write_township_measures(path, title="淮安区分乡镇规模以上工业主要指标")
    ex = extract(path, "indicators")
    assert [i.rule for i in ex.critical] == ["period_not_found"]


def test_helpers():
    assert (
        measure_key("工业总产值/1-9月累计")
        == measure_key("工业总产值/累计")
        == measure_key("工业总产值/本年累计")
    )
    assert measure_key("工业总产值/同比增长（%）") == measure_key("工业总产值/同比增长")
    assert units_listed(["填报单位：淮安区统计局  单位：个，万元"]) == ["个", "万元"]
    p = prior_year(parse_period("2024年1-2月"))
    assert (p.text, p.end.isoformat(), p.basis) == ("2023-02", "2023-02-28", "ytd")


# ---------------------------------------------------------------- check and load count alike


def wide_csv(path: Path) -> None:
    """A wide indicators table: 4 regions down, 6 years across, one cell missing (23 values)."""
    lines = ["指标：地区生产总值(亿元)", "地区,2024年,2023年,2022年,2021年,2020年,2019年"]
    for i, town in enumerate(["淮城街道", "河下街道", "平桥镇", "朱桥镇"]):
        vals = [f"{10 + i + y / 10:.1f}" for y in range(6)]
        if i == 3:
            vals[5] = ""
        lines.append(",".join([town, *vals]))
    lines.append("数据来源：淮安区统计局")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_row_counts_count_a_reshaped_files_rows():
    frame = pd.DataFrame({"_sheet": ["S"] * 5, "_row": [3, 3, 4, 4, 5]})
    assert row_counts(frame, {("S", 4)}, reshaped=True).rows == 2
    assert row_counts(frame, {("S", 4)}, reshaped=True).values == 3
    assert row_counts(frame, {("S", 4)}, reshaped=False).rows == 3
    assert row_counts(None, set(), reshaped=True).rows == 0


def test_check_says_what_the_load_records(tmp_path, capsys, monkeypatch):
    csv = tmp_path / "地区生产总值.csv"
    wide_csv(csv)
    monkeypatch.setenv("STATWH_DATA_DOCS", "0")
    assert run_cli("check", "indicators", str(csv)) == 0
    out = capsys.readouterr().out
    assert "rows: 4 data" in out
    assert "would load 4 rows (23 values), quarantine 0" in out
    with HomeEnv(tmp_path / "home"):
        assert run_cli("ingest", "indicators", str(csv), "--no-build") == 0
    assert "loaded — 4 rows loaded" in capsys.readouterr().err


def test_the_township_table_is_checked_and_ingested_alike(table, tmp_path, capsys, monkeypatch):
    path, places = table
    monkeypatch.setenv("STATWH_DATA_DOCS", "0")
    assert run_cli("check", "indicators", str(path)) == 0
    assert (
        f"would load {len(places)} rows ({5 * len(places)} values), quarantine 0" in capsys.readouterr().out
    )
    home = tmp_path / "home"
    with HomeEnv(home):
        assert run_cli("ingest", "indicators", str(path), "--no-build") == 0
    db = home / "warehouse.duckdb"
    assert query(db, "select layout, rows_read, rows_loaded, rows_rejected from meta.loads") == [
        ("township_measures", len(places), len(places), 0)
    ]
    got = query(
        db,
        "select region_code, value from raw.indicator_obs"
        " where indicator_id = 'industrial_output' and period = ? and basis = 'ytd' order by region_code",
        [PERIOD],
    )
    assert got == [(p.code, pytest.approx(p.output / 1e4)) for p in sorted(places, key=lambda p: p.code)]


def test_the_township_tables_totals_are_recorded_in_meta(table, tmp_path, monkeypatch):
    """Every summable measure of the 合计 row is one row of meta.reconciliations, as a rows table's are."""
    path, places = table
    monkeypatch.setenv("STATWH_DATA_DOCS", "0")
    home = tmp_path / "home"
    with HomeEnv(home):
        assert run_cli("ingest", "indicators", str(path), "--no-build") == 0
    got = query(
        home / "warehouse.duckdb",
        "select row_number, column_name, total, sum_of_parts, passed from meta.reconciliations order by column_name",
    )
    t = totals(places)
    assert {r[0] for r in got} == {5 + len(places)}
    assert all(r[4] for r in got), got
    assert len(got) == 4  # 企业数 本期 / 上年同期, 工业总产值 累计 / 上年同期; never the growth rate
    assert any(r[2] == pytest.approx(t["output"]) and r[3] == pytest.approx(t["output"]) for r in got)


def test_a_sending_date_in_the_file_name_is_no_period(tmp_path):
    path = tmp_path / "统计局报送_2025-10-15.xlsx"
    write_township_measures(path, title="淮安区分乡镇规模以上工业主要指标")
    (crit,) = extract(path, "indicators").critical
    assert crit.rule == "period_not_found" and "文件名中的“2025-10-15”是日期" in crit.message


def test_a_figure_the_warehouse_computes_from_the_rosters_is_said_to_be_kept_not_used(table):
    """The table's 规上工业企业数 is loaded (raw) but the indicator is counted from the rosters: its
    figures had been passed over without a word."""
    path, _places = table
    ex = extract(path, "indicators")
    said = [i for i in ex.issues if i.rule == "computed_elsewhere"]
    assert len(said) == 1 and "规上工业企业数" in said[0].message and said[0].severity == "warning"

"""`statwh check` on real spreadsheets (tests/fixtures/realdata, copied byte for byte from public
repositories): the periods and units it reports, and figures compared with what a person reads in
the file (ground truth below, each naming its cell). These files carry yearly figures only: no
real quarterly or year-to-date file is among them, so quarters are tested on generated files
(tests/unit/extract/test_quarters.py)."""

from __future__ import annotations

from etl.extract import extract
from tests.conftest import FIXTURES, run_cli

REAL = FIXTURES / "realdata"
GDP = REAL / "03_nbs-export-gbk_分省年度数据.csv"
EDUCATION = REAL / "07_nbs-trimmed_教育经费 万元.xls"


def test_check_reports_years_and_units_of_a_gbk_nbs_export(capsys):
    assert run_cli("check", "indicators", str(GDP)) == 0
    out = capsys.readouterr().out
    # gdp is quarterly in the catalog, but a whole year (2024年) is the year, never a quarter
    years = ", ".join(f"{y} period" for y in range(2006, 2025))
    assert f"periods read: {years}\n" in out
    assert "[地区生产总值: 亿元 (指标 line)]" in out  # 指标：地区生产总值(亿元), line 2 of the file
    f = extract(GDP, "indicators").frame
    tianjin_2006 = f[(f["region_code"] == "120000") & (f["period"] == "2006")]
    # 天津市 2006年: cell T6 (line 6 of the file, 20th field) reads 3592.5
    assert tianjin_2006[["value", "unit", "_row", "_col"]].values.tolist() == [[3592.5, "亿元", 6, "T"]]


def test_check_reports_the_unit_in_the_file_name_and_the_blank_years(capsys):
    assert run_cli("check", "indicators", str(EDUCATION)) == 0
    out = capsys.readouterr().out
    # 2023年 (column B) and 2012年 (column M) are blank for every province: no figure, no period
    years = ", ".join(f"{y} period" for y in range(2005, 2023) if y != 2012)
    assert f"periods read: {years}\n" in out
    assert "[教育经费: 万元 (file name)]" in out  # the unit is written nowhere but in the file name
    f = extract(EDUCATION, "indicators").frame
    hebei = f[f["region_code"] == "130000"].set_index("period")
    # 河北省 (row 4): 2005年 in T4 reads 3249421, 2022年 in C4 reads 24395755; M4 (2012年) is blank
    assert hebei.loc["2005", "value"] == 3249421 and hebei.loc["2022", "value"] == 24395755
    assert hebei.loc["2005", "_col"] == "T" and "2012" not in hebei.index
    assert set(f["unit"]) == {"万元"}

"""Extraction of real and sample spreadsheets into tidy, typed rows that know where they came from."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from etl.extract import extract
from etl.read import read_workbook
from tests.conftest import FIXTURES

REAL = FIXTURES / "realdata"


def obs(name: str):
    ex = extract(REAL / name, "indicators")
    assert not ex.critical, ex.critical
    return ex, ex.frame


def test_nbs_gbk_csv_gdp_by_province():
    ex, f = obs("03_nbs-export-gbk_分省年度数据.csv")
    assert ex.encoding == "gbk" and ex.spec.layout == "nbs_wide"
    assert set(f["indicator_id"]) == {"gdp"}  # 地区生产总值(亿元) is in the catalog
    assert set(f["unit"]) == {"亿元"}
    assert f["region_code"].nunique() == 31 and f["region_code"].notna().all()
    beijing = f[(f["region_code"] == "110000") & (f["period"] == "2024")]
    assert beijing["value"].tolist() == [49670.2]
    assert beijing["_col"].tolist() == ["B"] and beijing["_row"].tolist() == [5]
    assert set(f["period"]) == {str(y) for y in range(2006, 2025)}
    assert len(f) == 31 * 19


def test_nbs_census_population_blank_columns_and_continued_footnote():
    ex, f = obs("04_nbs-export-gbk_分省年度数据 (1).csv")
    assert f["indicator_id"].str.startswith("ext.").all()
    assert set(f["unit"]) == {"人"}
    assert "2025" not in set(f["period"]) and "2020" not in set(f["period"])  # census/unpublished: blank
    assert f["region_code"].nunique() == 31
    info = ex.sheets[0]
    assert info.dropped_notes == 3  # 注：…, its U+3000 continuation, 数据来源：
    assert any(w.rule == "unknown_indicator" for w in ex.issues)


def test_nbs_growth_rates_negative_and_never_summed():
    _, f = obs("05_nbs-export-gbk_分省年度数据 (5).csv")
    assert set(f["unit"]) == {"%"} and set(f["basis"]) == {"rate"}
    assert (f["value"] < 0).any()
    assert f[(f["region_code"] == "110000") & (f["period"] == "2018")]["value"].tolist() == [-15.5]


def test_wps_xls_indicator_in_drifting_merged_column():
    ex, f = obs("06_wps_一般公共预算等.xls")
    assert ex.format == "xls"
    names = set(f["indicator_name"])
    assert names == {"一般公共预算支出", "财政支出"}  # the stray suffix `（亿元）i` is gone
    assert set(f["unit"]) == {"亿元"}
    assert set(f["period"]) >= {"2005", "2024"}  # years as floats 2005.0
    row_tianjin = f[(f["region_code"] == "120000") & (f["indicator_name"] == "一般公共预算支出")]
    assert row_tianjin[row_tianjin["period"] == "2007"]["value"].tolist() == [674.33]
    assert row_tianjin[row_tianjin["period"] == "2009"]["value"].tolist() == [1124.28]
    assert f["region_code"].notna().all()


def test_unit_only_in_the_file_name():
    _, f = obs("07_nbs-trimmed_教育经费 万元.xls")
    assert set(f["indicator_name"]) == {"教育经费"}
    assert set(f["unit"]) == {"万元"}
    assert "2023" not in set(f["period"])  # the empty latest-year column
    assert f[(f["region_code"] == "110000") & (f["period"] == "2022")]["value"].tolist() == [15854348.0]


def test_mac_excel_xls_without_a_unit():
    ex, f = obs("08_nbs-trimmed-macexcel_社会零售消费品总额.xls")
    assert set(f["indicator_name"]) == {"社会零售消费品总额"}
    assert f["unit"].isna().all()
    assert len(f) == 31 * 19


def test_blank_means_zero_where_the_spec_says_so():
    ex, f = obs("09_nbs-trimmed_轨道交通运营里程 公里.xls")
    assert ex.spec.layout == "nbs_wide_blank_zero"
    qinghai = f[f["region_code"] == "630000"]
    assert len(qinghai) == 19 and (qinghai["value"] == 0).all()
    assert set(f["unit"]) == {"公里"}


def test_blank_means_missing_by_default(tmp_path):
    src = REAL / "09_nbs-trimmed_轨道交通运营里程 公里.xls"
    other = tmp_path / "地铁里程 公里.xls"
    shutil.copy(src, other)
    ex = extract(other, "indicators")
    assert ex.spec.layout == "nbs_wide"
    assert (ex.frame["region_code"] == "630000").sum() == 0


def test_roster_two_row_header_units_totals_notes(demo_files):
    f = next((demo_files / "enterprises").glob("*2024年1-6月*"))
    ex = extract(f, "enterprises")
    info = ex.sheets[0]
    assert info.header_rows == "3-4"
    assert info.period == "2024-06" and info.period_from in {"sheet", "title"}
    assert info.reporter == "淮安区工业和信息化局"
    assert "output_ytd" in info.columns and info.columns["output_ytd"].endswith("(H)")
    assert info.dropped_totals == 1 and info.dropped_notes == 3
    fr = ex.frame
    assert len(fr) == info.rows_read and fr["period"].eq("2024-06").all()
    assert fr["credit_code"].str.len().eq(18).all()
    assert fr["township_code"].str.startswith("320803").all()
    # the 合计 row reconciles (no total_mismatch warning) and was not loaded
    assert not [i for i in ex.issues if i.rule == "total_mismatch"]
    total = read_workbook(f).sheets[0].rows[4]
    assert fr["output_ytd"].sum() == pytest.approx(float(total[7]), abs=0.05)


def test_land_ledger_in_hectares_converted_to_mu(demo_files):
    f = next((demo_files / "land_use").glob("*占补*"))
    ex = extract(f, "land_use")
    assert ex.spec.layout == "balance_ledger"
    grid = read_workbook(f).sheets[0]
    first = grid.rows[1]
    assert ex.frame["area_mu"].iloc[0] == pytest.approx(float(first[2]) * 15)
    assert set(ex.frame["kind"]) == {"balance"}


def test_land_dates_typed_by_hand(demo_files):
    f = next((demo_files / "land_use").glob("*挂钩*"))
    ex = extract(f, "land_use")
    assert ex.frame["accepted_on"].notna().all()
    assert not [i for i in ex.issues if i.severity in {"critical", "row"}]


def test_format_from_content_not_extension(tmp_path, demo_files):
    src = next((demo_files / "targets").glob("*.xlsx"))
    disguised = tmp_path / "目标任务表.csv"
    shutil.copy(src, disguised)
    ex = extract(disguised, "targets")
    assert ex.format == "xlsx" and len(ex.frame) == 17


def test_total_row_that_does_not_reconcile_is_a_warning(tmp_path):
    f = tmp_path / "2025年高新技术企业认定情况统计表.csv"
    f.write_text(
        "镇（街道）,首次认定（家）,重新认定（家）\n平桥镇,3,1\n淮城街道,2,0\n合计,9,1\n", encoding="utf-8"
    )
    ex = extract(f, "hightech")
    warn = [i for i in ex.issues if i.rule == "total_mismatch"]
    assert (
        len(warn) == 1 and warn[0].row == 4 and "合计 9.00" in warn[0].message and "5.00" in warn[0].message
    )
    assert len(ex.frame) == 2


def test_no_recognisable_header_says_what_was_considered(tmp_path):
    f = tmp_path / "名单.csv"
    f.write_text("企业名称,备注\n某某公司,无\n", encoding="utf-8")
    ex = extract(f, "enterprises")
    (c,) = ex.critical
    assert c.rule == "no_header"
    assert "missing required" in c.message and "credit_code" in c.message


def test_two_columns_for_one_field_is_critical(tmp_path):
    f = tmp_path / "挂钩台账_2025.csv"
    f.write_text(
        "项目名称,所在镇,复垦面积,拆旧复垦面积,验收日期\n甲项目,平桥镇,10,11,2025-03-01\n", encoding="utf-8"
    )
    ex = extract(f, "land_use")
    assert [i.rule for i in ex.critical] == ["duplicate_column"]
    assert "复垦面积 (C)" in ex.critical[0].message and "(D)" in ex.critical[0].message


def test_no_period_anywhere_is_critical(tmp_path, demo_files):
    src = next((demo_files / "enterprises").glob("*2025年1-3月*"))
    grid = read_workbook(src).sheets[0]
    rows = grid.rows[2:]  # drop the title rows that carry the period
    f = tmp_path / "roster.csv"
    import csv

    with f.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["" if c is None else c for c in r] for r in rows])
    ex = extract(f, "enterprises")
    assert [i.rule for i in ex.critical] == ["period_not_found"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "utf-16"])
def test_csv_encodings(tmp_path, encoding):
    f = tmp_path / "其他指标.csv"
    text = "指标名称,地区,时期,数值,单位,口径\n新增公共停车位,淮安区,2024年,1200,个,本年新增\n"
    f.write_bytes(text.encode(encoding))
    ex = extract(f, "indicators")
    assert ex.frame["indicator_id"].tolist() == ["public_parking_new"]
    assert ex.frame["value"].tolist() == [1200.0]


def test_part_column_larger_than_its_whole_is_a_warning(tmp_path):
    f = tmp_path / "增减挂钩验收台账.csv"
    f.write_text(
        "项目名称,所在镇,复垦面积,其中：耕地,验收日期\n甲,平桥镇,100,80,2024-05-01\n乙,朱桥镇,50,60,2024-06-01\n",
        encoding="utf-8",
    )
    ex = extract(f, "land_use")
    (w,) = [i for i in ex.issues if i.rule == "part_exceeds_whole"]
    assert w.severity == "warning" and w.row == 3 and "(D)" in w.column
    assert len(ex.frame) == 2  # parts are never loaded, and the rows still load


@pytest.mark.parametrize(
    ("text", "date", "warns"),
    [
        ("2024.6", "2024-06-01", False),
        ("2024年6月", "2024-06-01", False),
        ("2024-06", "2024-06-01", False),
        ("2024.1", "2024-01-01", True),
        ("45458", "2024-06-15", False),
        ("2024/6/15", "2024-06-15", False),
    ],
)
def test_acceptance_dates_as_departments_type_them(tmp_path, text, date, warns):
    f = tmp_path / "增减挂钩验收台账.csv"
    f.write_text(f"项目名称,所在镇,复垦面积,验收日期\n甲,平桥镇,100,{text}\n", encoding="utf-8")
    ex = extract(f, "land_use")
    assert str(ex.frame["accepted_on"].iloc[0]) == date
    assert any(i.rule == "parse_date" and i.severity == "warning" for i in ex.issues) is warns


def test_names_keep_their_registry_form_and_get_a_key(demo_files):
    f = next((demo_files / "enterprises").glob("*2025年1-6月*"))
    fr = extract(f, "enterprises").frame
    full = fr[fr["name"].str.contains("（", regex=False)]
    assert len(full), "the demo has names with full-width brackets"
    name, key = full.iloc[0][["name", "name_key"]]
    assert "（" in name and "(" in key and " " not in key


def test_typed_columns_lose_no_cell(tmp_path):
    """A number column is read as floats and a text column as strings; every cell fastexcel could
    not give that type comes back with its own text (never as a blank): text and units in a number
    column, an Excel error in either, a date where a number was expected."""
    import datetime as dt

    import xlsxwriter

    from etl.read import load_columns

    path = tmp_path / "typed.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("表1")
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, ["名称", "产值"])
    ws.write_row(1, 0, ["甲", 1.5])
    ws.write_row(2, 0, ["乙", "1,234"])
    ws.write_row(3, 0, ["丙", "3.4公顷"])
    ws.write(4, 0, '引号"与\\反斜杠\n换行')
    ws.write_formula(4, 1, "=1/0", None, "#DIV/0!")
    ws.write_formula(5, 0, "=Z99", None, "#REF!")
    ws.write_datetime(5, 1, dt.datetime(2024, 6, 1), date)
    ws.write_row(6, 0, ["丁", 7])
    wb.close()
    df = load_columns(path, "表1", 1, {0: "text", 1: "number"})
    assert list(df.index) == [1, 2, 3, 4, 5, 6]
    assert df[0].tolist() == ["甲", "乙", "丙", '引号"与\\反斜杠\n换行', "#REF!", "丁"]
    assert df[1].tolist() == [1.5, "1,234", "3.4公顷", "#DIV/0!", "2024-06-01 00:00:00", 7.0]


def test_cell_text_reads_every_form_fastexcel_describes():
    from etl.read.fastsheet import cell_text

    assert cell_text('Expected float but got \'String("a\\"b\\\\c\\nd")\'') == 'a"b\\c\nd'
    assert cell_text("Expected float but got 'String(\"\\u{1}x\")'") == "\x01x"
    assert cell_text("Expected string but got 'Error(NA)'") == "#N/A"
    assert cell_text("Expected float but got 'Bool(true)'") == "true"
    assert cell_text("Expected float but got 'DateTimeIso(\"2024-06-01\")'") == "2024-06-01"
    # a form it does not know is kept whole: the cell is still named, never lost
    assert cell_text("something else") == "something else"


def test_check_counts_each_missing_marker(tmp_path, capsys):
    """`—`, `…`, `/` and blank cells are all missing, and `statwh check` says which was written."""
    from tests.conftest import run_cli

    f = tmp_path / "增减挂钩验收台账.csv"
    f.write_text(
        "项目名称,所在镇,复垦面积,验收日期\n甲,平桥镇,100,2024-05-01\n乙,朱桥镇,—,2024-06-01\n"
        "丙,朱桥镇,…,2024-06-02\n丁,平桥镇,,2024-06-03\n戊,平桥镇,/,2024-06-04\n己,平桥镇,—,2024-06-05\n",
        encoding="utf-8",
    )
    ex = extract(f, "land_use")
    assert ex.sheets[0].missing == {"area_mu": {"—": 2, "…": 1, "/": 1, "": 1}}
    run_cli("check", "land_use", str(f))
    out = capsys.readouterr().out
    assert "missing: area_mu 5 (— ×2, " in out and "blank ×1" in out and "/ ×1" in out, out


def test_flags_read_as_booleans_and_a_word_that_is_neither_is_named(tmp_path, demo_files):
    src = next((demo_files / "enterprises").glob("*2025年1-3月*"))
    rows = [list(r) for r in read_workbook(src).sheets[0].rows]
    rows[5][12] = "待定"  # 专精特新 of the first enterprise: neither 是 nor 否
    rows[6][12] = None  # a blank flag means not flagged
    f = tmp_path / "规上工业企业主要指标_2025年1-3月.csv"
    import csv

    with f.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["" if c is None else c for c in r] for r in rows])
    ex = extract(f, "enterprises")
    (bad,) = [i for i in ex.issues if i.rule == "not_in_vocabulary"]
    assert bad.row == 6 and "(M)" in bad.column and bad.value == "待定" and bad.severity == "warning"
    fr = ex.frame.set_index("_row")
    assert fr["is_srdi"].loc[[6, 7]].tolist() == [pd.NA, False]  # the row stays, its flag empty
    assert fr["is_above_scale"].loc[[6, 7]].tolist() == [True, True]


def test_logical_cells_in_a_number_column_are_named_not_read_as_1_and_0(tmp_path):
    """fastexcel reads TRUE and FALSE into a float column as 1.0 and 0.0, without a word. Cells
    that read 0 or 1 are looked up in the sheet's XML; the logical ones get their text back
    (`TRUE`, `FALSE`), so the parser names them, while real 0s and 1s stay numbers."""
    import xlsxwriter

    from etl.read.fastsheet import bool_cells, load_columns

    path = tmp_path / "logical.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("表1")
    ws.write_row(0, 0, ["名称", "产值", "人数"])
    ws.write_row(1, 0, ["甲", 1.5, 10])
    ws.write_row(2, 0, ["乙", True, 1])  # a logical cell, and a real 1
    ws.write_row(3, 0, ["丙", 0, False])  # a real 0, and a logical cell
    ws.write_row(4, 0, [True, 2.5, 3])  # a logical cell in a text column reads as text already
    wb.close()
    df = load_columns(path, "表1", 1, {0: "text", 1: "number", 2: "number"})
    assert df[1].tolist() == [1.5, "TRUE", 0.0, 2.5]
    assert df[2].tolist() == [10.0, 1.0, "FALSE", 3.0]
    assert df[0].tolist()[3] == "true"
    # only where a number column read 0 or 1 is looked at
    assert bool_cells(path, "表1", {(2, 1)}) == {(2, 1): "TRUE"}
    assert bool_cells(path, "表1", {(2, 2), (3, 1)}) == {}


def test_bool_cells_finds_a_cell_cut_by_the_read_buffer(tmp_path, monkeypatch):
    """The sheet's XML is searched in pieces: a logical cell across two pieces is still found."""
    import zipfile

    import xlsxwriter

    import etl.read.fastsheet as fs

    path = tmp_path / "long.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("表1")
    for r in range(400):
        ws.write_row(r, 0, ["名称", r * 1.5])
    for r in (37, 211, 399):
        ws.write_boolean(r, 1, r != 211)
    wb.close()
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    where = {(37, 1), (211, 1), (399, 1)}
    expected = {(37, 1): "TRUE", (211, 1): "FALSE", (399, 1): "TRUE"}
    original = zipfile.ZipExtFile.read
    for size in (7, 64, 1000, len(xml) // 3):  # pieces that cut cells anywhere
        monkeypatch.setattr(zipfile.ZipExtFile, "read", lambda self, n=-1, s=size: original(self, s))
        assert fs.bool_cells(path, "表1", where) == expected, size
    monkeypatch.setattr(zipfile.ZipExtFile, "read", original)


def test_a_logical_cell_in_a_roster_is_a_rejected_row(tmp_path):
    from bench.gen import _Enterprises, write_roster

    path = write_roster(tmp_path / "规上工业企业主要指标_2025年1-6月.xlsx", _Enterprises(20), 2025, 6)
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb.active.cell(row=9, column=11).value = True  # 从业人员 of the fourth enterprise
    wb.save(path)
    ex = extract(path, "enterprises")
    rows = [i for i in ex.issues if i.severity == "row"]
    assert [(i.row, i.column.split(" (")[1]) for i in rows] == [(9, "K)")]
    assert "逻辑值 TRUE" in rows[0].message
    assert ex.frame is not None
    (employees,) = ex.frame.loc[ex.frame["_row"] == 9, "employees"]
    assert employees is pd.NA  # not 1 employee; the load quarantines the row with that message


def test_a_table_that_starts_in_column_b_reads_as_in_column_a(tmp_path, demo_files):
    """fastexcel counts columns from the first one the sheet's cells reach: with column A empty,
    column B is its column 0. Columns are read by their place in the sheet, so a roster moved one
    column right gives the same rows (it was rejected: "column at index 0 not found")."""
    import xlsxwriter

    src = sorted((demo_files / "enterprises").glob("*.xlsx"))[0]
    rows = read_workbook(src).sheets[0].rows
    moved = tmp_path / src.name
    wb = xlsxwriter.Workbook(str(moved))
    ws = wb.add_worksheet("Sheet1")
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c + 1, v)
    wb.close()
    a, b = extract(src, "enterprises"), extract(moved, "enterprises")
    assert not b.critical and b.rows_read == a.rows_read > 400
    assert b.sheets[0].columns["credit_code"].endswith("(C)") and a.sheets[0].columns["credit_code"].endswith(
        "(B)"
    )
    data = [c for c in a.frame.columns if not c.startswith("_")]
    assert b.frame[data].equals(a.frame[data])
    assert b.frame["_row"].tolist() == a.frame["_row"].tolist()


def test_columns_parsed_on_two_threads_give_what_one_thread_gives(demo_files, tmp_path, monkeypatch):
    """A big sheet's columns are parsed on two threads (`PARALLEL_PARSE_ROWS`): every sample file
    and every hostile one gives the same rows and the same issues, in the same order, either way."""
    import etl.extract.parse as ex_mod
    from tests.hostile.corpus import CASES

    files = [(p, p.parent.name) for p in sorted(demo_files.rglob("*")) if p.is_file()]
    for name, case in CASES.items():
        d = tmp_path / name
        d.mkdir()
        files.append((case.make(d), case.source))
    assert len(files) > 60

    def run(rows: int):
        monkeypatch.setattr(ex_mod, "PARALLEL_PARSE_ROWS", rows)
        out = []
        for f, source in files:
            e = extract(f, source)
            out.append(
                (
                    e.frame,
                    [(i.severity, i.rule, i.message, i.sheet, i.row, i.column, i.value) for i in e.issues],
                )
            )
        return out

    one, two = run(10**9), run(0)
    for (f, _), (fa, ia), (fb, ib) in zip(files, one, two, strict=True):
        assert ia == ib, f
        assert (fa is None and fb is None) or fa.equals(fb), f


NAMES = [
    "淮安市华宇(集团)有限公司",
    "淮安市华宇（集团）有限公司",  # full-width brackets
    "淮安市　华宇（集团） 有限公司",  # ideographic and ASCII spaces
    "淮安市华宇〔集团〕有限公司",  # CJK brackets NFKC leaves alone
    "【淮安】华宇〖集团〗有限责任公司",
    "ＡＢＣ科技股份有限公司",  # full-width letters
    "ABC科技 股份 有限 公司",
    "\ufeff淮安华宇有限公司\u200b",  # BOM and zero-width space
    "淮安\u200c华宇\u200d\u2060有限公司",  # zero-width joiners, word joiner
    "淮安\t华宇\n有限公司\r",
    "淮安\x0b华宇\x0c有限公司",  # vertical tab, form feed
    "淮安\u00a0华宇\u2002\u2003\u202f\u205f有限公司",  # no-break and typographic spaces
    "淮安\x85华宇\u2028\u2029有限公司\x1c\x1f",
    "淮安华宇１２３号有限公司",  # full-width digits
    "㈱淮安华宇",  # a compatibility ideograph NFKC expands
    "e\u0301 e \u0301",  # a combining mark brought next to a letter by the removed space
    "   ",
    "",
]


@pytest.mark.parametrize("dtype", [object, "str"])
def test_the_column_name_key_is_the_one_name_key(dtype):
    """`normalize_names` (a column, in Arrow's kernels) gives `normalize_name`'s key for every
    name, blank cells staying blank: the one rule of etl.base.names, in two forms."""
    from etl.base.names import normalize_name, normalize_names

    names = NAMES + [chr(i) + "x" for i in range(0x3001) if chr(i).isspace()]
    got = normalize_names(pd.Series([*names, None], dtype=dtype))
    assert got.iloc[:-1].tolist() == [normalize_name(n) for n in names]
    assert pd.isna(got.iloc[-1]) and normalize_name(None) == ""
    assert got.iloc[2] == "淮安市华宇(集团)有限公司" == got.iloc[3]


# a sheet's rows below its header as a reader gives them, and the kind of each: label columns 0-2
ROWS_AND_KINDS = [
    ([1, "淮安华宇机械有限公司", "石塘镇", 100.0, 20], "data"),  # an integer 序号
    ([2.0, "淮安恒通科技有限公司", "施河镇", 50.5, None], "data"),  # a float one (.xls)
    (["3", 3599, "车桥镇", 7.0, 1], "data"),  # a number in a label column
    ([dt.date(2024, 6, 1), True, "朱桥镇", 1.0, 2], "data"),  # a date and a logical one
    ([None, "合计", None, 150.5, 28], "total"),
    (["总计", None, None, 150.5, None], "total"),
    (["小 计", None, None, 1.0, None], "total"),  # a spec's total label, spaced
    ([None, None, "全区合计", 1.0, None], "total"),
    (["合　计", 2, 3, None, None], "total"),  # an ideographic space
    (["\u3000合计：", 2, 3, None, None], "total"),
    ([4, "合计数", "施河镇", 1.0, None], "total"),  # 合计… begins a total
    (["其中：新建投产", None, None, 30.0, None], "part"),
    (["  其中", "小升规", None, 3.0, None], "part"),
    (["其中", None, "合计", 3.0, None], "total"),  # a total and a part: a total
    ([None, None, None, None, None], "blank"),
    ([], "blank"),
    ([float("nan"), None], "blank"),
    ([" ", None, None, None, None], "data"),  # a cell of blanks is not empty
    (["附件", "释义"], "data"),  # two cells, neither beginning like a note: not (yet) notes
    (["淮安"], "data"),  # one cell, before the notes begin
    (["备注栏", "a", "b", 1.0], "data"),  # three cells: no note
    (["注：本表不含个体户。", None, None, None, None], "note"),
    (["\u3000按2024年口径计算", None, None, None, None], "note"),  # an indented continuation
    (["  续上", "其二", None], "note"),  # indented, two cells
    (["数据来源：区统计局", "2025年7月"], "note"),
    ([None, 4.0, None, None, None], "note"),  # one cell below the notes
    (["其中", None], "note"),  # a 其中 of one cell below the notes
    (["填表人：张三", None, "审核人：李四"], "note"),
    ([5, "淮安新材料有限公司", "石塘镇", 1.0, 2], "data"),  # whole rows below the notes stay data
    (["\u3000\u3000工业", "a", "b", 3.0], "data"),  # indented, but three cells
]


def test_one_row_and_a_whole_sheet_are_classified_alike():
    """`classify_row` (the wide tables and `statwh draft`, row by row) and `classify_rows` (the
    rosters, vectorised) apply the one rule set (`_kind_conditions`): the same kind for every row."""
    from etl.extract import classify_row, classify_rows
    from etl.spec.model import SourceSpec

    spec = SourceSpec(path=Path("<test>"), source="", layout="", dataset="")
    rows = [r for r, _ in ROWS_AND_KINDS]
    expected = [k for _, k in ROWS_AND_KINDS]
    width = max(len(r) for r in rows)
    body = pd.DataFrame(
        {c: [r[c] if c < len(r) else None for r in rows] for c in range(width)},
        index=range(3, 3 + len(rows)),
        dtype=object,
    )
    assert classify_rows(body, [0, 1, 2], spec).tolist() == expected
    one_by_one, in_notes = [], False
    for r in rows:
        one_by_one.append(classify_row(r, [0, 1, 2], spec, in_notes))
        in_notes = in_notes or one_by_one[-1] == "note"
    assert one_by_one == expected


def test_a_wide_table_takes_its_indicator_from_the_part_of_the_file_name_that_names_one(tmp_path):
    """`地区生产总值_分区.csv` is GDP by district, not an indicator called 分区."""
    f = tmp_path / "地区生产总值_分区.csv"
    f.write_text("地区,2025年1-9月,2024年1-9月,增速（%）\n淮安区,800.5,760.2,5.3\n", encoding="utf-8")
    ex = extract(f, "indicators", file_name=f.name)
    assert not [i for i in ex.issues if i.severity in ("critical", "row")]
    assert set(ex.frame["indicator_id"]) == {"gdp"}
    assert sorted(ex.frame["value"]) == [pytest.approx(760.2), pytest.approx(800.5)]


def test_a_long_tables_figure_with_a_footnote_marker_keeps_its_digits(tmp_path):
    f = tmp_path / "指标长表.csv"
    f.write_text("指标名称,时期,数值\n地区生产总值,2024,812.5①\n地区生产总值,2023,800²\n", encoding="utf-8")
    ex = extract(f, "indicators", file_name=f.name)
    assert dict(zip(ex.frame["period"], ex.frame["value"], strict=True)) == {"2024": 812.5, "2023": 800.0}


def test_a_long_tables_whole_district_row_is_the_districts_figure_not_a_total(tmp_path):
    """`全区` / `合计` in a long table's 地区 column was dropped as a total row: the district's own
    GDP never loaded, and it was reconciled against every other row (false mismatch warnings)."""
    f = tmp_path / "指标长表.csv"
    f.write_text(
        "指标名称,地区,时期,数值,单位\n地区生产总值,全区,2024,812.5,亿元\n地区生产总值,车桥镇,2024,50,亿元\n"
        "地区生产总值,合计,2023,800,亿元\n",
        encoding="utf-8",
    )
    ex = extract(f, "indicators", file_name=f.name)
    assert not [i for i in ex.issues if i.severity in ("critical", "row", "warning")]
    got = {(r["region_code"], r["period"]): r["value"] for r in ex.frame.to_dict("records")}
    assert got == {("320803", "2024"): 812.5, ("320803107", "2024"): 50.0, ("320803", "2023"): 800.0}

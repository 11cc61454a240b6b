"""The 分乡镇 table reads each measure from the one column that is it, and says what it does not
read. A red team's files had loaded wrong figures without a word: 本期 (the month) as the year to
date while the 本年累计 column beside it was dropped; the 上年同期 right of 本月 (last year's month)
as last year's 1-9月, the real one dropped; 1-9月 columns under a title of 1-8月 as August."""

from __future__ import annotations

from pathlib import Path

from etl.extract import extract

TITLE = "淮安区分乡镇规模以上工业主要指标（{}）"


def _extract(tmp_path: Path, period: str, children: list[str], figures: list[str]):
    rows = [
        [TITLE.format(period)],
        ["单位：个，万元"],
        ["乡镇", "规上工业企业数", "", "工业总产值"] + [""] * (len(children) - 1),
        ["", "本期", "上年同期", *children],
        ["车桥镇", "30", "28", *figures],
        ["淮城街道", "20", "18", *figures],
    ]
    path = tmp_path / "分乡镇.csv"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    ex = extract(path, "indicators", file_name=path.name)
    got = {}
    if not ex.critical:
        for r in ex.frame.itertuples():
            if r.indicator_id == "industrial_output" and r.region == "车桥镇":
                got[(r.period, r.basis)] = r.value
    return ex, got


def _warned(ex, rule="column_not_read"):
    return sorted(i.column.split(" (")[1].rstrip(")") for i in ex.issues if i.rule == rule)


def test_a_year_to_date_column_is_read_before_a_benqi_beside_it(tmp_path):
    ex, got = _extract(tmp_path, "2025年9月", ["本期", "本年累计", "上年同期"], ["1000", "9000", "8000"])
    assert got == {("2025-09", "ytd"): 0.9, ("2024-09", "ytd"): 0.8}
    assert _warned(ex) == ["D"]  # 本期: not loaded, and said


def test_the_prior_year_of_a_month_is_not_read_as_the_prior_year_to_date(tmp_path):
    children = ["本月", "上年同期", "1-9月累计", "上年同期"]
    ex, got = _extract(tmp_path, "2025年1-9月", children, ["1000", "900", "9000", "8000"])
    assert got == {("2025-09", "ytd"): 0.9, ("2024-09", "ytd"): 0.8}
    assert _warned(ex) == ["D", "E"]  # 本月 and its 上年同期


def test_a_prior_year_right_of_an_unread_month_alone_is_not_read(tmp_path):
    ex, got = _extract(tmp_path, "2025年1-9月", ["本月", "上年同期", "1-9月累计"], ["1000", "900", "9000"])
    assert got == {("2025-09", "ytd"): 0.9}
    assert _warned(ex) == ["D", "E"]


def test_columns_whose_months_differ_from_the_title_refuse_the_sheet(tmp_path):
    ex, got = _extract(tmp_path, "2025年1-8月", ["1-9月", "上年同期"], ["9000", "8000"])
    assert [(i.rule, i.column) for i in ex.critical] == [("period_conflict", "工业总产值/1-9月 (D)")]
    assert "1-9" in ex.critical[0].message and "1-8" in ex.critical[0].message


def test_two_columns_that_are_the_same_measure_refuse_the_sheet(tmp_path):
    ex, _ = _extract(tmp_path, "2025年1-9月", ["1-9月累计", "本年累计"], ["9000", "9100"])
    assert [i.rule for i in ex.critical] == ["ambiguous_measure"]
    assert "(D)" in ex.critical[0].message and "(E)" in ex.critical[0].message


def test_a_benqi_read_as_the_year_to_date_in_a_months_sheet_is_said(tmp_path):
    ex, got = _extract(tmp_path, "2025年9月", ["本期", "上年同期"], ["9000", "8000"])
    assert got == {("2025-09", "ytd"): 0.9, ("2024-09", "ytd"): 0.8}
    assert _warned(ex, "year_to_date_assumed") == ["D"]
    ex, _ = _extract(tmp_path, "2025年1-9月", ["本期", "上年同期"], ["9000", "8000"])
    assert _warned(ex, "year_to_date_assumed") == []


def test_a_column_under_a_measures_group_that_names_no_measure_is_said(tmp_path):
    ex, got = _extract(
        tmp_path, "2025年1-9月", ["2025年1-9月", "2024年1-9月", "增长%"], ["9000", "8000", "12.5"]
    )
    assert got == {}
    assert _warned(ex) == ["D", "E"]

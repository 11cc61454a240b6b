"""Ordinary departmental files that had been refused (found by a red-team sweep, left loud but
wrong): each is now read, and what it had been refused for is said where it matters."""

from __future__ import annotations

import csv

from etl.base import cells
from etl.extract import extract
from tests.hostile.corpus import ROSTER_HEADER, code, roster_rows, write_xlsx

TITLE = "淮安区规上工业企业主要指标（2025年1-6月）"
NAME = "规上工业企业_2025年1-6月"


def _rows_issues(ex) -> list:
    return [i.describe() for i in ex.issues if i.severity in ("critical", "row")]


def test_a_part_column_beside_its_whole_is_no_second_column_of_the_field(tmp_path):
    """`营业收入 | 其中：主营业务收入` had rejected the roster (two columns of revenue_ytd)."""
    header = [*ROSTER_HEADER, "营业收入", "其中：主营业务收入"]
    f = write_xlsx(
        tmp_path / f"{NAME}.xlsx",
        [header, *[r + [500.0 + i, 450.0] for i, r in enumerate(roster_rows(4))]],
        title=TITLE,
    )
    ex = extract(f, "enterprises", file_name=f.name)
    assert not _rows_issues(ex)
    assert ex.frame["revenue_ytd"].tolist() == [500.0, 501.0, 502.0, 503.0]  # the whole, not its part


def test_two_columns_a_field_prefers_one_of_read_the_preferred_and_say_so(tmp_path):
    """`期末从业人员 | 从业人员平均人数` had rejected the roster; the period's end is read (the
    spec's `prefer`), a warning names the column left unread."""
    header = [*ROSTER_HEADER[:-1], "从业人员平均人数", "期末从业人员"]
    f = write_xlsx(
        tmp_path / f"{NAME}.xlsx",
        [header, *[r[:-1] + [28, 30 + i] for i, r in enumerate(roster_rows(3))]],
        title=TITLE,
    )
    ex = extract(f, "enterprises", file_name=f.name)
    assert not _rows_issues(ex)
    assert ex.frame["employees"].tolist() == [30, 31, 32]
    (said,) = [i for i in ex.issues if i.rule == "column_preferred"]
    assert "期末从业人员" in said.message and "从业人员平均人数" in said.message


def test_two_columns_of_a_field_without_a_preference_still_reject_the_sheet(tmp_path):
    header = [*ROSTER_HEADER, "本年累计工业总产值"]
    f = write_xlsx(tmp_path / f"{NAME}.xlsx", [header, *[r + [1.0] for r in roster_rows(2)]], title=TITLE)
    (crit,) = extract(f, "enterprises", file_name=f.name).critical
    assert crit.rule == "duplicate_column"


def test_a_system_exports_forced_text_cells_are_their_text(tmp_path):
    """`="913208…"` (a CSV made for Excel to keep codes as text) and `'913208…` had been credit
    codes of 21 and 19 characters, every enterprise refused."""
    f = tmp_path / f"{NAME}.csv"
    rows = roster_rows(4)
    with f.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(ROSTER_HEADER)
        for i, r in enumerate(rows):
            cc = f'="{r[1]}"' if i % 2 else f"'{r[1]}"
            w.writerow([r[0], cc, r[2], r[3], '="3599"', f'="{r[5]}"', r[6], r[7]])
    ex = extract(f, "enterprises", file_name=f.name)
    assert not _rows_issues(ex), _rows_issues(ex)
    assert ex.frame["credit_code"].tolist() == [code(i) for i in range(4)]
    assert ex.frame["output_month"].tolist() == [r[5] for r in rows]
    assert set(ex.frame["industry_code"]) == {"3599"}


def test_a_footnote_asterisk_after_a_figure_is_no_part_of_it():
    """`640.72*` (a 统计局 table's `*为快报数`) had been an unreadable figure."""
    assert [cells.parse_number(t).value for t in ("640.72*", "1,234.5 ＊", "12※")] == [640.72, 1234.5, 12.0]
    # an asterisk is no figure, nor before one (a masked value stays refused)
    assert [cells.parse_number(t).value for t in ("**", "*12")] == [None, None]


def _without_township(rows: list[list]) -> list[list]:
    return [[x for j, x in enumerate(r) if j != 3] for r in rows]


def test_one_sheet_per_township_gives_each_rows_its_sheets_township(tmp_path):
    """A workbook of one sheet per township (no 所在镇 column, the township in the sheet's name
    and title) had been refused for its missing township column."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    header = [h for h in ROSTER_HEADER if h != "所在镇（街道）"]
    rows = roster_rows(4)
    for k, town in enumerate(("石塘镇", "车桥镇")):
        ws = wb.create_sheet(town)
        ws.append([f"{town}规上工业企业主要指标（2025年1-6月）"])
        ws.append(header)
        for r in _without_township(rows[2 * k : 2 * k + 2]):
            ws.append(r)
    f = tmp_path / f"{NAME}_分镇.xlsx"
    wb.save(f)
    ex = extract(f, "enterprises", file_name=f.name)
    assert not _rows_issues(ex), _rows_issues(ex)
    assert ex.frame["township"].tolist() == ["石塘镇", "石塘镇", "车桥镇", "车桥镇"]
    assert ex.frame["township_code"].nunique() == 2


def test_a_townships_own_file_is_that_townships_and_a_file_of_several_is_refused(tmp_path):
    header = [h for h in ROSTER_HEADER if h != "所在镇（街道）"]
    body = [header, *_without_township(roster_rows(3))]
    own = tmp_path / f"石塘镇{NAME}.csv"
    several = tmp_path / f"石塘镇等3镇{NAME}.csv"
    for f in (own, several):
        with f.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(body)
    ex = extract(own, "enterprises", file_name=own.name)
    assert not _rows_issues(ex) and set(ex.frame["township"]) == {"石塘镇"}
    (crit,) = extract(several, "enterprises", file_name=several.name).critical
    assert "township" in crit.message


def test_people_in_thousands_or_ten_thousands_are_converted_before_being_told_whole(tmp_path):
    """`从业人员（万人）` 0.0123 had been refused as no whole number (checked before its unit was
    applied); `从业人员（千人）` 2 had been read as 2 persons (千人 unknown, 人 assumed)."""
    for unit, written, read in (("万人", [0.0123, 0.0124], [123, 124]), ("千人", [2, 0.5], [2000, 500])):
        header = [*ROSTER_HEADER[:-1], f"从业人员（{unit}）"]
        rows = [r[:-1] + [w] for r, w in zip(roster_rows(2), written, strict=True)]
        f = write_xlsx(tmp_path / f"{NAME}_{unit}.xlsx", [header, *rows], title=TITLE)
        ex = extract(f, "enterprises", file_name=f.name)
        assert not _rows_issues(ex), _rows_issues(ex)
        assert ex.frame["employees"].tolist() == read, unit
    # a fraction of a person after conversion is still no whole number
    f = write_xlsx(
        tmp_path / f"{NAME}_frac.xlsx",
        [[*ROSTER_HEADER[:-1], "从业人员（千人）"], roster_rows(1)[0][:-1] + [0.0005]],
        title=TITLE,
    )
    (bad,) = [i for i in extract(f, "enterprises", file_name=f.name).issues if i.severity == "row"]
    assert "整数" in bad.message


def test_a_scaled_count_that_is_no_known_unit_is_refused_not_assumed(tmp_path):
    assert cells.unit_in_text("从业人员（十万户）") == "十万户"
    header = [*ROSTER_HEADER[:-1], "从业人员（十万户）"]
    f = write_xlsx(tmp_path / f"{NAME}.xlsx", [header, *roster_rows(2)], title=TITLE)
    (crit,) = extract(f, "enterprises", file_name=f.name).critical
    assert crit.rule == "unit_mismatch"


def test_a_blank_period_column_under_a_titled_period_takes_the_titles(tmp_path):
    """A 统计期 column left empty under `（2025年1-6月）`, a 认定年度 column empty under
    `2024年认定高新技术企业名单`: every row had been refused as having no period."""
    f = write_xlsx(
        tmp_path / f"{NAME}.xlsx",
        [[*ROSTER_HEADER, "统计期"], *[r + [None] for r in roster_rows(3)]],
        title=TITLE,
    )
    ex = extract(f, "enterprises", file_name=f.name)
    assert not _rows_issues(ex) and set(ex.frame["period"]) == {"2025-06"}
    (said,) = [i for i in ex.issues if i.rule == "period_from_sheet"]
    assert "3 行" in said.message and "2025-06" in said.message
    head = ["序号", "证书编号", "企业名称", "所在镇", "认定年度", "认定类型"]
    rows = [
        [i + 1, f"GR2024320{i:05d}", f"淮安测试{i}号科技有限公司", "石塘镇", None, "首次认定"]
        for i in range(3)
    ]
    g = write_xlsx(
        tmp_path / "2024年高新技术企业名单.xlsx", [head, *rows], title="淮安区2024年认定高新技术企业名单"
    )
    ex = extract(g, "hightech", file_name=g.name)
    assert not _rows_issues(ex), _rows_issues(ex)
    # a period cell that holds something unreadable is still refused
    bad = write_xlsx(
        tmp_path / f"{NAME}_bad.xlsx",
        [[*ROSTER_HEADER, "统计期"], roster_rows(1)[0] + ["待定"]],
        title=TITLE,
    )
    assert _rows_issues(extract(bad, "enterprises", file_name=bad.name))

"""A CSV record with more fields than its header — a number with a thousands comma and no quotes,
`12,345` — had loaded shifted: output 12, employees 345, reported as loaded. It is refused now,
naming the row and the first cell past the header."""

from __future__ import annotations

from etl.extract import extract
from tests.hostile.corpus import ROSTER_HEADER, roster_rows


def _csv(path, lines):
    path.write_text("\n".join(",".join(str(c) for c in line) for line in lines) + "\n", encoding="utf-8")
    return path


def test_a_record_with_an_unquoted_thousands_comma_is_refused(tmp_path):
    rows = roster_rows(4)
    lines = [["规上工业企业主要指标（2025年1-6月）"], ["单位：万元"], ROSTER_HEADER, *rows]
    lines[4] = [*rows[1][:6], "12,345", rows[1][7]]  # the 本年累计 written 12,345 without quotes
    ex = extract(_csv(tmp_path / "规上工业企业_2025年1-6月.csv", lines), "enterprises")
    (issue,) = [i for i in ex.issues if i.rule == "extra_fields"]
    assert (issue.severity, issue.row, issue.column, issue.value) == ("row", 5, "(I)", str(rows[1][7]))
    assert "表头的 8 列" in issue.message
    assert len(ex.frame) == 4  # kept with its reason: the load quarantines it


def test_records_as_wide_as_their_header_say_nothing(tmp_path):
    lines = [
        ["规上工业企业主要指标（2025年1-6月）"],
        ROSTER_HEADER,
        *roster_rows(4),
        [],
        ["注：单位为万元，数据来源：统计局"],
    ]
    ex = extract(_csv(tmp_path / "规上工业企业_2025年1-6月.csv", lines), "enterprises")
    assert not [i for i in ex.issues if i.rule == "extra_fields"]

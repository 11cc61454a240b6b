"""A printout's page lines above the header repeated — `续表`, `第2页`, the title again with `（续表）`
— had been read as an enterprise without a credit code (a quarantined row) or as a second table
(the sheet rejected). They are page lines now: the records of every page load."""

from __future__ import annotations

import pytest

from etl.extract import extract
from tests.hostile.corpus import ROSTER_HEADER, roster_rows, write_xlsx

TITLE = "淮安区规上工业企业主要经济指标（2025年1-6月）"


@pytest.mark.parametrize(
    "line", ["续表", "第2页", "第2页 共3页", "淮安区规上工业企业主要经济指标（续表）", "续上表"]
)
def test_a_page_line_above_the_header_again_is_no_record(tmp_path, line):
    rows = roster_rows(9)
    sheet = [ROSTER_HEADER, *rows[:5], [line], ROSTER_HEADER, *rows[5:]]
    ex = extract(
        write_xlsx(tmp_path / "roster.xlsx", sheet, title=TITLE, unit_row="单位：万元"), "enterprises"
    )
    assert not [i.message for i in ex.issues if i.severity in ("critical", "row")]
    assert len(ex.frame) == 9

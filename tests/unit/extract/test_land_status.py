"""A ledger's 验收情况 column: a project not accepted (`未验收`, `在建（计划验收）`) carries a planned
date, and its area had counted as accepted. Such rows are refused now; `已验收` rows load."""

from __future__ import annotations

import pytest

from etl.extract import extract
from tests.hostile.corpus import LEDGER_HEADER, LEDGER_NAME, ledger, ledger_rows


def test_a_project_not_accepted_is_refused(tmp_path):
    status = ["已验收", "未验收", "已 验收", "在建（计划验收）", ""]
    rows = [r + [s] for r, s in zip(ledger_rows(5), status, strict=True)]
    ex = extract(ledger(tmp_path / LEDGER_NAME, rows=rows, header=[*LEDGER_HEADER, "验收情况"]), "land_use")
    refused = [(i.row, i.value) for i in ex.issues if i.rule == "not_accepted"]
    assert refused == [(5, "未验收"), (7, "在建(计划验收)")]
    assert len(ex.frame) == 5  # kept with their reasons: the load quarantines them


def test_a_ledger_without_a_status_column_is_read_as_before(tmp_path):
    ex = extract(ledger(tmp_path / LEDGER_NAME), "land_use")
    assert not [i for i in ex.issues if i.severity in ("critical", "row")]


def test_a_project_without_its_area_is_refused(tmp_path):
    """复垦面积 blank or written `—` / `/` / `无`: the project had loaded with no area, the ledger's
    total short of it without a word. Such rows are refused; `0` is an area."""
    rows = ledger_rows(5)
    marks = [None, "—", "/", "无", 0]
    for r, m in zip(rows, marks, strict=True):
        r[3] = m
    ex = extract(ledger(tmp_path / LEDGER_NAME, rows=rows), "land_use")
    refused = [i.row for i in ex.issues if i.rule == "area_missing"]
    assert refused == [4, 5, 6, 7]  # the first four data rows (a title row, then the header)


@pytest.mark.parametrize(
    "numbers",
    [["甲", "乙", "丙", 1, 2], ["栏次", "乙", "丙", "1", "2"], ["甲", "乙", "丙", 1.0, 2.0]],
)
def test_a_column_numbers_row_under_the_header_is_no_record(tmp_path, numbers):
    """A 统计报表's 栏次 row (`甲 乙 丙 … 1 2 3`) right under the header had been read as a record (a
    township named `丙`) and refused, the ledger left partial."""
    rows = [numbers, *ledger_rows(3)]
    ex = extract(ledger(tmp_path / LEDGER_NAME, rows=rows), "land_use")
    assert not [i for i in ex.issues if i.severity in ("critical", "row")], [i.message for i in ex.issues]
    assert len(ex.frame) == 3


def test_a_record_of_numbers_is_still_a_record():
    from etl.extract.meta import is_column_numbers_row

    assert not is_column_numbers_row(["1", "车桥镇测试村项目", "车桥镇", 12.5, "2025-03-01"])
    assert not is_column_numbers_row(["甲", "乙"])
    assert not is_column_numbers_row(["甲", "乙", "丙", 3, 5])

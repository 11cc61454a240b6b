"""A ledger's 验收情况 column: a project not accepted (`未验收`, `在建（计划验收）`) carries a planned
date, and its area had counted as accepted. Such rows are refused now; `已验收` rows load."""

from __future__ import annotations

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

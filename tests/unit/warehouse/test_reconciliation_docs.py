"""Data Docs show each file's totals check (#22): a file with 合计 rows is validated against the
`reconciliations` suite (expectations/reconciliations.json) beside its dataset's suite; a total
that does not add up is a failed expectation there, and still only a warning for the file."""

from __future__ import annotations

import re
from pathlib import Path

from etl.base.settings import Home
from etl.validate import suites
from etl.warehouse import load

HEAD = "镇（街道）,首次认定（家）,重新认定（家）\n"


def _prepared(tmp_path: Path, body: str) -> load.Prepared:
    f = tmp_path / "in" / "2025年高新技术企业认定情况统计表.csv"
    f.parent.mkdir(exist_ok=True)
    f.write_text(HEAD + body, encoding="utf-8")
    prep = load.prepare(Home(tmp_path / "home").ensure(), f, "hightech", validate=False)
    load.validate_prepared(prep, tmp_path / "docs")
    return prep


def _pages(tmp_path: Path) -> list[str]:
    """The text of the reconciliations suite's Data Docs pages."""
    index = suites.build_data_docs(tmp_path / "docs")
    out = []
    for p in sorted(index.parent.glob("validations/reconciliations/**/*.html")):
        html = re.sub(r"<(script|style).*?</\1>", " ", p.read_text(encoding="utf-8"), flags=re.S)
        out.append(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))
    return out


def _suite_rows(prep: load.Prepared) -> list[tuple]:
    vr = prep.validation_results
    return [
        (r.expectation, r.column, bool(r.success), int(r.unexpected_count))
        for r in vr[vr["suite"] == "reconciliations"].itertuples()
    ]


def test_a_file_with_totals_shows_its_check_in_data_docs(tmp_path):
    prep = _prepared(tmp_path, "平桥镇,3,1\n淮城街道,2,0\n合计,5,1\n")
    assert _suite_rows(prep) == [("expect_column_values_to_be_in_set", "passed", True, 0)]
    [page] = _pages(tmp_path)
    assert "Expectation Suite: reconciliations" in page and "Status: Succeeded" in page
    assert "Run Name reconciliations-2025年高新技术企业认定情况统计表.csv-" in page  # the file it checked


def test_a_total_that_does_not_add_up_fails_there_and_stays_a_warning(tmp_path):
    prep = _prepared(tmp_path, "平桥镇,3,1\n淮城街道,2,0\n合计,9,1\n")
    assert _suite_rows(prep) == [("expect_column_values_to_be_in_set", "passed", False, 1)]
    assert [(i.severity, i.rule) for i in prep.issues] == [("warning", "total_mismatch")]
    [page] = _pages(tmp_path)
    assert "Status: Failed" in page and "1 unexpected values found" in page


def test_a_file_without_totals_runs_no_reconciliations_suite(tmp_path):
    prep = _prepared(tmp_path, "平桥镇,3,1\n淮城街道,2,0\n")
    assert _suite_rows(prep) == [] and len(prep.validation_results)
    assert _pages(tmp_path) == []

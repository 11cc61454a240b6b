"""A regions-down table's `全区` row is the district's own figure: it had been checked against the
townships and dropped, so a 分乡镇 table left the district without its value (a long table's
`全区` row was already read so). `合计` — the sum of the rows listed, which may be some townships
only — stays a total, checked, not loaded."""

from __future__ import annotations

import pytest

from etl.extract import extract
from tests.hostile.corpus import write_xlsx

HEAD = ["地区", "2024年", "2025年1-9月"]
TOWNS = [["石塘镇", 600, 500], ["车桥镇", 400, 300]]


@pytest.mark.parametrize("label", ["全区", "全区合计", "淮安区合计"])
def test_the_district_row_is_loaded_and_checked(tmp_path, label):
    f = write_xlsx(
        tmp_path / "规模以上工业总产值_分乡镇.xlsx",
        [HEAD, [label, 1000, 800], *TOWNS],
        title="规模以上工业总产值（亿元）",
    )
    ex = extract(f, "indicators", file_name=f.name)
    assert not ex.critical
    district = sorted(
        v for c, v in zip(ex.frame["region_code"], ex.frame["value"], strict=True) if c == "320803"
    )
    assert district == [800.0, 1000.0]
    assert len(ex.reconciliations) == 2 and all(r["passed"] for r in ex.reconciliations)
    assert sorted(r["sum_of_parts"] for r in ex.reconciliations) == [800.0, 1000.0]  # not itself


def test_a_total_row_that_names_no_district_stays_a_total(tmp_path):
    f = write_xlsx(
        tmp_path / "规模以上工业总产值_分乡镇.xlsx",
        [HEAD, *TOWNS, ["合计", 1000, 800]],
        title="规模以上工业总产值（亿元）",
    )
    ex = extract(f, "indicators", file_name=f.name)
    assert "320803" not in set(ex.frame["region_code"])
    assert len(ex.reconciliations) == 2 and all(r["passed"] for r in ex.reconciliations)

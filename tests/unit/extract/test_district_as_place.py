"""A counts-by-township table whose total row is named by the district itself (`淮安区`) had added
that row to the townships, doubling every count. It is refused now, saying it is the district;
a `合计` / `全区` row is a total as before."""

from __future__ import annotations

import pytest

from etl.extract import extract


def _counts(path, total_label):
    lines = [["镇（街道）", "首次认定", "重新认定"], ["车桥镇", 3, 1], ["石塘镇", 4, 2], [total_label, 7, 3]]
    path.write_text("\n".join(",".join(map(str, x)) for x in lines) + "\n", encoding="utf-8")
    return path


def test_the_district_named_as_a_row_is_refused(tmp_path):
    ex = extract(_counts(tmp_path / "高新技术企业认定情况_2024年.csv", "淮安区"), "hightech")
    (issue,) = [i for i in ex.issues if i.rule == "district_as_place"]
    assert (issue.severity, issue.row, issue.value) == ("row", 4, "淮安区")


@pytest.mark.parametrize("label", ["合计", "全区"])
def test_a_total_row_is_still_a_total(tmp_path, label):
    ex = extract(_counts(tmp_path / "高新技术企业认定情况_2024年.csv", label), "hightech")
    assert not [i for i in ex.issues if i.severity in ("critical", "row")]
    assert sorted(ex.frame["new_first"].tolist()) == [3, 4]

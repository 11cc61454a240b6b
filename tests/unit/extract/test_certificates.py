"""A 高企 certificate counts in the year it was issued: one whose date or number says another year
than its list's is a rejected row (found by an adversarial sweep: a 2023 certificate in a 2024
list counted as a 2024 first-time certification)."""

from __future__ import annotations

from etl.extract import extract


def _list(tmp_path, rows: str):
    f = tmp_path / "2024年高新技术企业认定名单.csv"
    f.write_text("序号,企业名称,证书编号,发证日期,所在镇（街道）,认定类型\n" + rows, encoding="utf-8")
    return extract(f, "hightech", file_name=f.name)


def test_a_certificate_of_another_year_is_a_rejected_row_naming_what_says_so(tmp_path):
    ex = _list(
        tmp_path,
        "1,甲科技有限公司,GR202332000001,2023-11-19,车桥镇,首次认定\n"
        "2,乙科技有限公司,GR202432000002,2024-11-19,平桥镇,首次认定\n"
        "3,丙科技有限公司,GR202332000003,2024-12-02,平桥镇,首次认定\n",
    )
    bad = {i.row: i for i in ex.issues if i.rule == "cert_year_mismatch"}
    assert sorted(bad) == [2, 4]
    assert "2023-11-19" in bad[2].message and "GR202332000001" in bad[2].message
    assert "GR202332000003" in bad[4].message and "发证日期" not in bad[4].message
    assert all(i.severity == "row" for i in bad.values())


def test_certificates_of_the_lists_year_load_as_they_are(tmp_path):
    ex = _list(tmp_path, "1,甲科技有限公司,GR202432000001,2024-11-19,车桥镇,首次认定\n")
    assert not [i for i in ex.issues if i.severity in ("row", "critical")]
    assert ex.frame["year"].tolist() == [2024]


def test_a_certificate_number_in_lower_case_says_its_year_too(tmp_path):
    """`gr2023…` had escaped the year check (counted in the 2024 list) and stood as another
    certificate than `GR2023…`."""
    ex = _list(
        tmp_path,
        "1,甲科技有限公司,gr202332000001,2024-11-19,车桥镇,首次认定\n2,乙科技有限公司,gr 202432000002,2024-11-19,车桥镇,首次认定\n",
    )
    assert [i.row for i in ex.issues if i.rule == "cert_year_mismatch"] == [2]
    assert ex.frame["cert_no"].tolist() == ["GR202332000001", "GR202432000002"]

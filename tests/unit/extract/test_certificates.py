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


def _list_with_status(tmp_path, name: str, title: str | None, statuses: list[str | None]):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(["序号", "企业名称", "证书编号", "发证日期", "所在镇（街道）", "认定类型", "资格状态"])
    for i, s in enumerate(statuses, start=1):
        ws.append([i, f"企业{i}科技有限公司", f"GR20243200{i:04d}", "2024-11-19", "车桥镇", "首次认定", s])
    wb.save(tmp_path / name)
    return extract(tmp_path / name, "hightech", file_name=name)


def test_a_revoked_certificate_is_a_refused_row_not_a_valid_one(tmp_path):
    """资格状态 `已撤销` / `取消资格` / `否` had loaded as a valid certificate (the valid count is
    certificates issued less those revoked); `有效` and an expiry note load."""
    ex = _list_with_status(
        tmp_path,
        "2024年高新技术企业认定名单.xlsx",
        "2024年高新技术企业认定名单",
        ["有效", "已撤销", None, "取消资格", "否", "正常", "已到期"],
    )
    assert not ex.critical
    refused = [(i.row, i.value) for i in ex.issues if i.rule == "certificate_revoked"]
    assert refused == [(4, "已撤销"), (6, "取消资格"), (7, "否")]


def test_a_notice_of_certificates_withdrawn_is_not_read_as_a_list_of_issued_ones(tmp_path):
    """A 取消资格 notice has the list's columns: read as one it had counted every withdrawn
    certificate as issued. Its title, sheet or file name says what it is: the file is rejected."""
    by_title = _list_with_status(tmp_path, "名单.xlsx", "关于取消部分高新技术企业资格的公告", [None, None])
    by_name = _list_with_status(tmp_path, "2024年撤销高新技术企业资格名单.xlsx", None, [None])
    for ex in (by_title, by_name):
        assert [i.rule for i in ex.critical] == ["revocation_list"], ex.issues
    # a status cell near the top of a list is no title: the list loads, the row is refused
    ex = _list_with_status(tmp_path, "2024年高新技术企业认定名单.xlsx", None, ["已撤销资格", "有效"])
    assert not ex.critical and [i.row for i in ex.issues if i.rule == "certificate_revoked"] == [2]

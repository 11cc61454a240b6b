"""A wide 统计局 table's 合计/总计/小计 rows are reconciled period by period against the regions
they cover (meta.reconciliations, #22), no longer dropped unchecked."""

from __future__ import annotations

from etl.extract import extract

HEAD = "数据库：分县年度数据\n指标：规模以上工业总产值(亿元)\n地区,2024年,2023年\n"


def _csv(tmp_path, body: str, head: str = HEAD, name: str = "分县年度数据.csv"):
    f = tmp_path / name
    f.write_text(head + body, encoding="utf-8")
    return f


def _recs(ex):
    return sorted(
        (r["row_number"], r["column_name"], r["total"], r["sum_of_parts"], r["difference"], r["passed"])
        for r in ex.reconciliations
    )


def test_a_total_row_is_checked_in_every_period_column(tmp_path):
    ex = extract(_csv(tmp_path, "清江浦区,300.5,280\n淮安区,200,190\n合计,500.5,470\n"), "indicators")
    assert not ex.critical, ex.critical
    assert _recs(ex) == [
        (6, "2023 (C)", 470.0, 470.0, 0.0, True),
        (6, "2024 (B)", 500.5, 500.5, 0.0, True),
    ]
    assert {r["sheet"] for r in ex.reconciliations} == {ex.sheets[0].sheet}
    assert {r["field"] for r in ex.reconciliations} == {"value"}
    assert not [i for i in ex.issues if i.rule == "total_mismatch"]
    assert len(ex.frame) == 4  # the total row is still not a value


def test_a_total_that_does_not_add_up_is_recorded_and_warned(tmp_path):
    ex = extract(_csv(tmp_path, "合计,510,470\n清江浦区,300.5,280\n淮安区,200,190\n"), "indicators")
    bad = [r for r in ex.reconciliations if not r["passed"]]
    assert [(r["row_number"], r["total"], r["sum_of_parts"], r["difference"]) for r in bad] == [
        (4, 510.0, 500.5, -9.5)
    ]
    [w] = [i for i in ex.issues if i.rule == "total_mismatch"]
    assert w.severity == "warning" and w.row == 4 and "(B)" in w.column


def test_subtotals_each_against_their_own_block_and_the_total_against_all(tmp_path):
    body = "清江浦区,3,1\n淮安区,2,0\n小计,5,1\n淮阴区,4,2\n小计,4,2\n总计,9,3\n"
    ex = extract(_csv(tmp_path, body), "indicators")
    got = {(r[0], r[1][-3:]): r[3] for r in _recs(ex)}
    assert got[(6, "(B)")] == 5.0 and got[(8, "(B)")] == 4.0 and got[(9, "(B)")] == 9.0
    assert got[(6, "(C)")] == 1.0 and got[(9, "(C)")] == 3.0
    assert all(r["passed"] for r in ex.reconciliations)


def test_each_indicators_total_against_its_own_regions_and_a_rate_is_no_sum(tmp_path):
    head = "指标,地区,2024年,2023年\n"
    body = (
        "工业总产值(亿元),清江浦区,3,1\n工业总产值(亿元),淮安区,2,0\n工业总产值(亿元),合计,5,1\n"
        "工业增长率(%),清江浦区,5.1,4\n工业增长率(%),淮安区,6,5\n工业增长率(%),合计,5.5,4.6\n"
    )
    ex = extract(_csv(tmp_path, body, head, "分县指标.csv"), "indicators")
    assert not ex.critical, ex.critical
    assert _recs(ex) == [
        (4, "工业总产值 2023 (D)", 1.0, 1.0, 0.0, True),
        (4, "工业总产值 2024 (C)", 5.0, 5.0, 0.0, True),
    ]
    assert not [i for i in ex.issues if i.rule == "total_mismatch"]

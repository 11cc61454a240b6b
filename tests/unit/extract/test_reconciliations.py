"""Every 合计/小计 row checked against its parts is recorded, passed or not (meta.reconciliations, #22)."""

from __future__ import annotations

import pytest

from etl.cli import print_reconciliations
from etl.extract import extract


def _csv(tmp_path, body: str):
    f = tmp_path / "2025年高新技术企业认定情况统计表.csv"
    f.write_text("镇（街道）,首次认定（家）,重新认定（家）\n" + body, encoding="utf-8")
    return f


def test_a_total_that_matches_is_recorded_too(tmp_path):
    ex = extract(_csv(tmp_path, "平桥镇,3,1\n淮城街道,2,0\n合计,5,1\n"), "hightech")
    recs = sorted(ex.reconciliations, key=lambda r: r["column_name"][-3:])
    assert [(r["row_number"], r["total"], r["sum_of_parts"], r["difference"], r["passed"]) for r in recs] == [
        (4, 5.0, 5.0, 0.0, True),
        (4, 1.0, 1.0, 0.0, True),
    ]
    assert {r["sheet"] for r in recs} == {ex.sheets[0].sheet}
    assert all(r["column_name"].endswith(("(B)", "(C)")) for r in recs)
    assert not [i for i in ex.issues if i.rule == "total_mismatch"]


def test_a_failed_total_is_recorded_with_its_difference_and_warned(tmp_path):
    ex = extract(_csv(tmp_path, "平桥镇,3,1\n淮城街道,2,0\n合计,9,1\n"), "hightech")
    bad = [r for r in ex.reconciliations if not r["passed"]]
    assert [(r["total"], r["sum_of_parts"], r["difference"]) for r in bad] == [(9.0, 5.0, -4.0)]
    assert len([i for i in ex.issues if i.rule == "total_mismatch"]) == 1


def test_subtotals_each_against_their_own_block(tmp_path):
    body = "平桥镇,3,1\n淮城街道,2,0\n小计,5,1\n朱桥镇,4,2\n小计,4,2\n合计,9,3\n"
    ex = extract(_csv(tmp_path, body), "hightech")
    first = {(r["row_number"], r["column_name"][-3:]): r for r in ex.reconciliations}
    assert {k[0] for k in first} == {4, 6, 7}
    assert first[(4, "(B)")]["sum_of_parts"] == 5.0 and first[(6, "(B)")]["sum_of_parts"] == 4.0
    assert first[(7, "(B)")]["sum_of_parts"] == 9.0
    assert all(r["passed"] for r in ex.reconciliations)
    assert len(ex.frame) == 3


def test_check_prints_a_summary_and_the_failures(tmp_path, capsys):
    ok = extract(_csv(tmp_path, "平桥镇,3,1\n合计,3,1\n"), "hightech")
    print_reconciliations(ok.reconciliations)
    assert "合计核对 2 处，全部一致 / 2 totals reconciled, all match" in capsys.readouterr().out
    bad = extract(_csv(tmp_path, "平桥镇,3,1\n合计,4,1\n"), "hightech")
    print_reconciliations(bad.reconciliations)
    out = capsys.readouterr().out
    assert "1 处不符" in out and "合计 4.00" in out and "相差 -1.00" in out


def test_check_says_when_total_rows_were_left_out_unchecked(capsys):
    print_reconciliations([], 2)
    assert "2 个合计行未核对" in capsys.readouterr().out
    print_reconciliations([])
    assert "无合计行" in capsys.readouterr().out


ROSTER_HEAD = "淮安区工业企业主要经济指标（2025年1-9月）\n序号,统一社会信用代码,企业名称,所在镇（街道）,工业总产值（万元）,是否规上\n"
A = "1,91320803MA0BK5CX60,甲公司,车桥镇,100,是\n2,91320803MA1MDEF972,乙公司,车桥镇,200,是\n"
B = "3,913208037705413434,丙公司,平桥镇,50,是\n"


def test_a_named_subtotal_is_never_an_enterprise_whether_it_heads_or_closes_its_group(tmp_path):
    """`车桥镇小计` rows were loaded as enterprises (found by an adversarial sweep); a group's
    subtotal may stand above its rows as often as below them."""
    closing = A + ",,车桥镇 小计,,300,\n" + B + ",,平桥镇小计,,50,\n,,合计,,350,\n"
    heading = ",,车桥镇小计,车桥镇,300,\n" + A + ",,平桥镇小计,平桥镇,50,\n" + B + ",,合计,,350,\n"
    for name, body in (("closing", closing), ("heading", heading)):
        f = tmp_path / f"规上工业企业_{name}.csv"
        f.write_text(ROSTER_HEAD + body, encoding="utf-8")
        ex = extract(f, "enterprises", file_name=f.name)
        assert sorted(ex.frame["name"]) == ["丙公司", "乙公司", "甲公司"], name
        sums = sorted(r["sum_of_parts"] for r in ex.reconciliations)
        assert sums == [50.0, 300.0, 350.0] and all(r["passed"] for r in ex.reconciliations), name


@pytest.mark.parametrize(
    ("first", "second", "grand"),
    [
        ("车桥镇合计", "平桥镇合计", "合计"),
        ("小计：", "（小计）", "总计"),
        ("车桥镇 合计", "平桥镇小计:", "全区合计"),
        ("(小计)", "小 计", "淮安区合计"),
    ],
)
def test_subtotals_written_other_ways_are_groups_not_enterprises_nor_the_whole(
    tmp_path, first, second, grand
):
    """`石塘镇合计`, `小计：`, `（小计）` had been enterprises without a credit code (quarantined), and
    the total below them, summed over them too, a false mismatch; `石塘镇合计` is a group's, not the
    whole's (`全区合计`, `淮安区合计` are)."""
    body = A + f",,{first},,300,\n" + B + f",,{second},,50,\n,,{grand},,350,\n"
    f = tmp_path / "规上工业企业.csv"
    f.write_text(ROSTER_HEAD + body, encoding="utf-8")
    ex = extract(f, "enterprises", file_name=f.name)
    assert sorted(ex.frame["name"]) == ["丙公司", "乙公司", "甲公司"]
    assert not [i for i in ex.issues if i.severity == "row"], [i.describe() for i in ex.issues]
    sums = sorted(r["sum_of_parts"] for r in ex.reconciliations)
    assert sums == [50.0, 300.0, 350.0] and all(r["passed"] for r in ex.reconciliations)


def test_a_subtotal_that_does_not_match_its_group_is_warned(tmp_path):
    f = tmp_path / "规上工业企业.csv"
    f.write_text(ROSTER_HEAD + A + ",,车桥镇小计,,310,\n" + B + ",,平桥镇小计,,50,\n", encoding="utf-8")
    ex = extract(f, "enterprises", file_name=f.name)
    (bad,) = [r for r in ex.reconciliations if not r["passed"]]
    assert (bad["total"], bad["sum_of_parts"]) == (310.0, 300.0)

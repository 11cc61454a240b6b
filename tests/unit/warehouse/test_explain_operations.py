"""`statwh explain`'s operations on inputs, without a warehouse: a cell's contribution, the
combination of values (the growth gap takes the higher peer), and the lineage extraction keeps."""

from __future__ import annotations

import pytest

from etl.extract import extract
from etl.reference.vocabularies import vocabulary
from etl.warehouse.explain import Explained, column_index, contribution, recompute


def cell(count_if=None, factor=1.0) -> dict:
    return {"count_if": count_if, "factor": factor}


def test_a_figure_contributes_as_read_times_its_factor():
    assert contribution(cell(factor=0.0001), "12,345.6") == pytest.approx(1.23456)
    assert contribution(cell(factor=15.0), 2) == 30.0
    assert contribution(cell(), "—") is None  # no figure: never counted as 0


def test_a_counted_cell_counts_only_when_it_reads_as_named():
    flags = vocabulary("flag")
    assert contribution(cell("flag"), "是", flags) == 1.0
    assert contribution(cell("flag"), "否", flags) == 0.0
    assert contribution(cell("小升规"), "小升规") == 1.0
    assert contribution(cell("小升规"), "新建投产") == 0.0
    assert contribution(cell("name"), "甲公司") == 1.0 and contribution(cell("name"), None) == 0.0


def test_column_letters():
    assert [column_index(c) for c in ("A", "Z", "AA", "AD")] == [0, 25, 26, 29]


def _value(iid: str, region: str, value: float) -> dict:
    return {"indicator_id": iid, "region_code": region, "period": "2025", "basis": "rate", "value": value}


def _ref(region: str, sign: float) -> dict:
    return {
        "input_kind": "value",
        "operation": "difference_from_max",
        "sign": sign,
        "ref_indicator_id": "gdp_growth",
        "ref_region_code": region,
        "ref_period": "2025",
        "ref_basis": "rate",
    }


def _gap(stored: float) -> Explained:
    refs = [Explained(_value("gdp_growth", r, v), []) for r, v in (("A", 6.3), ("B", 5.8), ("C", 5.4))]
    for r in refs:
        r.recomputed = r.stored  # already recomputed: recompute() reads no cell for them
    gap = Explained(_value("gdp_growth_gap_peers", "A", stored), [_ref("A", 1), _ref("B", -1), _ref("C", -1)])
    gap.refs = refs
    return gap


def test_the_growth_gap_is_ours_minus_the_higher_peer(home):
    from etl.base.settings import Home

    [ok] = recompute(Home.from_env(), [_gap(0.5)])
    assert ok.recomputed == pytest.approx(0.5) and ok.ok
    [bad] = recompute(Home.from_env(), [_gap(0.9)])  # ours minus the lower peer: not the rule
    assert not bad.ok and bad.difference == pytest.approx(-0.4)


def test_extraction_keeps_the_figure_as_read_its_unit_and_factor(tmp_path):
    f = tmp_path / "指标长表.csv"
    f.write_text("指标名称,时期,数值（万元）\n地区生产总值,2024,265432.1\n", encoding="utf-8")
    frame = extract(f, "indicators").frame
    assert frame["value_read"].tolist() == [265432.1]
    assert frame["unit_read"].tolist() == ["万元"]
    assert frame["unit_factor"].tolist() == [pytest.approx(0.0001)]


def test_a_figure_loaded_without_its_conversion_is_not_taken_as_read(home):
    """A load made before lineage recorded units: explain says so, never assumes a factor of 1."""
    from etl.base.settings import Home

    old = {
        "input_kind": "cell",
        "operation": "cell",
        "sign": 1.0,
        "count_if": None,
        "factor": None,
        "source_file": "主要经济指标.csv",
        "sheet": "主要经济指标",
        "cell": "G8",
    }
    [e] = recompute(Home.from_env(), [Explained(_value("gdp", "A", 800.0), [old])])
    assert not e.ok and e.recomputed is None
    assert "conversion not recorded" in e.problems[0] and "G8" in e.problems[0]

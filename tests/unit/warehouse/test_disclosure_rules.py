"""The disclosure rules of published.int_disclosure_cells on small hand-made rosters (#22): minimum
frequency, (n, k) dominance and secondary suppression, and plan.yaml's parameters validated."""

from __future__ import annotations

import duckdb
import pytest

from etl.reference.disclosure import DisclosureConfigError, disclosure_params
from etl.warehouse.build import model

# township → outputs of its enterprises above scale (万元); 320803002 is 62 % / 89 % (the 河下街道)
TOWNS = {
    "320803002": [62.0, 27.0, 6.0, 5.0],
    "320803101": [30.0, 30.0, 25.0, 25.0, 20.0],
    "320803104": [50.0, 40.0, 40.0, 30.0, 30.0, 30.0],
    "320803106": [90.0, 80.0, 70.0, 60.0],
}


def _cells(towns: dict[str, list[float]], *, k: float = 85.0, n: int = 2, extra_below_scale: int = 0):
    con = duckdb.connect()
    for s in ("ref", "stg", "marts", "published"):
        con.execute(f"create schema {s}")
    con.execute(
        "create table ref.plan as select 3 as min_cell_enterprises, ? as dominance_n, ? as dominance_k_pct",
        [n, k],
    )
    con.execute(
        "create table stg.stg_enterprises__periods (township_code varchar, chain varchar, period varchar,"
        " output_ytd double, is_above_scale boolean)"
    )
    for town, outputs in towns.items():
        for i, o in enumerate(outputs):
            con.execute(
                "insert into stg.stg_enterprises__periods values (?, ?, '2025-12', ?, true)",
                [town, f"链{i % 3}", o],
            )
        for _ in range(extra_below_scale):
            con.execute(
                "insert into stg.stg_enterprises__periods values (?, '链0', '2025-12', 1, false)", [town]
            )
    con.execute(
        "create table marts.township_scorecard as select township_code, period, count(*) as n_enterprises,"
        " sum(output_ytd) filter (where is_above_scale) / 10000 as output_ytd from stg.stg_enterprises__periods group by all"
    )
    con.execute(
        "create table marts.chain_output as select chain, period, count(*) as n_enterprises,"
        " sum(output_ytd) / 10000 as output_ytd from stg.stg_enterprises__periods where is_above_scale group by all"
    )
    con.execute(
        f"create view published.int_disclosure_cells as {model('published.int_disclosure_cells').sql}"
    )
    rows = con.execute(
        "select cell, suppression_rule, top_n_share_pct from published.int_disclosure_cells where cell_table = 'township'"
    ).fetchall()
    return {c: (rule, share) for c, rule, share in rows}


def test_a_township_of_four_with_62_and_89_percent_is_withheld():
    cells = _cells(TOWNS)
    assert cells["320803002"] == ("dominance", 89.0)
    # the only withheld township of the period: the smallest other one goes with it
    assert cells["320803101"][0] == "secondary"
    assert cells["320803104"][0] is None and cells["320803106"][0] is None


def test_dominance_parameters_are_read_from_ref_plan():
    assert _cells(TOWNS, k=90.0)["320803002"][0] is None  # 89 % is not above 90 %
    assert _cells(TOWNS, n=1, k=60.0)["320803002"] == ("dominance", 62.0)


def test_min_frequency_counts_the_enterprises_the_output_is_built_from():
    # five enterprises in the roster, but the output is two enterprises' above scale
    cells = _cells({**TOWNS, "320803002": [50.0, 40.0]}, extra_below_scale=3)
    assert cells["320803002"][0] == "min_frequency"


def test_no_secondary_when_two_cells_are_withheld_already():
    cells = _cells({**TOWNS, "320803106": [95.0, 3.0, 2.0]})
    assert cells["320803002"][0] == "dominance" and cells["320803106"][0] == "dominance"
    assert [c for c, (rule, _) in cells.items() if rule == "secondary"] == []


@pytest.mark.parametrize(
    ("disclosure", "expected"),
    [
        ({"min_enterprises": 3, "dominance": {"n": 2, "k": 85}}, (3, 2, 85.0)),
        ({"min_enterprises": 5}, (5, 2, 85.0)),
    ],
)
def test_plan_parameters(disclosure, expected):
    p = disclosure_params({"disclosure": disclosure})
    assert (p["min_enterprises"], p["dominance_n"], p["dominance_k_pct"]) == expected


@pytest.mark.parametrize(
    ("disclosure", "named"),
    [
        ({"min_enterprises": 0}, "min_enterprises"),
        ({"min_enterprises": 2.5}, "min_enterprises"),
        ({"dominance": {"n": 0}}, "dominance.n"),
        ({"dominance": {"k": 0}}, "dominance.k"),
        ({"dominance": {"k": 120}}, "dominance.k"),
        ({"dominance": {"k": "85%"}}, "dominance.k"),
        ({"dominance": [2, 85]}, "disclosure"),
    ],
)
def test_plan_parameters_out_of_range_are_refused(disclosure, named):
    with pytest.raises(DisclosureConfigError, match=named):
        disclosure_params({"disclosure": disclosure})


def test_the_plan_in_the_checkout_is_valid():
    from etl.reference.catalog import plan

    assert disclosure_params(plan()) == {"min_enterprises": 3, "dominance_n": 2, "dominance_k_pct": 85.0}


def test_a_parameter_out_of_range_stops_the_build_on_one_line(home, monkeypatch, capsys):
    from etl.reference import catalog
    from tests.conftest import run_cli

    real = catalog.plan()
    bad = {**real, "disclosure": {"min_enterprises": 3, "dominance": {"n": 2, "k": 120}}}
    monkeypatch.setattr(catalog, "plan", lambda: bad)
    assert run_cli("build") == 2
    err = capsys.readouterr().err
    assert "dominance.k: 120" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1

"""A value the model stops giving is withdrawn, whichever build sees it go.

withdrawn_value.yaml builds once over both loads (one batch of times); here the same kind of
correction is built load by load, and in batches of one time, and a value that comes back after
its withdrawal is appended again, even when it is the figure it was before."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from test_marts_golden import load_case

import etl.warehouse.build as build_mod
from etl.warehouse.build import build

T = [dt.datetime(2025, 7, d, 9) for d in (10, 20, 30)]


def _row(load_id: int, chain: str | None) -> dict:
    return {
        "load_id": load_id,
        "period": "2025-06",
        "period_end": dt.date(2025, 6, 30),
        "credit_code": "A1",
        "chain": chain,
        "output_ytd": 300000,
        "is_above_scale": True,
        "township_code": "320803101",
        "_sheet": "S",
        "_row": 6,
    }


# load 1: A1 in 生物医药; load 2 (a correction): of no chain; load 3: in 生物医药 again
CASE = {
    "loads": [
        {"load_id": i + 1, "source": "enterprises", "dataset": "enterprise_periods", "loaded_at": t}
        for i, t in enumerate(T)
    ],
    "raw": {"enterprise_periods": [_row(1, "生物医药"), _row(2, None), _row(3, "生物医药")]},
}

WANT = [
    # value, vintage, is_latest, superseded_at
    (30.0, T[0], False, T[1]),
    (30.0, T[2], True, None),
]


def _case_upto(n: int) -> dict:
    return {
        "loads": CASE["loads"][:n],
        "raw": {"enterprise_periods": [r for r in CASE["raw"]["enterprise_periods"] if r["load_id"] <= n]},
    }


def _values(con) -> list[tuple]:
    return con.execute(
        "select value, vintage, is_latest, superseded_at from marts.indicator_values"
        " where indicator_id = 'chain_output_biomedicine' and period = '2025-06' order by vintage"
    ).fetchall()


def test_withdrawn_in_its_own_build_then_given_again():
    con = duckdb.connect()
    seen = []
    for n in (1, 2, 3):
        step = _case_upto(n)
        step["loads"] = step["loads"][n - 1 :]
        step["raw"] = {k: [r for r in v if r["load_id"] == n] for k, v in step["raw"].items()}
        load_case(con, step)
        build(con)
        seen.append(_values(con))
    assert seen[0] == [(30.0, T[0], True, None)]
    # the correction: no current value, the old one superseded at the correction's time
    assert seen[1] == [(30.0, T[0], False, T[1])]
    assert seen[2] == WANT


@pytest.mark.parametrize("per_query", [1, 2, 64])
def test_one_build_over_all_loads_in_batches(monkeypatch, per_query):
    monkeypatch.setattr(build_mod, "_times_per_query", lambda con: per_query)
    con = duckdb.connect()
    load_case(con, CASE)
    build(con)
    assert _values(con) == WANT

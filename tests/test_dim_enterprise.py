"""core.dim_enterprise: type-2 history of an enterprise's name, township and industry.

The model finds versions from each combination's span and goes period by period only for the
enterprises that went back to an earlier combination (A → B → A); these tests compare it with a
plain period-by-period reference on hand-made and on random histories.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.build import model

COLUMNS = ["credit_code", "name", "name_key", "township_code", "industry_code", "chain", "period_end"]


def run_model(rows: list[tuple]) -> list[tuple]:
    con = duckdb.connect()
    con.execute("create schema stg")
    con.register("frame", pd.DataFrame(rows, columns=COLUMNS))
    con.execute(
        "create table stg.stg_enterprises__periods as select * replace (period_end::date as period_end) from frame"
    )
    out = con.execute(f"select * from ({model('core.dim_enterprise').sql}) order by credit_code, valid_from")
    result = [tuple(r) for r in out.fetchall()]
    con.close()
    return result


def reference(rows: list[tuple]) -> list[tuple]:
    """A new version whenever (name, township, industry) differs from the period before."""
    out = []
    by_code: dict[str, list[tuple]] = {}
    for r in rows:
        by_code.setdefault(r[0], []).append(r)
    for code in sorted(by_code):
        periods = sorted(by_code[code], key=lambda r: r[6])
        versions: list[list[tuple]] = []
        for r in periods:
            if not versions or (r[1], r[3], r[4]) != (
                versions[-1][-1][1],
                versions[-1][-1][3],
                versions[-1][-1][4],
            ):
                versions.append([])
            versions[-1].append(r)
        last = periods[-1][6]
        for v in versions:
            first, latest = v[0], v[-1]
            out.append(
                (
                    code,
                    latest[1],
                    latest[2],
                    latest[3],
                    latest[4],
                    latest[5],
                    first[6],
                    latest[6],
                    latest[6] == last,
                )
            )
    return sorted(out, key=lambda r: (r[0], r[6]))


def month(k: int) -> dt.date:
    y, m = divmod(k, 12)
    return (pd.Timestamp(2023 + y, m + 1, 1) + pd.offsets.MonthEnd(0)).date()


def test_a_change_and_a_change_back_are_three_versions():
    code = "91320800MA00000000"
    rows = [
        (code, "甲公司", "甲公司", "320803001", "C13", "绿色食品", month(0)),
        (code, "甲公司", "甲公司", "320803001", "C13", "绿色食品", month(1)),
        (code, "甲公司", "甲公司", "320803002", "C13", "绿色食品", month(2)),  # moved
        (code, "甲公司", "甲公司", "320803001", "C13", "绿色食品", month(3)),  # moved back
        ("91320800MA00000001", "乙公司", "乙公司", None, "C26", None, month(0)),
        ("91320800MA00000001", "乙有限公司", "乙有限公司", None, "C26", None, month(1)),  # renamed
    ]
    got = run_model(rows)
    assert got == reference(rows)
    first = [r for r in got if r[0] == code]
    assert [(r[3], r[6], r[7], r[8]) for r in first] == [
        ("320803001", month(0), month(1), False),
        ("320803002", month(2), month(2), False),
        ("320803001", month(3), month(3), True),
    ]
    second = [r for r in got if r[0] != code]
    assert [(r[1], r[8]) for r in second] == [("乙公司", False), ("乙有限公司", True)]


history = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C"]), st.sampled_from(["甲", "乙"]), st.sampled_from(["t1", "t2", None])
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(history, min_size=1, max_size=4))
def test_same_versions_as_period_by_period_on_random_histories(histories):
    rows = []
    for i, h in enumerate(histories):
        code = f"9132080{i:011d}"
        for k, (code_letter, name, town) in enumerate(h):
            rows.append((code, name, name, town, code_letter, None, month(k)))
    assert run_model(rows) == reference(rows)

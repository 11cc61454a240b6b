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

from etl.warehouse.build import model

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


# ---------------------------------------------------------------- brought forward, not rebuilt
#
# A build appends the periods loaded since the last one when they all come after the periods the
# table holds (the monthly roster, the usual case) and rebuilds it otherwise. These tests load
# rosters into a real warehouse (raw rows, meta.loads, meta.slices: what a load writes), build
# after each, and compare the table with what its query gives over the same rows.

import pytest  # noqa: E402

from etl.base.datasets import DATASETS, LINEAGE  # noqa: E402
from etl.base.settings import Home  # noqa: E402
from etl.warehouse.build import _build_type2, models  # noqa: E402
from etl.warehouse.connection import connect  # noqa: E402
from etl.warehouse.load import _write_rows  # noqa: E402


class Warehouse:
    def __init__(self, root):
        self.con = connect(Home(root).ensure())
        for m in models():  # the views dim_enterprise reads
            if m.name in {"core.int_current_slices", "stg.stg_enterprises__periods"}:
                self.con.execute(f"create schema if not exists {m.schema}")
                self.con.execute(f"create or replace view {m.name} as {m.sql}")
        self.load_id = 0
        self.paths: list[str] = []

    def load(self, k: int, rows: list[tuple]) -> None:
        """A roster of month k (rows: credit_code, name, name_key, township, industry, chain),
        written as a load writes it (`etl.warehouse.load._write_rows`: raw rows and their slice, none for
        an empty roster), superseding any earlier load of that month."""
        self.load_id += 1
        at = dt.datetime(2026, 1, 1) + dt.timedelta(minutes=self.load_id)
        period = f"{month(k):%Y-%m}"
        frame = pd.DataFrame(rows, columns=COLUMNS[:6])
        frame["period"], frame["period_end"] = period, month(k)
        for c in (*DATASETS["enterprise_periods"].columns, *LINEAGE):
            if c not in frame:
                frame[c] = None
        self.con.execute(
            "insert into meta.loads (load_id, source, dataset, file_name, sha256, status, received_at,"
            " loaded_at) values (?, 'enterprises', 'enterprise_periods', ?, ?, 'loaded', ?, ?)",
            [self.load_id, f"roster-{period}.xlsx", f"sha-{self.load_id}", at, at],
        )
        _write_rows(self.con, "enterprise_periods", frame, self.load_id, at)

    def build(self) -> list[tuple]:
        m = model("core.dim_enterprise")
        self.paths.append(_build_type2(self.con, m))
        table = self.con.execute(f"select * from {m.name} order by all").fetchall()
        assert table == self.con.execute(f"select * from ({m.sql}) order by all").fetchall()
        return table


def _roster(codes: str, name="甲", town="t1", industry="C13", chain=None) -> list[tuple]:
    return [(c, f"{name}{c}", f"{name}{c}", town, industry, chain) for c in codes]


def test_monthly_rosters_are_appended_and_give_what_the_query_gives(tmp_path):
    w = Warehouse(tmp_path)
    w.load(0, _roster("ab", chain="绿色食品"))
    first = w.build()
    assert [r[0] for r in first] == ["a", "b"] and {r[6] for r in first} == {month(0)}
    w.load(1, _roster("abc"))  # c is new; a and b run on, keeping their chain (no new one given)
    w.load(2, _roster("a", town="t2") + _roster("c", chain="高端装备"))  # a moves; b is absent
    w.build()
    w.load(3, _roster("ab"))  # a moves back (a third version); b comes back as it was
    table = w.build()
    assert w.build() == table  # nothing new: the table is left as it is
    assert w.paths == ["append", "append", "append", "unchanged"]
    a = sorted((r for r in table if r[0] == "a"), key=lambda r: r[6])
    assert [(r[3], r[6], r[7], r[8]) for r in a] == [
        ("t1", month(0), month(1), False),
        ("t2", month(2), month(2), False),
        ("t1", month(3), month(3), True),
    ]
    b = [r for r in table if r[0] == "b"]
    assert [(r[5], r[6], r[7], r[8]) for r in b] == [("绿色食品", month(0), month(3), True)]


def test_a_revised_or_earlier_month_rebuilds_the_table(tmp_path):
    w = Warehouse(tmp_path)
    w.load(1, _roster("ab"))
    w.load(2, _roster("ab"))
    w.build()
    w.load(2, _roster("ab", name="乙"))  # month 2 revised: its first load is superseded
    w.build()
    w.load(0, _roster("abc"))  # a month before those the table holds
    w.build()
    w.load(3, _roster("ab") + [("9c", None, None, None, None, None)])  # appended again
    w.build()
    assert w.paths == ["append", "full", "full", "append"]


def test_a_key_twice_in_a_month_rebuilds_the_table(tmp_path):
    w = Warehouse(tmp_path)
    w.load(0, _roster("a"))
    w.build()
    w.load(1, _roster("aa"))
    w.build()
    assert w.paths == ["append", "full"]


def test_a_table_built_before_its_slices_were_recorded_is_rebuilt(tmp_path):
    w = Warehouse(tmp_path)
    w.load(0, _roster("ab"))
    w.build()
    w.con.execute("delete from meta.model_slices")  # as a warehouse made by an earlier version
    w.load(1, _roster("ab", town="t2"))
    w.build()
    w.load(2, _roster("ab", town="t2"))
    w.build()
    assert w.paths == ["append", "full", "append"]


loads = st.lists(
    st.tuples(
        st.integers(0, 5),  # the month
        st.lists(  # the roster: codes a..d with one of few names, towns, industries and chains
            st.tuples(
                st.sampled_from("abcd"),
                st.sampled_from(["甲", "乙", None]),
                st.sampled_from(["t1", "t2", None]),
                st.sampled_from(["C13", "C14"]),
                st.sampled_from(["绿色食品", None]),
            ),
            max_size=5,
            unique_by=lambda r: r[0],
        ),
        st.booleans(),  # build after this load
    ),
    min_size=1,
    max_size=8,
)


@pytest.mark.parametrize("in_order", [True, False])
@settings(max_examples=40, deadline=None)
@given(loads=loads)
def test_every_build_gives_what_the_query_gives(tmp_path_factory, in_order, loads):
    w = Warehouse(tmp_path_factory.mktemp("wh"))
    if in_order:  # months one after another, the usual case: appended
        loads = [(k, roster, b) for k, (_, roster, b) in enumerate(loads)]
    for k, roster, build_now in loads:
        w.load(k, [(c, n, n, t, i, ch) for c, n, t, i, ch in roster])
        if build_now:
            w.build()
    w.build()  # compares with the query after every build
    if in_order:
        assert "full" not in w.paths


def test_a_table_built_by_another_query_is_rebuilt(tmp_path, monkeypatch):
    import dataclasses

    w = Warehouse(tmp_path)
    w.load(0, _roster("ab"))
    w.build()
    w.load(1, _roster("ab"))
    m = model("core.dim_enterprise")
    changed = dataclasses.replace(m, sql=m.sql + "\n")  # a new version of the model's query
    assert _build_type2(w.con, changed) == "full"
    w.load(2, _roster("ab"))
    assert _build_type2(w.con, changed) == "append"

"""A build evaluates the vintaged model for many times in one query (`as_of_list`, `_as_of_no`).

Every model between the loads and marts.indicator_values carries `_as_of_no` through its joins,
groupings and windows; one join that forgets it mixes the rows of two times (counts doubled, a
revision taken early). These tests evaluate the demo warehouse at each of its loads' times one
time at a time (`as_of`, as `statwh indicators --as-of` does) and all at once, and require the
same rows; and build the same warehouse one time per query and many per query."""

from __future__ import annotations

import shutil

import duckdb
import pytest

import etl.warehouse.build as build_mod
from etl.warehouse.build import model

# values that are sums are compared to 1e-6 (a sum may add in another order); the rest exactly
VIEWS = {
    "values": lambda: (
        f"select * replace (round(value, 6) as value) from ({model('marts.indicator_values').sql})"
    ),
    "inputs": lambda: "select * from core.value_inputs",
}


def _times(con) -> list:
    return [
        r[0]
        for r in con.execute(
            "select distinct loaded_at from meta.loads where status in ('loaded','partial') order by 1"
        ).fetchall()
    ]


def _missing(con, a: str, b: str) -> int:
    """Rows of `a` not in `b`, counting duplicates (EXCEPT ALL: nulls match nulls)."""
    return con.execute(f"select count(*) from ({a} except all {b})").fetchall()[0][0]


@pytest.fixture(scope="module")
def demo_con(built_home, tmp_path_factory):
    db = tmp_path_factory.mktemp("vintaged") / "w.duckdb"
    shutil.copy(built_home / "warehouse.duckdb", db)
    con = duckdb.connect(str(db))
    yield con
    con.close()


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_all_times_at_once_give_what_each_time_alone_gives(demo_con, view):
    con, sql = demo_con, VIEWS[view]()
    times = _times(con)
    assert len(times) > 20  # the demo's loads, each a time with its own state
    con.execute("set variable as_of_list = ?::timestamp[]", [times])
    con.execute(f"create or replace temp table together as {sql}")
    con.execute("reset variable as_of_list")
    numbers = [r[0] for r in con.execute("select distinct _as_of_no from together order by 1").fetchall()]
    assert numbers == list(range(1, len(times) + 1))
    changed = 0
    for no, t in enumerate(times, start=1):
        con.execute("set variable as_of = ?", [t])
        con.execute(f"create or replace temp table alone as {sql}")
        at = f"select * exclude (_as_of_no) from together where _as_of_no = {no}"
        alone = "select * exclude (_as_of_no) from alone"
        n_alone = con.execute("select count(*) from alone").fetchall()[0][0]
        assert n_alone > 0, t
        assert (_missing(con, at, alone), _missing(con, alone, at)) == (0, 0), f"{view} as of {t} (time {no})"
        if no > 1:
            before = f"select * exclude (_as_of_no) from together where _as_of_no = {no - 1}"
            changed += _missing(con, at, before) > 0
    con.execute("reset variable as_of")
    assert changed > 10  # the times differ: a mixing of two would show


def test_one_time_per_query_builds_what_many_per_query_build(demo_con, monkeypatch):
    con = demo_con

    def rebuilt() -> list[tuple]:
        con.execute("drop table if exists marts.indicator_values")
        con.execute("update meta.builds set last_vintage = null")
        build_mod._build_vintaged(con, model("marts.indicator_values"))
        return sorted(
            map(
                repr,
                con.execute(
                    "select * exclude (superseded_at, is_latest), superseded_at, is_latest from marts.indicator_values"
                ).fetchall(),
            )
        )

    con.execute("begin")
    many = rebuilt()
    monkeypatch.setattr(build_mod, "VINTAGED_MAX_TIMES", 1)
    one = rebuilt()
    monkeypatch.setattr(build_mod, "VINTAGED_MAX_TIMES", 7)
    seven = rebuilt()
    con.execute("rollback")
    assert len(many) > 300
    assert one == many
    assert seven == many

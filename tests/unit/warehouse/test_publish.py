"""Publishing: readers are never blocked and never see a half-built snapshot; small cells are suppressed.

* A reader process re-opens `published/statwh.duckdb` read-only in a loop (and reads the Parquet
  export) while five `statwh ingest` runs load, build and publish: no lock or I/O error, and every
  reading equals one of the states the writer published.
* A township and a chain cell built from 2 enterprises are null and `is_suppressed` in the
  snapshot and the Parquet files (and in the chain's indicator rows), and present in the warehouse.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import openpyxl
import pytest

from tests.conftest import query, run_cli

STATE_SQL = {
    "progress": "select count(*), round(sum(actual), 6) from marts.indicator_progress",
    "values": "select count(*) from marts.indicator_values",
}

READER = r"""
import json, os, sys, time, duckdb
snap, parquet, stop = sys.argv[1], sys.argv[2], sys.argv[3]
progress = "select count(*), round(sum(actual), 6) from {}"
while not os.path.exists(stop):
    try:
        con = duckdb.connect(snap, read_only=True)
        try:
            con.execute("begin")  # one consistent reading of the file
            p = con.execute(progress.format("marts.indicator_progress")).fetchone()
            v = con.execute("select count(*) from marts.indicator_values").fetchone()
            con.execute("commit")
        finally:
            con.close()
        # resolve the link once, as docs/analysts.md says: DuckDB opens a file more than once per query
        pq = duckdb.sql(progress.format(f"'{os.path.realpath(parquet)}'")).fetchall()[0]
        print(json.dumps({"snapshot": [p[0], p[1], v[0]], "parquet": [pq[0], pq[1]]}), flush=True)
    except Exception as e:  # every failure is a finding: the test counts them
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}), flush=True)
    time.sleep(0.01)
"""


def published_state(home: Path) -> tuple:
    snap = home / "published" / "statwh.duckdb"
    (n, s), (nv,) = query(snap, STATE_SQL["progress"])[0], query(snap, STATE_SQL["values"])[0]
    return (n, s, nv)


@pytest.mark.slow
def test_readers_never_blocked_and_never_see_a_half_built_snapshot(home, demo_files, tmp_path):
    first = next((demo_files / "targets").iterdir())
    assert run_cli("ingest", "targets", str(first)) == 0
    states = {published_state(home)}
    parquet_states = {s[:2] for s in states}
    loads = [
        ("indicators", next((demo_files / "indicators").glob("*地区生产总值.csv"))),
        ("indicators", next((demo_files / "indicators").glob("*长表*"))),
        ("land_use", next((demo_files / "land_use").glob("*挂钩*"))),
        ("land_use", next((demo_files / "land_use").glob("*占补*"))),
        ("hightech", next((demo_files / "hightech").glob("2024*"))),  # a list: 2024 is known alone
    ]
    stop = tmp_path / "stop"
    out = tmp_path / "reader.jsonl"
    snap = home / "published" / "statwh.duckdb"
    pq = home / "published" / "parquet" / "indicator_progress.parquet"
    with out.open("w") as f:
        reader = subprocess.Popen(
            [sys.executable, "-c", READER, str(snap), str(pq), str(stop)],
            stdout=f,
            stderr=subprocess.STDOUT,
            env=os.environ.copy(),
        )
    try:
        t0 = time.monotonic()
        for source, path in loads:
            assert run_cli("ingest", source, str(path)) == 0
            state = published_state(home)
            states.add(state)
            parquet_states.add(state[:2])
        elapsed = time.monotonic() - t0
        time.sleep(0.3)
    finally:
        stop.touch()
        reader.wait(timeout=30)
    readings = [json.loads(line) for line in out.read_text().splitlines() if line.startswith("{")]
    errors = [r["error"] for r in readings if "error" in r]
    assert errors == [], f"the reader failed {len(errors)} times, e.g. {errors[:3]}"
    assert len(states) == 6, "every load published a new state"
    assert len(readings) > 20, f"only {len(readings)} readings in {elapsed:.0f}s"
    seen = [tuple(r["snapshot"]) for r in readings]
    assert set(seen) <= states, f"half-built snapshot read: {set(seen) - states}"
    assert {tuple(r["parquet"]) for r in readings} <= parquet_states
    assert len(set(seen)) >= 3, "the reader saw the snapshot change while it read"


def test_publish_replaces_parquet_as_one_directory(copied_home):
    published = copied_home / "published"
    assert run_cli("publish") == 0
    link = published / "parquet"
    assert link.is_symlink(), "published/parquet is a link swapped in one rename"
    first = os.readlink(link)
    assert run_cli("publish") == 0
    second = os.readlink(link)
    assert second != first
    versions = {p.name for p in published.glob(".parquet-*") if p.is_dir()}
    assert {first, second} <= versions, "the previous directory is kept"
    names = sorted(p.name for p in link.iterdir())
    assert names == sorted(
        f"{t}.parquet"
        for t in (
            "indicator_progress",
            "indicator_values",
            "value_recipes",
            "township_scorecard",
            "chain_output",
            "source_freshness",
            "dim_indicator",
        )
    )
    assert not list(published.glob(".statwh.*.tmp*")) and not list(link.glob("*.tmp"))


def test_superseded_parquet_directories_stay_for_a_grace_period(copied_home, monkeypatch):
    published = copied_home / "published"
    links = []
    for _ in range(3):
        assert run_cli("publish") == 0
        links.append(os.readlink(published / "parquet"))
    versions = {p.name for p in published.glob(".parquet-*") if p.is_dir()}
    assert set(links) <= versions, "a reader that resolved the link minutes ago can still read"
    monkeypatch.setenv("STATWH_PARQUET_GRACE", "0")
    assert run_cli("publish") == 0
    current = os.readlink(published / "parquet")
    versions = {p.name for p in published.glob(".parquet-*") if p.is_dir()}
    assert versions == {current, links[-1]}, "past the grace period only the previous directory stays"


def test_a_failed_publish_leaves_the_previous_one_and_is_cleaned_up(copied_home, monkeypatch):
    from etl.base.settings import Home
    from etl.warehouse import publish as pub

    published = copied_home / "published"
    assert run_cli("publish") == 0
    before = (published_state(copied_home), os.readlink(published / "parquet"))
    dirs_before = {p for p in published.glob(".parquet-*") if p.is_dir()}

    def boom(home, new_dir):
        raise OSError("disk full (simulated)")

    con = duckdb.connect(str(copied_home / "warehouse.duckdb"))
    try:
        con.execute("update marts.indicator_progress set actual = actual + 1 where indicator_id = 'gdp'")
        monkeypatch.setattr(pub, "_swap_parquet", boom)
        with pytest.raises(OSError, match="simulated"):
            pub.publish(con, Home(copied_home))
        assert (published_state(copied_home), os.readlink(published / "parquet")) == before
        assert list(published.glob(".statwh.*.duckdb.tmp")), "the aborted snapshot was left aside"
        (aborted,) = {p for p in published.glob(".parquet-*") if p.is_dir()} - dirs_before
        monkeypatch.undo()
        pub.publish(con, Home(copied_home))
    finally:
        con.close()
    assert published_state(copied_home) != before[0]
    assert not list(published.glob(".statwh.*.duckdb.tmp*")), "leftovers removed by the next publish"
    assert not aborted.exists(), "the directory of the failed publish was never linked: removed at once"
    assert dirs_before <= set(published.glob(".parquet-*")), "linked ones stay for the grace period"


def _revised_roster(src: Path, out: Path, township: str = "博里", chain: str = "生物医药") -> Path:
    """The December roster with all but 2 enterprises of a township and of a chain's 规上 moved elsewhere."""
    wb = openpyxl.load_workbook(src)
    ws = wb.active
    header = next(r for r in ws.iter_rows(max_row=10, values_only=True) if "企业名称" in r)
    col = {name: i for i, name in enumerate(header) if name}
    t_col, c_col, s_col = col["所在镇（街道）"], col["所属产业链"], col["是否规上"]
    in_town = in_chain = 0
    for row in ws.iter_rows(min_row=1):
        if not isinstance(row[0].value, int):
            continue
        if str(row[t_col].value or "").startswith(township):
            in_town += 1
            if in_town > 2:
                row[t_col].value = "淮城街道"
        if row[c_col].value == chain:
            if row[s_col].value == "是" and in_chain < 2:
                in_chain += 1
            else:
                row[c_col].value = "其他"
    assert in_town > 2 and in_chain == 2
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


@pytest.mark.slow
def test_cells_of_fewer_than_three_enterprises_are_suppressed(copied_home, demo_files, tmp_path):
    src = next((demo_files / "enterprises").glob("*2025年1-12月*"))
    revised = _revised_roster(src, tmp_path / "revised" / src.name)
    assert run_cli("ingest", "enterprises", str(revised)) == 0
    wh, snap = copied_home / "warehouse.duckdb", copied_home / "published" / "statwh.duckdb"
    pq = copied_home / "published" / "parquet"
    town_sql = (
        "select n_enterprises, output_ytd, above_scale_enterprises{} from {} "
        "where township_name = '博里镇' and period = '2025-12'"
    )
    chain_sql = "select n_enterprises, output_ytd, progress_pct{} from {} where chain = '生物医药' and period = '2025-12'"

    ((n, out, above),) = query(wh, town_sql.format("", "marts.township_scorecard"))
    assert n == 2 and out > 0 and above is not None, "the warehouse keeps the figure"
    ((n, out, pct),) = query(wh, chain_sql.format("", "marts.chain_output"))
    assert n == 2 and out > 0 and pct > 0
    for db, town_t, chain_t in (
        (snap, "marts.township_scorecard", "marts.chain_output"),
        (snap, f"'{pq / 'township_scorecard.parquet'}'", f"'{pq / 'chain_output.parquet'}'"),
    ):
        assert query(db, town_sql.format(", is_suppressed", town_t)) == [(2, None, None, True)]
        assert query(db, chain_sql.format(", is_suppressed", chain_t)) == [(2, None, None, True)]
        # a cell of 3 or more (or of 0) is withheld only by another rule: dominance, secondary, or an
        # output of 1 or 2 enterprises above scale (checked against the warehouse)
        others = query(
            db,
            f"select township_code, period, suppression_rule from {town_t}"
            " where is_suppressed and n_enterprises not between 1 and 2",
        )
        for code, period, rule in others:
            if rule == "min_frequency":
                ((above,),) = query(
                    wh,
                    "select above_scale_enterprises from marts.township_scorecard where township_code = ? and period = ?",
                    [code, period],
                )
                assert 1 <= above <= 2
            else:
                assert rule in ("dominance", "secondary")
        assert (
            query(db, f"select count(*) from {town_t} where output_ytd is null and not is_suppressed")[0][0]
            == 0
        )
    # a chain's output is also an indicator: its rows are suppressed there too
    for t in ("marts.indicator_values", f"'{pq / 'indicator_values.parquet'}'"):
        rows = query(
            snap,
            f"select value, is_suppressed from {t} where indicator_id = 'chain_output_biomedicine' "
            "and period in ('2025', '2025-12') and is_latest",
        )
        assert rows and all(v is None and s for v, s in rows)
    assert (
        query(
            wh,
            "select count(*) from marts.indicator_values where indicator_id = 'chain_output_biomedicine' "
            "and period = '2025' and is_latest and value > 0",
        )[0][0]
        == 1
    )
    ((actual, sup),) = query(
        snap,
        "select actual, is_suppressed from marts.indicator_progress "
        "where indicator_id = 'chain_output_biomedicine' and period = '2025'",
    )
    assert actual is None and sup
    # nothing enterprise-level in the snapshot
    tables = {t for (t,) in query(snap, "select schema_name || '.' || table_name from duckdb_tables()")}
    cols = {c for (c,) in query(snap, "select column_name from duckdb_columns() where not internal")}
    assert not any("enterprise" in t for t in tables) and not {"credit_code", "name"} & cols


def test_parquet_matches_the_snapshot(built_home):
    snap = built_home / "published" / "statwh.duckdb"
    for name in ("indicator_progress", "indicator_values", "township_scorecard", "chain_output"):
        pq = built_home / "published" / "parquet" / f"{name}.parquet"
        assert query(snap, f"select * from marts.{name} except all select * from '{pq}'") == []
        assert query(snap, f"select count(*) from marts.{name}") == query(
            snap, f"select count(*) from '{pq}'"
        )


def test_copied_data_area_keeps_working(built_home, tmp_path):
    """A data area copied with its link (cp -a, rsync -l) stays valid: the link is relative."""
    dest = tmp_path / "copy"
    shutil.copytree(built_home, dest, symlinks=True)
    assert (
        query(dest / "published" / "statwh.duckdb", "select count(*) from marts.indicator_progress")[0][0] > 0
    )
    assert (dest / "published" / "parquet" / "indicator_progress.parquet").is_file()


def test_the_snapshot_copies_the_published_models():
    """Every model of warehouse/models/published/ is copied into the snapshot (but the
    intermediate ones, `int_*`), and only those: the disclosure rules live in their SQL."""
    from etl.warehouse.build import models
    from etl.warehouse.publish import SNAPSHOT

    published = {m.name for m in models() if m.schema == "published"}
    assert set(SNAPSHOT.values()) == {n for n in published if not n.split(".")[1].startswith("int_")}
    assert all(m.kind == "view" for m in models() if m.schema == "published")


def test_the_minimum_cell_is_read_from_ref_plan(copied_home):
    """The threshold is one value (plan.yaml `disclosure`, ref.plan.min_cell_enterprises) that
    every published model reads: raised in ref.plan, more cells are suppressed."""
    from etl.base.settings import Home
    from etl.warehouse import publish as pub

    wh, snap = copied_home / "warehouse.duckdb", copied_home / "published" / "statwh.duckdb"
    assert query(wh, "select min_cell_enterprises from ref.plan") == [(3,)]
    small = (
        "select township_code, period from marts.township_scorecard"
        " where n_enterprises between 1 and {m} or above_scale_enterprises between 1 and {m}"
    )
    by_rule = (
        "select township_code, period from marts.township_scorecard where suppression_rule = 'min_frequency'"
    )
    assert set(query(snap, by_rule)) == set(query(wh, small.format(m=2)))
    ((smallest,),) = query(
        wh, "select min(n_enterprises) from marts.township_scorecard where n_enterprises > 0"
    )
    con = duckdb.connect(str(wh))
    try:
        con.execute("update ref.plan set min_cell_enterprises = ?", [smallest + 2])
        pub.publish(con, Home(copied_home))
    finally:
        con.close()
    raised = set(query(wh, small.format(m=smallest + 1)))
    assert set(query(snap, by_rule)) == raised and len(raised) > len(query(wh, small.format(m=2)))
    assert query(
        snap, "select count(*) from marts.township_scorecard where is_suppressed and output_ytd is not null"
    ) == [(0,)]


def test_published_figures_carry_no_float_noise(built_home):
    """What analysts read is rounded (figures to 6 decimals of their unit, percentages to 2, pace to
    4): no `1893.4800000000002` in the snapshot's marts or the Parquet files."""
    snap = built_home / "published" / "statwh.duckdb"
    con = duckdb.connect(str(snap), read_only=True)
    try:
        cols = con.execute(
            "select schema_name || '.' || table_name, column_name from duckdb_columns()"
            " where schema_name = 'marts' and data_type in ('DOUBLE', 'FLOAT')"
        ).fetchall()
        assert cols
        noisy = {
            f"{t}.{c}": con.execute(
                f"select {c} from {t} where {c} is not null and {c} != round({c}, 6) limit 3"
            ).fetchall()
            for t, c in cols
        }
    finally:
        con.close()
    assert not {k: v for k, v in noisy.items() if v}

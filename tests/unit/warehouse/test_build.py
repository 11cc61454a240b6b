"""etl.warehouse.build: what a build rewrites and what it leaves as it is."""

from __future__ import annotations

import dataclasses

import pytest

import etl.warehouse.build as build_mod
from etl.base.settings import Home
from etl.warehouse.build import build
from etl.warehouse.connection import connect


def _oids(con) -> dict[str, int]:
    return {
        f"{s}.{t}": oid
        for s, t, oid in con.execute(
            "select schema_name, table_name, table_oid from duckdb_tables()"
            " where schema_name in ('ref', 'core')"
        ).fetchall()
    }


def test_reference_tables_and_what_reads_only_them_are_rewritten_when_they_change(tmp_path, monkeypatch):
    con = connect(Home(tmp_path).ensure())
    build(con)
    first = _oids(con)
    regions = con.execute("select count(*) from core.dim_region").fetchall()
    build(con)
    again = _oids(con)
    # the same reference content and queries: ref.*, dim_region and dim_indicator are kept
    for name in ("ref.regions", "ref.indicators", "ref.plan", "core.dim_region", "core.dim_indicator"):
        assert again[name] == first[name], name
    assert again["core.dim_period"] != first["core.dim_period"]  # reads no reference table: rebuilt
    assert con.execute("select count(*) from core.dim_region").fetchall() == regions

    # the regions change: ref.regions and dim_region are rewritten, with the new content
    frame = build_mod.regions_frame().copy()
    frame.loc[frame["region_code"] == "320803", "name"] = "改名区"
    monkeypatch.setattr(build_mod, "regions_frame", lambda: frame)
    monkeypatch.setattr(build_mod, "_regions_fingerprint", lambda: build_mod._fingerprint(frame))
    build(con)
    changed = _oids(con)
    assert changed["ref.regions"] != again["ref.regions"]
    assert changed["core.dim_region"] != again["core.dim_region"]
    assert (
        changed["ref.plan"] == again["ref.plan"]
        and changed["core.dim_indicator"] == again["core.dim_indicator"]
    )
    assert con.execute("select name from core.dim_region where region_code = '320803'").fetchall() == [
        ("改名区",)
    ]

    # dim_indicator's query changes (a new version of the model): it is rebuilt
    models = tuple(
        dataclasses.replace(m, sql=m.sql + " ") if m.name == "core.dim_indicator" else m
        for m in build_mod.models()
    )
    monkeypatch.setattr(build_mod, "models", lambda: models)
    build(con)
    assert _oids(con)["core.dim_indicator"] != changed["core.dim_indicator"]
    assert _oids(con)["core.dim_region"] == changed["core.dim_region"]


def test_a_full_build_rewrites_what_a_build_keeps_or_brings_forward(tmp_path):
    from etl.warehouse.build import _build_type2, model

    con = connect(Home(tmp_path).ensure())
    build(con)
    kept = _oids(con)
    slices = con.execute("select count(*) from meta.model_slices").fetchall()
    build(con, full=True)
    rewritten = _oids(con)
    for name in ("ref.regions", "core.dim_region", "core.dim_indicator", "core.dim_enterprise"):
        assert rewritten[name] != kept[name], name
    assert con.execute("select count(*) from meta.model_slices").fetchall() == slices
    assert _build_type2(con, model("core.dim_enterprise")) == "unchanged"  # as the full build left it


def test_statwh_build_full(tmp_path, monkeypatch):
    from etl.cli import main

    def marked() -> bool:  # a row no query gives, written into a table a build keeps
        con = connect(Home(tmp_path).ensure())
        try:
            return con.execute("select count(*) from core.dim_region where region_code = 'x'").fetchall() == [
                (1,)
            ]
        finally:
            con.close()

    monkeypatch.setenv("STATWH_HOME", str(tmp_path))
    assert main(["build"]) == 0
    con = connect(Home(tmp_path).ensure())
    con.execute("insert into core.dim_region (region_code, name) values ('x', 'x')")
    con.close()
    assert main(["build"]) == 0 and marked()
    assert main(["build", "--full"]) == 0 and not marked()


def test_a_source_lag_is_read_from_plan_yaml(monkeypatch):
    """marts.source_freshness.is_stale follows plan.yaml `freshness.max_lag_months` per source: the
    same roster is fresh with a lag of 12 months and stale with one of 1."""
    import duckdb
    import yaml

    from etl.reference import catalog
    from tests.golden.test_marts_golden import CASES, load_case

    case = yaml.safe_load(next(p for p in CASES if p.stem == "freshness").read_text(encoding="utf-8"))
    plan = catalog.plan()

    def stale_with(months: int) -> bool:
        lags = {**plan["freshness"]["max_lag_months"], "enterprises": months}
        monkeypatch.setattr(catalog, "plan", lambda: {**plan, "freshness": {"max_lag_months": lags}})
        con = duckdb.connect()
        load_case(con, case)
        con.execute("set variable on_date = '2026-01-15'::date")
        build(con)
        return con.execute(
            "select is_stale from marts.source_freshness where source = 'enterprises'"
        ).fetchone()[0]

    assert stale_with(1) is True  # 2025-09-30 + 1 month < 2026-01-15
    assert stale_with(12) is False


def test_the_regions_table_is_told_unchanged_from_its_sources_without_being_made_again(tmp_path, monkeypatch):
    """A build over a warehouse that holds ref.regions does not make the 44,700 rows again to see
    that they are the same: their fingerprint is that of the division files and of the code that
    shapes them; a byte changed in a division file (or that code) changes it."""
    import shutil

    con = connect(Home(tmp_path / "home").ensure())
    build(con)

    def not_again():
        raise AssertionError("ref.regions made again though its sources did not change")

    monkeypatch.setattr(build_mod, "regions_frame", not_again)
    build(con)  # kept: its sources are as when it was made

    before = build_mod._regions_fingerprint()
    copy = tmp_path / "divisions"
    shutil.copytree(build_mod.REFERENCE_DIR, copy)
    cities = copy / "cities.csv"
    cities.write_bytes(cities.read_bytes().replace("淮安市".encode(), "淮安市 ".encode(), 1))
    monkeypatch.setattr(build_mod, "REFERENCE_DIR", copy)
    build_mod._regions_fingerprint.cache_clear()
    try:
        assert build_mod._regions_fingerprint() != before
        with pytest.raises(AssertionError, match="made again"):
            build(con)  # a division file changed: the table is made again
    finally:
        build_mod._regions_fingerprint.cache_clear()

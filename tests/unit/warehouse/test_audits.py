"""Audits (warehouse/audits/*.sql): queries returning bad rows, run after each build into meta.audits.

Each audit passes on the demo warehouse, and each finds a bad row put into a copy of it (inside a
transaction rolled back afterwards). A failing audit is a logged warning and the build commits;
one of severity `blocking` fails the build, which leaves nothing behind.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import duckdb
import pytest

import etl.warehouse.build as build_mod
from etl.base.settings import Home
from etl.warehouse.build import Audit, AuditFailed, audits, build, parse_audit, run_audit
from etl.warehouse.connection import connect
from tests.conftest import query

NAMES = {
    "chain_totals",
    "indicator_values_known_indicator",
    "indicator_values_one_current",
    "published_small_cells_suppressed",
    "township_output_reconciles",
    "township_totals",
    "published_cells_protected",
}
# a township with enough enterprises that its cell is published
TOWNSHIP = "(select min(township_code) from marts.township_scorecard where n_enterprises >= 3)"


@pytest.fixture(scope="module")
def warehouse(built_home, tmp_path_factory) -> Path:
    """A copy of the demo's warehouse file (each test changes it in a transaction it rolls back)."""
    dest = tmp_path_factory.mktemp("audits") / "warehouse.duckdb"
    shutil.copy(built_home / "warehouse.duckdb", dest)
    return dest


def test_every_audit_says_what_it_checks():
    assert {a.name for a in audits()} == NAMES
    for a in audits():
        assert a.name == a.path.stem and a.description and a.severity in ("warning", "blocking"), a.path


def test_an_audit_without_a_known_severity_is_refused(tmp_path):
    p = tmp_path / "x.sql"
    p.write_text("/*\nname: x\nseverity: fatal\ndescription: x\n*/\nselect 1", encoding="utf-8")
    with pytest.raises(ValueError, match="severity"):
        parse_audit(p)
    p.write_text("select 1", encoding="utf-8")
    with pytest.raises(ValueError, match="an audit starts with a /\\* yaml \\*/ header"):
        parse_audit(p)


def test_every_audit_passes_on_the_demo(built_home):
    db = built_home / "warehouse.duckdb"
    rows = query(
        db,
        "select audit, severity, rows_found, passed, sample from meta.audits"
        " where build_id = (select max(build_id) from meta.builds) order by audit",
    )
    assert [r[0] for r in rows] == sorted(NAMES)
    assert all(found == 0 and passed and json.loads(sample) == [] for _, _, found, passed, sample in rows)
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert {a.name: run_audit(con, a).rows_found for a in audits()} == dict.fromkeys(NAMES, 0)
    finally:
        con.close()


BREAKAGES = {
    "an unknown indicator": (
        "indicator_values_known_indicator",
        [
            "insert into marts.indicator_values (indicator_id, region_code, period, value, unit, basis, is_latest)"
            " values ('no_such_indicator', '320803', '2025', 1, '亿元', 'period', true)"
        ],
        {"indicator_id": "no_such_indicator", "catalog_unit": None},
    ),
    "a value in another unit": (
        "indicator_values_known_indicator",
        ["update marts.indicator_values set unit = '万元' where indicator_id = 'gdp' and period = '2024'"],
        {"indicator_id": "gdp", "unit": "万元", "catalog_unit": "亿元"},
    ),
    "two current values": (
        "indicator_values_one_current",
        [
            "insert into marts.indicator_values select * replace ('ytd' as basis) from marts.indicator_values"
            " where indicator_id = 'gdp' and region_code = '320803' and period = '2024' and is_latest"
        ],
        {"indicator_id": "gdp", "period": "2024", "current_values": 2},
    ),
    "a small chain cell published": (
        "published_small_cells_suppressed",
        [
            "update marts.chain_output set n_enterprises = 2 where chain = '生物医药' and period = '2025-12'",
            # a disclosure rule edited away: the model publishes the chain mart as it is
            "create or replace view published.chain_output as select *, false as is_suppressed"
            " from marts.chain_output",
        ],
        {"published_view": "published.chain_output", "cell": "生物医药", "n_enterprises": 2},
    ),
    "a small township cell published": (
        "published_small_cells_suppressed",
        [
            f"update marts.township_scorecard set n_enterprises = 1 where period = '2025-12'"
            f" and township_code = {TOWNSHIP}",
            "create or replace view published.township_scorecard as select *, false as is_suppressed"
            " from marts.township_scorecard",
        ],
        {"published_view": "published.township_scorecard", "period": "2025-12", "n_enterprises": 1},
    ),
    "a chain's enterprises off by one": (
        "chain_totals",
        [
            "update marts.chain_output set n_enterprises = n_enterprises + 1 where chain = '其他' and period = '2025-12'"
        ],
        {"figure": "above_scale_enterprises", "period": "2025-12", "in_mart": 455.0, "in_indicator": 454.0},
    ),
    "a chain's output not its indicator's": (
        "chain_totals",
        [
            "update marts.chain_output set output_ytd = output_ytd + 1 where chain = '生物医药' and period = '2025-12'"
        ],
        {"figure": "chain_output_biomedicine"},
    ),
    "a township's enterprises off by one": (
        "township_totals",
        [
            "update marts.township_scorecard set above_scale_enterprises = above_scale_enterprises + 1"
            f" where period = '2025-12' and township_code = {TOWNSHIP}"
        ],
        {"indicator_id": "above_scale_enterprises", "period": "2025-12", "district_value": 454.0},
    ),
    "规下 output counted in a township": (
        "township_output_reconciles",
        [
            "update marts.township_scorecard set output_ytd = output_ytd + 7.96"
            f" where period = '2025-12' and township_code = {TOWNSHIP}"
        ],
        {"period": "2025-12", "bureau_period": "2025", "bureau_output": 500.5},
    ),
    "a dominated township published": (
        "published_cells_protected",
        [
            "create or replace view published.township_scorecard as select *, false as is_suppressed,"
            " null::varchar as suppression_rule from marts.township_scorecard"
        ],
        {
            "published_view": "published.township_scorecard",
            "cell": "320803002",
            "problem": "dominated cell published",
        },
    ),
    "one chain withheld alone": (
        "published_cells_protected",
        [
            "create or replace view published.chain_output as select * replace (case when chain = '生物医药'"
            " then null else output_ytd end as output_ytd), chain = '生物医药' as is_suppressed,"
            " null::varchar as suppression_rule from marts.chain_output"
        ],
        {"published_view": "published.chain_output", "cell": "*"},
    ),
    "a township's land off": (
        "township_totals",
        [
            "update marts.township_scorecard set land_balance_mu = land_balance_mu + 5"
            f" where period = '2025-12' and township_code = {TOWNSHIP}"
        ],
        {"indicator_id": "land_balance_new_mu", "period": "2025-12"},
    ),
}


@pytest.mark.parametrize("case", list(BREAKAGES))
def test_each_audit_finds_a_bad_row(warehouse, case):
    name, statements, expected = BREAKAGES[case]
    (audit,) = [a for a in audits() if a.name == name]
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("begin transaction")
        try:
            assert run_audit(con, audit).passed
            for sql in statements:
                con.execute(sql)
            result = run_audit(con, audit)
        finally:
            con.execute("rollback")
        assert run_audit(con, audit).passed, "rolled back"
    finally:
        con.close()
    assert not result.passed and result.sample
    assert any(expected.items() <= row.items() for row in result.sample), result.sample


def test_a_small_cell_alone_is_suppressed_by_the_published_models(warehouse):
    (audit,) = [a for a in audits() if a.name == "published_small_cells_suppressed"]
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("begin transaction")
        try:
            con.execute(
                "update marts.chain_output set n_enterprises = 2 where chain = '生物医药' and period = '2025-12'"
            )
            result = run_audit(con, audit)
            suppressed = con.execute(
                "select count(*) from published.indicator_values where indicator_id = 'chain_output_biomedicine'"
                " and period in ('2025', '2025-12') and is_suppressed and value is null"
            ).fetchall()
        finally:
            con.execute("rollback")
    finally:
        con.close()
    assert result.passed and suppressed[0][0] > 0


FAILS = "select 1 as bad, 'x' as what"


def test_a_build_records_its_audits_and_goes_on_past_a_failing_one(tmp_path, monkeypatch, caplog):
    con = connect(Home(tmp_path).ensure())
    failing = Audit(path=tmp_path / "always_fails.sql", name="always_fails", severity="warning", sql=FAILS)
    monkeypatch.setattr(build_mod, "audits", lambda: (*audits(), failing))
    with caplog.at_level(logging.WARNING, logger="statwh.build"):
        build(con)
    rows = con.execute(
        "select build_id, audit, severity, rows_found, passed, sample from meta.audits"
    ).fetchall()
    assert {r[1] for r in rows} == NAMES | {"always_fails"} and {r[0] for r in rows} == {1}
    (bad,) = [r for r in rows if r[1] == "always_fails"]
    assert bad[2:5] == ("warning", 1, False) and json.loads(bad[5]) == [{"bad": 1, "what": "x"}]
    assert all(r[4] for r in rows if r[1] != "always_fails")
    assert "audit always_fails (warning) found 1 bad row(s)" in caplog.text
    assert con.execute("select count(*) from meta.builds").fetchall() == [(1,)]
    con.close()


def test_a_failing_blocking_audit_fails_the_build(tmp_path, monkeypatch):
    con = connect(Home(tmp_path).ensure())
    build(con)
    blocking = Audit(path=tmp_path / "must_hold.sql", name="must_hold", severity="blocking", sql=FAILS)
    monkeypatch.setattr(build_mod, "audits", lambda: (*audits(), blocking))
    with pytest.raises(AuditFailed, match=r"blocking audit failed: must_hold \(1 rows\)"):
        build(con)
    # rolled back: the build is not recorded, nor are its audits
    assert con.execute("select count(*) from meta.builds").fetchall() == [(1,)]
    assert con.execute("select count(*) from meta.audits where audit = 'must_hold'").fetchall() == [(0,)]
    con.close()

"""`statwh explain` on the demo: every latest value is recomputed from the archived files, and a
value whose lineage or figure was changed is caught (exit 1, the difference shown)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import duckdb

from etl.base.settings import Home
from etl.warehouse.explain import explain_all
from tests.conftest import HomeEnv, query, run_cli

LATEST = "select count(*) from marts.indicator_values where is_latest"


def test_every_latest_value_of_the_demo_recomputes(built_home):
    with HomeEnv(built_home):
        explained = explain_all(Home.from_env())
    db = built_home / "warehouse.duckdb"
    assert len(explained) == query(db, LATEST)[0][0]
    failed = [
        (e.value["indicator_id"], e.value["period"], e.problems[:2], e.difference)
        for e in explained
        if not e.ok
    ]
    assert failed == []
    # a value with no input is a count of nothing (0), never a figure without a source
    assert all(e.inputs or e.stored == 0 for e in explained)


def test_every_kind_of_value_has_its_inputs(built_home):
    got = dict(
        query(
            built_home / "warehouse.duckdb",
            "select i.derivation, list(distinct v.operation order by v.operation)"
            " from core.value_inputs as v join ref.indicators as i using (indicator_id) group by all",
        )
    )
    assert got == {
        "reported": ["cell"],
        "reported_cumulative": ["sum"],
        "roster_count": ["count_flags"],
        "roster_new": ["count_first_time"],
        "chain_output": ["sum"],
        "hightech_valid": ["count_distinct"],
        "hightech_first": ["count_distinct"],
        "land_accepted": ["sum"],
        "peer_gap": ["difference"],
        "growth_gap": ["difference_from_max"],
    }


LATEST_CELLS = """
select v.indicator_id, v.region_code, v.period, v.basis, v.source_cell,
    list(i.sheet || '!' || i.cell order by i.input_no) filter (where i.input_kind = 'cell') as cells
from marts.indicator_values as v
left join core.value_inputs as i using (indicator_id, region_code, period, basis)
where v.is_latest
group by all
"""


def test_source_cell_names_the_first_of_the_values_cells(built_home):
    """The contract's `Sheet1!F17`: one cell as is, several as the first and how many more
    (`Sheet1!H43 (+39)`), none (a gap, a count of 0) as null."""
    rows = query(built_home / "warehouse.duckdb", LATEST_CELLS)
    with_cells = [r for r in rows if r[5]]
    assert with_cells and any(len(r[5]) > 1 for r in with_cells) and any(len(r[5]) == 1 for r in with_cells)
    for *key, source_cell, cells in rows:
        if not cells:
            assert source_cell is None, key
            continue
        m = re.fullmatch(r"(.+!\$?[A-Z]{1,3}\d+)(?: \(\+(\d+)\))?", source_cell or "")
        assert m, (key, source_cell)
        assert m.group(1) == cells[0] and m.group(1) in cells, (key, source_cell)
        assert int(m.group(2) or 0) == len(cells) - 1, (key, source_cell)


PARKING_CELLS = """
select o._col_letter || o._row from (
    select r.*, coalesce(r._col, c.column_letter) as _col_letter
    from raw.indicator_obs as r
    join meta.load_columns as c on c.load_id = r.load_id and c.sheet = r._sheet and c.field = 'value'
) as o
where o.indicator_id = 'public_parking_new' and o.period between '2024' and '2025' order by o.period
"""


def test_a_cumulative_value_names_each_years_cell(built_home, capsys, monkeypatch):
    """The issue's case: public parking 2,700 (2024 and 2025 added up) pointed at one cell."""
    monkeypatch.setenv("STATWH_HOME", str(built_home))
    assert run_cli("explain", "public_parking_new", "2025", "--format", "json") == 0
    [e] = json.loads(capsys.readouterr().out)
    assert e["operation"] == "sum" and e["match"] and e["inputs"] == 2
    assert [s["cells"] for s in e["sources"]] == [
        [c for (c,) in query(built_home / "warehouse.duckdb", PARKING_CELLS)]
    ]


def test_a_gap_points_at_the_values_it_compares(built_home, capsys, monkeypatch):
    monkeypatch.setenv("STATWH_HOME", str(built_home))
    assert run_cli("explain", "gdp_gap_peer_district") == 0
    out = capsys.readouterr().out
    assert "差值" in out and out.count("复核一致 / recomputed: match") == 3  # the gap and its two values


def test_unknown_indicator_or_period_exits_2_in_one_line(built_home, capsys, monkeypatch):
    monkeypatch.setenv("STATWH_HOME", str(built_home))
    assert run_cli("explain", "no_such_indicator") == 2
    assert run_cli("explain", "gdp", "1999") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "no_such_indicator" in err[0] and "1999" in err[1]


def _tamper(home: Path, sql: str) -> None:
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    try:
        con.execute(sql)
    finally:
        con.close()


def test_a_stored_figure_that_the_files_do_not_give_exits_1_with_the_difference(copied_home, capsys):
    [(stored,)] = query(
        copied_home / "warehouse.duckdb",
        "select value from marts.indicator_values"
        " where indicator_id = 'public_parking_new' and period = '2025' and is_latest",
    )
    _tamper(
        copied_home,
        "update marts.indicator_values set value = 2500"
        " where indicator_id = 'public_parking_new' and period = '2025' and is_latest",
    )
    assert run_cli("explain", "public_parking_new", "2025") == 1
    out = capsys.readouterr().out
    assert "复核不一致 / recomputed: mismatch" in out
    assert f"按存档文件重算 / from the archived files {stored:,.10g}" in out
    assert f"差 / difference {stored - 2500:,.10g}" in out


def test_lineage_pointing_at_another_cell_exits_1(copied_home, capsys):
    """raw row moved by one: the lineage names D4, which holds another figure."""
    _tamper(
        copied_home,
        "update raw.indicator_obs set _row = _row + 1"
        " where indicator_id = 'public_parking_new' and period = '2025'",
    )
    assert run_cli("explain", "public_parking_new", "2025", "--format", "json") == 1
    [e] = json.loads(capsys.readouterr().out)
    assert not e["match"] and e["difference"] != 0
    assert e["sources"][0]["cells"] == [c for (c,) in query(copied_home / "warehouse.duckdb", PARKING_CELLS)]


def test_an_altered_archived_file_is_named(copied_home, capsys):
    [(rel,)] = query(
        copied_home / "warehouse.duckdb",
        "select archive_path from meta.loads where file_name = '其他指标_长表.xlsx'",
    )
    path = copied_home / rel
    os.chmod(path, 0o644)
    path.write_bytes(path.read_bytes() + b"\0")
    assert run_cli("explain", "public_parking_new", "2025") == 1
    out = capsys.readouterr().out
    assert "复核失败 / recomputed: failed" in out and "archived file altered" in out


def test_the_dashboard_shows_each_figures_recipe(built_home):
    """Each card cites the value's recipe (operation, file, cells, unit), not a bare range."""
    from etl.report import render

    snapshot = built_home / "published" / "statwh.duckdb"
    html = render(snapshot)
    shown = query(
        snapshot,
        "select r.recipe from marts.indicator_progress as p"
        " join marts.value_recipes as r on r.indicator_id = p.indicator_id and r.period = p.period"
        " where p.indicator_id like 'chain_output_%' and r.recipe is not null"
        " qualify row_number() over (partition by p.indicator_id order by p.period_end desc) = 1",
    )
    assert shown, "the demo's chains have recipes"
    for (recipe,) in shown:
        assert recipe.startswith("合计 ") and "万元→亿元 ×0.0001" in recipe
        assert f'title="来源 / source: {recipe}"' in html

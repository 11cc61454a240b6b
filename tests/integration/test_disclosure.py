"""Nothing published discloses an enterprise (#22): no name or credit code in any published table
or file, dominated cells withheld, and no total column with exactly one withheld cell."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import openpyxl
import pyarrow.parquet as pq
import yaml

from tests.conftest import REPO, query, run_cli

TOTALLED = {  # published table with a total per period → its cells
    "marts.township_scorecard": "township_code",
    "marts.chain_output": "chain",
}


def _identifiers(warehouse: Path) -> set[str]:
    """Every enterprise name (and name key) and credit code in the warehouse: the rosters, the 高企
    lists, their core tables and the quarantined rows, gathered here independently of the models."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        found: set[str] = set()
        for table, cols in (
            ("raw.enterprise_periods", ("name", "name_key", "credit_code")),
            ("raw.hightech_certs", ("name", "name_key", "credit_code")),
            ("core.dim_enterprise", ("name", "name_key", "credit_code")),
            ("core.fct_hightech_certificate", ("name", "name_key", "credit_code")),
        ):
            for c in cols:
                found |= {v for (v,) in con.execute(f"select distinct {c} from {table}").fetchall() if v}
        for (row,) in con.execute("select row_json from meta.quarantine").fetchall():
            found |= set(re.findall(r'"(?:name|credit_code)": "([^"]+)"', row or ""))
    finally:
        con.close()
    return {v.strip() for v in found if len(v.strip()) >= 4}


def _published_texts(published: Path) -> list[tuple[str, str]]:
    """(where, text) of every text value published: each table of the snapshot, each Parquet file
    (every build kept), and every other file (the dashboard, Data Docs if served there)."""
    out: list[tuple[str, str]] = []
    con = duckdb.connect(str(published / "statwh.duckdb"), read_only=True)
    try:
        cols = con.execute(
            "select schema_name, table_name, column_name from duckdb_columns() where data_type = 'VARCHAR'"
        ).fetchall()
        for s, t, c in cols:
            out += [
                (f"{s}.{t}.{c}", v)
                for (v,) in con.execute(f'select distinct "{c}" from {s}.{t}').fetchall()
                if v
            ]
    finally:
        con.close()
    for f in published.rglob("*"):
        if not f.is_file() or f.name == "statwh.duckdb":
            continue
        if f.suffix == ".parquet":
            table = pq.read_table(f)
            for name in table.column_names:
                col = table.column(name)
                if str(col.type) in {"string", "large_string"}:
                    out += [(f"{f.name}:{name}", v) for v in set(col.to_pylist()) if v]
        else:
            out.append((str(f.relative_to(published)), f.read_bytes().decode("utf-8", errors="replace")))
        out.append((f"file name {f.name}", f.name))
    return out


def test_nothing_published_names_an_enterprise(copied_home, demo_files, tmp_path):
    wh = copied_home / "warehouse.duckdb"
    ((name, code),) = query(wh, "select name, credit_code from raw.enterprise_periods order by name limit 1")
    # a department names a file after an enterprise, with one figure revised (a new vintage: the file
    # becomes the source of the chain's figures) and its 合计 with it
    src = next((demo_files / "enterprises").glob("*2025年1-12月*"))
    named = tmp_path / f"规上工业企业主要指标_2025年1-12月_{name}_{code}.xlsx"
    wb = openpyxl.load_workbook(src)
    ws = wb.worksheets[0]
    ws["H5"] = float(ws["H5"].value) + 1000
    ws["H6"] = float(ws["H6"].value) + 1000
    wb.save(named)
    assert run_cli("ingest", "enterprises", str(named)) == 0
    assert run_cli("report") == 0
    ids = _identifiers(wh)
    assert name in ids and code in ids and len(ids) > 500
    texts = _published_texts(copied_home / "published")
    assert any(where.startswith("meta.warnings") for where, _ in texts)  # the scan reaches the warnings
    assert any("report" in where for where, _ in texts)  # and the dashboard
    hits = sorted({(where, i) for where, text in texts for i in ids if i in text})
    assert hits == [], hits[:10]
    # what was redacted still says what happened
    snap = copied_home / "published" / "statwh.duckdb"
    assert query(snap, "select count(*) from meta.loads where file_name like '%某企业_某信用代码.xlsx'") == [
        (1,)
    ]
    assert (
        query(snap, "select count(*) from marts.indicator_values where source_file like '%某企业%'")[0][0] > 0
    )
    assert query(snap, "select count(*) from meta.warnings where message like '某企业：%'")[0][0] >= 1


def test_no_total_column_has_exactly_one_withheld_cell(built_home):
    snap = built_home / "published" / "statwh.duckdb"
    withheld = 0
    for table, cell in TOTALLED.items():
        rows = query(
            snap,
            f"select period, count(*) filter (where is_suppressed), count(*) filter (where is_suppressed and"
            f" output_ytd is not null) from {table} group by period",
        )
        assert rows, table
        assert [p for p, n, _ in rows if n == 1] == [], f"{table}: a period with one withheld {cell}"
        assert [p for p, _, shown in rows if shown] == []
        withheld += sum(n for _, n, _ in rows)
    assert withheld > 0  # the demo has withheld cells (河下街道, and its secondary)
    # the district's indicators: a withheld chain is withheld there too
    assert query(
        snap,
        "select count(*) from marts.chain_output as c join marts.indicator_values as v"
        " on v.indicator_id = c.indicator_id and v.period = c.period where c.is_suppressed and v.value is not null",
    ) == [(0,)]


def test_the_demo_township_of_dominant_enterprises_is_withheld(built_home):
    """河下街道: 3 enterprises above scale, the largest two more than 85 % of its output (computed
    here from the warehouse's roster): withheld in the snapshot, the Parquet and the dashboard."""
    wh, snap = built_home / "warehouse.duckdb", built_home / "published" / "statwh.duckdb"
    shares = query(
        wh,
        "select period, count(*), max(output_ytd) / sum(output_ytd),"
        " (select sum(o) from (select unnest(list(output_ytd order by output_ytd desc)[1:2]) as o)) / sum(output_ytd)"
        " from stg.stg_enterprises__periods where township_code = '320803002' and is_above_scale group by period",
    )
    dominated = {p for p, n, _, top2 in shares if n >= 3 and top2 > 0.85}
    assert dominated
    rows = query(
        snap,
        "select period, output_ytd, suppression_rule from marts.township_scorecard where township_code = '320803002'",
    )
    assert {p for p, out, rule in rows if out is None and rule == "dominance"} == dominated
    pq_rows = query(
        snap,
        f"select count(*) from '{built_home / 'published' / 'parquet' / 'township_scorecard.parquet'}'"
        " where township_code = '320803002' and output_ytd is not null",
    )
    assert pq_rows == [(0,)]
    html = (built_home / "published" / "report" / "index.html").read_text(encoding="utf-8")
    row = re.search(r'<tr><td class="l">河下街道</td>(.*?)</tr>', html).group(1)
    assert row.count("—（保密）") == 2  # output and enterprises above scale
    assert 'id="disclosure-note"' in html and "支配性规则" in html


def test_the_readme_states_the_rules_and_their_parameters():
    plan = yaml.safe_load((REPO / "warehouse" / "catalog" / "plan.yaml").read_text(encoding="utf-8"))[
        "disclosure"
    ]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What is published, and what is withheld", 1)[1].split("\n## ", 1)[0]
    assert f"min_enterprises: {plan['min_enterprises']}" in section
    assert f"n: {plan['dominance']['n']}" in section and f"k: {plan['dominance']['k']}" in section
    for word in ("dominance", "secondary", "—（保密）", "某企业"):
        assert word in section


def test_a_departments_township_table_does_not_give_back_a_withheld_township(copied_home, tmp_path):
    """The 分乡镇 table's figure for a township whose output cell the scorecard withholds is withheld
    in published.indicator_values too: otherwise the department's table would publish it."""
    from tests.fixtures.layouts.township_measures import PERIOD, write_township_measures

    path = tmp_path / "淮安区分乡镇规上工业.xlsx"
    write_township_measures(path)
    assert run_cli("ingest", "indicators", str(path)) == 0
    snap = copied_home / "published" / "statwh.duckdb"
    withheld = {
        c
        for (c,) in query(
            snap,
            "select township_code from marts.township_scorecard where period = ? and is_suppressed",
            [PERIOD],
        )
    }
    assert "320803002" in withheld  # 河下街道, by the dominance rule (test above)
    rows = query(
        snap,
        "select region_code, value, is_suppressed from marts.indicator_values"
        " where indicator_id = 'industrial_output' and period = ? and region_code like '320803%'"
        " and region_code <> '320803'",
        [PERIOD],
    )
    assert len(rows) >= 18
    for code, value, suppressed in rows:
        assert suppressed == (code in withheld), code
        assert (value is None) == (code in withheld), code


def test_a_refused_file_named_after_an_enterprise_the_warehouse_never_held_is_not_published_so(
    copied_home, tmp_path
):
    """A truncated file named after an enterprise the warehouse holds no row of: its name had been
    published in meta.loads and meta.rejections, and on the dashboard, as the department wrote it."""
    company = "江苏远航船舶配件有限公司"
    bad = tmp_path / f"{company}_2025年1-6月产值报表.xlsx"
    bad.write_bytes(b"PK\x03\x04 truncated")
    assert run_cli("ingest", "enterprises", str(bad)) == 1
    assert run_cli("report") == 0
    hits = sorted({where for where, text in _published_texts(copied_home / "published") if company in text})
    assert hits == []
    snap = copied_home / "published" / "statwh.duckdb"
    assert query(
        snap, "select count(*) from meta.loads where file_name = '某企业_2025年1-6月产值报表.xlsx'"
    ) == [(1,)]


def test_two_vintages_and_the_messages_do_not_give_back_an_enterprises_output(
    copied_home, demo_files, tmp_path
):
    """An enterprise's 本年累计 revised on resending (its 合计 left as it was): the chain's two vintages
    differ by exactly the revision — after a blank filled in, by the enterprise's whole output — and the
    合计 warning quoted the 合计 and the sum of the rows. Published: only the latest vintage of a chain's
    or a township's figure, and messages without their figures."""
    src = next((demo_files / "enterprises").glob("*2025年1-12月*"))
    resent = tmp_path / src.name.replace(".xlsx", "（更正）.xlsx")
    wb = openpyxl.load_workbook(src)
    ws = wb.worksheets[0]
    assert ws["C6"].value and ws["F6"].value  # an enterprise of a chain
    ws["H6"] = round(float(ws["H6"].value) + 4616.95, 2)
    wb.save(resent)
    assert run_cli("ingest", "enterprises", str(resent)) == 0
    wh, snap = copied_home / "warehouse.duckdb", copied_home / "published" / "statwh.duckdb"
    superseded = "not is_latest and (indicator_id like 'chain_output_%' or region_code <> '320803')"
    held = query(wh, f"select count(*) from marts.indicator_values where {superseded}")[0][0]
    assert held > 0  # the writer's warehouse keeps every vintage …
    shown = query(
        snap, f"select count(*) from marts.indicator_values where {superseded} and value is not null"
    )
    assert shown == [(0,)]  # … the snapshot none of these
    assert query(snap, f"select bool_and(is_suppressed) from marts.indicator_values where {superseded}") == [
        (True,)
    ]
    assert (
        query(snap, "select count(*) from marts.indicator_values where is_latest and value is not null")[0][0]
        > 100
    )
    (message,) = query(
        wh, "select message from meta.warnings where rule = 'total_mismatch' and message like '%4,616.95%'"
    )[0]
    published = [m for (m,) in query(snap, "select message from meta.warnings where rule = 'total_mismatch'")]
    assert published and all(not re.search(r"\d\.\d|\d,\d{3}", m) for m in published), published
    assert "合计行与明细之和不符" in published[0] and message != published[0]


def test_a_township_table_withholds_a_township_of_one_enterprise_with_no_roster_loaded(home, tmp_path):
    """The 分乡镇 table states each township's 规上企业数: a township of one enterprise (this year and
    last) had its output published whenever no roster of the period was loaded to withhold it."""
    from tests.fixtures.layouts.township_measures import PERIOD, PRIOR, write_township_measures

    path = tmp_path / "淮安区分乡镇规上工业.xlsx"
    places = write_township_measures(path)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    row = 5 + 1  # the second place's row (title, unit row, two header rows, then the places)
    ws.cell(row, 2).value, ws.cell(row, 3).value = 1, 2
    wb.save(path)
    assert run_cli("ingest", "indicators", str(path)) == 0
    small = places[1].code
    snap = home / "published" / "statwh.duckdb"
    got = query(
        snap,
        "select period, value, is_suppressed from marts.indicator_values"
        " where indicator_id = 'industrial_output' and region_code = ? order by period",
        [small],
    )
    assert got == [(PRIOR, None, True), (PERIOD, None, True)]
    other = query(
        snap,
        "select count(*) from marts.indicator_values where indicator_id = 'industrial_output'"
        " and region_code = ? and value is not null",
        [places[2].code],
    )
    assert other == [(2,)]  # a township of many is published

"""The project documents itself: every mart column, every source spec, every model."""

from __future__ import annotations

from etl.base.paths import DICTIONARY
from etl.docs import data_dictionary, undocumented
from etl.spec.model import builtin_specs, source_ids
from etl.warehouse.build import models
from tests.conftest import (
    REPO,
    query,  # noqa: F401
)

CONTRACT_SOURCES = {"enterprises", "hightech", "land_use", "indicators", "targets"}


def test_every_mart_column_is_documented(built_home):
    import duckdb

    con = duckdb.connect(str(built_home / "warehouse.duckdb"), read_only=True)
    try:
        assert undocumented(con, "marts") == []
        assert undocumented(con, "core") == []
    finally:
        con.close()


def test_every_model_says_what_it_is():
    for m in models():
        assert m.description and m.grain and m.columns, m.path


def test_data_dictionary_is_up_to_date():
    assert DICTIONARY.read_text(encoding="utf-8") == data_dictionary(), "run `statwh docs`"


def test_every_contract_source_has_specs_and_every_spec_a_suite():

    assert set(source_ids()) == CONTRACT_SOURCES
    suites = REPO / "expectations"
    for spec in builtin_specs():
        assert spec.description, spec.path
        assert (suites / f"{spec.dataset}.json").exists(), f"{spec.path.name}: no suite for {spec.dataset}"


def test_readme_documents_every_command():

    from etl.cli import build_parser

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert f"statwh {name}" in readme, f"README does not mention `statwh {name}`"


def _snapshot(home):
    import duckdb

    return duckdb.connect(str(home / "published" / "statwh.duckdb"), read_only=True)


def test_every_published_table_and_column_carries_its_description(built_home):
    from etl.warehouse.comments import uncommented

    con = _snapshot(built_home)
    try:
        assert uncommented(con) == [], "a published column has no description: add it to its model's header"
        tables = con.execute(
            "select schema_name || '.' || table_name, comment from duckdb_tables()"
            " where database_name = current_database()"
        ).fetchall()
    finally:
        con.close()
    from etl.warehouse.publish import SNAPSHOT

    assert {t for t, _ in tables} == set(SNAPSHOT)
    assert all(c and len(c) > 20 for _, c in tables), tables


def test_the_warehouse_marts_carry_their_header_text(built_home):
    con = __import__("duckdb").connect(str(built_home / "warehouse.duckdb"), read_only=True)
    try:
        got = dict(
            con.execute(
                "select column_name, comment from duckdb_columns()"
                " where schema_name = 'marts' and table_name = 'township_scorecard'"
            ).fetchall()
        )
    finally:
        con.close()
    header = next(m for m in models() if m.name == "marts.township_scorecard").columns
    assert got == {c: " ".join(d.split()) for c, d in header.items()}


def test_an_undocumented_published_column_is_caught(built_home, tmp_path):
    """The check above can fail: a column added to a copy of the snapshot without a description."""
    import shutil

    import duckdb

    from etl.warehouse.comments import uncommented

    copy = tmp_path / "snap.duckdb"
    shutil.copy(built_home / "published" / "statwh.duckdb", copy)
    copy.chmod(0o644)
    con = duckdb.connect(str(copy))
    try:
        con.execute("alter table marts.chain_output add column mystery double")
        con.execute("comment on column meta.loads.sha256 is ''")
        assert uncommented(con) == ["marts.chain_output.mystery", "meta.loads.sha256"]
    finally:
        con.close()


def test_the_dictionary_covers_every_published_column(built_home):
    text = DICTIONARY.read_text(encoding="utf-8")
    con = _snapshot(built_home)
    try:
        cols = con.execute(
            "select schema_name || '.' || table_name, column_name from duckdb_columns()"
            " where database_name = current_database()"
        ).fetchall()
    finally:
        con.close()
    published = text.split("\n## ")[1]  # the first section: what readers open
    sections = {b.split("`", 2)[1]: b for b in published.split("\n### ")[1:] if b.startswith("`")}
    for table, column in cols:
        assert table in sections, f"{table} is not in docs/data-dictionary.md"
        assert f"| `{column}` |" in sections[table], f"{table}.{column} is not in docs/data-dictionary.md"


def test_the_dictionary_names_only_files_that_exist():
    import re

    text = DICTIONARY.read_text(encoding="utf-8")
    for path in set(re.findall(r"\b((?:etl|warehouse|docs|seed)/[\w/.*-]+\.(?:py|yaml|md|sql))\b", text)):
        if "*" not in path:
            assert (REPO / path).exists(), (
                f"docs/data-dictionary.md names {path}, which is not in the repository"
            )

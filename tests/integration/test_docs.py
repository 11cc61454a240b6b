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

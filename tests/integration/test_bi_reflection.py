"""What a BI tool does with the snapshot: reflect (exactly the inspector calls Superset makes),
then select through pandas — while another process holds the warehouse's write lock, writes, and
publishes a new snapshot over the one being read.

Through `duckdb+statwh://` (etl/warehouse/bi_dialect.py). Plain duckdb-engine (`duckdb://`) cannot
reflect on DuckDB 2 + SQLAlchemy 2.1; `test_plain_duckdb_engine_still_cannot_reflect` fails the
day it can, and then the dialect can go.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
import tomllib
import warnings

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import registry

from tests.conftest import REPO

registry.register("duckdb.statwh", "etl.warehouse.bi_dialect", "StatwhDuckDBDialect")

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from etl.base.settings import Home
    from etl.ingest import writer
    from etl.warehouse.publish import publish

    home = Home.from_env(sys.argv[1])
    with writer(home) as con:
        con.execute("create table if not exists main.writer_noise (i integer, written_at timestamp)")
        for i in range(10_000):
            con.execute("insert into main.writer_noise select range, now() from range(2000)")
            if i % 3 == 0:
                publish(con, home)  # a new snapshot renamed over the one the readers hold
            Path(sys.argv[2]).touch()
            if Path(sys.argv[3]).exists():
                break
    """
)


def _url(home, driver: str = "duckdb+statwh") -> str:
    return f"{driver}:///{home / 'published' / 'statwh.duckdb'}?access_mode=read_only"


@pytest.fixture
def writing_home(copied_home, tmp_path):
    """A copy of the built data area with a second process writing it (lock held) and publishing."""
    ready, stop = tmp_path / "ready", tmp_path / "stop"
    p = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(copied_home), str(ready), str(stop)],
        cwd=REPO,
        stderr=subprocess.PIPE,
    )
    deadline = time.time() + 120
    while not ready.exists():
        assert p.poll() is None, p.stderr.read().decode(errors="replace")[-2000:]
        assert time.time() < deadline, "the writer did not start"
        time.sleep(0.1)
    yield copied_home
    stop.touch()
    assert p.wait(timeout=120) == 0, p.stderr.read().decode(errors="replace")[-2000:]


def _superset_calls(engine) -> dict:
    """The inspector calls Superset makes when a dataset is added (superset/db_engine_specs/base.py)."""
    insp = sa.inspect(engine)
    out = {"schemas": insp.get_schema_names(), "tables": {}, "views": insp.get_view_names(schema="marts")}
    for table in insp.get_table_names(schema="marts"):
        out["tables"][table] = {
            "columns": insp.get_columns(table, schema="marts"),
            "pk": insp.get_pk_constraint(table, schema="marts"),
            "fks": insp.get_foreign_keys(table, schema="marts"),
            "indexes": insp.get_indexes(table, schema="marts"),
            "comment": insp.get_table_comment(table, schema="marts"),
        }
    return out


def test_superset_reflects_and_queries_while_a_writer_loads(writing_home):
    engine = sa.create_engine(_url(writing_home))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # duckdb-engine warns where it cannot reflect
        for _ in range(5):  # across several snapshots swapped in by the writer
            got = _superset_calls(engine)
            with engine.connect() as conn:
                frame = pd.read_sql_table("township_scorecard", conn, schema="marts")
                table = sa.Table("indicator_progress", sa.MetaData(), schema="marts", autoload_with=conn)
                latest = pd.read_sql(sa.select(table.c.indicator_id, table.c.actual).limit(5), conn)
            engine.dispose()  # a new connection sees the newest snapshot
    assert got["schemas"] == ["main", "marts", "meta"]
    assert set(got["tables"]) == {
        "chain_output",
        "dim_indicator",
        "indicator_progress",
        "indicator_values",
        "source_freshness",
        "township_scorecard",
        "value_recipes",
    }
    assert got["views"] == []
    for name, t in got["tables"].items():
        assert t["columns"] and all(c["comment"] for c in t["columns"]), name
        assert t["comment"]["text"], name
        assert t["pk"] == {"constrained_columns": [], "name": None} and t["fks"] == [] and t["indexes"] == []
    types = {c["name"]: c["type"] for c in got["tables"]["township_scorecard"]["columns"]}
    assert isinstance(types["n_enterprises"], sa.BigInteger) and isinstance(types["output_ytd"], sa.Double)
    assert isinstance(types["period_end"], sa.Date) and isinstance(types["is_suppressed"], sa.Boolean)
    assert len(frame) > 0 and frame["n_enterprises"].dtype == "int64"
    assert table.c.actual.comment and len(latest) == 5


def test_meta_and_sqlalchemy_metadata_reflect_whole_schemas(built_home):
    engine = sa.create_engine(_url(built_home))
    md = sa.MetaData()
    md.reflect(engine, schema="meta")
    md.reflect(engine, schema="marts")
    assert {"meta.loads", "meta.rejections", "meta.warnings", "marts.indicator_values"} <= set(md.tables)
    assert md.tables["meta.rejections"].c.message.comment
    engine.dispose()


def test_a_table_that_is_not_there_is_said_so(built_home):
    engine = sa.create_engine(_url(built_home))
    with pytest.raises(sa.exc.NoSuchTableError):
        sa.inspect(engine).get_columns("no_such_table", schema="marts")
    assert not sa.inspect(engine).has_table("no_such_table", schema="marts")
    assert sa.inspect(engine).has_table("chain_output", schema="marts")
    engine.dispose()


def test_duckdb_types_map_to_sqlalchemy_types():
    from etl.warehouse.bi_dialect import column_type

    assert isinstance(column_type("DECIMAL(18,3)"), sa.Numeric) and column_type("DECIMAL(18,3)").scale == 3
    assert column_type("TIMESTAMP WITH TIME ZONE").timezone
    assert isinstance(column_type("VARCHAR[]"), sa.ARRAY)
    assert isinstance(column_type("STRUCT(a INTEGER)"), sa.types.NullType)
    assert isinstance(column_type("HUGEINT"), sa.Numeric) and isinstance(column_type("INTEGER"), sa.Integer)


def test_the_dialect_is_registered_as_an_entry_point():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    target = project["entry-points"]["sqlalchemy.dialects"]["duckdb.statwh"]
    module, cls = target.split(":")
    assert cls == "StatwhDuckDBDialect" and __import__(module, fromlist=[cls]).StatwhDuckDBDialect


def test_the_dialect_imports_nothing_from_statwh():
    """It can be copied alone into a BI tool's environment."""
    source = (REPO / "etl" / "warehouse" / "bi_dialect.py").read_text(encoding="utf-8")
    assert "from etl" not in source and "import etl" not in source


def test_plain_duckdb_engine_still_cannot_reflect(built_home):
    """The upstream incompatibility the dialect works around. When this fails, duckdb-engine (or
    SQLAlchemy, or DuckDB) has fixed it: drop etl/warehouse/bi_dialect.py and its entry point, and
    document plain `duckdb://` in docs/analysts.md."""
    engine = sa.create_engine(_url(built_home, "duckdb"))
    failures = []
    for call in ("get_columns", "get_pk_constraint", "get_foreign_keys"):
        try:
            getattr(sa.inspect(engine), call)("chain_output", schema="marts")
        except sa.exc.DBAPIError:
            failures.append(call)
    schemas = sa.inspect(engine).get_schema_names()
    engine.dispose()
    assert failures == ["get_columns", "get_pk_constraint", "get_foreign_keys"]
    assert "marts" not in schemas

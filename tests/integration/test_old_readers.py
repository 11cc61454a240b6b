"""The published data stays readable by what BI tools bundle: the snapshot by DuckDB 1.x (the
previous major version, in an isolated environment made by uv), the Parquet files by pyarrow with
nothing of DuckDB, and the counts analysts read as 64-bit integers, never HUGEINT."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import REPO

READER = textwrap.dedent(
    """
    import json, sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    tables = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() where database_name = current_database()"
    ).fetchall()
    out = {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for (t,) in tables}
    out["comments"] = con.execute(
        "select count(*) from duckdb_columns() where database_name = current_database() and comment <> ''"
    ).fetchall()[0][0]
    out["sum_actual"] = round(con.execute("select sum(actual) from marts.indicator_progress").fetchall()[0][0], 6)
    out["version"] = duckdb.__version__
    print(json.dumps(out))
    """
)


def _uv() -> str | None:
    """uv from PATH, else the one `make` bootstraps into .tools/."""
    local = REPO / ".tools" / "bin" / "uv"
    return shutil.which("uv") or (str(local) if local.exists() else None)


def _summary(con: duckdb.DuckDBPyConnection) -> dict:
    tables = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() where database_name = current_database()"
    ).fetchall()
    out = {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for (t,) in tables}
    out["comments"] = con.execute(
        "select count(*) from duckdb_columns() where database_name = current_database() and comment <> ''"
    ).fetchall()[0][0]
    out["sum_actual"] = round(
        con.execute("select sum(actual) from marts.indicator_progress").fetchall()[0][0], 6
    )
    return out


@pytest.mark.parametrize("requirement", ["duckdb==1.0.0", "duckdb<2"])
def test_the_snapshot_opens_with_duckdb_1(requirement, built_home):
    uv = _uv()
    if uv is None:
        pytest.skip("uv is not installed: cannot make an isolated environment with DuckDB 1")
    snapshot = built_home / "published" / "statwh.duckdb"
    p = subprocess.run(
        [
            uv,
            "run",
            "--isolated",
            "--no-project",
            "--quiet",
            "--with",
            requirement,
            "python",
            "-c",
            READER,
            str(snapshot),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    unreachable = ("Failed to fetch", "Request failed", "dns error", "error sending request", "network")
    if p.returncode != 0 and "Traceback" not in p.stderr and any(u in p.stderr for u in unreachable):
        pytest.skip(f"no DuckDB 1 in uv's cache and PyPI unreachable: {p.stderr.strip()[-200:]}")
    assert p.returncode == 0, p.stderr[-2000:]
    got = json.loads(p.stdout.strip().splitlines()[-1])
    assert got.pop("version").startswith("1.")
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        assert got == _summary(con)
    finally:
        con.close()
    assert got["comments"] > 90 and got["marts.indicator_progress"] > 0


def _parquet_dir(home):
    return (home / "published" / "parquet").resolve()


def test_every_parquet_file_reads_with_pyarrow_alone(built_home):
    con = duckdb.connect(str(built_home / "published" / "statwh.duckdb"), read_only=True)
    try:
        marts = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts'"
            ).fetchall()
        ]
        for name in marts:
            table = pq.read_table(_parquet_dir(built_home) / f"{name}.parquet")
            n, cols = (
                con.execute(f"select count(*) from marts.{name}").fetchall()[0][0],
                [r[0] for r in con.execute(f"describe marts.{name}").fetchall()],
            )
            assert table.num_rows == n and table.column_names == cols, name
            wide = [f.name for f in table.schema if pa.types.is_decimal(f.type)]
            assert not wide, f"{name}: {wide} are decimals (a HUGEINT sum?): cast counts to bigint"
    finally:
        con.close()


def test_no_published_column_is_hugeint(built_home):
    con = duckdb.connect(str(built_home / "published" / "statwh.duckdb"), read_only=True)
    try:
        huge = con.execute(
            "select table_name || '.' || column_name from duckdb_columns()"
            " where database_name = current_database() and data_type in ('HUGEINT', 'UHUGEINT')"
        ).fetchall()
        counts = con.execute(
            "select data_type from duckdb_columns() where table_name = 'township_scorecard'"
            " and column_name = 'hightech_enterprises'"
        ).fetchall()
    finally:
        con.close()
    assert huge == [] and counts == [("BIGINT",)]
    table = pq.read_table(_parquet_dir(built_home) / "township_scorecard.parquet")
    assert table.schema.field("hightech_enterprises").type == pa.int64()

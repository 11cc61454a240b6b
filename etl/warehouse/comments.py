"""Descriptions as DuckDB comments: every mart table and column carries the text of its model's
YAML header (`COMMENT ON`), so that `duckdb_columns()`, `duckdb_tables()` and the BI tools that
reflect through SQLAlchemy show what a column means.

The models (`etl.warehouse.build.models()`, anything with `name`, `kind`, `description` and
`columns`) are passed in: the build calls this module, so it cannot import the build.

The build comments the marts of the warehouse (`comment_marts`); the publisher comments every
table of the snapshot (`comment_published`: the snapshot's tables are new tables, made by
`create table … as`, which keep no comment). What no model header describes — the `meta` tables
readers see and the `is_suppressed` flag the publisher adds — is described here.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from typing import Any

import duckdb

# the published `meta` tables (from etl/warehouse/connection.py's META_DDL): table and columns
META_TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "meta.loads": (
        "One row per file received: what it was read as, how it fared, when.",
        {
            "load_id": "the load's number (every value names the load that brought it)",
            "source": "source id (`statwh sources`)",
            "layout": "the layout (spec) that read the file",
            "file_name": "the file's name as received",
            "sha256": "sha256 of the file's bytes (the archive is keyed by it)",
            "status": "loaded / partial (some rows quarantined) / rejected (whole file) / duplicate",
            "rows_read": "data rows found in the file",
            "rows_loaded": "rows loaded",
            "rows_rejected": "rows quarantined or rejected",
            "received_at": "when the file arrived",
            "loaded_at": "when it was loaded: the vintage of its figures",
            "message": "why a file was rejected, or what to know about it",
        },
    ),
    "meta.rejections": (
        "Every rejected file or row: where (file, sheet, row, column), which rule, why. Cell values"
        " are not published (they may name respondents).",
        {
            "load_id": "the load (meta.loads)",
            "file_name": "the file",
            "sheet": "the sheet",
            "row_number": "the row in the sheet (1-based, as Excel shows it)",
            "column_name": "the column or field",
            "rule": "the rule that refused it",
            "severity": "critical (the whole file) or row (the row quarantined)",
            "message": "the reason, in Chinese with an English gloss",
        },
    ),
}
META_TABLES["meta.warnings"] = (
    "What loaded but deserves a look (a figure far from last period's, a 合计 that does not add up, …).",
    {**META_TABLES["meta.rejections"][1], "severity": "warning"},
)

# columns the publisher adds to the marts it copies
ADDED_COLUMNS = {
    "is_suppressed": "true where the cell's figures are withheld (统计法): too few enterprises, one or two dominant"
    " enterprises, or secondary suppression against a total",
    "suppression_rule": "why a cell is withheld: min_frequency (too few enterprises), dominance (its largest"
    " enterprises make most of it) or secondary (so that it cannot be recovered from a total); null when published",
}

_READS = re.compile(r"\b((?:marts|core|meta)\.[a-z_]+)\b")


def _quote(text: str) -> str:
    return "'" + " ".join(text.split()).replace("'", "''") + "'"


def described(name: str, models: Iterable[Any]) -> tuple[str, dict[str, str]]:
    """(table description, {column: description}) of a model or a published meta table."""
    if name in META_TABLES:
        return META_TABLES[name]
    m = next(m for m in models if m.name == name)
    added = {c: d for c, d in ADDED_COLUMNS.items() if c not in m.columns}
    return m.description, {**m.columns, **added}


def source_of(query: str) -> str:
    """The model (or meta table) a published view copies: the first marts/core/meta table it reads."""
    found = _READS.search(query)
    if not found:
        raise ValueError(f"a published view reads no marts, core or meta table: {query[:80]}")
    return found.group(1)


def _comment_table(con: duckdb.DuckDBPyConnection, qualified: str, where: tuple, texts) -> int:
    """Comment one table and its described columns where the comment differs; returns how many."""
    description, columns = texts
    held = dict(
        con.execute(
            "select column_name, comment from duckdb_columns()"
            " where database_name = ? and schema_name = ? and table_name = ?",
            list(where),
        ).fetchall()
    )
    table_comment = con.execute(
        "select comment from duckdb_tables() where database_name = ? and schema_name = ? and table_name = ?",
        list(where),
    ).fetchall()
    n = 0
    if description and table_comment and table_comment[0][0] != " ".join(description.split()):
        con.execute(f"comment on table {qualified} is {_quote(description)}")
        n += 1
    for column, old in held.items():
        text = columns.get(column)
        if text and old != " ".join(text.split()):
            con.execute(f'comment on column {qualified}."{column}" is {_quote(text)}')
            n += 1
    return n


def comment_marts(con: duckdb.DuckDBPyConnection, models: Iterable[Any]) -> int:
    """The warehouse's `marts` tables and columns get their model header's text (after a build)."""
    db = con.execute("select current_database()").fetchall()[0][0]
    n = 0
    for m in models:
        schema, table = m.name.split(".")
        if schema == "marts" and m.kind != "view":
            n += _comment_table(con, m.name, (db, schema, table), (m.description, m.columns))
    return n


@contextlib.contextmanager
def _one_transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """A transaction of its own unless the caller holds one (each comment on an attached file
    would otherwise commit, and write, on its own: ten times slower)."""
    try:
        con.execute("begin transaction")
    except duckdb.TransactionException:  # the caller's transaction
        yield
        return
    try:
        yield
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def comment_published(
    con: duckdb.DuckDBPyConnection, catalog: str, sources: dict[str, str], models: Iterable[Any]
) -> int:
    """Every table of a snapshot being written (attached as `catalog`) gets the text of what it copies
    (`sources`: name in the snapshot → the model or meta table its view copies)."""
    models = tuple(models)
    n = 0
    with _one_transaction(con):
        for name, source in sources.items():
            schema, table = name.split(".")
            texts = described(source, models)
            n += _comment_table(con, f"{catalog}.{name}", (catalog, schema, table), texts)
    return n


def uncommented(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...] = ("marts", "meta")) -> list[str]:
    """`schema.table.column` of the connection's own database with no comment (should be none)."""
    rows = con.execute(
        "select schema_name || '.' || table_name || '.' || column_name from duckdb_columns()"
        " where database_name = current_database() and list_contains(?, schema_name)"
        " and coalesce(trim(comment), '') = '' order by 1",
        [list(schemas)],
    ).fetchall()
    return [r[0] for r in rows]

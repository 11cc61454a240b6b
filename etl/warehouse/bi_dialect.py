"""A SQLAlchemy dialect for BI tools and notebooks that reflect before they query.

duckdb-engine 0.17.0 (the newest on PyPI) on SQLAlchemy 2.1 reflects through PostgreSQL's
catalog queries, which DuckDB 2.0 cannot answer: `get_columns` fails with `Referenced table
"pg_catalog.pg_collation" not found`, `get_pk_constraint` and `get_foreign_keys` with `Type with
name REGCLASS does not exist`, and `get_schema_names` answers `statwh.marts` for `marts`.
Superset, pandas' `read_sql_table` and `Table(..., autoload_with=engine)` all reflect first.

This dialect is duckdb-engine's with the reflection methods answered from DuckDB's own catalog
functions (`duckdb_schemas()`, `duckdb_tables()`, `duckdb_views()`, `duckdb_columns()`,
`duckdb_constraints()`, `duckdb_indexes()`), for the database the URL opened. It is registered
as `duckdb+statwh` (the `sqlalchemy.dialects` entry point in pyproject.toml):

    duckdb+statwh:////srv/statwh/data/published/statwh.duckdb?access_mode=read_only

The file imports nothing from statwh: copy it into another tool's environment (Superset's) and
register it there (`sqlalchemy.dialects.registry.register("duckdb.statwh", "bi_dialect",
"StatwhDuckDBDialect")` in superset_config.py). tests/integration/test_bi_reflection.py fails
when plain duckdb-engine reflects again: then this module can go.
"""

from __future__ import annotations

import re
from typing import Any

import duckdb_engine
from sqlalchemy import text
from sqlalchemy import types as sqltypes
from sqlalchemy.engine import reflection
from sqlalchemy.engine.default import DefaultDialect
from sqlalchemy.exc import NoSuchTableError

_SIMPLE_TYPES: dict[str, Any] = {
    "BOOLEAN": sqltypes.Boolean,
    "TINYINT": sqltypes.SmallInteger,
    "SMALLINT": sqltypes.SmallInteger,
    "UTINYINT": sqltypes.SmallInteger,
    "USMALLINT": sqltypes.Integer,
    "INTEGER": sqltypes.Integer,
    "UINTEGER": sqltypes.BigInteger,
    "BIGINT": sqltypes.BigInteger,
    "UBIGINT": sqltypes.Numeric,
    "HUGEINT": sqltypes.Numeric,
    "UHUGEINT": sqltypes.Numeric,
    "FLOAT": sqltypes.Float,
    "DOUBLE": sqltypes.Double,
    "VARCHAR": sqltypes.String,
    "DATE": sqltypes.Date,
    "TIME": sqltypes.Time,
    "TIMESTAMP": sqltypes.DateTime,
    "TIMESTAMP_NS": sqltypes.DateTime,
    "TIMESTAMP_MS": sqltypes.DateTime,
    "TIMESTAMP_S": sqltypes.DateTime,
    "INTERVAL": sqltypes.Interval,
    "BLOB": sqltypes.LargeBinary,
    "UUID": sqltypes.Uuid,
    "JSON": sqltypes.JSON,
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


def column_type(duckdb_type: str) -> sqltypes.TypeEngine:
    """The SQLAlchemy type of a `duckdb_columns().data_type` (NullType for nested types)."""
    t = duckdb_type.upper()
    if m := _DECIMAL.fullmatch(t):
        return sqltypes.Numeric(int(m.group(1)), int(m.group(2)))
    if t == "TIMESTAMP WITH TIME ZONE":
        return sqltypes.DateTime(timezone=True)
    if t.endswith("[]"):
        inner = column_type(t[:-2])
        return sqltypes.ARRAY(inner) if not isinstance(inner, sqltypes.NullType) else sqltypes.NullType()
    simple = _SIMPLE_TYPES.get(t)
    return simple() if simple else sqltypes.NullType()


class StatwhDuckDBDialect(duckdb_engine.Dialect):
    """duckdb-engine, with reflection read from DuckDB's catalog functions."""

    driver = "statwh"
    supports_statement_cache = False

    # the multi-table methods loop over the single-table ones (PostgreSQL's query pg_catalog)
    get_multi_columns = DefaultDialect.get_multi_columns
    get_multi_pk_constraint = DefaultDialect.get_multi_pk_constraint
    get_multi_foreign_keys = DefaultDialect.get_multi_foreign_keys
    get_multi_indexes = DefaultDialect.get_multi_indexes
    get_multi_unique_constraints = DefaultDialect.get_multi_unique_constraints
    get_multi_check_constraints = DefaultDialect.get_multi_check_constraints
    get_multi_table_comment = DefaultDialect.get_multi_table_comment
    get_multi_table_options = DefaultDialect.get_multi_table_options

    def _where(self, connection: Any, schema: str | None) -> dict[str, str]:
        """The database and schema meant: `db.schema`, or a schema of the database the URL opened."""
        database, name = self.identifier_preparer._separate(schema) if schema else (None, None)
        if database is None:
            database = connection.execute(text("select current_database()")).scalar_one()
        return {"db": database, "schema": name or "main"}

    def _rows(self, connection: Any, sql: str, params: dict[str, Any]) -> list[Any]:
        return list(connection.execute(text(sql), params))

    @reflection.cache
    def get_schema_names(self, connection: Any, **kw: Any) -> list[str]:
        sql = (
            "select schema_name from duckdb_schemas() where database_name = current_database()"
            " and (not internal or schema_name = 'main') order by schema_name"
        )
        return [r[0] for r in self._rows(connection, sql, {})]

    def _relations(self, connection: Any, kind: str, schema: str | None, temporary: bool) -> list[str]:
        """Names of the tables or views (`kind`) of a schema, or the temporary ones."""
        where = self._where(connection, schema) if not temporary else {"db": "temp", "schema": "main"}
        sql = (
            f"select {kind}_name from duckdb_{kind}s() where database_name = :db"
            " and schema_name = :schema and not internal order by 1"
        )
        return [r[0] for r in self._rows(connection, sql, where)]

    @reflection.cache
    def get_table_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        return self._relations(connection, "table", schema, temporary=False)

    @reflection.cache
    def get_view_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        return self._relations(connection, "view", schema, temporary=False)

    def get_temp_table_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        return self._relations(connection, "table", None, temporary=True)

    def get_temp_view_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        return self._relations(connection, "view", None, temporary=True)

    def get_materialized_view_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        return []  # DuckDB has none

    def has_table(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> bool:
        sql = (
            "select 1 from duckdb_columns() where database_name = :db and schema_name = :schema"
            " and table_name = :table limit 1"
        )
        return bool(self._rows(connection, sql, {**self._where(connection, schema), "table": table_name}))

    @reflection.cache
    def get_columns(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[dict]:
        sql = (
            "select column_name, data_type, is_nullable, column_default, comment from duckdb_columns()"
            " where database_name = :db and schema_name = :schema and table_name = :table order by column_index"
        )
        rows = self._rows(connection, sql, {**self._where(connection, schema), "table": table_name})
        if not rows:
            raise NoSuchTableError(f"{schema}.{table_name}" if schema else table_name)
        return [
            {
                "name": name,
                "type": column_type(data_type),
                "nullable": bool(nullable),
                "default": default,
                "autoincrement": False,
                "comment": comment or None,
            }
            for name, data_type, nullable, default, comment in rows
        ]

    def _constraints(self, connection: Any, table_name: str, schema: str | None, kind: str) -> list[Any]:
        sql = (
            "select constraint_name, constraint_column_names, referenced_table, referenced_column_names,"
            " constraint_text from duckdb_constraints() where database_name = :db and schema_name = :schema"
            " and table_name = :table and constraint_type = :kind order by constraint_index"
        )
        return self._rows(
            connection, sql, {**self._where(connection, schema), "table": table_name, "kind": kind}
        )

    @reflection.cache
    def get_pk_constraint(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> dict:
        found = self._constraints(connection, table_name, schema, "PRIMARY KEY")
        if not found:
            return {"constrained_columns": [], "name": None}
        return {"constrained_columns": list(found[0][1]), "name": found[0][0]}

    @reflection.cache
    def get_foreign_keys(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[dict]:
        return [
            {
                "name": name,
                "constrained_columns": list(columns),
                "referred_schema": schema,
                "referred_table": referred,
                "referred_columns": list(referred_columns or []),
                "options": {},
            }
            for name, columns, referred, referred_columns, _ in self._constraints(
                connection, table_name, schema, "FOREIGN KEY"
            )
        ]

    @reflection.cache
    def get_unique_constraints(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[dict]:
        found = self._constraints(connection, table_name, schema, "UNIQUE")
        return [{"name": name, "column_names": list(columns)} for name, columns, *_ in found]

    @reflection.cache
    def get_check_constraints(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[dict]:
        found = self._constraints(connection, table_name, schema, "CHECK")
        return [{"name": name, "sqltext": sqltext} for name, _, _, _, sqltext in found]

    @reflection.cache
    def get_indexes(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[dict]:
        sql = (
            "select index_name, is_unique, expressions from duckdb_indexes()"
            " where database_name = :db and schema_name = :schema and table_name = :table"
        )
        rows = self._rows(connection, sql, {**self._where(connection, schema), "table": table_name})
        return [
            {
                "name": name,
                "unique": bool(unique),
                "column_names": [e.strip('"') for e in _expressions(exprs)],
            }
            for name, unique, exprs in rows
        ]

    def get_table_options(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> dict:
        return {}

    @reflection.cache
    def get_table_comment(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> dict:
        sql = (
            "select comment from duckdb_tables() where database_name = :db and schema_name = :schema"
            " and table_name = :table union all select comment from duckdb_views()"
            " where database_name = :db and schema_name = :schema and view_name = :table"
        )
        rows = self._rows(connection, sql, {**self._where(connection, schema), "table": table_name})
        return {"text": rows[0][0] if rows and rows[0][0] else None}


def _expressions(value: Any) -> list[str]:
    """duckdb_indexes().expressions: a list, or its text `[a, b]` in older DuckDB versions."""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [v.strip() for v in str(value or "").strip("[]").split(",") if v.strip()]

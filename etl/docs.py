"""The data dictionary, generated from the SQL models' own headers (warehouse/models/**.sql)."""

from __future__ import annotations

import duckdb

from etl.warehouse.build import models


def data_dictionary() -> str:
    """Markdown: every model with its kind, grain, description and columns."""
    out = [
        "# Data dictionary",
        "",
        "Generated from the headers of `warehouse/models/**/*.sql` by `statwh docs`; do not edit by hand.",
        "Readers use the `marts` schema (the published snapshot holds the marts only).",
        "",
    ]
    order = {"marts": 0, "core": 1, "stg": 2}
    for m in sorted(models(), key=lambda m: (order.get(m.schema, 9), m.name)):
        out += [f"## `{m.name}`", "", f"*{m.kind}* — grain: {m.grain}", "", m.description, ""]
        if m.columns:
            out += ["| column | meaning |", "|---|---|"]
            out += [f"| `{c}` | {d} |" for c, d in m.columns.items()]
            out.append("")
    return "\n".join(out)


def undocumented(con: duckdb.DuckDBPyConnection, schema: str = "marts") -> list[tuple[str, str]]:
    """(model, column) pairs of a built schema whose column no model header describes."""
    missing = []
    for m in models():
        if m.schema != schema:
            continue
        cols = [
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                [schema, m.name.split(".")[1]],
            ).fetchall()
        ]
        documented = set(m.columns)
        missing += [(m.name, c) for c in cols if c not in documented and "*" not in documented]
    return missing

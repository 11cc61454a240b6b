"""Publishing: a read-only snapshot of the marts and Parquet exports, each replaced atomically.

Readers (dashboards, analysts) open `published/statwh.duckdb` read-only and never the writer's
file. Only aggregates are published: enterprise-level rows stay in the warehouse (统计法), and a
township or chain cell built from fewer than `MIN_CELL` enterprises is suppressed (null) with
`is_suppressed` saying so.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from etl.settings import Home

MIN_CELL = 3

# name in the snapshot → query over the warehouse (`{w}` is the warehouse's catalog name)
PUBLISHED: dict[str, str] = {
    "marts.indicator_progress": "select * from {w}.marts.indicator_progress",
    "marts.indicator_values": "select * from {w}.marts.indicator_values",
    "marts.township_scorecard": f"""
        select * replace (
            case when n_enterprises < {MIN_CELL} then null else output_ytd end as output_ytd,
            case when n_enterprises < {MIN_CELL} then null else above_scale_enterprises end as above_scale_enterprises
        ), n_enterprises between 1 and {MIN_CELL - 1} as is_suppressed
        from {{w}}.marts.township_scorecard""",
    "marts.chain_output": f"""
        select * replace (
            case when n_enterprises < {MIN_CELL} then null else output_ytd end as output_ytd,
            case when n_enterprises < {MIN_CELL} then null else progress_pct end as progress_pct
        ), n_enterprises between 1 and {MIN_CELL - 1} as is_suppressed
        from {{w}}.marts.chain_output""",
    "marts.source_freshness": "select * from {w}.marts.source_freshness",
    "marts.dim_indicator": "select * from {w}.core.dim_indicator",
    "meta.loads": """select load_id, source, layout, file_name, sha256, status, rows_read, rows_loaded,
        rows_rejected, received_at, loaded_at, message from {w}.meta.loads""",
    # what was refused and why, without the cell values (they may name respondents)
    "meta.rejections": """select load_id, file_name, sheet, row_number, column_name, rule, severity, message
        from {w}.meta.rejections""",
    "meta.warnings": """select load_id, file_name, sheet, row_number, column_name, rule, severity, message
        from {w}.meta.warnings""",
}


def publish(con: duckdb.DuckDBPyConnection, home: Home) -> dict[str, Path]:
    """Write the snapshot and the Parquet files aside, then rename them into place."""
    home.published.mkdir(parents=True, exist_ok=True)
    home.parquet.mkdir(parents=True, exist_ok=True)
    tmp = home.published / f".statwh.{os.getpid()}.duckdb.tmp"
    tmp.unlink(missing_ok=True)
    main = '"' + con.execute("select current_database()").fetchall()[0][0].replace('"', '""') + '"'
    # the writer's own connection reads the warehouse; the snapshot is a new file
    con.execute(f"attach '{_sql_path(tmp)}' as snap")
    try:
        con.execute("use snap")
        con.execute("create schema if not exists marts")
        con.execute("create schema if not exists meta")
        for name, query in PUBLISHED.items():
            con.execute(f"create table snap.{name} as {query.format(w=main)}")
    finally:
        con.execute(f"use {main}")
        con.execute("detach snap")
    written: dict[str, Path] = {}
    for name in PUBLISHED:
        if not name.startswith("marts."):
            continue
        out = home.parquet / f"{name.split('.', 1)[1]}.parquet"
        part = out.with_suffix(".parquet.tmp")
        query = PUBLISHED[name].format(w=main)
        con.execute(f"copy ({query}) to '{_sql_path(part)}' (format parquet)")
        os.replace(part, out)
        written[name] = out
    tmp.chmod(0o444)
    os.replace(tmp, home.snapshot)
    wal = tmp.with_name(tmp.name + ".wal")
    wal.unlink(missing_ok=True)
    written["snapshot"] = home.snapshot
    return written


def _sql_path(p: Path) -> str:
    return str(p).replace("'", "''")

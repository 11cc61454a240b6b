"""Golden tests for the marts: small input rows → expected output rows, on an in-memory DuckDB.

Each case in tests/golden/*.yaml names its loads, the raw rows each load brought (and, optionally,
`load_columns`: the column letter each sheet's field was read from), and the rows
a mart must then hold (a `where`, an `order_by`, the columns compared, and optionally `round`).
`judged_on` is the date progress and freshness are judged at (`statwh indicators --on`); without it, the
date of the case's last load.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from etl.base.datasets import DATASETS, LINEAGE
from etl.warehouse.build import build, models
from etl.warehouse.connection import META_DDL, raw_ddl
from etl.warehouse.load import slice_keys

CASES = sorted(Path(__file__).parent.glob("*.yaml"))


def load_case(con: duckdb.DuckDBPyConnection, case: dict) -> None:
    con.execute(META_DDL)
    con.execute(raw_ddl())
    when = {}
    for ld in case["loads"]:
        when[ld["load_id"]] = ld["loaded_at"]
        con.execute(
            "insert into meta.loads (load_id, source, dataset, file_name, sha256, status, rows_read, rows_loaded,"
            " received_at, loaded_at) values (?, ?, ?, ?, ?, 'loaded', 0, 0, ?, ?)",
            [
                ld["load_id"],
                ld["source"],
                ld["dataset"],
                f"{ld['source']}_{ld['load_id']}.xlsx",
                f"sha{ld['load_id']}",
                ld["loaded_at"],
                ld["loaded_at"],
            ],
        )
    for dataset, rows in case["raw"].items():
        ds = DATASETS[dataset]
        frame = pd.DataFrame(rows)
        for col in list(ds.columns) + list(LINEAGE):
            if col not in frame:
                frame[col] = None
        frame["slice_key"] = slice_keys(dataset, frame)
        con.register("_rows", frame)
        con.execute(f"insert into raw.{dataset} by name select * from _rows")
        slices = frame[["load_id", "slice_key"]].drop_duplicates()
        slices["dataset"] = dataset
        slices["loaded_at"] = slices["load_id"].map(when)
        con.register("_slices", slices)
        con.execute("insert into meta.slices by name select * from _slices")
    # the columns each load's sheets were read from (lineage: the source_cell's column letter)
    if case.get("load_columns"):
        con.register("_columns", pd.DataFrame(case["load_columns"]))
        con.execute("insert into meta.load_columns by name select * from _columns")


def normalise(v, digits):
    if isinstance(v, float) and digits is not None:
        return round(v, digits)
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=None)
    return v


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden(path):
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    con = duckdb.connect()
    load_case(con, case)
    on = case.get("judged_on") or max(pd.Timestamp(ld["loaded_at"]) for ld in case["loads"]).date()
    con.execute("set variable on_date = ?::date", [str(on)])
    build(con)
    for table, exp in case["expect"].items():
        cols = ", ".join(exp["columns"])
        sql = f"select {cols} from {table}"
        if exp.get("where"):
            sql += f" where {exp['where']}"
        sql += f" order by {exp.get('order_by', cols)}"
        got = [[normalise(v, exp.get("round")) for v in r] for r in con.execute(sql).fetchall()]
        want = [[normalise(v, exp.get("round")) for v in r] for r in exp["rows"]]
        want = [
            [
                str(v) if isinstance(g, str) and not isinstance(v, str) and v is not None else v
                for g, v in zip(gr, wr, strict=True)
            ]
            for gr, wr in zip(got, want, strict=False)
        ] + want[len(got) :]
        assert got == want, f"{path.name}: {table}"


def test_every_mart_has_a_golden_case():
    marts = {m.name for m in models() if m.schema == "marts"}
    covered = set()
    for p in CASES:
        covered |= set(yaml.safe_load(p.read_text(encoding="utf-8"))["expect"])
    assert marts <= covered, f"marts without a golden case: {sorted(marts - covered)}"

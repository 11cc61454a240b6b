"""Progress judged at another day from the published snapshot (`statwh indicators --on DATE`).

The snapshot is judged at the day of its build. Judging it at another day re-runs the query of
marts.indicator_progress over what the snapshot publishes, read only and without the writer's
lock (a reader never waits for a run, and never opens the writer's file): an in-memory database
attaches the snapshot read-only and stands in for the tables the query reads —

- `marts.indicator_values`, `meta.loads`: the snapshot's own (the published values);
- `ref.indicators`, `ref.plan`: from the catalog (`warehouse/catalog/`), as every build writes them;
- `stg.stg_targets__targets`: each indicator's target and deadline as the snapshot's
  indicator_progress shows them, with the time the target became known (a row's `as_of` that is
  later than its value's vintage, or a no_data row's `as_of`);
- `published.int_suppressed_chain_cells`: the cells the snapshot withholds (`is_suppressed`);
- `marts.chain_output`: the snapshot's (how many 规上 enterprises a chain's output leaves out; 0
  from a snapshot published before it said so).

Then `published.indicator_progress` is applied as at publishing. A withheld cell's figure is not
in the snapshot, so its row shows no figure (as published), and its status is the snapshot's,
judged on the snapshot's day (its `judged_on` says so).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from etl.reference import catalog
from etl.warehouse.build import indicators_frame, plan_frame, progress_as_of

_STAND_INS = """
create schema marts;
create schema meta;
create schema stg;
create schema published;
create view marts.indicator_values as select * exclude (is_suppressed) from snap.marts.indicator_values;
create view meta.loads as select * from snap.meta.loads;
create table published.int_suppressed_chain_cells as
    select distinct indicator_id, period from snap.marts.indicator_values where is_suppressed
    union
    select distinct indicator_id, period from snap.marts.indicator_progress where is_suppressed;
create table stg.stg_targets__targets as
    with v as (
        select indicator_id, period, basis, vintage from snap.marts.indicator_values
        where is_latest and region_code = $district
    )
    select
        p.indicator_id,
        any_value(p.target) as target,
        any_value(p.target_period_end) as deadline,
        coalesce(
            max(p.as_of) filter (where p.period is null),
            max(p.as_of) filter (where p.as_of > v.vintage)
        ) as vintage
    from snap.marts.indicator_progress as p
    left join v using (indicator_id, period, basis)
    group by p.indicator_id;
"""


def progress_on(snapshot: Path, on: dt.date) -> pd.DataFrame:
    """The snapshot's indicator_progress as it is judged at `on` (see the module's note)."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{_sql_path(snapshot)}' as snap (read_only)")
        district = catalog.plan()["district"]["code"]
        for stmt in filter(str.strip, _STAND_INS.split(";")):
            con.execute(stmt.replace("$district", "?"), [district] if "$district" in stmt else [])
        con.execute(_chain_output_stand_in(con))
        con.execute("create schema ref")
        for name, frame in (("indicators", indicators_frame()), ("plan", plan_frame())):
            con.register("_ref", frame)
            con.execute(f"create table ref.{name} as select * from _ref")
            con.unregister("_ref")
        df = progress_as_of(con, None, on, published=True)
        return _withheld_as_published(con, df, on)
    finally:
        con.close()


def _chain_output_stand_in(con: duckdb.DuckDBPyConnection) -> str:
    """marts.chain_output's counts of 规上 enterprises left out of a chain's output, from the
    snapshot (none from one published before the snapshot held them)."""
    has = con.execute(
        "select count(*) from duckdb_columns() where database_name = 'snap' and schema_name = 'marts'"
        " and table_name = 'chain_output' and column_name = 'n_without_output'"
    ).fetchone()[0]
    n = "n_without_output" if has else "0"
    return f"create view marts.chain_output as select indicator_id, period, {n} as n_without_output from snap.marts.chain_output"


def _withheld_as_published(con: duckdb.DuckDBPyConnection, df: pd.DataFrame, on: dt.date) -> pd.DataFrame:
    """A withheld cell's row as the snapshot has it (its figures are not there to judge again)."""
    if not df["is_suppressed"].fillna(False).any():
        return df
    snap = con.execute(
        "select * from snap.marts.indicator_progress where is_suppressed and period_end <= ?", [on]
    ).df()
    keep = df[~df["is_suppressed"].fillna(False).astype(bool)]
    out = pd.concat([keep, snap[df.columns]], ignore_index=True)
    return out.sort_values(["indicator_id", "period_end"], na_position="last").reset_index(drop=True)


def _sql_path(p: Path) -> str:
    return str(p).replace("'", "''")

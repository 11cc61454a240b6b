"""Run the demo end to end in a fresh data area and write every core and marts table as CSV.

Rows are sorted and load timestamps left out, so two runs of the same code give the same files: run
it before and after a change that should not change any figure, then compare the two folders.

    python scripts/dump_marts.py /tmp/before
    … change the code …
    python scripts/dump_marts.py /tmp/after && diff -r /tmp/before /tmp/after
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

# when each row was loaded or judged: different on every run, not a figure
TIMESTAMPS = {
    "as_of",
    "last_loaded_at",
    "last_received_at",
    "loaded_at",
    "received_at",
    "superseded_at",
    "valid_from",
    "valid_to",
    "vintage",
}
TABLES = """
    select schema_name, table_name from duckdb_tables() where schema_name in ('core', 'marts')
    union all
    select schema_name, view_name from duckdb_views()
    where schema_name in ('core', 'marts') and not internal
    order by 1, 2
"""


def dump(out: Path) -> list[str]:
    """Run the demo in a temporary data area; write `<schema>.<table>.csv` into `out` for each table."""
    import duckdb

    from etl.cli import main

    out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="statwh-dump-"))
    os.environ["STATWH_HOME"] = str(home)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    try:
        if main(["run", "--demo-if-empty"]) != 0:
            raise SystemExit("the demo run did not load every file")
        con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
        written = []
        for schema, table in con.execute(TABLES).fetchall():
            df = con.execute(f'select * from "{schema}"."{table}"').df()
            df = df.drop(columns=[c for c in df.columns if c in TIMESTAMPS]).astype(str)
            df = df.sort_values(list(df.columns)).reset_index(drop=True)
            df.to_csv(out / f"{schema}.{table}.csv", index=False)
            written.append(f"{schema}.{table}: {len(df)} rows")
        con.close()
        return written
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    for line in dump(Path(sys.argv[1])):
        print(line)

"""The floor of a whole inbox: `python -m bench.floor_inbox INBOX DB`, timed as a whole process.

Reads every sheet of every spreadsheet under INBOX with fastexcel (every cell as it is typed, no
header, the least any reader can do) and every CSV with the csv module
(decoded as UTF-8, else GB18030; every cell as text),
and inserts each into its own table of a new DuckDB file DB. Imports are included: the benchmark
(`bench.whole`) times the process from its start to its exit. Prints the tables and rows inserted.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import duckdb
import fastexcel
import pyarrow as pa

SPREADSHEETS = {".xlsx", ".xlsm", ".xls"}


def csv_table(path: Path):
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    rows = list(csv.reader(io.StringIO(text)))  # ragged (title lines above the header): as text
    width = max((len(r) for r in rows), default=0)
    return pa.table({f"c{j}": [r[j] if j < len(r) else None for r in rows] for j in range(width)})


def sheets(path: Path):
    """(name, Arrow table) of every sheet of `path`."""
    if path.suffix.lower() == ".csv":
        yield path.stem, csv_table(path)
        return
    reader = fastexcel.read_excel(str(path))
    for i, name in enumerate(reader.sheet_names):
        yield name, reader.load_sheet(i, header_row=None).to_arrow()


def main(argv: list[str]) -> int:
    inbox, db = Path(argv[0]), Path(argv[1])
    con = duckdb.connect(str(db))
    tables = rows = 0
    for path in sorted(p for p in inbox.rglob("*") if p.is_file()):
        if path.suffix.lower() not in SPREADSHEETS | {".csv"}:
            continue
        for _name, table in sheets(path):
            con.register("_t", table)
            con.execute(f"create table t{tables} as select * from _t")
            con.unregister("_t")
            tables += 1
            rows += table.num_rows
    con.close()
    print(f"{tables} tables, {rows} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

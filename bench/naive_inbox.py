"""The naive peer of a whole inbox: `python -m bench.naive_inbox INBOX DB`, timed as a whole process.

What a tutorial does with a folder of departmental files: every sheet read with
`pandas.read_excel(engine="openpyxl")` (CSV: `pandas.read_csv`, UTF-8 else GB18030), validated with a
two-expectation great_expectations suite (the table has rows; the first column is not null, at
least half of it) in an ephemeral context, and written with `DataFrame.to_sql` through SQLAlchemy +
duckdb-engine into its own table of DB. Imports are included (`bench.whole` times the process).
Prints the tables, rows and failed validations.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx  # noqa: E402
import pandas as pd  # noqa: E402
import sqlalchemy  # noqa: E402

SPREADSHEETS = {".xlsx", ".xlsm"}


def frames(path: Path):
    """Every sheet of `path` as a DataFrame (the first row as the header, as pandas reads it)."""
    if path.suffix.lower() == ".csv":
        try:
            yield path.stem, pd.read_csv(path, encoding="utf-8", on_bad_lines="skip")
        except UnicodeDecodeError:
            yield path.stem, pd.read_csv(path, encoding="gb18030", on_bad_lines="skip")
        return
    yield from pd.read_excel(path, engine="openpyxl", sheet_name=None).items()


def suite_for(ctx, name: str, first_column: str):
    suite = ctx.suites.add(gx.ExpectationSuite(name=name))
    suite.add_expectation(gx.expectations.ExpectTableRowCountToBeBetween(min_value=1))
    suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column=first_column, mostly=0.5))
    return suite


def main(argv: list[str]) -> int:
    inbox, db = Path(argv[0]), Path(argv[1])
    ctx = gx.get_context(mode="ephemeral")
    source = ctx.data_sources.add_pandas("inbox")
    engine = sqlalchemy.create_engine(f"duckdb:///{db}")
    tables = rows = failed = 0
    for path in sorted(p for p in inbox.rglob("*") if p.is_file()):
        if path.suffix.lower() not in SPREADSHEETS | {".csv"}:
            continue
        for _sheet, df in frames(path):
            name = f"t{tables}"
            df.columns = [str(c) for c in df.columns]
            batch_def = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
            batch = batch_def.get_batch(batch_parameters={"dataframe": df})
            failed += not batch.validate(suite_for(ctx, name, df.columns[0])).success
            df.to_sql(name, engine, if_exists="replace", index=False)
            tables += 1
            rows += len(df)
    engine.dispose()
    print(f"{tables} tables, {rows} rows, {failed} failed validations")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

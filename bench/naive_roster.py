"""The naive stack on one roster as a whole process: `python -m bench.naive_roster ROSTER DB`.

The same steps as the naive configuration of `bench.worker` (read_excel with openpyxl, the hand
tidy, the same great_expectations suite, `to_sql` through duckdb-engine), imports included, no
warm-up: what a user of that stack waits for (`bench.whole` times the process).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def main(argv: list[str]) -> int:
    import sqlalchemy

    from bench.worker import naive_frame, naive_tidy
    from etl.validate.suites import validate

    path, db = Path(argv[0]), Path(argv[1])
    df, towns = naive_frame(path)
    df = naive_tidy(df, path, towns)
    outcome = validate("enterprise_periods", df)
    engine = sqlalchemy.create_engine(f"duckdb:///{db}")
    df.to_sql("enterprise_periods", engine, if_exists="append", index=False)
    engine.dispose()
    print(f"{len(df)} rows, {len(outcome.issues)} issues")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

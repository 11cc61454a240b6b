"""The same bytes sent again under a name that states another period (the 1-3月 roster sent as
1-6月) had been a `duplicate`, exit 0: the half-year the name promises was missing without a
word. Now it is rejected, naming both files and periods; the same bytes under a name of the same
period are still a duplicate, and a restore makes the same decisions."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.conftest import query, run_cli
from tests.hostile.corpus import ROSTER_HEADER, roster_rows


def roster(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([[*ROSTER_HEADER, "是否规上"], *[r + ["是"] for r in roster_rows(6)]])
    return path


def loads(home: Path) -> list[tuple]:
    return query(home / "warehouse.duckdb", "select file_name, status from meta.loads order by load_id")


def test_same_bytes_named_for_another_period_are_rejected(tmp_path, home, capsys):
    march = roster(tmp_path / "规上工业企业_2025年1-3月.csv")
    assert run_cli("ingest", "enterprises", str(march)) == 0
    june = tmp_path / "规上工业企业_2025年1-6月.csv"
    june.write_bytes(march.read_bytes())
    capsys.readouterr()
    assert run_cli("ingest", "enterprises", str(june)) == 1
    out = capsys.readouterr()
    assert "规上工业企业_2025年1-3月.csv" in out.out + out.err and "2025年1-6月" in out.out + out.err
    (rule, value) = query(
        home / "warehouse.duckdb", "select rule, value from meta.rejections where file_name like '%1-6月%'"
    )[0]
    assert (rule, value) == ("duplicate_other_period", june.name)
    # the same bytes under a name of the same period: a duplicate, as before
    again = tmp_path / "规上工业企业_2025年1-3月（重报）.csv"
    again.write_bytes(march.read_bytes())
    assert run_cli("ingest", "enterprises", str(again)) == 0
    want = [(march.name, "loaded"), (june.name, "rejected"), (again.name, "duplicate")]
    assert loads(home) == want
    assert query(home / "warehouse.duckdb", "select distinct period from raw.enterprise_periods") == [
        ("2025-03",)
    ]
    # restore replays the journal: the same three decisions
    (home / "warehouse.duckdb").unlink()
    assert run_cli("restore") == 1  # the journal's rejection, made again
    assert loads(home) == want

"""小升规 from rosters without a 入库类型 column (INDICATORS.md: "entry type 小升规 where given;
else first appearance after the baseline roster"). Such rosters had counted none — 0 published,
without a word. Now an enterprise first 规上 after the baseline roster counts (a warning says so
at load: 新建投产 cannot be told apart there), the cells are named and read back by `explain`;
without the baseline roster there is no value, and progress says why."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.conftest import query, run_cli
from tests.hostile.corpus import ROSTER_HEADER, roster_rows


def roster(path: Path, n: int, above: list[str], entry: list[str] | None = None) -> Path:
    header = [*ROSTER_HEADER, "是否规上"] + (["入库类型"] if entry is not None else [])
    rows = [r + [above[i]] + ([entry[i]] if entry is not None else []) for i, r in enumerate(roster_rows(n))]
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def counts(home: Path) -> list[tuple]:
    return query(
        home / "warehouse.duckdb",
        "select period, value from marts.indicator_values where indicator_id = 'small_to_above_scale'"
        " and is_latest order by period",
    )


def test_first_appearance_after_the_baseline_roster_counts(tmp_path, home, capsys):
    # the baseline roster (2023-12): enterprises 0–2 规上, 3–5 规下
    base = roster(tmp_path / "工业企业名录_2023年12月.csv", 6, ["是"] * 3 + ["否"] * 3)
    assert run_cli("ingest", "enterprises", str(base)) == 0
    # no 入库类型 column: 3–5 (规下 at the baseline) and 6 (new) are first 规上 now
    march = roster(tmp_path / "工业企业名录_2024年1-3月.csv", 7, ["是"] * 7)
    assert run_cli("ingest", "enterprises", str(march)) == 0
    assert counts(home) == [("2024-03", 4.0)]
    (msg,) = query(
        home / "warehouse.duckdb",
        "select w.message from meta.warnings as w join meta.loads as l using (load_id)"
        " where w.column_name = 'entry_type' and l.file_name like '%1-3月%'",
    )[0]
    assert "small_to_above_scale" in msg and "首次规上" in msg
    # with the column: 7 小升规 counts, 8 新建投产 does not
    june = roster(tmp_path / "工业企业名录_2024年1-6月.csv", 9, ["是"] * 9, [""] * 7 + ["小升规", "新建投产"])
    assert run_cli("ingest", "enterprises", str(june)) == 0
    assert counts(home) == [("2024-03", 4.0), ("2024-06", 5.0)]
    capsys.readouterr()
    # each counted enterprise's cell, read again from the archived files, gives the same 5
    assert run_cli("explain", "small_to_above_scale", "2024-06", "--format", "json") == 0
    [e] = json.loads(capsys.readouterr().out)
    assert e["operation"] == "count_first_time" and e["inputs"] == 5 and e["match"], e


def test_without_the_baseline_roster_there_is_no_value_and_progress_says_why(tmp_path, home, capsys):
    march = roster(tmp_path / "工业企业名录_2024年1-3月.csv", 6, ["是"] * 6)
    assert run_cli("ingest", "enterprises", str(march)) == 0
    assert counts(home) == []  # had been 0
    capsys.readouterr()
    assert run_cli("indicators", "--format", "json") == 0
    row = {r["indicator_id"]: r for r in json.loads(capsys.readouterr().out)}["small_to_above_scale"]
    assert row["status"] == "no_data" and "未载入基期名录" in row["status_reason"]

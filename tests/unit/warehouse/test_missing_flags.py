"""A roster without a flag's column (上市, 专精特新, 50强) had published 0 for that count — the
listed companies fell from 2 to 0 between two rosters — without a word. The count now gets no
value from such a roster (the latest is the last roster's that had the column), a warning says
so, and an indicator no roster gave says why it has no data. A column there but blank is 0."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.conftest import query, run_cli
from tests.hostile.corpus import ROSTER_HEADER, roster_rows


def roster(path: Path, listed: list | None) -> Path:
    header = [*ROSTER_HEADER, "是否规上"] + (["是否上市"] if listed is not None else [])
    rows = [r + ["是"] + ([listed[i]] if listed is not None else []) for i, r in enumerate(roster_rows(6))]
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def listed(home: Path) -> list[tuple]:
    return query(
        home / "warehouse.duckdb",
        "select period, value from marts.indicator_values where indicator_id = 'listed_companies'"
        " and is_latest order by period",
    )


def test_a_roster_without_the_flag_column_gives_no_count_not_zero(tmp_path, home, capsys):
    assert (
        run_cli(
            "ingest",
            "enterprises",
            str(roster(tmp_path / "规上工业企业_2025年1-3月.csv", ["是", "是"] + [""] * 4)),
        )
        == 0
    )
    assert run_cli("ingest", "enterprises", str(roster(tmp_path / "规上工业企业_2025年1-6月.csv", None))) == 0
    assert listed(home) == [("2025-03", 2.0)]  # had been 2025-06 = 0
    (msg,) = query(
        home / "warehouse.duckdb", "select message from meta.warnings where column_name = 'is_listed'"
    )[0]
    assert "listed_companies" in msg and "不按 0 计" in msg
    capsys.readouterr()
    assert run_cli("indicators", "--format", "json") == 0
    rows = {r["indicator_id"]: r for r in json.loads(capsys.readouterr().out)}
    assert (rows["listed_companies"]["period"], rows["listed_companies"]["actual"]) == ("2025-03", 2.0)
    assert rows["top50_enterprises"]["status"] == "no_data"
    assert "没有该标志列" in rows["top50_enterprises"]["status_reason"]


def test_a_flag_column_left_blank_counts_none_flagged(tmp_path, home):
    assert (
        run_cli("ingest", "enterprises", str(roster(tmp_path / "规上工业企业_2025年1-6月.csv", [""] * 6)))
        == 0
    )
    assert listed(home) == [("2025-06", 0.0)]


def test_the_ladders_rungs_and_the_boards_are_flags_of_their_own_columns(tmp_path, home):
    """A 专精特新 column writing the ladder's rungs (省级, 国家级小巨人) and a 上市 column naming
    boards (主板上市, 科创板) had been warnings, the enterprises out of the counts; 创新型中小企业
    (the rung below), 新三板 (挂牌, not 上市) and 拟上市 count none."""
    header = [*ROSTER_HEADER, "是否规上", "专精特新", "上市情况"]
    srdi = ["省级", "国家级小巨人", "创新型中小企业", "省级专精特新", "", "否"]
    boards = ["主板上市", "科创板", "新三板", "拟上市", "", "是"]
    rows = [r + ["是", srdi[i], boards[i]] for i, r in enumerate(roster_rows(6))]
    path = tmp_path / "规上工业企业_2025年1-6月.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    assert run_cli("ingest", "enterprises", str(path)) == 0
    got = dict(
        query(
            home / "warehouse.duckdb",
            "select indicator_id, value from marts.indicator_values where is_latest"
            " and indicator_id in ('srdi_smes', 'listed_companies') and period = '2025-06'",
        )
    )
    assert got == {"srdi_smes": 3.0, "listed_companies": 3.0}
    assert not query(
        home / "warehouse.duckdb", "select * from meta.warnings where rule = 'not_in_vocabulary'"
    )

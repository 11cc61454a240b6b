"""A file's rows for a period replace that period's rows: a stray row of another period, or a
resend of a few corrected enterprises, had replaced a whole period with those few rows (its
figures fell without a word). Such rows are now turned away, naming the load they would replace."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.conftest import query, run_cli
from tests.hostile.corpus import ROSTER_HEADER, roster_rows


def roster(path: Path, rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([[*ROSTER_HEADER, "统计期"], *rows])
    return path


def periods(home: Path) -> dict[str, int]:
    db = home / "warehouse.duckdb"
    return dict(query(db, "select period, count(*) from stg.stg_enterprises__periods group by 1"))


def rejected(home: Path) -> list[tuple]:
    return query(
        home / "warehouse.duckdb", "select rule, row_number, column_name from meta.rejections order by 2"
    )


def test_a_stray_row_of_a_loaded_period_is_turned_away_not_the_period_replaced(tmp_path, home):
    rows = roster_rows(6)
    assert (
        run_cli("ingest", "enterprises", str(roster(tmp_path / "a.csv", [r + ["2024年1-6月"] for r in rows])))
        == 0
    )
    this_year = [r + ["2025年1-6月"] for r in rows]
    this_year[5][-1] = "2024年1-6月"  # last year's period left in one row
    assert run_cli("ingest", "enterprises", str(roster(tmp_path / "b.csv", this_year))) == 1  # partial
    assert periods(home) == {"2024-06": 6, "2025-06": 5}
    # the file's own rows tell it first: one row of a period beside five of another
    assert rejected(home) == [("expect_column_values_to_not_be_a_stray_period", 7, "统计期 (I)")]
    (msg,) = query(home / "warehouse.duckdb", "select message from meta.rejections")[0]
    assert "本文件中 2024-06 只有 1 行，2025-06 有 5 行" in msg


def test_a_period_a_file_holds_in_part_does_not_replace_the_loaded_one(tmp_path, home):
    """Two periods in a file, the second with half the first's rows (not stray within the
    file), the second loaded before with far more: those rows are turned away, naming the load."""
    rows = [r + ["2024年1-6月"] for r in roster_rows(12)]
    assert run_cli("ingest", "enterprises", str(roster(tmp_path / "a.csv", rows))) == 0
    both = [r + ["2025年1-6月"] for r in roster_rows(6)] + [r[:] for r in rows[:3]]
    for r in both[6:]:
        r[6] += 1
    assert run_cli("ingest", "enterprises", str(roster(tmp_path / "b.csv", both))) == 1
    assert periods(home) == {"2024-06": 12, "2025-06": 6}
    assert rejected(home) == [("replaces_more_rows", r, "统计期 (I)") for r in (8, 9, 10)]
    (msg,) = query(home / "warehouse.duckdb", "select message from meta.rejections")[0]
    assert "只有3行，将替换已入库的12行" in msg and "a.csv" in msg


def test_a_resend_of_a_few_rows_is_turned_away_and_a_complete_one_replaces(tmp_path, home):
    rows = [r + ["2025年1-6月"] for r in roster_rows(6)]
    assert run_cli("ingest", "enterprises", str(roster(tmp_path / "a.csv", rows))) == 0
    few = [r[:] for r in rows[:2]]
    few[0][6] += 1  # the two corrected enterprises alone
    assert run_cli("ingest", "enterprises", str(roster(tmp_path / "b.csv", few))) == 1
    assert periods(home) == {"2025-06": 6}
    assert [r[0] for r in rejected(home)] == ["replaces_more_rows"] * 2
    # half of them or more: a revision that drops enterprises, taken as sent
    assert run_cli("ingest", "enterprises", str(roster(tmp_path / "c.csv", rows[:3]))) == 0
    assert periods(home) == {"2025-06": 3}
    # a complete file replaces as before (not the first one's bytes again: that is a duplicate)
    rows[5][6] += 1
    assert run_cli("ingest", "enterprises", str(roster(tmp_path / "d.csv", rows))) == 0
    assert periods(home) == {"2025-06": 6}


def test_a_period_held_with_fewer_rows_than_the_minimum_is_replaced(tmp_path, home):
    rows = [r + ["2025年1-6月"] for r in roster_rows(2)]
    assert run_cli("ingest", "enterprises", str(roster(tmp_path / "a.csv", rows))) == 0
    assert run_cli("ingest", "enterprises", str(roster(tmp_path / "b.csv", rows[:1]))) == 0
    assert periods(home) == {"2025-06": 1}


def test_the_share_is_a_setting_and_zero_lets_any_file_replace(tmp_path, home, monkeypatch):
    rows = [r + ["2025年1-6月"] for r in roster_rows(6)]
    assert run_cli("ingest", "enterprises", str(roster(tmp_path / "a.csv", rows))) == 0
    monkeypatch.setenv("STATWH_MIN_SLICE_SHARE", "0")
    assert run_cli("ingest", "enterprises", str(roster(tmp_path / "b.csv", rows[:1]))) == 0
    assert periods(home) == {"2025-06": 1}


def test_a_share_above_one_is_refused_at_start(monkeypatch):
    import pytest

    from etl.base.settings import SettingsError, check

    monkeypatch.setenv("STATWH_MIN_SLICE_SHARE", "2")
    with pytest.raises(SettingsError, match="STATWH_MIN_SLICE_SHARE"):
        check()


def test_a_roster_whose_every_period_is_unreadable_is_quarantined_without_a_traceback(tmp_path, home, caplog):
    """Every 统计期 unreadable (`本期`, `25-06`): the history checks met a column of no type and
    raised (a traceback on stderr, the checks lost); now the rows are quarantined, each saying why."""
    rows = [r + ["25-06"] for r in roster_rows(6)]
    assert run_cli("ingest", "enterprises", str(roster(tmp_path / "a.csv", rows))) == 1
    assert not [r for r in caplog.records if r.levelname == "ERROR"], [r.getMessage() for r in caplog.records]
    assert periods(home) == {}
    assert rejected(home) == [("parse_period", r, "统计期 (I)") for r in range(2, 8)]


def test_another_part_of_a_loaded_period_is_turned_away_not_loaded_over_it(tmp_path, home):
    """Another township's roster of the same month (or the 规下 enterprises, a second batch): as
    many rows as the loaded ones, none of the same enterprises. A period is replaced whole, so it
    had replaced the first part without a word (12 enterprises → 6)."""
    rows = [r + ["2025年1-6月"] for r in roster_rows(12)]
    assert run_cli("ingest", "enterprises", str(roster(tmp_path / "a.csv", rows[:6]))) == 0
    assert run_cli("ingest", "enterprises", str(roster(tmp_path / "b.csv", rows[6:]))) == 1
    assert periods(home) == {"2025-06": 6}
    assert [r[0] for r in rejected(home)] == ["replaces_other_rows"] * 6
    (msg,) = query(home / "warehouse.duckdb", "select message from meta.rejections")[0]
    assert "只有0行是相同的企业" in msg and "a.csv" in msg
    # the two parts as one file replace it; a revision of the same enterprises does too
    assert run_cli("ingest", "enterprises", str(roster(tmp_path / "c.csv", rows))) == 0
    assert periods(home) == {"2025-06": 12}
    revised = [r[:] for r in rows[:10]]
    revised[0][6] += 1
    assert run_cli("ingest", "enterprises", str(roster(tmp_path / "d.csv", revised))) == 0
    assert periods(home) == {"2025-06": 10}


def test_a_second_batch_of_certificates_is_turned_away(tmp_path, home):
    header = ["序号", "企业名称", "证书编号", "发证日期", "所在镇（街道）"]

    def batch(path, first):
        lines = [header] + [
            [i + 1, f"淮安测试{first + i}号科技有限公司", f"GR2024320{first + i:05d}", "2024-12-05", "车桥镇"]
            for i in range(5)
        ]
        path.write_text("\n".join(",".join(map(str, x)) for x in lines) + "\n", encoding="utf-8")
        return str(path)

    assert run_cli("ingest", "hightech", batch(tmp_path / "2024年第一批高新技术企业名单.csv", 1)) == 0
    assert run_cli("ingest", "hightech", batch(tmp_path / "2024年第二批高新技术企业名单.csv", 101)) == 1
    assert {r[0] for r in rejected(home)} == {"replaces_other_rows"}
    (n,) = query(
        home / "warehouse.duckdb",
        "select count(*) from core.int_current_slices s join raw.hightech_certs r using (load_id, slice_key) where s.dataset = 'hightech_certs'",
    )[0]
    assert n == 5

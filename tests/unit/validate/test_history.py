"""Checks against what the warehouse already holds (the `history` suite), and the quarantine flow."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from etl.read import read_workbook
from tests.conftest import REPO, query, run_cli

SUITE = REPO / "expectations" / "history.json"


def history_frame(**cols) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    return pd.DataFrame({**cols, "_sheet": ["S"] * n, "_row": list(range(2, 2 + n)), "_col": [None] * n})


def test_every_history_expectation_has_cases():
    types = {e["type"] for e in json.loads(SUITE.read_text(encoding="utf-8"))["expectations"]}
    assert types == {
        "expect_column_pair_values_to_be_within_a_factor",
        "expect_column_pair_values_to_be_equal",
    }


@pytest.mark.parametrize(
    ("value", "previous", "fails"),
    [
        (950.0, 100.0, False),  # nine and a half times: a big month, not a unit mix-up
        (1000.0, 100.0, True),  # ten times: flagged
        (10000.0, 100.0, True),  # 元 sent as 万元 would be 10 000 times
        (10.0, 101.0, True),  # a tenth
        (0.0, 100.0, False),  # to or from zero is not a unit mix-up
        (50.0, None, False),  # no previous period
    ],
)
def test_tenfold_jump(value, previous, fails):
    from etl.validate.suites import validate

    o = validate("history", history_frame(value=[value], previous=[previous]))
    assert (len(o.issues) == 1) is fails
    if fails:
        (issue,) = o.issues.to_dict("records")
        assert issue["severity"] == "warning" and "十倍" in issue["message"]


@pytest.mark.parametrize(
    ("roster", "listed", "fails"),
    [
        (True, True, False),
        (False, True, True),
        (True, False, True),
        (None, True, False),
    ],
)
def test_roster_flag_against_the_certificate_lists(roster, listed, fails):
    from etl.validate.suites import validate

    o = validate("history", history_frame(roster_hightech=[roster], listed_hightech=[listed]))
    assert (len(o.issues) == 1) is fails


def test_demo_disagreement_between_roster_and_certificates_is_a_warning(built_home):
    rows = query(
        built_home / "warehouse.duckdb",
        "select file_name, row_number, message from meta.warnings "
        "where rule = 'expect_column_pair_values_to_be_equal'",
    )
    assert rows, "the demo's 江苏康瑞（淮安）生物科技有限公司 is certified but not flagged in the roster"
    assert any("康瑞" in m and f.startswith("2024年高新技术企业认定名单") for f, _, m in rows)


def _roster_csv(src: Path, dest: Path, edit) -> Path:
    """A department's roster saved as CSV, with `edit(rows)` applied to its data rows."""
    rows = [["" if c is None else c for c in r] for r in read_workbook(src).sheets[0].rows]
    edit(rows)
    with dest.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return dest


def test_a_tenfold_jump_loads_with_a_warning(copied_home, demo_files, tmp_path, capsys):
    src = next((demo_files / "enterprises").glob("*2025年1-12月*"))
    code = {}

    def blow_up(rows):
        r = rows[5]  # the first enterprise (row 6 of the sheet)
        code["cc"] = r[1]
        r[6] = float(r[6]) * 10000  # 本月 and 本年累计 sent in 元 instead of 万元
        r[7] = float(r[7]) * 10000  # (本月 alone so would be more than 本年累计: a rejected row)

    f = _roster_csv(src, tmp_path / "规上工业企业主要指标_2025年1-12月.csv", blow_up)
    assert run_cli("ingest", "enterprises", str(f)) == 0
    err = capsys.readouterr().err
    assert "十倍" in err
    ((row, column),) = query(
        copied_home / "warehouse.duckdb",
        "select row_number, column_name from meta.warnings where file_name = ? "
        "and rule = 'expect_column_pair_values_to_be_within_a_factor'",
        [f.name],
    )
    assert row == 6 and column.startswith("工业总产值")
    assert (
        query(
            copied_home / "warehouse.duckdb",
            "select count(*) from raw.enterprise_periods r join meta.loads l using (load_id) "
            "where l.file_name = ? and r.credit_code = ?",
            [f.name, code["cc"]],
        )[0][0]
        == 1
    )


def test_quarantined_rows_are_replaced_by_a_corrected_file(copied_home, demo_files, tmp_path, capsys):
    src = next((demo_files / "enterprises").glob("*2025年1-12月*"))
    good_code = {}

    def break_code(rows):
        good_code["cc"] = rows[6][1]
        rows[6][1] = rows[6][1][:-1] + ("0" if rows[6][1][-1] != "0" else "1")  # wrong check character

    bad = _roster_csv(src, tmp_path / "规上工业企业主要指标_2025年1-12月.csv", break_code)
    assert run_cli("ingest", "enterprises", str(bad)) == 1
    assert "校验位" in capsys.readouterr().err
    db = copied_home / "warehouse.duckdb"
    ((status, rejected),) = query(
        db,
        "select status, rows_rejected from meta.loads where file_name = ? order by load_id desc limit 1",
        [bad.name],
    )
    assert (status, rejected) == ("partial", 1)
    ((reasons,),) = query(
        db,
        "select reasons from meta.quarantine q join meta.loads l using (load_id) where l.file_name = ?",
        [bad.name],
    )
    assert "信用代码" in reasons
    current = "select count(*) from stg.stg_enterprises__periods where period = '2025-12' and credit_code = ?"
    assert (
        query(db, current, [good_code["cc"]])[0][0] == 0
    )  # the quarantined row replaced the slice without it

    (tmp_path / "fixed").mkdir()
    fixed = _roster_csv(src, tmp_path / "fixed" / "规上工业企业主要指标_2025年1-12月.csv", lambda rows: None)
    assert run_cli("ingest", "enterprises", str(fixed)) == 0
    assert query(db, current, [good_code["cc"]])[0][0] == 1
    # the history says so: both loads, the quarantine of the first kept
    statuses = [
        s
        for (s,) in query(
            db, "select status from meta.loads where file_name = ? order by load_id", [bad.name]
        )
    ]
    assert statuses == ["partial", "loaded"]
    assert query(db, "select count(*) from meta.quarantine")[0][0] >= 1


def test_validation_results_are_kept_for_analysts(built_home):
    rows = query(
        built_home / "warehouse.duckdb",
        "select suite, count(distinct expectation), bool_and(success) from meta.validation_results "
        "group by suite order by suite",
    )
    suites = {s for s, _, _ in rows}
    assert {
        "enterprise_periods",
        "hightech_certs",
        "land_projects",
        "indicator_obs",
        "targets",
        "history",
    } <= suites


def test_data_docs_are_built_into_the_data_area(built_home):
    index = next((built_home / "gx").rglob("data_docs/local_site/index.html"))
    assert "enterprise_periods" in index.read_text(encoding="utf-8")


def test_history_reads_the_staging_models_also_before_the_first_build(tmp_path):
    """The current rows come from the staging views (warehouse/models/staging), which a writer's
    connection creates in a new warehouse: a file checked before any build sees the loads made."""
    import datetime as dt
    from types import SimpleNamespace

    from etl.base.settings import Home
    from etl.validate.history import history_frame
    from etl.warehouse.connection import connect

    con = connect(Home(tmp_path).ensure())
    try:
        views = {
            f"{s}.{v}" for s, v in con.execute("select schema_name, view_name from duckdb_views()").fetchall()
        }
        assert {"stg.stg_enterprises__periods", "stg.stg_hightech__certs", "stg.stg_indicators__obs"} <= views
        assert con.execute("select count(*) from meta.builds").fetchall() == [(0,)]
        now = dt.datetime(2025, 2, 5)
        con.execute(
            "insert into meta.loads (load_id, source, file_name, sha256, status, received_at, loaded_at)"
            " values (1, 'enterprises', 'r.xlsx', 'x', 'loaded', ?, ?)",
            [now, now],
        )
        con.execute(
            "insert into raw.enterprise_periods (credit_code, period, period_end, output_month, load_id, slice_key)"
            " values ('C1', '2025-01', '2025-01-31', 100, 1, '2025-01')"
        )
        con.execute("insert into meta.slices values (1, 'enterprise_periods', '2025-01', ?)", [now])
        frame = pd.DataFrame(
            {
                "credit_code": ["C1", "C2"],
                "period": ["2025-02", "2025-02"],
                "period_end": [dt.date(2025, 2, 28)] * 2,
                "output_month": [1000.0, 5.0],
                "name_key": ["甲", "乙"],
                "is_hightech": [False, False],
                "_sheet": ["S", "S"],
                "_row": [2, 3],
                "_col": [None, None],
            }
        )
        hist = history_frame(con, SimpleNamespace(dataset="enterprise_periods", frame=frame))
    finally:
        con.close()
    assert hist["previous"].tolist()[0] == 100 and pd.isna(hist["previous"].tolist()[1])

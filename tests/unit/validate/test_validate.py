"""The validation layer (`etl.validate.suites`, `etl.validate.custom`, `expectations/*.json`).

Every expectation of every suite has a case in `CASES` — a value that must fail it and one that
must pass — and `test_cases_cover_every_expectation` fails when a suite gains an expectation
without one.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
import types
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.base.codes import CREDIT_ALPHABET, credit_code_problem, make_credit_code
from etl.base.datasets import DATASETS
from tests.conftest import REPO

ROOT = REPO
SUITE_DIR = ROOT / "expectations"

NOT_NULL = "expect_column_values_to_not_be_null"
UNIQUE = "expect_column_values_to_be_unique"
CUNIQUE = "expect_compound_columns_to_be_unique"
IN_SET = "expect_column_values_to_be_in_set"
BETWEEN = "expect_column_values_to_be_between"
CREDIT = "expect_column_values_to_be_valid_credit_code"
INDUSTRY = "expect_column_values_to_be_valid_industry_code"
PAST = "expect_column_values_to_not_be_in_the_future"
A_GT_B = "expect_column_pair_values_a_to_be_greater_than_b"
MEDIAN = "expect_column_median_to_be_between"
STRAY = "expect_column_values_to_not_be_a_stray_period"

TODAY = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
CODE_B = make_credit_code("320800", "MA1XY312")  # 91320800MA1XY3125J
STUB_INDUSTRY_CODES = {"3311", "1310", "2614"}


def _code(i: int) -> str:
    return make_credit_code("320800", f"{i + 1:08d}")


def _ts(s: str | dt.date) -> pd.Timestamp:
    return pd.Timestamp(s)


# ---- one valid row per dataset (row i has distinct keys) ------------------------------------------

LINEAGE = {"_sheet": "Sheet1", "_col": None, "_cells": '{"A": "A6"}'}


def _base_row(dataset: str, i: int) -> dict:
    lineage = {**LINEAGE, "_row": 6 + i}
    if dataset == "enterprise_periods":
        return {
            "period": "2024-06", "period_end": _ts("2024-06-30"), "credit_code": _code(i),
            "name": f"盐城示例{i}有限公司", "name_key": f"示例{i}", "township": "城东街道",
            "township_code": "320802001000", "industry_code": "3311", "chain": "盐化工",
            "output_month": 10.5, "output_ytd": 60.0, "revenue_month": 9.0, "revenue_ytd": 50.0,
            "employees": 120, "is_above_scale": True, "is_srdi": False, "is_hightech": False,
            "is_listed": False, "is_top50": False, "entry_type": "小升规", **lineage,
        }  # fmt: skip
    if dataset == "hightech_certs":
        return {
            "year": 2024, "name": f"示例{i}科技有限公司", "name_key": f"示例{i}科技",
            "cert_no": f"GR2024320{i:05d}", "cert_date": _ts("2024-12-01"), "township": "城东街道",
            "township_code": "320802001000", "cert_type": "首次认定", "credit_code": _code(i), **lineage,
        }  # fmt: skip
    if dataset == "hightech_counts":
        return {
            "year": 2024, "township": f"示例{i}镇", "township_code": f"3208020{i:02d}000",
            "new_first": 3, "renewed": 2, "valid_total": 20, **lineage,
        }  # fmt: skip
    if dataset == "land_projects":
        return {
            "kind": "linkage", "ledger_year": 2024, "project": f"示例{i}村增减挂钩项目",
            "township": "城东街道", "township_code": "320802001000", "area_mu": 12.5,
            "accepted_on": _ts(f"2024-05-{10 + i}"), **lineage,
        }  # fmt: skip
    if dataset == "indicator_obs":
        return {
            "indicator_id": f"IND{i:03d}", "indicator_name": f"指标{i}", "region": "全区",
            "region_code": "320802", "period": "2024", "period_end": _ts("2024-12-31"),
            "basis": "ytd", "value": 1.5, "unit": "亿元", "missing": None, **lineage,
        }  # fmt: skip
    if dataset == "targets":
        return {
            "indicator_id": f"IND{i:03d}", "target": 100.0, "unit": "亿元",
            "deadline": _ts("2027-12-31"), "baseline_period": "2023", "note": None, **lineage,
        }  # fmt: skip
    raise KeyError(dataset)


# ---- the cases ------------------------------------------------------------------------------------


class _Sentinel:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


DUP = _Sentinel("DUP")  # row 1 takes row 0's value(s) for the expectation's column(s)
KEEP = _Sentinel("KEEP")  # row 1 keeps its own (valid, distinct) value


@dataclass(frozen=True)
class Case:
    bad: tuple
    good: tuple


def C(bad, good) -> Case:  # noqa: N802 - reads as a table
    return Case(bad if isinstance(bad, tuple) else (bad,), good if isinstance(good, tuple) else (good,))


TOMORROW = _ts(TODAY + dt.timedelta(days=1))
NONNEG = C((-1.0, -0.01), (0.0, 3.5))
NONNEG_YTD = C((-1.0, -0.01), (10.5, 60.0))  # a year to date is never less than its month (10.5, 9.0)

CASES: dict[tuple[str, str, str], Case] = {
    # enterprise_periods
    ("enterprise_periods", NOT_NULL, "credit_code"): C(None, KEEP),
    ("enterprise_periods", NOT_NULL, "period"): C(None, KEEP),
    ("enterprise_periods", CUNIQUE, "credit_code+period"): C(DUP, KEEP),
    ("enterprise_periods", CREDIT, "credit_code"): C(
        (CODE_B[:-1] + "0", CODE_B[:17], "91320800MA1XY312OJ", "9.13208E+17"), (CODE_B, CODE_B.lower())
    ),
    ("enterprise_periods", NOT_NULL, "name"): C(None, KEEP),
    ("enterprise_periods", NOT_NULL, "township_code"): C(None, KEEP),
    ("enterprise_periods", INDUSTRY, "industry_code"): C(("9999", "金属结构制造"), ("1310", "2614")),
    ("enterprise_periods", IN_SET, "chain"): C(("新材料", "盐化工 "), ("电子信息", "其他")),
    ("enterprise_periods", BETWEEN, "output_month"): NONNEG,
    ("enterprise_periods", BETWEEN, "output_ytd"): NONNEG_YTD,
    ("enterprise_periods", BETWEEN, "revenue_month"): NONNEG,
    ("enterprise_periods", BETWEEN, "revenue_ytd"): NONNEG_YTD,
    # the year to date (row 1's, against its month's 10.5 / 9.0): less is a rejected row; equal
    # (January) or blank passes
    ("enterprise_periods", A_GT_B, "output_ytd+output_month"): C((10.4, 0.0), (10.5, 60.0, None)),
    ("enterprise_periods", A_GT_B, "revenue_ytd+revenue_month"): C((8.99, 0.0), (9.0, 50.0, None)),
    ("enterprise_periods", BETWEEN, "employees"): C((-1, 200001), (0, 200000)),
    ("enterprise_periods", PAST, "period_end"): C(
        (TOMORROW, _ts("2999-06-30")), (_ts(TODAY), _ts("2024-01-31"))
    ),
    ("enterprise_periods", IN_SET, "entry_type"): C("新增", ("新建投产", None)),
    # hightech_certs
    ("hightech_certs", NOT_NULL, "cert_no"): C(None, KEEP),
    ("hightech_certs", UNIQUE, "cert_no"): C(DUP, KEEP),
    ("hightech_certs", NOT_NULL, "year"): C(None, KEEP),
    ("hightech_certs", NOT_NULL, "name"): C(None, KEEP),
    ("hightech_certs", CREDIT, "credit_code"): C((CODE_B[:17], "91320800MA1XY3125I"), (CODE_B, None)),
    ("hightech_certs", NOT_NULL, "township_code"): C(None, KEEP),
    ("hightech_certs", PAST, "cert_date"): C(TOMORROW, _ts("2023-11-06")),
    ("hightech_certs", IN_SET, "cert_type"): C("认定", ("重新认定", None)),
    # hightech_counts
    ("hightech_counts", NOT_NULL, "township_code"): C(None, KEEP),
    ("hightech_counts", NOT_NULL, "year"): C(None, KEEP),
    ("hightech_counts", CUNIQUE, "township_code+year"): C(DUP, KEEP),
    ("hightech_counts", BETWEEN, "new_first"): C(-1, 0),
    ("hightech_counts", BETWEEN, "renewed"): C(-1, 0),
    ("hightech_counts", BETWEEN, "valid_total"): C(-1, (0, None)),
    # land_projects
    ("land_projects", NOT_NULL, "kind"): C(None, KEEP),
    ("land_projects", IN_SET, "kind"): C(("增减挂钩", "Linkage"), "balance"),
    ("land_projects", NOT_NULL, "project"): C(None, KEEP),
    ("land_projects", NOT_NULL, "township_code"): C(None, KEEP),
    ("land_projects", NOT_NULL, "accepted_on"): C(None, KEEP),
    ("land_projects", CUNIQUE, "project+township_code+accepted_on"): C(DUP, KEEP),
    ("land_projects", CUNIQUE, "project+township_code"): C(DUP, KEEP),
    ("land_projects", BETWEEN, "area_mu"): C(-0.5, 0.0),
    ("land_projects", PAST, "accepted_on"): C(TOMORROW, _ts(TODAY)),
    # indicator_obs
    ("indicator_obs", NOT_NULL, "indicator_id"): C(None, KEEP),
    ("indicator_obs", NOT_NULL, "region_code"): C(None, KEEP),
    ("indicator_obs", NOT_NULL, "period"): C(None, KEEP),
    ("indicator_obs", NOT_NULL, "basis"): C(None, KEEP),
    ("indicator_obs", CUNIQUE, "indicator_id+region_code+period+basis"): C(DUP, KEEP),
    ("indicator_obs", IN_SET, "basis"): C(("yoy", "YTD"), ("period", "stock", "cumulative", "rate")),
    ("indicator_obs", PAST, "period_end"): C(TOMORROW, _ts("2025-06-30")),
    ("indicator_obs", IN_SET, "unit"): C(("亿美元", "万 元"), ("百分点", "%", "位次", "公里")),
    # targets
    ("targets", NOT_NULL, "indicator_id"): C(None, KEEP),
    ("targets", UNIQUE, "indicator_id"): C(DUP, KEEP),
    ("targets", BETWEEN, "deadline"): C(
        (_ts("2023-12-31"), _ts("2036-01-01")), (_ts("2024-01-01"), _ts("2035-12-31"), None)
    ),
    ("targets", IN_SET, "unit"): C(("亿", "percent"), ("%", "万人")),
}

LABELS = ["r-a", "r-b", "r-c"]  # index labels of the case frames: not positions


def _case_frame(dataset: str, columns: list[str], value) -> tuple[pd.DataFrame, set]:
    """Three valid rows with row 1 (label "r-b") changed; the labels that must fail."""
    rows = [_base_row(dataset, i) for i in range(3)]
    if value is DUP:
        for c in columns:
            rows[1][c] = rows[0][c]
        expected = {LABELS[0], LABELS[1]}
    elif value is KEEP:
        expected = {LABELS[1]}
    else:
        rows[1][columns[0]] = value
        expected = {LABELS[1]}
    return pd.DataFrame(rows, index=LABELS), expected


# ---- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def v():
    """`etl.validate.suites` with great_expectations imported and the context built (once: 6–7 s)."""
    from etl.validate import suites as validate

    validate._gx()
    validate._ephemeral_batch_definition("targets")
    return validate


@pytest.fixture
def industry_stub(monkeypatch):
    """`etl.reference.industry` replaced by a stub knowing a few codes (the tests do not depend on the
    shipped classification)."""
    stub = types.ModuleType("etl.reference.industry")

    def industry_problem(code: object) -> str | None:
        return None if str(code).strip() in STUB_INDUSTRY_CODES else f"行业代码“{code}”不存在（测试）"

    stub.industry_problem = industry_problem
    monkeypatch.setitem(sys.modules, "etl.reference.industry", stub)
    return stub


def _suite(dataset: str) -> dict:
    return json.loads((SUITE_DIR / f"{dataset}.json").read_text(encoding="utf-8"))


def _columns(kwargs: dict) -> list[str]:
    if "column" in kwargs:
        return [kwargs["column"]]
    return kwargs["column_list"] if "column_list" in kwargs else [kwargs["column_A"], kwargs["column_B"]]


def _label(kwargs: dict) -> str:
    return "+".join(_columns(kwargs))


def _suite_keys() -> list[tuple[str, str, str]]:
    return [(ds, e["type"], _label(e["kwargs"])) for ds in DATASETS for e in _suite(ds)["expectations"]]


def _meta(dataset: str, type_: str, column: str) -> dict:
    for e in _suite(dataset)["expectations"]:
        if e["type"] == type_ and _label(e["kwargs"]) == column:
            return e["meta"]
    raise KeyError((dataset, type_, column))


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---- the suite files ------------------------------------------------------------------------------


# suites that are not a dataset's: `history` checks a file against the warehouse (tests/test_history.py)
EXTRA_SUITES = {"history", "reconciliations"}  # history checks; a file's totals checks


def test_every_dataset_has_a_suite_file():
    files = {p.stem for p in SUITE_DIR.glob("*.json")}
    assert set(DATASETS) <= files, f"missing suites: {set(DATASETS) - files}"
    assert files <= set(DATASETS) | EXTRA_SUITES, f"suites for unknown datasets: {files - set(DATASETS)}"


@pytest.mark.parametrize("dataset", sorted(DATASETS))
def test_suite_file_is_well_formed(dataset):
    raw = _suite(dataset)
    assert raw["name"] == dataset
    columns = DATASETS[dataset].columns
    seen = set()
    for e in raw["expectations"]:
        meta = e["meta"]
        assert meta["severity"] in ("row", "warning"), e
        assert meta["message_zh"].strip() and meta["message_en"].strip(), e
        assert any("\u4e00" <= ch <= "\u9fff" for ch in meta["message_zh"]), "message_zh is not Chinese"
        # GX's own severity field agrees with ours (Data Docs shows it)
        assert e.get("severity", "critical") == ("warning" if meta["severity"] == "warning" else "critical")
        cols = _columns(e["kwargs"])
        assert set(cols) <= set(columns), f"{e['type']} names columns not in the schema: {cols}"
        key = (e["type"], _label(e["kwargs"]))
        assert key not in seen, f"{key} twice"
        seen.add(key)
    key_cols = set(DATASETS[dataset].key)
    not_null = {e["kwargs"]["column"] for e in raw["expectations"] if e["type"] == NOT_NULL}
    assert key_cols <= not_null, f"key columns without a not-null expectation: {key_cols - not_null}"


@pytest.mark.parametrize("dataset", sorted(DATASETS))
def test_suite_file_is_what_gx_serialises(v, dataset):
    """The file is exactly `ExpectationSuite(...).to_json_dict()`, indented: GX builds every
    expectation in it (it silently drops those it cannot build) and nothing is lost."""
    import great_expectations as gx

    text = (SUITE_DIR / f"{dataset}.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    suite = gx.ExpectationSuite(**copy.deepcopy(raw))
    assert len(suite.expectations) == len(raw["expectations"])
    assert json.dumps(suite.to_json_dict(), ensure_ascii=False, indent=2) + "\n" == text


def test_cases_cover_every_expectation():
    keys = _suite_keys()
    missing = sorted(set(keys) - set(CASES) - set(WHOLE_COLUMN) - set(BY_COUNTS))
    extra = sorted(set(CASES) - set(keys))
    assert not missing, f"expectations without a test case in CASES: {missing}"
    assert not extra, f"CASES for expectations no suite has: {extra}"


def test_key_uniqueness_is_checked_as_the_schema_says():
    for name, ds in DATASETS.items():
        if name == "hightech_counts" or len(ds.key) > 1:
            assert (name, CUNIQUE, "+".join(ds.key)) in _suite_keys(), name
        else:
            assert (name, UNIQUE, ds.key[0]) in _suite_keys(), name


# ---- every expectation: a failing and a passing value ---------------------------------------------


def _bad_params():
    for key, case in CASES.items():
        for i, bad in enumerate(case.bad):
            yield pytest.param(key, bad, id=f"{key[0]}-{key[1].removeprefix('expect_')}-{key[2]}-bad{i}")


def _good_params():
    for key, case in CASES.items():
        for i, good in enumerate(case.good):
            yield pytest.param(key, good, id=f"{key[0]}-{key[1].removeprefix('expect_')}-{key[2]}-good{i}")


@pytest.mark.parametrize(("key", "bad"), list(_bad_params()))
def test_expectation_fails_on_bad_value(v, industry_stub, key, bad):
    dataset, type_, column = key
    df, expected = _case_frame(dataset, column.split("+"), bad)
    before = df.copy(deep=True)
    out = v.validate(dataset, df)
    pd.testing.assert_frame_equal(df, before)  # not modified, lineage kept

    mine = out.issues[(out.issues["rule"] == type_) & (out.issues["column_name"] == column)]
    assert set(mine["row_index"]) == expected, out.issues
    assert len(mine) == len(expected)
    meta = _meta(dataset, type_, column)
    assert (mine["severity"] == meta["severity"]).all()
    for message in mine["message"]:
        zh, en = message.split(" / ", 1)
        assert zh.startswith(meta["message_zh"]) and en == meta["message_en"]
    if bad is DUP:  # both rows show the duplicated key
        shown = ", ".join(_shown(df.loc[LABELS[0], c]) for c in column.split("+"))
        assert mine["value"].tolist() == [shown, shown]
    elif type_ == A_GT_B:  # both of the pair, as they stand
        assert mine["value"].tolist() == [", ".join(_shown(df.loc[LABELS[1], c]) for c in column.split("+"))]
    else:
        assert mine["value"].tolist() == [_shown(bad)]

    result = out.results[(out.results["expectation"] == type_) & (out.results["column"] == column)]
    assert len(result) == 1
    row = result.iloc[0]
    assert row["status"] == "failed" and row["success"] is False
    assert row["unexpected_count"] == len(expected)
    assert row["severity"] == meta["severity"]
    assert json.loads(row["sample_values"])
    if meta["severity"] == "row":
        assert expected <= out.rows_to_quarantine()
    else:
        assert not (expected & out.rows_to_quarantine())


@pytest.mark.parametrize(("key", "good"), list(_good_params()))
def test_expectation_passes_on_good_value(v, industry_stub, key, good):
    dataset, type_, column = key
    df, _ = _case_frame(dataset, column.split("+"), good)
    out = v.validate(dataset, df)
    assert out.issues.empty, out.issues.to_dict("records")
    result = out.results[(out.results["expectation"] == type_) & (out.results["column"] == column)]
    assert result["status"].tolist() == ["passed"]
    assert (out.results["status"] == "passed").all()
    assert out.rows_to_quarantine() == set()


# ---- mapping failures back to rows ----------------------------------------------------------------


def test_issues_map_to_row_labels_past_nulls_and_odd_indexes(v, industry_stub):
    rows = [_base_row("enterprise_periods", i) for i in range(6)]
    rows[0]["credit_code"] = None
    rows[2]["credit_code"] = None
    rows[3]["credit_code"] = "91320800MA1XY31250"  # bad check character
    rows[5]["credit_code"] = "123"
    rows[4]["output_month"] = -5.0
    rows[1]["output_month"] = None
    df = pd.DataFrame(rows, index=[50, 40, 30, 20, 10, 0])
    out = v.validate("enterprise_periods", df)

    by_rule = out.issues.groupby(["rule", "column_name"])["row_index"].apply(list).to_dict()
    assert by_rule == {
        (NOT_NULL, "credit_code"): [50, 30],
        (CREDIT, "credit_code"): [20, 0],
        (BETWEEN, "output_month"): [10],
    }
    credit = out.issues[out.issues["rule"] == CREDIT].set_index("row_index")
    assert credit.loc[20, "value"] == "91320800MA1XY31250"
    assert "校验位" in credit.loc[20, "message"]  # the precise reason from etl.base.codes
    assert "18位" in credit.loc[0, "message"]
    assert out.rows_to_quarantine() == {50, 30, 20, 0, 10}

    # the lineage of an issue's row is one lookup away
    assert df.loc[20, "_row"] == 9 and df.loc[20, "_sheet"] == "Sheet1"


def test_duplicate_index_labels_are_reported_as_they_are(v, industry_stub):
    rows = [_base_row("targets", i) for i in range(3)]
    rows[2]["unit"] = "亿"
    df = pd.DataFrame(rows, index=[7, 7, 8])
    out = v.validate("targets", df)
    assert out.issues[["row_index", "column_name", "value"]].values.tolist() == [[8, "unit", "亿"]]


def test_compound_key_ignores_rows_with_a_missing_key_part(v):
    """A row whose key is incomplete is reported by the not-null expectation only, not also as a
    duplicate of another incomplete key."""
    rows = [_base_row("indicator_obs", i) for i in range(4)]
    for r in rows:
        r["indicator_id"] = "IND000"
    rows[2]["region_code"] = rows[3]["region_code"] = None
    df = pd.DataFrame(rows, index=list("ABCD"))
    out = v.validate("indicator_obs", df)
    dup = out.issues[out.issues["rule"] == CUNIQUE]
    assert dup["row_index"].tolist() == ["A", "B"]
    assert dup["value"].tolist() == ["IND000, 320802, 2024, ytd"] * 2
    nulls = out.issues[out.issues["rule"] == NOT_NULL]
    assert nulls[["row_index", "column_name"]].values.tolist() == [["C", "region_code"], ["D", "region_code"]]


def test_lineage_columns_are_not_validated_but_survive(v):
    rows = [_base_row("hightech_counts", i) for i in range(2)]
    df = pd.DataFrame(rows)
    df["_row"] = [None, -1]  # nonsense in lineage is not the suite's business
    df["_cells"] = [{"new_first": "D6"}, None]
    df["_extra"] = "x"
    before = df.copy(deep=True)
    out = v.validate("hightech_counts", df)
    assert out.issues.empty
    pd.testing.assert_frame_equal(df, before)
    assert set(out.results["status"]) == {"passed"}  # lineage columns are not even looked at


# ---- missing columns, empty frames, errors --------------------------------------------------------


def test_missing_optional_column_is_skipped(v, industry_stub):
    rows = [_base_row("enterprise_periods", i) for i in range(3)]
    df = pd.DataFrame(rows).drop(columns=["entry_type", "industry_code", "employees"])
    out = v.validate("enterprise_periods", df)
    assert out.issues.empty
    skipped = out.results[out.results["status"] == "skipped"]
    assert sorted(skipped["column"]) == ["employees", "entry_type", "industry_code"]
    assert skipped["success"].isna().all()
    assert len(out.results) == len(_suite("enterprise_periods")["expectations"])


def test_compound_expectation_skipped_when_one_of_its_columns_is_missing(v):
    df = pd.DataFrame([_base_row("land_projects", i) for i in range(2)]).drop(columns=["accepted_on"])
    out = v.validate("land_projects", df)
    assert out.issues.empty
    skipped = set(out.results.loc[out.results["status"] == "skipped", "column"])
    assert skipped == {"accepted_on", "project+township_code+accepted_on"}


def test_empty_frame_has_no_issues(v):
    for dataset in DATASETS:
        df = pd.DataFrame(columns=[*DATASETS[dataset].columns, "_sheet", "_row", "_col", "_cells"])
        out = v.validate(dataset, df)
        assert out.issues.empty and list(out.issues.columns) == v.ISSUE_COLUMNS
        assert set(out.results["status"]) == {"empty"}
        assert out.rows_to_quarantine() == set()


def test_frame_with_no_validated_column_has_no_issues(v):
    out = v.validate("targets", pd.DataFrame({"_sheet": ["s"], "_row": [3]}))
    assert out.issues.empty and set(out.results["status"]) == {"skipped"}


def test_a_rule_that_cannot_run_is_one_critical_whole_dataset_issue(v, industry_stub):
    rows = [_base_row("enterprise_periods", i) for i in range(2)]
    df = pd.DataFrame(rows)
    df["employees"] = ["很多", "120"]  # text: the between comparison raises
    out = v.validate("enterprise_periods", df)
    crit = out.issues[out.issues["severity"] == "critical"]
    assert crit[["row_index", "column_name", "rule"]].values.tolist() == [[None, "employees", BETWEEN]]
    assert "数据管理员" in crit["message"].item()
    assert out.has_critical
    res = out.results.set_index(["expectation", "column"]).loc[(BETWEEN, "employees")]
    assert res["status"] == "error" and res["success"] is False
    assert out.rows_to_quarantine() == set()


def test_missing_industry_module_is_critical_not_a_crash(v, monkeypatch):
    monkeypatch.setitem(sys.modules, "etl.reference.industry", None)  # import fails
    df = pd.DataFrame([_base_row("enterprise_periods", 0)])
    out = v.validate("enterprise_periods", df)
    crit = out.issues[out.issues["severity"] == "critical"]
    assert crit[["column_name", "rule"]].values.tolist() == [["industry_code", INDUSTRY]]


def test_real_industry_module_when_present(v):
    industry = pytest.importorskip("etl.reference.industry")
    if not hasattr(industry, "industry_problem"):
        pytest.skip("etl.reference.industry has no industry_problem yet")
    rows = [_base_row("enterprise_periods", i) for i in range(3)]
    rows[1]["industry_code"] = "9999"  # no 大类 99
    df = pd.DataFrame(rows, index=[1, 2, 3])
    out = v.validate("enterprise_periods", df)
    assert out.issues[["row_index", "rule"]].values.tolist() == [[2, INDUSTRY]]


# ---- column types as extraction may deliver them --------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda d: pd.Series(pd.to_datetime(d)), id="datetime64-us"),
        pytest.param(lambda d: pd.Series(pd.to_datetime(d)).astype("datetime64[s]"), id="datetime64-s"),
        pytest.param(lambda d: pd.Series(pd.to_datetime(d)).astype("datetime64[ns]"), id="datetime64-ns"),
        pytest.param(
            lambda d: pd.Series([x.date() for x in pd.to_datetime(d)], dtype=object), id="date-objects"
        ),
        pytest.param(lambda d: pd.Series(d, dtype="str"), id="iso-text"),
        pytest.param(lambda d: pd.Series(pd.to_datetime(d)).dt.tz_localize("Asia/Shanghai"), id="tz-aware"),
    ],
)
def test_dates_of_any_representation(v, make):
    deadlines = ["2036-01-01", "2027-12-31", "2023-12-31", "2035-12-31"]
    rows = [_base_row("targets", i) for i in range(4)]
    df = pd.DataFrame(rows).drop(columns=["deadline"])
    df["deadline"] = make(deadlines)
    out = v.validate("targets", df)
    assert out.issues[["row_index", "value"]].values.tolist() == [[0, "2036-01-01"], [2, "2023-12-31"]]

    rows = [_base_row("land_projects", i) for i in range(2)]
    df = pd.DataFrame(rows).drop(columns=["accepted_on"])
    df["accepted_on"] = make([TOMORROW.date().isoformat(), TODAY.isoformat()])
    out = v.validate("land_projects", df)
    assert out.issues[["row_index", "rule"]].values.tolist() == [[0, PAST]]


def test_nullable_integer_columns(v):
    rows = [_base_row("hightech_counts", i) for i in range(3)]
    df = pd.DataFrame(rows)
    df["renewed"] = pd.array([1, None, -2], dtype="Int64")
    out = v.validate("hightech_counts", df)
    assert out.issues[["row_index", "column_name", "value"]].values.tolist() == [[2, "renewed", "-2"]]


def test_excel_mangled_credit_code_number(v, industry_stub):
    rows = [_base_row("enterprise_periods", i) for i in range(2)]
    df = pd.DataFrame(rows)
    df["credit_code"] = pd.Series([rows[0]["credit_code"], 9.13208e17], dtype=object)
    out = v.validate("enterprise_periods", df)
    issue = out.issues[out.issues["rule"] == CREDIT]
    assert issue["row_index"].tolist() == [1]
    assert "Excel" in issue["message"].item()


# ---- suites from elsewhere, bad suites ------------------------------------------------------------


def _write_suite(path: Path, expectations: list[dict]) -> None:
    path.write_text(json.dumps({"name": path.stem, "expectations": expectations}, ensure_ascii=False))


def _exp(type_: str, severity: str = "row", **kwargs) -> dict:
    return {
        "type": type_,
        "kwargs": kwargs,
        "meta": {"severity": severity, "message_zh": "测试", "message_en": "test"},
    }


def test_suite_dir_and_reload_on_change(v, tmp_path):
    path = tmp_path / "targets.json"
    _write_suite(path, [_exp(IN_SET, column="unit", value_set=["亿元"])])
    df = pd.DataFrame([_base_row("targets", 0), {**_base_row("targets", 1), "unit": "%"}])
    assert v.validate("targets", df, suite_dir=tmp_path).issues["row_index"].tolist() == [1]
    _write_suite(path, [_exp(IN_SET, "warning", column="unit", value_set=["亿元", "%"])])
    os.utime(path, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    out = v.validate("targets", df, suite_dir=tmp_path)
    assert out.issues.empty and out.results["severity"].tolist() == ["warning"]


@pytest.mark.parametrize(
    ("expectation", "error"),
    [
        (_exp("expect_column_values_to_be_purple", column="unit"), "could not build"),
        (_exp(IN_SET, column="unit"), "could not build"),  # value_set missing
        ({**_exp(IN_SET, column="unit", value_set=["%"]), "meta": {"severity": "row"}}, "message_zh"),
        (
            {
                **_exp(IN_SET, column="unit", value_set=["%"]),
                "meta": {"severity": "fatal", "message_zh": "x", "message_en": "y"},
            },
            "severity",
        ),
    ],
)
def test_bad_suite_is_an_error_not_a_silently_dropped_rule(v, tmp_path, expectation, error):
    _write_suite(tmp_path / "targets.json", [expectation])
    with pytest.raises(ValueError, match=error):
        v.validate("targets", pd.DataFrame([_base_row("targets", 0)]), suite_dir=tmp_path)


# ---- the custom expectations ----------------------------------------------------------------------


def test_custom_expectations_are_registered(v):
    from great_expectations.expectations.registry import get_expectation_impl

    for name in (CREDIT, INDUSTRY, PAST):
        assert get_expectation_impl(name).__module__ == "etl.validate.custom"


_code_chars = st.sampled_from(CREDIT_ALPHABET + "IOZSVabc -.E+")


@st.composite
def _credit_like(draw):
    kind = draw(st.integers(0, 4))
    if kind == 0:  # valid
        org = draw(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8))
        return make_credit_code(draw(st.sampled_from(["320800", "320802", "110105"])), org)
    if kind == 1:  # valid with one character changed
        code = make_credit_code(
            "320800", draw(st.text(alphabet="0123456789ABCDEFGH", min_size=8, max_size=8))
        )
        i = draw(st.integers(0, 17))
        return code[:i] + draw(st.sampled_from(CREDIT_ALPHABET)) + code[i + 1 :]
    if kind == 2:
        return draw(st.text(alphabet=_code_chars, min_size=15, max_size=20))
    if kind == 3:  # case and whitespace variants, Unicode blanks, Excel's float form
        code = make_credit_code("320800", draw(st.text(alphabet="0123456789ABCDEF", min_size=8, max_size=8)))
        return draw(
            st.sampled_from(
                [code.lower(), f" {code} ", f"{code}\n", f"\u3000{code}", f"\x1c{code}", f"1E{code[2:]}"]
            )
        )
    return draw(st.one_of(st.floats(allow_nan=True), st.integers(0, 10**18), st.none()))


@settings(max_examples=300, deadline=None)
@given(st.lists(_credit_like(), min_size=1, max_size=30))
def test_vectorised_credit_check_agrees_with_codes(v, values):
    from etl.validate.custom import credit_codes_valid

    got = credit_codes_valid(pd.Series(values, dtype=object)).tolist()
    assert got == [credit_code_problem(x) is None for x in values]
    texts = [x for x in values if isinstance(x, str)]  # as the pipeline's frames hold them: Arrow-backed
    got = credit_codes_valid(pd.Series(texts, dtype="str")).tolist()
    assert got == [credit_code_problem(x) is None for x in texts]


def test_validate_module_does_not_import_great_expectations():
    code = "import sys, etl.validate.suites; assert 'great_expectations' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# ---- Data Docs ------------------------------------------------------------------------------------


def test_data_docs(v, industry_stub, tmp_path):
    docs = tmp_path / "docs"
    rows = [_base_row("enterprise_periods", i) for i in range(3)]
    rows[2]["credit_code"] = "123"
    df = pd.DataFrame(rows, index=[3, 4, 5])
    out = v.validate("enterprise_periods", df, docs_dir=docs)
    assert out.issues[["row_index", "rule"]].values.tolist() == [[5, CREDIT]]
    v.validate("targets", pd.DataFrame([_base_row("targets", 0)]), docs_dir=docs)

    index = v.build_data_docs(docs)
    assert index.name == "index.html" and index.is_file() and docs in index.parents
    pages = list(index.parent.glob("validations/enterprise_periods/**/*.html"))
    assert pages, "no validation result page"
    html = pages[0].read_text(encoding="utf-8")
    assert "统一社会信用代码" in html  # the custom expectation's renderer
    assert list(index.parent.glob("validations/targets/**/*.html"))


def test_data_docs_render_only_what_is_new(v, industry_stub, tmp_path, monkeypatch):
    """A data area keeps every result ever stored: each build renders the new ones only (across
    processes: what was rendered is kept beside the site), and the index still lists them all."""
    docs = tmp_path / "docs"
    targets = pd.DataFrame([_base_row("targets", 0)])
    v.validate("targets", targets, docs_dir=docs)
    v.validate("targets", targets, docs_dir=docs)
    index = v.build_data_docs(docs)  # the first build renders everything
    assert len(list(index.parent.glob("validations/targets/**/*.html"))) == 2

    ctx = v._file_context(docs)
    asked: list = []
    real = ctx.build_data_docs

    def spy(*a, **k):
        asked.append(k)
        return real(*a, **k)

    monkeypatch.setattr(ctx, "build_data_docs", spy)
    v.validate("targets", targets, docs_dir=docs)
    assert v.build_data_docs(docs) == index
    rendered = [k for k in asked if not k.get("dry_run")]
    assert len(rendered) == 1 and len(rendered[0]["resource_identifiers"]) == 1
    assert len(list(index.parent.glob("validations/targets/**/*.html"))) == 3
    assert index.read_text(encoding="utf-8").count("validations/targets/") >= 3  # the index lists all three

    asked.clear()
    assert v.build_data_docs(docs) == index  # nothing new: nothing rendered
    assert all(k.get("dry_run") for k in asked)

    asked.clear()
    shutil.rmtree(index.parent)  # the site removed: rendered whole again
    v.build_data_docs(docs)
    assert [k for k in asked if not k.get("dry_run")] == [{}]
    assert len(list(index.parent.glob("validations/targets/**/*.html"))) == 3


# ---- speed ----------------------------------------------------------------------------------------


def test_200k_rows_validate_quickly(v, industry_stub):
    n, n_ent = 200_000, 10_000
    rng = np.random.default_rng(0)
    codes = np.array([_code(i) for i in range(n_ent)], dtype=object)
    periods = [f"{2023 + m // 12}-{m % 12 + 1:02d}" for m in range(n // n_ent)]
    ent, per = np.tile(np.arange(n_ent), len(periods)), np.repeat(periods, n_ent)
    df = pd.DataFrame(
        {
            "period": per,
            "period_end": pd.to_datetime(per, format="%Y-%m") + pd.offsets.MonthEnd(0),
            "credit_code": codes[ent],
            "name": "企业", "township_code": "320802001000",
            "industry_code": rng.choice(sorted(STUB_INDUSTRY_CODES), n),
            "chain": rng.choice(["盐化工", "其他"], n),
            "output_month": rng.random(n), "output_ytd": 10 + 1000 * rng.random(n),
            "revenue_month": rng.random(n), "revenue_ytd": 10 + 1000 * rng.random(n),
            "employees": rng.integers(0, 5000, n), "entry_type": None,
            "_sheet": "Sheet1", "_row": np.arange(n) + 6,
        }
    )  # fmt: skip
    df.loc[[17, 199_999], "output_month"] = -1.0
    out = v.validate("enterprise_periods", df)
    assert out.issues["row_index"].tolist() == [17, 199_999]  # its speed: `make bench`


# ---- checks of a whole column (its median): the unit a file's figures are really in ----------------

WHOLE_COLUMN: dict[tuple[str, str, str], Case] = {
    # every row's 本年累计 (its month 10.5, 9.0 held below it): 元 read as 万元 (a median of 2e7),
    # 亿元 read as 万元 (3.5) are warnings; 规上 figures in 万元 pass
    ("enterprise_periods", MEDIAN, "output_ytd"): C((2.5e7, 9.99), (10.5, 6000.0, 999_999.0)),
    # 平方米 read as 亩
    ("land_projects", MEDIAN, "area_mu"): C((66_667.0,), (12.5, 9_999.0)),
}


def _whole_column_params(which: str):
    for key, case in WHOLE_COLUMN.items():
        for i, value in enumerate(getattr(case, which)):
            yield pytest.param(key, value, id=f"{key[0]}-{key[2]}-{which}{i}")


def _whole_column_frame(dataset: str, column: str, value) -> pd.DataFrame:
    rows = [_base_row(dataset, i) for i in range(3)]
    for r in rows:
        r[column] = value
        if dataset == "enterprise_periods":
            r["output_month"], r["revenue_month"] = min(value, 10.5), 9.0
    return pd.DataFrame(rows, index=LABELS)


@pytest.mark.parametrize(("key", "value"), list(_whole_column_params("bad")))
def test_a_columns_median_out_of_its_units_range_is_one_warning_naming_it(v, industry_stub, key, value):
    dataset, type_, column = key
    out = v.validate(dataset, _whole_column_frame(dataset, column, value))
    mine = out.issues[out.issues["rule"] == type_]
    assert len(mine) == 1 and mine["row_index"].isna().all() and (mine["severity"] == "warning").all()
    assert mine["value"].tolist() == [_shown(value)]  # the median found
    assert set(out.issues["rule"]) == {type_}, out.issues  # and nothing else


@pytest.mark.parametrize(("key", "value"), list(_whole_column_params("good")))
def test_a_columns_median_in_its_units_range_passes(v, industry_stub, key, value):
    dataset, _, column = key
    out = v.validate(dataset, _whole_column_frame(dataset, column, value))
    assert out.issues.empty, out.issues


def test_a_column_without_a_value_has_no_median_to_check(v, industry_stub):
    df = _whole_column_frame("enterprise_periods", "output_ytd", 10.5)
    df["output_ytd"] = np.nan
    out = v.validate("enterprise_periods", df)
    assert out.issues.empty, out.issues
    (status,) = out.results.loc[out.results["expectation"] == MEDIAN, "status"]
    assert status == "skipped"


# ---- a period a file holds only a few rows of ------------------------------------------------------

BY_COUNTS = {("enterprise_periods", STRAY, "period")}
"""Expectations on how many rows share a value: tested with frames of their own below."""


def _periods_frame(counts: dict[str, int]) -> pd.DataFrame:
    rows = []
    for period, n in counts.items():
        for _ in range(n):
            row = _base_row("enterprise_periods", len(rows))
            row["period"], row["period_end"] = period, _ts(pd.Period(period, "M").end_time.date())
            rows.append(row)
    return pd.DataFrame(rows, index=[10 * i + 7 for i in range(len(rows))])


@pytest.mark.parametrize(
    ("counts", "stray"),
    [
        ({"2025-06": 6, "2024-06": 1}, {"2024-06"}),  # last year's period left in one row
        ({"2025-06": 9, "2025-05": 4}, {"2025-05"}),  # under half of the fullest period
        ({"2025-06": 3, "2025-05": 1, "2025-04": 1}, {"2025-05", "2025-04"}),
        ({"2025-06": 6, "2025-05": 3}, set()),  # half: a month with fewer enterprises
        ({"2025-01": 5, "2025-02": 5, "2025-03": 4}, set()),  # a roster of several months
        ({"2025-06": 2, "2025-05": 1}, set()),  # too few rows to tell
    ],
)
def test_a_period_with_few_rows_beside_a_full_one_is_a_row_issue(v, industry_stub, counts, stray):
    df = _periods_frame(counts)
    out = v.validate("enterprise_periods", df)
    mine = out.issues[out.issues["rule"] == STRAY]
    want = set(df.index[df["period"].isin(stray)])
    assert set(mine["row_index"]) == want, out.issues
    assert (mine["severity"] == "row").all() and want <= out.rows_to_quarantine()
    top = max(counts, key=counts.get)
    for value, message in zip(mine["value"], mine["message"], strict=True):
        assert f"本文件中 {value} 只有 {counts[value]} 行，{top} 有 {counts[top]} 行" in message
    (status,) = out.results.loc[out.results["expectation"] == STRAY, "status"]
    assert status == ("failed" if stray else "passed")

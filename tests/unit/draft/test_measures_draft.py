"""`statwh spec draft` on the 分乡镇 table: a measures draft that passes `statwh check` on its own file."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from etl.draft import draft_spec
from etl.draft.measures_draft import basis_of, indicator_of
from etl.extract import extract
from tests.conftest import run_cli
from tests.fixtures.layouts.township_measures import write_township_measures


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "分乡镇规上工业.xlsx"
    write_township_measures(path)
    return path


@pytest.mark.parametrize("source", [None, "indicators"])
def test_the_township_table_drafts_as_measures_and_passes_check(table, tmp_path, capsys, source):
    d = draft_spec(table, source)
    assert (d.shape, d.dataset, d.source) == ("measures", "indicator_obs", "indicators")
    assert d.undecided == [] and d.trial_problems == []
    assert "period: 2025-09" in d.yaml_text
    spec = tmp_path / "draft.yaml"
    spec.write_text(d.yaml_text, encoding="utf-8")
    assert run_cli("check", str(spec), str(table)) == 0
    assert "would load 19 rows (95 values), quarantine 0" in capsys.readouterr().out
    drafted, builtin = extract(table, str(spec)), extract(table, "indicators")
    cols = ["indicator_id", "region_code", "period", "basis", "value", "unit"]
    assert drafted.frame[cols].equals(builtin.frame[cols])


def test_a_roster_draft_missing_a_needed_field_says_so_and_check_exits_2(table, tmp_path, capsys):
    d = draft_spec(table, "enterprises")  # asked for a roster: no measures, and no credit code column
    assert d.dataset == "enterprise_periods"
    assert any("fields.credit_code" in u for u in d.undecided)
    spec = tmp_path / "roster.yaml"
    spec.write_text(d.yaml_text, encoding="utf-8")
    assert run_cli("check", str(spec), str(table)) == 2  # one line, no KeyError
    err = capsys.readouterr().err
    assert "missing required field fields.credit_code" in err and "Traceback" not in err


def test_a_measure_the_catalog_lacks_is_left_to_a_person(tmp_path):
    path = tmp_path / "分乡镇.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["淮安区分乡镇主要指标（2025年1-6月）"])
    ws.append(["单位：万元"])
    ws.append(["镇街", "社会消费品零售额本期", "农机总动力", "农机总动力同比增长（%）"])
    for i, town in enumerate(["淮城街道", "河下街道", "平桥镇", "朱桥镇"]):
        ws.append([town, 100.5 + i, 20.25 + i, 3.5 - i])
    wb.save(path)
    d = draft_spec(path)
    assert d.shape == "measures"
    assert any("C “农机总动力”" in u and "ext.农机总动力" in u for u in d.undecided)
    assert any("D “农机总动力同比增长(%)”" in u and "ext.农机总动力增长率" in u for u in d.undecided)
    assert d.trial_problems == []


def test_basis_and_indicator_from_a_header():
    assert basis_of("工业总产值/1-9月累计") == ("累计", True)
    assert basis_of("工业总产值/上年同期") == ("上年同期", True)
    assert basis_of("工业总产值/同比增长(%)") == ("同比", True)
    assert basis_of("工业总产值") == ("本期", False)
    assert indicator_of("工业总产值/同比增长(%)", "同比") == "industrial_output_growth"
    assert indicator_of("规上工业企业数/本期", "本期") == "above_scale_enterprises"
    assert indicator_of("工业总产值/同比增长(%)", "本期") == "industrial_output"


def test_a_long_table_draft_reads_the_period_from_the_title(tmp_path):
    """The issue: with --source indicators the draft found “no period” though the title held one."""
    path = tmp_path / "主要指标.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["淮安区主要经济指标（2025年1-6月）"])
    ws.append(["指标名称", "数值", "单位"])
    ws.append(["地区生产总值", 512.3, "亿元"])
    ws.append(["一般公共预算收入", 21.7, "亿元"])
    ws.append(["规上工业总产值", 480.2, "亿元"])
    wb.save(path)
    d = draft_spec(path, "indicators")
    assert "title" in d.yaml_text.split("period_from:")[1].splitlines()[0]
    assert not [u for u in d.undecided if "no period" in u]
    assert d.trial_problems == []

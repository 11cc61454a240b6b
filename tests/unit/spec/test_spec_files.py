"""Spec files are checked against their dataset when loaded: one line naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from etl.base.paths import SPEC_DIR
from etl.spec.model import SpecError, load_spec
from tests.conftest import run_cli

GOOD = {
    "source": "land_use",
    "layout": "ledger",
    "dataset": "land_projects",
    "files": ["*台账*"],
    "fields": {
        "project": {"aliases": ["项目名称"], "required": True},
        "township": {"aliases": ["所在镇"], "type": "region"},
        "area_mu": {"aliases": ["面积"], "type": "number", "unit": "亩"},
    },
}


def spec_file(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load(yaml.safe_dump(GOOD, allow_unicode=True))
    change(raw)
    p = tmp_path / "my_layout.yaml"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return p


def error_of(path: Path) -> str:
    with pytest.raises(SpecError) as e:
        load_spec(path)
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith(str(path))
    return msg


@pytest.mark.parametrize("spec", sorted(SPEC_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_spec_passes(spec):
    assert load_spec(spec).path == spec


def test_the_good_spec_loads(tmp_path):
    assert load_spec(spec_file(tmp_path, lambda r: None)).files == ("*台账*",)


@pytest.mark.parametrize(
    ("change", "names"),
    [
        (lambda r: r.update(sheet="*"), "unknown key sheet"),
        (lambda r: r["fields"]["area_mu"].update(alias=["面积"]), "unknown key fields.area_mu.alias"),
        (lambda r: r["fields"].update(acreage={"aliases": ["亩数"]}), "unknown key fields.acreage"),
        (lambda r: r.update(measures={"columns": []}), "key measures: only for shape: measures"),
    ],
)
def test_an_unknown_key_is_named(tmp_path, change, names):
    assert names in error_of(spec_file(tmp_path, change))


@pytest.mark.parametrize(
    ("change", "names"),
    [
        (lambda r: r.pop("layout"), "missing required key layout"),
        (lambda r: r["fields"].pop("project"), "missing required field fields.project"),
        (
            lambda r: r.update(
                dataset="indicator_obs",
                shape="measures",
                fields={},
                measures={"columns": [{"aliases": ["产值"]}]},
            ),
            "missing required key measures.columns[0].indicator",
        ),
    ],
)
def test_a_missing_required_key_is_named(tmp_path, change, names):
    assert names in error_of(spec_file(tmp_path, change))


@pytest.mark.parametrize(
    ("change", "names"),
    [
        (lambda r: r.update(files="*台账*.xlsx"), "key files: expected a list of texts"),
        (lambda r: r.update(period_required="no"), "key period_required: expected true or false"),
        (lambda r: r.update(header_scan_rows="30"), "key header_scan_rows: expected a whole number"),
        (lambda r: r["fields"]["project"].update(required="yes"), "key fields.project.required"),
        (lambda r: r["fields"]["area_mu"].update(type="decimal"), "key fields.area_mu.type"),
        (
            lambda r: r["fields"]["area_mu"].update(unit="mu"),
            "key fields.area_mu.unit: expected a known unit",
        ),
    ],
)
def test_a_wrong_type_is_named(tmp_path, change, names):
    assert names in error_of(spec_file(tmp_path, change))


def test_a_growth_column_must_name_a_rate(tmp_path):
    def measures(r):
        r.update(dataset="indicator_obs", shape="measures", fields={})
        r["measures"] = {
            "columns": [{"aliases": ["产值/同比"], "indicator": "industrial_output", "basis": "同比"}]
        }

    assert "key measures.columns[0].basis: 同比 is a growth rate" in error_of(spec_file(tmp_path, measures))


def test_the_cli_exits_2_with_one_line(tmp_path, capsys):
    spec = spec_file(tmp_path, lambda r: r.update(period_required="no"))
    data = tmp_path / "台账.csv"
    data.write_text("项目名称,所在镇,面积\n甲,平桥镇,1\n", encoding="utf-8")
    assert run_cli("check", str(spec), str(data)) == 2
    err = [x for x in capsys.readouterr().err.splitlines() if "period_required" in x]
    assert len(err) == 1 and "my_layout.yaml" in err[0]

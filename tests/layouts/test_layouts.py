"""Generated layouts extract to exactly the values they were drawn with (#20).

For each dataset hypothesis draws a layout from the named space (`space.py`), the dataset's
generator writes the file and the rows it must yield (ground truth of its own), and the file is
extracted with the real specs by `etl.extract.extract` — what `statwh check` and every load run.
`STATWH_LAYOUT_EXAMPLES` sets the examples per dataset (100 here; `make test-layouts`: 2,000)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from etl.extract import extract
from tests.layouts.case import Case, differences
from tests.layouts.counts import hightech_counts
from tests.layouts.hightech import hightech
from tests.layouts.indicators import indicators_down, indicators_long, indicators_measures, indicators_wide
from tests.layouts.land import land
from tests.layouts.named import NAMED
from tests.layouts.roster import roster
from tests.layouts.space import layouts
from tests.layouts.targets import targets

EXAMPLES = int(os.environ.get("STATWH_LAYOUT_EXAMPLES", "100"))
LAYOUTS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 100,  # the normal suite draws the same layouts every run
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)


def check(case: Case) -> None:
    """Write the case's file, extract it as its source, and compare with the ground truth."""
    with tempfile.TemporaryDirectory() as d:
        path = case.write(Path(d))
        ex = extract(path, case.source, file_name=case.file_name)
        refused = [i.describe() for i in ex.issues if i.severity in ("critical", "row")]
        assert not refused, (case.layout, refused)
        wrong = differences(case, ex.frame)
        assert not wrong, (case.layout, wrong)
        _hidden_rows_named(case, ex)


def _hidden_rows_named(case: Case, ex) -> None:
    """A record row the sheet hides is named by a `hidden_rows` warning (a workbook's rows only:
    CSV and an HTML table hide nothing)."""
    if case.layout.format not in ("xlsx", "xls"):
        return
    hidden = {r + 1 for r in case.sheet.hidden_rows} & {int(r) for r in ex.frame["_row"]}
    named = [i.row for i in ex.issues if i.rule == "hidden_rows"]
    assert named == ([min(hidden)] if hidden else []), (case.layout, sorted(hidden), named)


@LAYOUTS
@given(layouts())
def test_roster_layouts(lay):
    check(roster(lay))


@LAYOUTS
@given(layouts())
def test_hightech_list_layouts(lay):
    check(hightech(lay))


@LAYOUTS
@given(layouts())
def test_hightech_counts_layouts(lay):
    check(hightech_counts(lay))


@LAYOUTS
@given(layouts())
def test_land_ledger_layouts(lay):
    check(land(lay))


@LAYOUTS
@given(layouts())
def test_indicators_wide_layouts(lay):
    check(indicators_wide(lay))


@LAYOUTS
@given(layouts())
def test_indicators_down_layouts(lay):
    check(indicators_down(lay))


@LAYOUTS
@given(layouts())
def test_indicators_long_layouts(lay):
    check(indicators_long(lay))


@LAYOUTS
@given(layouts())
def test_indicators_measures_layouts(lay):
    check(indicators_measures(lay))


@LAYOUTS
@given(layouts())
def test_targets_layouts(lay):
    check(targets(lay))


@pytest.mark.parametrize("name", sorted(NAMED))
def test_named_layouts(name):
    generator, lay = NAMED[name]
    check(generator(lay))

"""Generated layouts extract to exactly the values they were drawn with (#20)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from etl.extract import extract
from tests.layouts.case import differences
from tests.layouts.roster import roster
from tests.layouts.space import layouts

EXAMPLES = int(os.environ.get("STATWH_LAYOUT_EXAMPLES", "100"))
LAYOUTS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 100,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)


def _check(case) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = case.write(Path(d))
        ex = extract(path, case.source, file_name=case.file_name)
        crit = [i.describe() for i in ex.issues if i.severity in ("critical", "row")]
        assert not crit, (case.layout, crit)
        diff = differences(case, ex.frame)
        assert not diff, (case.layout, diff)


@LAYOUTS
@given(layouts())
def test_roster_layouts(lay):
    _check(roster(lay))

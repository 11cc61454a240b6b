"""A roster's 规上 column under the names departments give it, and a month's figure headed in a
bracket. A red team's rosters had loaded wrong figures without a word: a `是否规上企业` column (是/否)
passed over, every row taken as 规上 from the file name (30 for 24); `工业总产值（本月）` read as
the year to date (June's output summed as 1-6月's)."""

from __future__ import annotations

import pytest

from etl.extract import extract
from tests.hostile.corpus import ROSTER_HEADER, ROSTER_NAME, roster_rows, write_xlsx

FLAGS = ["是", "否", "是", "是", "否", "是"]


def _roster(tmp_path, header: str, flags: list[str]):
    rows = [r + [f] for r, f in zip(roster_rows(6), flags, strict=True)]
    return extract(write_xlsx(tmp_path / ROSTER_NAME, [[*ROSTER_HEADER, header], *rows]), "enterprises")


@pytest.mark.parametrize(
    ("header", "flags"),
    [("是否规上企业", FLAGS), ("是否为规模以上企业", FLAGS),
     ("规上/规下", ["规上" if f == "是" else "规下" for f in FLAGS])],
)  # fmt: skip
def test_a_scale_column_under_its_usual_names_gives_each_rows_status(tmp_path, header, flags):
    ex = _roster(tmp_path, header, flags)
    assert not ex.critical, ex.critical
    assert ex.frame["is_above_scale"].tolist() == [f == "是" for f in FLAGS]


@pytest.mark.parametrize("header", ["规上企业标志", "是否规下", "规模以上企业（是/否）标记"])
def test_a_scale_column_under_a_name_not_known_refuses_the_file(tmp_path, header):
    """Never every row 规上 from the file name while a column says otherwise."""
    ex = _roster(tmp_path, header, FLAGS)
    assert [i.rule for i in ex.critical] == ["coverage_column_unread"]
    assert header.replace("（", "(").replace("）", ")") in ex.critical[0].message


def test_a_figure_column_that_names_scale_is_no_flag(tmp_path):
    """`规上工业增加值` holds figures: not a 规上 column, the file name says 规上 as before."""
    ex = _roster(tmp_path, "规上工业增加值", ["12.5", "8", "3.1", "7", "9.9", "1"])
    assert not ex.critical and ex.frame["is_above_scale"].tolist() == [True] * 6


@pytest.mark.parametrize("bracket", ["本月", "当月", "6月"])
def test_a_months_figure_in_a_bracket_is_not_the_year_to_date(tmp_path, bracket):
    header = [h for h in ROSTER_HEADER if h != "本年累计工业总产值"]
    header = [f"工业总产值（{bracket}）" if h == "本月工业总产值" else h for h in header]
    rows = [
        [v for i, v in enumerate(r) if i != ROSTER_HEADER.index("本年累计工业总产值")] for r in roster_rows(6)
    ]
    ex = extract(write_xlsx(tmp_path / ROSTER_NAME, [header, *rows]), "enterprises")
    mapped = {e["field"] for e in ex.column_map}
    assert "output_ytd" not in mapped
    if bracket != "6月":
        assert "output_month" in mapped

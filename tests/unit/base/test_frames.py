"""`etl.base.frames`: what a frame carries in its attrs is shared, not copied, by pandas."""

from __future__ import annotations

import copy

import pandas as pd

from etl.base.frames import Shared


def test_shared_attrs_are_the_same_object_after_pandas_operations():
    merged = Shared([((0, 0), (0, 3)), ((5, 1), (7, 1))])
    df = pd.DataFrame({"a": [1.0, None, 3.0], "b": ["x", "y", None]})
    df.attrs["merged"] = merged
    for out in (df.iloc[1:], df.astype({"a": "float32"}), df.isna(), df[["a"]], df.copy(deep=True)):
        assert out.attrs["merged"] is merged
    assert copy.deepcopy(merged) is merged and copy.copy(merged) is merged
    assert list(merged) == [((0, 0), (0, 3)), ((5, 1), (7, 1))] and merged == (
        ((0, 0), (0, 3)),
        ((5, 1), (7, 1)),
    )


def test_a_plain_list_in_attrs_is_copied_which_is_what_shared_avoids():
    df = pd.DataFrame({"a": [1, 2]})
    plain = [((0, 0), (0, 3))]
    df.attrs["merged"] = plain
    assert df.iloc[1:].attrs["merged"] is not plain  # pandas deep-copies attrs

"""`--as-of` with a UTC offset is that instant: the same instant written with three offsets gives
one answer (the offset had been dropped and the wall time read as this machine's)."""

from __future__ import annotations

import datetime as dt

from etl.cli import _parse_when


def test_an_offset_is_the_instant_it_names():
    utc = _parse_when("2025-03-31T04:00:00+00:00")
    assert _parse_when("2025-03-31T12:00:00+08:00") == utc == _parse_when("2025-03-30T23:00:00-05:00")
    assert utc == dt.datetime(2025, 3, 31, 4, tzinfo=dt.UTC).astimezone().replace(tzinfo=None)
    assert _parse_when("2025-03-31T12:00") == dt.datetime(2025, 3, 31, 12)  # no offset: this machine's

"""Shared by the validation tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _today_as_the_cases_were_written(monkeypatch):
    """`custom.today()` fixed to TODAY, the date the cases (TOMORROW must fail, TODAY pass) were
    built with when test_validate was imported: a run that crosses midnight in Asia/Shanghai (16:00
    UTC) would otherwise validate them a day later, and TOMORROW would be today."""
    from etl.validate import custom  # noqa: PLC0415 - imports great_expectations: only when a test runs
    from tests.unit.validate.test_validate import TODAY  # noqa: PLC0415

    monkeypatch.setattr(custom, "today", lambda: TODAY)

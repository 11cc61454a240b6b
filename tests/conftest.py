"""Shared fixtures: a temporary STATWH_HOME, the demo files, and one warehouse built from them.

Tests run the real pipeline (real DuckDB files, real great_expectations) against temporary data
areas, never against ./data.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"


def run_cli(*args: str) -> int:
    from etl.cli import main

    return main(list(args))


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory) -> Path:
    """The sample departmental files, written once: inbox/<source>/<file>."""
    from etl.demo import write_demo

    inbox = tmp_path_factory.mktemp("demo") / "inbox"
    write_demo(inbox)
    return inbox


class HomeEnv:
    """Point STATWH_HOME at a directory for the duration of a block."""

    def __init__(self, root: Path):
        self.root = root

    def __enter__(self):
        self.old = os.environ.get("STATWH_HOME")
        os.environ["STATWH_HOME"] = str(self.root)
        return self

    def __exit__(self, *exc):
        if self.old is None:
            os.environ.pop("STATWH_HOME", None)
        else:
            os.environ["STATWH_HOME"] = self.old


def fill_inbox(home: Path, demo_files: Path) -> None:
    shutil.copytree(demo_files, home / "inbox", dirs_exist_ok=True)


@pytest.fixture(scope="session")
def built_home(tmp_path_factory, demo_files) -> Path:
    """A data area after one `statwh run` over the demo files (read it, do not change it)."""
    root = tmp_path_factory.mktemp("built")
    fill_inbox(root, demo_files)
    with HomeEnv(root):
        assert run_cli("run") == 0
    return root


@pytest.fixture
def home(tmp_path) -> Iterator[Path]:
    """An empty data area, STATWH_HOME pointing at it."""
    root = tmp_path / "home"
    root.mkdir()
    with HomeEnv(root):
        yield root


@pytest.fixture
def copied_home(tmp_path, built_home) -> Iterator[Path]:
    """A private copy of the built data area, to change."""
    root = tmp_path / "home"
    shutil.copytree(built_home, root)
    with HomeEnv(root):
        yield root


def query(db: Path, sql: str, params=None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()

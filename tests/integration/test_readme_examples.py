"""The analysts' examples run: every ```python block of docs/analysts.md and of README.md's
"For analysts" section, against a built data area (`data/` replaced by its path), each in a fresh
interpreter as an analyst would run it."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import REPO

ROOT = REPO
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def _section(text: str, title: str) -> str:
    start = text.index(title)
    end = text.find("\n## ", start + len(title))
    return text[start : end if end > 0 else None]


def examples() -> list[tuple[str, str]]:
    out = []
    analysts = (ROOT / "docs" / "analysts.md").read_text(encoding="utf-8")
    out += [(f"docs/analysts.md#{i + 1}", b) for i, b in enumerate(BLOCK.findall(analysts))]
    readme = _section((ROOT / "README.md").read_text(encoding="utf-8"), "## For analysts")
    out += [(f"README.md#for-analysts-{i + 1}", b) for i, b in enumerate(BLOCK.findall(readme))]
    return out


def test_there_are_examples_for_every_way_in():
    code = "\n".join(b for _, b in examples())
    for needle in (
        "duckdb.connect(",
        "read_only=True",
        "pd.read_parquet(",
        "sa.create_engine(",
        "access_mode=read_only",
        ".parquet'",
    ):
        assert needle in code, needle
    assert any(n.startswith("README.md") for n, _ in examples())


@pytest.mark.parametrize("name,code", examples(), ids=[n for n, _ in examples()])
def test_example_runs_against_the_snapshot(name, code, built_home, tmp_path):
    code = code.replace("data/", f"{built_home}/")
    p = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, timeout=120)
    assert p.returncode == 0, f"{name} failed:\n{p.stderr.decode(errors='replace')[-3000:]}"
    assert p.stdout or "print(" not in code

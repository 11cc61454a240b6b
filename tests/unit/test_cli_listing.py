"""`statwh --version`, and the listing commands print aligned tables with a header."""

from __future__ import annotations

import subprocess
import sys
import unicodedata

from etl.cli import main, print_table
from etl.spec.model import builtin_specs
from tests.conftest import REPO


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _column_starts(line: str) -> list[int]:
    """Display offsets where a column starts (after a run of two or more spaces)."""
    starts, col, i = [0], 0, 0
    while i < len(line):
        if line[i : i + 2] == "  ":
            while i < len(line) and line[i] == " ":
                col, i = col + 1, i + 1
            starts.append(col)
            continue
        col, i = col + _width(line[i]), i + 1
    return starts


def test_version_prints_the_version_and_exits_0():
    p = subprocess.run(
        [sys.executable, "-m", "etl.cli", "--version"], cwd=REPO, capture_output=True, text=True
    )
    assert p.returncode == 0, p.stderr
    name, version = p.stdout.split()
    assert name == "statwh" and version[0].isdigit() and version.count(".") >= 1


def test_sources_is_a_headed_aligned_table(home, capsys):
    assert main(["sources"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header, rule, rows = lines[0], lines[1], lines[2:]
    assert header.split()[:2] == ["来源", "source"] and set(rule) == {"-", " "}
    assert len(rows) == len(builtin_specs())
    rule_starts = [i for i, ch in enumerate(rule) if ch == "-" and (i == 0 or rule[i - 1] == " ")]
    for row in [header, *rows]:
        assert _column_starts(row)[: len(rule_starts) - 1] == rule_starts[: len(rule_starts) - 1], row
    assert {r.split()[0] for r in rows} == {s.source for s in builtin_specs()}


def test_print_table_aligns_chinese_text(capsys):
    print_table(["名称", "n"], [["高新技术企业", "3"], ["ab", "12"]])
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["名称          n", "------------  --", "高新技术企业  3", "ab            12"]

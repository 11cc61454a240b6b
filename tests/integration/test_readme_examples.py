"""The examples run: every ```python and ```sql block of README.md and docs/*.md, against a built
data area (`data/` replaced by its path), as an analyst would run them — Python in a fresh
interpreter, SQL on the published snapshot opened read-only (a block whose first line names
`warehouse.duckdb` is for operators and runs on the writer's file, opened read-only, instead).

What they print is checked too: no float noise (`1893.4800000000002`), and where a block prints
the district (淮安区, 320803) beside 淮安市 (320800), the district comes first.
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata

import duckdb
import pytest

from tests.conftest import REPO

ROOT = REPO
BLOCK = re.compile(r"```(python|sql)\n(.*?)```", re.S)
FLOAT_NOISE = re.compile(r"\d\.\d*(?:0{5,}|9{5,})\d\b")
DISTRICT, CITY = "320803", "320800"


def _docs() -> list:
    return [
        ROOT / "README.md",
        *sorted(p for p in (ROOT / "docs").glob("*.md") if p.name != "data-dictionary.md"),
    ]


def examples() -> list[tuple[str, str, str]]:
    """(name, language, code) of every example."""
    out = []
    for path in _docs():
        text = path.read_text(encoding="utf-8")
        for i, (lang, code) in enumerate(BLOCK.findall(text)):
            out.append((f"{path.relative_to(ROOT)}#{lang}{i + 1}", lang, code))
    return out


def _section(text: str, title: str) -> str:
    start = text.index(title)
    end = text.find("\n## ", start + len(title))
    return text[start : end if end > 0 else None]


def test_there_are_examples_for_every_way_in():
    code = "\n".join(c for _, _, c in examples())
    for needle in (
        "duckdb.connect(",
        "read_only=True",
        "pd.read_parquet(",
        "sa.create_engine(",
        "access_mode=read_only",
        "duckdb+statwh://",
        "sa.inspect(",
        ".parquet'",
        "pyarrow",
        "from meta.rejections",
    ):
        assert needle in code, needle
    readme = _section((ROOT / "README.md").read_text(encoding="utf-8"), "## For analysts")
    assert "```python" in readme


def _check_output(name: str, out: str) -> None:
    noise = FLOAT_NOISE.findall(out)
    assert not noise, f"{name} prints float noise {noise[:3]}: round in the query"
    if CITY in out:
        assert DISTRICT in out and out.index(DISTRICT) < out.index(CITY), (
            f"{name}: 淮安市 before the district"
        )


# `duckdb+statwh://` comes from the project's entry point; an environment installed from an older
# checkout lacks it until the next `uv sync`, so the examples register it themselves there
REGISTER = (
    "from sqlalchemy.dialects import registry as _r\n"
    "_r.register('duckdb.statwh', 'etl.warehouse.bi_dialect', 'StatwhDuckDBDialect')\n"
)


def _entry_point_installed() -> bool:
    return bool(metadata.entry_points(group="sqlalchemy.dialects", name="duckdb.statwh"))


def _run_python(name: str, code: str, home, cwd) -> str:
    code = code.replace("data/", f"{home}/")
    if "duckdb+statwh" in code and not _entry_point_installed():
        code = REGISTER + code
    p = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, timeout=180)
    assert p.returncode == 0, f"{name} failed:\n{p.stderr.decode(errors='replace')[-3000:]}"
    assert p.stdout or "print(" not in code
    return p.stdout.decode()


def _run_sql(name: str, code: str, home) -> str:
    first = code.strip().splitlines()[0]
    db = home / ("warehouse.duckdb" if "warehouse.duckdb" in first else "published/statwh.duckdb")
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(code).fetchall()
    except duckdb.Error as e:
        pytest.fail(f"{name} fails on {db.name}: {e}")
    finally:
        con.close()
    return "\n".join(map(str, rows))


@pytest.mark.parametrize("name,lang,code", examples(), ids=[n for n, _, _ in examples()])
def test_example_runs_against_the_snapshot(name, lang, code, built_home, tmp_path):
    if lang == "python":
        out = _run_python(name, code, built_home, tmp_path)
    else:
        out = _run_sql(name, code, built_home)
    _check_output(name, out)


def test_the_output_checks_can_fail():
    with pytest.raises(AssertionError, match="float noise"):
        _check_output("x", "[('gdp', 1893.4800000000002)]")
    with pytest.raises(AssertionError, match="淮安市 before"):
        _check_output("x", "[('320800', 5622.18), ('320803', 880.64)]")
    _check_output("x", "[('320803', 880.64), ('320800', 5622.18), 0.5, 1893.48]")

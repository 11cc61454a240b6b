"""Never a traceback from a file (#20): every sample, fixture, hostile file and a batch of generated
layouts goes through `statwh check` (a subprocess, as a person runs it), and any exception while
reading, extracting or validating a file is that file's one-line rejection."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from etl.extract import extract
from tests.conftest import FIXTURES, REPO, query, run_cli
from tests.hostile.corpus import CASES
from tests.layouts.counts import hightech_counts
from tests.layouts.hightech import hightech
from tests.layouts.land import land
from tests.layouts.roster import roster
from tests.layouts.space import DIMENSIONS, Layout

SOURCES = ("enterprises", "hightech", "land_use", "indicators", "targets")


def _statwh_check(source: str, files: list[Path], home: Path) -> subprocess.CompletedProcess:
    env = {
        "PYTHONPATH": str(REPO),
        "STATWH_HOME": str(home),
        "GX_ANALYTICS_ENABLED": "false",
        "PATH": "/usr/bin:/bin",
    }
    code = "import sys; from etl.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, "check", source, *map(str, files)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


def _generated(folder: Path, per_dataset: int) -> dict[str, list[Path]]:
    rng = random.Random(20)
    out: dict[str, list[Path]] = {}
    for gen in (roster, hightech, hightech_counts, land):
        for i in range(per_dataset):
            lay = Layout(**{k: rng.choice(v) for k, v in DIMENSIONS.items()}, seed=rng.randrange(2**32))
            case = gen(lay)
            sub = folder / f"{gen.__name__}-{i}"
            sub.mkdir(parents=True)
            out.setdefault(case.source, []).append(case.write(sub))
    return out


@pytest.mark.slow
def test_no_file_makes_a_traceback(tmp_path, demo_files):
    """Every file as every source: a rejection or a load, one line each, never a traceback."""
    files = sorted(p for p in demo_files.rglob("*") if p.is_file())
    files += sorted(
        p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix.lower() in {".xlsx", ".xls", ".csv"}
    )
    hostile = tmp_path / "hostile"
    for name, case in CASES.items():
        (hostile / name).mkdir(parents=True)
        try:
            files.append(case.make(hostile / name))
        except Exception:  # noqa: BLE001 - a case that cannot be built here is not this test's concern
            continue
    generated = _generated(tmp_path / "generated", 4)
    for source in SOURCES:
        batch = files + generated.get(source, [])
        run = _statwh_check(source, [p for p in batch if p.exists() and p.is_file()], tmp_path / "home")
        out = run.stdout + run.stderr
        assert "Traceback" not in out, out[-3000:]
        assert "内部错误" not in out, out[-3000:]
        assert run.returncode in (0, 1), out[-3000:]


def test_an_exception_while_extracting_is_the_files_rejection(tmp_path, monkeypatch):
    """A bug reached by one file (here: the sheet extractor raising) rejects that file with one
    line naming the sheet, instead of stopping the run."""
    import etl.extract.workbook as workbook

    def broken(*a, **kw):
        raise KeyError("x")

    monkeypatch.setattr(workbook, "extract_rows_sheet", broken)
    path = land(Layout(**{k: v[0] for k, v in DIMENSIONS.items()}, seed=3)).write(tmp_path)
    ex = extract(path, "land_use")
    [issue] = ex.critical
    assert issue.rule == "extract_failed" and issue.sheet and issue.sheet in issue.message
    assert "KeyError" in issue.message and "\n" not in issue.message
    assert ex.frame is None


def test_the_rejection_is_recorded_in_meta_rejections(home, tmp_path, monkeypatch, capsys):
    """The same bug during `statwh ingest`: exit 1, one line on the terminal, the reason (with the
    sheet) in meta.rejections, the next file still loaded."""
    import etl.extract.finish as finish

    lay = Layout(**{k: v[0] for k, v in DIMENSIONS.items()}, seed=0)
    case, other = land(lay), land(Layout(**{**lay.__dict__, "seed": 5}))
    real = finish.land_projects

    def broken_on_one_file(df, file_name):
        if file_name == case.file_name:
            raise TypeError("unsupported operand")
        return real(df, file_name)

    monkeypatch.setitem(finish.STEPS, "land_projects", broken_on_one_file)
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    paths = [case.write(tmp_path / "a"), other.write(tmp_path / "b")]
    if paths[1].name == paths[0].name:
        paths[1] = paths[1].rename(paths[1].with_name("占补平衡 " + paths[1].name))
    capsys.readouterr()
    code = run_cli("ingest", "land_use", *map(str, paths), "--no-build")
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert "TypeError: unsupported operand" in err
    db = home / "warehouse.duckdb"
    rows = query(db, "select rule, sheet from meta.rejections")
    assert rows == [("extract_failed", case.sheet.name)]
    assert query(db, "select count(*) from raw.land_projects")[0][0] == len(other.expected)

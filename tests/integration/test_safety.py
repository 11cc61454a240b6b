"""Safety: names from files never reach SQL as text; archives are content-addressed; the published
snapshot is read-only; no credentials in the repository."""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, HomeEnv, query, run_cli
from tests.hostile.corpus import case_sql_in_names, ledger


@pytest.fixture(autouse=True)
def _any_file_replaces_its_periods(monkeypatch):
    """The corpus's files are 5-row files for periods the demo's data area holds with hundreds of
    rows: with the check on, each would be turned away as a partial resend (that rule is
    tests/unit/warehouse/test_replacing.py); here each file's own handling is what is tested."""
    monkeypatch.setenv("STATWH_MIN_SLICE_SHARE", "0")


ROOT = REPO
EVIL = "x'); drop table meta.loads; --"


def test_names_from_files_are_stored_verbatim_never_executed(copied_home, tmp_path, capsys):
    db = copied_home / "warehouse.duckdb"
    tables_before = query(db, "select schema_name, table_name from duckdb_tables() order by all")
    loads_before = query(db, "select count(*) from meta.loads")[0][0]
    d = tmp_path / "in"
    d.mkdir()
    p = case_sql_in_names(d)
    assert run_cli("ingest", "land_use", str(p)) == 0, capsys.readouterr().err
    assert query(db, "select schema_name, table_name from duckdb_tables() order by all") == tables_before
    assert query(db, "select count(*) from meta.loads")[0][0] == loads_before + 1
    ((file_name, load_id),) = query(
        db, "select file_name, load_id from meta.loads order by load_id desc limit 1"
    )
    assert file_name == p.name
    assert query(db, "select distinct _sheet from raw.land_projects where load_id = ?", [load_id]) == [
        (EVIL,)
    ]
    sheets = query(db, "select distinct sheet from meta.load_columns where load_id = ?", [load_id])
    assert sheets == [(EVIL,)]
    # the snapshot was published over the same names
    snap = copied_home / "published" / "statwh.duckdb"
    assert query(snap, "select file_name from meta.loads where load_id = ?", [load_id]) == [(p.name,)]


def test_a_data_area_whose_path_has_a_quote(tmp_path, demo_files, capsys):
    """Paths reach SQL only as escaped literals (attach, copy … to): a home under `it's; drop` works."""
    home = tmp_path / "it's; drop table x; --"
    (home / "inbox" / "land_use").mkdir(parents=True)
    for f in (demo_files / "land_use").iterdir():
        (home / "inbox" / "land_use" / f.name).write_bytes(f.read_bytes())
    with HomeEnv(home):
        assert run_cli("run") == 0, capsys.readouterr().err
    assert (home / "published" / "statwh.duckdb").exists()
    assert query(home / "published" / "statwh.duckdb", "select count(*) from meta.loads")[0][0] == 2


def test_a_name_with_dotdot_never_leaves_the_data_area(home, tmp_path):
    """A file name handed over by a caller (Airflow, the inbox) is a label, never a path."""
    from etl import inbox
    from etl import ingest as pipeline
    from etl.base.settings import Home
    from etl.warehouse.connection import connect
    from etl.warehouse.load import sha256_of

    h = Home.from_env().ensure()
    d = tmp_path / "in"
    d.mkdir()
    p = ledger(d / "增减挂钩.xlsx")
    outside = {x for x in tmp_path.rglob("*")}
    con = connect(h)
    try:
        (r,) = pipeline.ingest_paths(con, h, "land_use", [p], names=["../../../增减挂钩.xlsx"])
    finally:
        con.close()
    assert r.status == "loaded"
    new = {x for x in tmp_path.rglob("*")} - outside
    assert all(home in x.parents for x in new), [x for x in new if home not in x.parents]
    assert (h.archive / sha256_of(p)[:2] / f"{sha256_of(p)}.xlsx").exists()
    # a claimed file's recorded name cannot send it outside the inbox either
    proc = h.root / "processing"
    proc.mkdir()
    (proc / "abc__land_use").write_bytes(b"x")
    (proc / "abc__land_use.name").write_text("../../../../escaped.xlsx", encoding="utf-8")
    inbox.recover_claims(h)
    assert (h.inbox / "land_use" / "escaped.xlsx").read_bytes() == b"x"


def test_archive_is_content_addressed_and_read_only(built_home):
    from etl.warehouse.load import sha256_of

    files = [p for p in (built_home / "archive").rglob("*") if p.is_file()]
    assert files
    for p in files:
        sha = sha256_of(p)
        assert p.stem == sha and p.parent.name == sha[:2]
        assert not (p.stat().st_mode & 0o222), f"{p} is writable"
    shas = {s for (s,) in query(built_home / "warehouse.duckdb", "select sha256 from meta.loads")}
    assert shas == {p.stem for p in files}


def test_snapshot_is_read_only_to_readers(built_home):
    snap = built_home / "published" / "statwh.duckdb"
    assert not (snap.stat().st_mode & 0o222)
    con = duckdb.connect(str(snap), read_only=True)
    try:
        with pytest.raises(duckdb.Error):
            con.execute("drop table marts.indicator_progress")
        with pytest.raises(duckdb.Error):
            con.execute("insert into meta.loads (load_id) values (1)")
        assert con.execute("select count(*) from marts.indicator_progress").fetchall()[0][0] > 0
    finally:
        con.close()
    if os.geteuid() != 0:  # root ignores file modes
        with pytest.raises(OSError):
            snap.open("r+b")


SECRET_PATTERNS = [
    re.compile(
        r"""(?i)\b(password|passwd|pwd|secret|api[_-]?key|access[_-]?key|token)\b\s*[:=]\s*['"][^'"\s]{6,}['"]"""
    ),
    re.compile(r"-----BEGIN (RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    re.compile(r"(?i)\b(postgres(ql)?|mysql|redis|amqp)://[^:/\s'\"]+:[^@/\s'\"{}$]{3,}@"),
]
ALLOWED = {"airflow", "postgres", "redis", "statwh", "changeme", "example"}


SKIP_DIRS = {
    ".venv",
    ".git",
    "data",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    ".mypy_cache",
    "logs",
    "tests",
}


def _text_files() -> list[Path]:
    """The repository's text files as committed (git-ignored areas such as data/ and .venv/ left out)."""
    files = [p for p in ROOT.rglob("*") if p.is_file() and not SKIP_DIRS & set(p.relative_to(ROOT).parts)]
    return [
        p
        for p in files
        if p.is_file()
        and "tests" not in p.relative_to(ROOT).parts[:1]
        and p.suffix not in {".xlsx", ".xls", ".gz", ".parquet", ".duckdb", ".png", ".lock"}
    ]


def test_no_credentials_in_the_repository():
    hits = []
    for p in _text_files():
        try:
            text = p.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for pat in SECRET_PATTERNS:
            for m in pat.finditer(text):
                value = m.group(0)
                if (
                    any(re.search(rf"[:'\"/]{a}['\"@]", value) for a in ALLOWED)
                    and pat is SECRET_PATTERNS[-1]
                ):
                    continue  # a local-development default (airflow:airflow@postgres) is not a secret
                hits.append(f"{p.relative_to(ROOT)}: {value[:60]}")
    assert not hits, "\n".join(hits)


@pytest.mark.parametrize(
    "name, value",
    [
        ("STATWH_LOCK_TIMEOUT", "abc"),
        ("STATWH_MAX_FILE_BYTES", "1e9"),
        ("STATWH_MAX_CELLS", "-5"),
        ("STATWH_DUCKDB_MEMORY", "lots"),
        ("STATWH_PARQUET_GRACE", "inf"),
        ("STATWH_STABLE_SECONDS", "soon"),
        ("STATWH_DATA_DOCS", "yes"),
    ],
)
def test_a_malformed_setting_is_one_line_and_exit_2(name, value, tmp_path, monkeypatch, capsys):
    """Every `STATWH_*` setting is parsed in etl.base.settings and checked before any work."""
    from etl.cli import main

    monkeypatch.setenv("STATWH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv(name, value)
    assert main(["sources"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and name in err and "Traceback" not in err


def test_statwh_home_pointing_at_a_file_is_exit_2(tmp_path, monkeypatch, capsys):
    from etl.cli import main

    f = tmp_path / "a-file"
    f.write_text("x")
    monkeypatch.setenv("STATWH_HOME", str(f))
    assert main(["sources"]) == 2
    assert "STATWH_HOME" in capsys.readouterr().err


@pytest.mark.parametrize(
    "message, damaged",
    [
        (
            'IO Error: The file "/d/warehouse.duckdb" exists, but it is not a valid DuckDB database file!',
            True,
        ),
        (
            'IO Error: Could not read enough bytes from file "/d/warehouse.duckdb": attempted to read 6144',
            True,
        ),
        ("IO Error: Corrupt database file: computed checksum 1 does not match stored checksum 2", True),
        (
            'IO Error: Could not set lock on file "/d/warehouse.duckdb": Conflicting lock is held in pid 7',
            False,
        ),
        ("Catalog Error: Table with name loads does not exist!", False),
        ("IO Error: Could not write file: No space left on device", False),
    ],
)
def test_only_a_damaged_file_is_called_damaged(message, damaged):
    """A lock held by another process, a missing table or a full disk never sends a user to
    `statwh restore`."""
    from etl.warehouse.connection import is_damage

    assert is_damage(duckdb.IOException(message)) is damaged

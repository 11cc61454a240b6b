"""The warehouse is a product of the archive (issue #21): `statwh restore` rebuilds it from the
archived files and the journal of loads, every vintage reproduced; the archive is checked.

After the warehouse file is deleted, truncated or overwritten with random bytes, `restore` gives
marts equal to those before the damage (every marts table, load timestamps aside); a tampered
archive file is a one-line error naming it; `reprocess` works after the data area has moved and
never reads an archived path from outside it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import HomeEnv, query, run_cli

LOADS = "select load_id, source, file_name, sha256, status, rows_read, rows_loaded, rows_rejected, received_at, reprocess_of from meta.loads order by load_id"


def small_inbox(demo_files: Path, inbox: Path) -> None:
    """Every source, a few roster months: enough for every mart, quick to load."""
    for src in ("land_use", "targets", "indicators", "hightech"):
        shutil.copytree(demo_files / src, inbox / src, dirs_exist_ok=True)
    (inbox / "enterprises").mkdir(parents=True, exist_ok=True)
    for f in sorted((demo_files / "enterprises").iterdir())[-3:]:
        shutil.copy(f, inbox / "enterprises" / f.name)


def marts(db: Path) -> dict[str, list]:
    """Every marts table, rows sorted, without the columns that hold when a load or build ran."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()
        for (t,) in tables:
            cols = con.execute(
                "select column_name from information_schema.columns where table_schema = 'marts'"
                " and table_name = ? and not (data_type like 'TIMESTAMP%' and column_name not like '%received%')"
                " order by ordinal_position",
                [t],
            ).fetchall()
            names = ", ".join(f'"{c}"' for (c,) in cols)
            out[t] = con.execute(f'select {names} from marts."{t}" order by all').fetchall()
        return out
    finally:
        con.close()


def _delete(db: Path) -> None:
    db.unlink()


def _truncate(db: Path) -> None:
    with db.open("r+b") as f:
        f.truncate(db.stat().st_size // 3)


def _random_bytes(db: Path) -> None:
    db.write_bytes(os.urandom(db.stat().st_size))


@pytest.fixture(scope="module")
def loaded_home(tmp_path_factory, demo_files) -> Path:
    """A data area after a run and a reprocess (two vintages of some files)."""
    root = tmp_path_factory.mktemp("restore")
    small_inbox(demo_files, root / "inbox")
    with HomeEnv(root):
        assert run_cli("run") == 0
        assert run_cli("reprocess", "--source", "land_use") == 0
    return root


@pytest.mark.parametrize("damage", [_delete, _truncate, _random_bytes])
def test_restore_after_a_damaged_warehouse_gives_the_same_marts(damage, loaded_home, tmp_path, capsys):
    home = tmp_path / "home"
    shutil.copytree(loaded_home, home)
    db = home / "warehouse.duckdb"
    before, loads_before = marts(db), query(db, LOADS)
    assert any(r[-1] is not None for r in loads_before), "the reprocessed vintages are in the history"
    assert sum(len(v) for v in before.values()) > 0
    damage(db)
    capsys.readouterr()
    with HomeEnv(home):
        assert run_cli("restore") == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert query(db, LOADS) == loads_before
    after = marts(db)
    assert after.keys() == before.keys()
    for table, rows in before.items():
        assert after[table] == rows, table
    if damage is not _delete:
        assert list(home.glob("warehouse.duckdb.before-restore-*")), "the damaged file is kept aside"


def test_a_data_area_from_before_the_journal_gets_one_and_restores(loaded_home, tmp_path, capsys):
    """No journal, absolute archive paths (as older versions wrote): the next writer writes the
    journal from meta.loads, and restore then rebuilds every load."""
    home = tmp_path / "home"
    shutil.copytree(loaded_home, home)
    (home / "journal.jsonl").unlink()
    db = home / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    con.execute("update meta.loads set archive_path = ? || '/' || archive_path", [str(home)])
    con.close()
    before, loads_before = marts(db), query(db, LOADS)
    with HomeEnv(home):
        assert run_cli("build") == 0
        assert (home / "journal.jsonl").exists()
        db.unlink()
        assert run_cli("restore") == 0
    assert "Traceback" not in capsys.readouterr().err
    assert query(db, LOADS) == loads_before
    assert marts(db) == before


def test_a_tampered_archive_file_is_named_in_one_line(loaded_home, tmp_path, capsys):
    home = tmp_path / "home"
    shutil.copytree(loaded_home, home)
    (rel,) = query(
        home / "warehouse.duckdb",
        "select archive_path from meta.loads where source = 'hightech' and status = 'loaded' order by load_id limit 1",
    )[0]
    target = home / rel
    target.chmod(0o644)
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    capsys.readouterr()
    with HomeEnv(home):
        code = run_cli("reprocess", "--source", "hightech")
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    named = [ln for ln in err.splitlines() if target.name in ln]
    assert len(named) == 1 and "altered" in named[0], err[-2000:]
    rules = query(
        home / "warehouse.duckdb", "select rule from meta.rejections where rule = 'archive_altered'"
    )
    assert len(rules) == 1
    with HomeEnv(home):
        assert run_cli("restore") == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and len([ln for ln in err.splitlines() if target.name in ln]) == 1


def test_reprocess_after_the_data_area_moved(loaded_home, tmp_path, capsys):
    old = tmp_path / "old"
    shutil.copytree(loaded_home, old)
    new = tmp_path / "moved"
    old.rename(new)
    n_before = query(new / "warehouse.duckdb", "select max(load_id) from meta.loads")[0][0]
    files = query(
        new / "warehouse.duckdb",
        "select count(distinct sha256) from meta.loads where source = 'hightech' and status = 'loaded'",
    )[0][0]
    capsys.readouterr()
    with HomeEnv(new):
        assert run_cli("reprocess", "--source", "hightech") == 0
    assert "Traceback" not in capsys.readouterr().err
    again = query(
        new / "warehouse.duckdb",
        "select status, count(*) from meta.loads where load_id > ? group by status",
        [n_before],
    )
    assert files > 0 and again == [("loaded", files)], "every hightech file read again from the moved archive"


def test_an_absolute_archive_path_outside_the_data_area_is_never_read(loaded_home, tmp_path, capsys):
    """A path recorded by an older version that points outside STATWH_HOME: the file of that
    name in this home's archive is read (its sha256 checked), never the one outside."""
    home = tmp_path / "home"
    shutil.copytree(loaded_home, home)
    outside = tmp_path / "elsewhere" / "archive"
    shutil.copytree(home / "archive", outside)
    for p in outside.rglob("*.xlsx"):
        p.chmod(0o644)
        p.write_bytes(b"PK\x03\x04 not what was loaded")
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    con.execute(
        f"update meta.loads set archive_path = '{outside}/' || archive_path[9:] where source = 'hightech'"
    )
    con.close()
    capsys.readouterr()
    with HomeEnv(home):
        assert run_cli("reprocess", "--source", "hightech") == 0
    assert "Traceback" not in capsys.readouterr().err


def test_reprocess_reads_a_file_under_the_name_it_loaded_as_not_a_refused_one(demo_files, tmp_path):
    """A roster of 2025-08 loaded, then its bytes resent as `…1-9月` (refused: another period's
    file): reprocess reads it again as 2025-08, never as 2025-09 (it had taken the newest load of
    those bytes, the refused one, and loaded August's figures as September's)."""
    src = demo_files / "enterprises" / "规上工业企业主要指标_2025年1-8月.xlsx"
    resent = tmp_path / "规上工业企业主要指标_2025年1-9月.xlsx"
    shutil.copy(src, resent)
    sql = "select distinct period from marts.indicator_values where indicator_id = 'above_scale_enterprises'"
    with HomeEnv(tmp_path / "home"):
        assert run_cli("ingest", "enterprises", str(src)) == 0
        assert run_cli("ingest", "enterprises", str(resent)) == 1
        assert run_cli("reprocess", "--source", "enterprises") == 0
        db = tmp_path / "home" / "warehouse.duckdb"
        assert query(db, sql) == [("2025-08",)]
        assert query(db, "select file_name from meta.loads where reprocess_of is not null") == [(src.name,)]


def test_an_interrupted_restore_is_never_built_on_until_it_is_run_again(loaded_home, tmp_path, capsys):
    """A restore stopped after some loads (Ctrl-C, a kill) had left a partial warehouse that the next
    `statwh run` built and published as whole (59 progress rows of 160, some figures wrong)."""
    from etl.base.settings import Home
    from etl.ingest import restore_mark, restoring
    from etl.warehouse.archive import journal_entries
    from etl.warehouse.restore import replay

    home = tmp_path / "home"
    shutil.copytree(loaded_home, home)
    db = home / "warehouse.duckdb"
    before = marts(db)
    entries = list(journal_entries(Home(home)))
    with HomeEnv(home), pytest.raises(KeyboardInterrupt):
        with restoring(Home(home)) as (con, _aside):
            replay(con, Home(home), entries[:3])
            raise KeyboardInterrupt  # stopped after three loads
    assert restore_mark(Home(home)).exists()
    capsys.readouterr()
    with HomeEnv(home):
        for command in (["run"], ["build"]):
            assert run_cli(*command) == 2, command
            assert "statwh restore" in capsys.readouterr().err
        assert run_cli("restore") == 0
        assert not restore_mark(Home(home)).exists()
        assert run_cli("run") == 0
    assert marts(db) == before

"""The inbox as a queue: regular files only, whole files only, claims that survive any file name."""

from __future__ import annotations

import json
import os
import shutil

import duckdb
import pytest

from etl import inbox
from etl.base.settings import Home
from tests.conftest import HomeEnv, run_cli


def _home(tmp_path) -> Home:
    home = Home(tmp_path / "home").ensure()
    (home.inbox / "land_use").mkdir(parents=True, exist_ok=True)
    return home


def test_links_fifos_and_folders_are_never_taken(tmp_path):
    home = _home(tmp_path)
    d = home.inbox / "land_use"
    outside = tmp_path / "outside.xlsx"
    outside.write_bytes(b"PK\x03\x04 a spreadsheet outside the inbox")
    (d / "shadow").symlink_to("/etc/shadow")
    (d / "outside.xlsx").symlink_to(outside)
    os.mkfifo(d / "pipe.xlsx")
    (d / "folder.xlsx").mkdir()
    (d / "real.xlsx").write_bytes(b"PK\x03\x04 real")

    assert [p.name for _, p in inbox.waiting_files(home)] == ["real.xlsx"]
    refused = {p.name: why for _, p, why in inbox.refused_entries(home)}
    assert set(refused) == {"shadow", "outside.xlsx", "pipe.xlsx", "folder.xlsx"}
    assert all("not a regular file" in why for why in refused.values())
    assert inbox.claim(home, d / "shadow") is None  # nor claimed when named directly


def test_a_run_never_reads_a_link_and_says_so(tmp_path, capsys):
    home = _home(tmp_path)
    secret = tmp_path / "secret.csv"
    secret.write_text("指标,2024年\n地区生产总值,1\n", encoding="utf-8")
    (home.inbox / "land_use" / "link.csv").symlink_to(secret)
    with HomeEnv(home.root):
        assert run_cli("run") == 0
    err = capsys.readouterr().err
    assert "link.csv" in err and "not a regular file" in err
    assert not any(p.is_file() for p in home.archive.rglob("*"))  # nothing archived, nothing copied
    assert (home.inbox / "land_use" / "link.csv").is_symlink()  # left where it was, for a person
    con = duckdb.connect(str(home.warehouse), read_only=True)
    assert con.execute("select count(*) from meta.loads").fetchall() == [(0,)]


def test_a_file_still_growing_is_left_for_the_next_run(tmp_path):
    home = _home(tmp_path)
    growing = home.inbox / "land_use" / "copying.xlsx"
    growing.write_bytes(b"PK")
    old = home.inbox / "land_use" / "old.xlsx"
    old.write_bytes(b"PK old")
    os.utime(old, (1, 1))  # changed long ago: whole, taken without a second look
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        with growing.open("ab") as f:
            f.write(b"more")

    taken = inbox.stable_files(home, wait=2, sleep=sleep)
    assert [p.name for _, p in taken] == ["old.xlsx"]
    assert len(waits) == 1 and 0 < waits[0] <= 2


@pytest.mark.parametrize("name", ["两行\n名称.xlsx", "tab\tand\rcr.xlsx", "a\n\n\n.xlsx"])
def test_claims_are_json_whatever_the_name_holds(tmp_path, name):
    home = _home(tmp_path)
    f = home.inbox / "land_use" / name
    f.write_bytes(b"PK\x03\x04 x")
    claimed = inbox.claim(home, f)
    record = json.loads(inbox.claim_record(claimed).read_text(encoding="utf-8"))
    assert record["name"] == name and record["source"] == "land_use" and record["pid"] == os.getpid()
    # a dead claimant's file goes back under a name without line breaks, inside the inbox
    record["pid"] = 2**22 + 12345  # no such process
    inbox.claim_record(claimed).write_text(json.dumps(record), encoding="utf-8")
    inbox.recover_claims(home)
    back = list((home.inbox / "land_use").iterdir())
    assert len(back) == 1 and "\n" not in back[0].name and back[0].read_bytes() == b"PK\x03\x04 x"
    assert not any((home.root / "processing").iterdir())


def test_a_recorded_name_of_dots_never_leaves_the_inbox(tmp_path):
    home = _home(tmp_path)
    proc = home.root / "processing"
    proc.mkdir()
    (proc / "abc__land_use").write_bytes(b"x")
    inbox.claim_record(proc / "abc__land_use").write_text(json.dumps({"name": ".."}), encoding="utf-8")
    inbox.recover_claims(home)
    assert (home.inbox / "land_use" / "abc__land_use").read_bytes() == b"x"


def test_a_demo_run_is_not_slowed_by_the_stability_wait(tmp_path, demo_files):
    """Files copied with their mtimes (as fixtures and `cp -p` do) are whole: no wait at all."""
    home = _home(tmp_path)
    shutil.copytree(demo_files, home.inbox, dirs_exist_ok=True)
    for p in home.inbox.rglob("*"):
        os.utime(p, (1, 1))
    taken = inbox.stable_files(home, wait=30, sleep=lambda s: pytest.fail(f"waited {s} s"))
    assert len(taken) == len([p for p in home.inbox.rglob("*") if p.is_file()])


def test_a_copy_queues_right_after_the_file_it_copies():
    """Copies and second downloads follow their original; a year in brackets is no copy mark."""
    names = [
        "X (10).xlsx",
        "X - 副本.xlsx",
        "X (2).xlsx",
        "X.xlsx",
        "X（1）.xlsx",
        "规上（2025）.xlsx",
        "规上.xlsx",
    ]
    assert sorted(names, key=inbox.queue_key) == [
        "X.xlsx",
        "X（1）.xlsx",
        "X (2).xlsx",
        "X (10).xlsx",
        "X - 副本.xlsx",
        "规上.xlsx",
        "规上（2025）.xlsx",
    ]


def test_a_file_written_on_after_its_claim_goes_back_for_the_next_run(tmp_path):
    """An upload that paused longer than the stability wait, then resumed into the claimed file: its
    bytes after the claim were deleted with the claim, and the truncated figures stood. The claim is
    handed to the next run, which puts the whole file back into the inbox."""
    home = _home(tmp_path)
    f = home.inbox / "land_use" / "地区生产总值.csv"
    f.write_bytes(b"a,b\n1,")
    with f.open("ab") as sender:  # the sender keeps the file open, as an upload does
        claimed = inbox.claim(home, f)
        sender.write(b"2.02\n")
    inbox.release(claimed)
    assert claimed.read_bytes() == b"a,b\n1,2.02\n", "kept, not deleted"
    inbox.recover_claims(home)
    assert (home.inbox / "land_use" / "地区生产总值.csv").read_bytes() == b"a,b\n1,2.02\n"
    assert not any((home.root / "processing").iterdir())
    # a file nobody wrote to after its claim is released as before
    g = home.inbox / "land_use" / "whole.csv"
    g.write_bytes(b"a\n1\n")
    claimed = inbox.claim(home, g)
    inbox.release(claimed)
    assert not any((home.root / "processing").iterdir())


def test_a_recovered_copy_of_a_long_name_fits_in_a_file_name(tmp_path):
    """A dead run's claim of an 80-character name, resent meanwhile: `… (recovered xxxxxx)` went past
    255 bytes and every later run stopped on `File name too long`."""
    home = _home(tmp_path)
    name = "淮安区" + "规上工业企业主要经济指标" * 6 + "_2025年1-9月.xlsx"
    assert 230 < len(name.encode()) <= 255
    f = home.inbox / "land_use" / name
    f.write_bytes(b"first")
    claimed = inbox.claim(home, f)
    record = json.loads(inbox.claim_record(claimed).read_text(encoding="utf-8"))
    record["pid"] = 2**22 + 12345  # no such process
    inbox.claim_record(claimed).write_text(json.dumps(record), encoding="utf-8")
    f.write_bytes(b"resent")
    inbox.recover_claims(home)
    back = sorted(p.read_bytes() for p in (home.inbox / "land_use").iterdir())
    assert back == [b"first", b"resent"]
    assert all(len(p.name.encode()) <= 255 for p in (home.inbox / "land_use").iterdir())


def test_a_file_held_open_for_writing_is_not_taken_whatever_its_mtime(tmp_path):
    """An upload that stalled longer than the stability wait: its mtime says whole, but the sender
    (sshd, Samba, a copy) still holds it open for writing. It is left for the next run."""
    home = _home(tmp_path)
    f = home.inbox / "land_use" / "上传中.csv"
    f.write_bytes(b"a,b\n1,")
    os.utime(f, (1, 1))  # written to long ago, as far as its mtime tells
    with f.open("ab"):
        assert inbox.stable_files(home, wait=0) == []
        claimed = inbox.claim(home, f)  # taken by another way meanwhile: not released while open
        inbox.release(claimed)
        assert claimed.exists()
    with claimed.open("rb"):  # open for reading only: no writer
        assert not inbox.open_for_writing([claimed])


def test_a_claim_whose_pid_another_process_now_has_is_recovered(tmp_path):
    """A killed run's claim, its pid reused by another process (a container restarted under the same
    host name): the claim had been held for ever, the file never loaded and no record said why."""
    import subprocess
    import sys

    home = _home(tmp_path)
    f = home.inbox / "land_use" / "2025年1-3月.xlsx"
    f.write_bytes(b"PK\x03\x04 x")
    claimed = inbox.claim(home, f)
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        record = json.loads(inbox.claim_record(claimed).read_text(encoding="utf-8"))
        record["pid"] = other.pid  # alive, but not the claimant: it started later
        inbox.claim_record(claimed).write_text(json.dumps(record), encoding="utf-8")
        inbox.recover_claims(home)
        assert (home.inbox / "land_use" / "2025年1-3月.xlsx").exists()
        # the same process, with its own start recorded: a live claimant, left alone
        g = home.inbox / "land_use" / "2025年1-4月.xlsx"
        g.write_bytes(b"PK\x03\x04 y")
        claimed = inbox.claim(home, g)
        record = json.loads(inbox.claim_record(claimed).read_text(encoding="utf-8"))
        record |= {"pid": other.pid, "started": inbox.process_start(other.pid)}
        inbox.claim_record(claimed).write_text(json.dumps(record), encoding="utf-8")
        inbox.recover_claims(home)
        assert claimed.exists() and not g.exists()
    finally:
        other.kill()
        other.wait()

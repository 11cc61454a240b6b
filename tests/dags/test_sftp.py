"""Pulling from a department's SFTP drop point, against a real OpenSSH server on 127.0.0.1.

The test starts Debian's `/usr/sbin/sshd` (`make sshd` installs it) with a generated host key and
an authorized key in a temporary directory, as the current user; the drop point is a temporary
folder holding one folder per source.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import openpyxl
import pytest

from etl.base.settings import Home, SftpSettings
from etl.pull import pending, pull, session, settle
from etl.receipt import RED, SUMMARY_SHEET, receipt_name
from tests.conftest import HomeEnv, query, run_cli

SSHD = Path("/usr/sbin/sshd")
GOOD = "规上工业企业主要指标_2025年1-6月.xlsx"
OTHER = "规上工业企业主要指标_2025年1-5月.xlsx"
THIRD = "规上工业企业主要指标_2025年1-3月.xlsx"

pytestmark = pytest.mark.timeout(900)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _keygen(path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return path.with_suffix(".pub").read_text().strip()


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    """A running sshd on 127.0.0.1 and the settings that reach it (drop point: `<tmp>/drop`)."""
    if not SSHD.exists() or shutil.which("ssh-keygen") is None:
        pytest.skip("Debian's openssh-server is not installed (make sshd)")
    d = tmp_path_factory.mktemp("sshd")
    host_pub = _keygen(d / "host_key")
    (d / "authorized_keys").write_text(_keygen(d / "client_key") + "\n")
    port = _free_port()
    (d / "known_hosts").write_text(f"[127.0.0.1]:{port} {' '.join(host_pub.split()[:2])}\n")
    (d / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nPidFile {d}/sshd.pid\n"
        f"AuthorizedKeysFile {d}/authorized_keys\nStrictModes no\nUsePAM no\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\nPermitRootLogin prohibit-password\n"
        "Subsystem sftp internal-sftp\nLogLevel ERROR\n"
    )
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation directory
    proc = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(d / "sshd_config")], stderr=subprocess.PIPE)
    try:
        for _ in range(200):  # until it listens (not a timing assertion: readiness)
            if proc.poll() is not None:
                pytest.fail(f"sshd exited: {proc.stderr.read().decode()[-2000:]}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        drop = d / "drop"
        (drop / "enterprises").mkdir(parents=True)
        cfg = SftpSettings(
            "127.0.0.1", port, getpass.getuser(), str(drop), d / "client_key", None, d / "known_hosts"
        )
        yield cfg
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def drop(sshd) -> Path:
    """The drop point, emptied for each test."""
    root = Path(sshd.root)
    shutil.rmtree(root)
    (root / "enterprises").mkdir(parents=True)
    return root


def _broken_header(src: Path, dst: Path) -> None:
    book = openpyxl.load_workbook(src)
    for c in book.worksheets[0][3]:
        if c.value:
            c.value = f"栏目{c.column}"
    book.save(dst)


def _bad_figure(src: Path, dst: Path) -> str:
    """`src` with one figure written as words; the cell's address."""
    book = openpyxl.load_workbook(src)
    ws = book.worksheets[0]
    col = next(c.column for c in ws[3] if c.value == "从业人员（人）")
    cell = ws.cell(row=10, column=col)
    cell.value = "二百人"
    book.save(dst)
    return cell.coordinate


def test_a_file_still_uploading_is_not_taken_until_its_size_is_stable(sshd, drop, home, demo_files):
    data = (demo_files / "enterprises" / GOOD).read_bytes()
    remote = drop / "enterprises" / GOOD
    remote.write_bytes(data[: len(data) // 2])

    def upload_goes_on(_seconds: float) -> None:  # the department's upload continues between the looks
        with remote.open("ab") as f:
            f.write(data[len(data) // 2 :])

    with session(sshd) as sftp:
        assert pull(Home.from_env(), sftp, sshd.root, ["enterprises"], wait=1, sleep=upload_goes_on) == []
        assert not (home / "inbox" / "enterprises").exists() or not any(
            (home / "inbox" / "enterprises").iterdir()
        )
        taken = pull(Home.from_env(), sftp, sshd.root, ["enterprises"], wait=1, sleep=lambda s: None)
    assert [p.name for p in taken] == [GOOD]
    inbox = home / "inbox" / "enterprises"
    assert [p.name for p in inbox.iterdir()] == [GOOD]  # no .part left behind
    assert (inbox / GOOD).read_bytes() == data
    assert remote.exists(), "the remote file stays until its load is answered"
    # pulled once: the next run does not take it again while its load is pending
    with session(sshd) as sftp:
        assert pull(Home.from_env(), sftp, sshd.root, ["enterprises"], wait=0, sleep=lambda s: None) == []


def test_loaded_file_goes_to_done_and_rejected_one_to_rejected_with_its_receipt(sshd, drop, home, demo_files):
    shutil.copy(demo_files / "enterprises" / GOOD, drop / "enterprises" / GOOD)
    _broken_header(demo_files / "enterprises" / OTHER, drop / "enterprises" / OTHER)
    bad_cell = _bad_figure(demo_files / "enterprises" / THIRD, drop / "enterprises" / THIRD)
    (drop / "enterprises" / "still.xlsx.part").write_bytes(b"PK")
    with session(sshd) as sftp:
        taken = pull(Home.from_env(), sftp, sshd.root, ["enterprises"], wait=0, sleep=lambda s: None)
        assert sorted(p.name for p in taken) == sorted([GOOD, OTHER, THIRD])
        assert settle(Home.from_env(), sftp) == []  # nothing loaded yet: nothing answered
    assert run_cli("run") == 1  # one file rejected, one with a row quarantined
    # meanwhile the department sends a corrected file under the rejected one's name
    corrected = drop / "enterprises" / OTHER
    shutil.copy(demo_files / "enterprises" / OTHER, corrected)
    os.utime(corrected, (1, 1))
    with session(sshd) as sftp:
        lines = settle(Home.from_env(), sftp)
    assert len(lines) == 3
    assert pending(Home.from_env()) == []
    folder = drop / "enterprises"
    # the corrected file stays to be pulled in its turn; the rejected one's receipt answers beside
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == sorted(["still.xlsx.part", OTHER])
    assert corrected.read_bytes() == (demo_files / "enterprises" / OTHER).read_bytes()
    assert sorted(p.name for p in (folder / "done").iterdir()) == sorted([GOOD, receipt_name(GOOD)])
    assert sorted(p.name for p in (folder / "rejected").iterdir()) == sorted(
        [receipt_name(OTHER), THIRD, receipt_name(THIRD)]
    )
    # the quarantined row's receipt: the department's workbook, the comment on exactly that cell
    third = openpyxl.load_workbook(folder / "rejected" / receipt_name(THIRD))
    ws = third[third.sheetnames[1]]
    assert "隔离" in ws[bad_cell].comment.text and "二百人" in ws[bad_cell].comment.text
    assert [c.coordinate for row in ws.iter_rows() for c in row if c.fill.fgColor.rgb == RED.fgColor.rgb] == [
        bad_cell
    ]
    third_summary = {r[0]: r[1] for r in third[SUMMARY_SHEET].iter_rows(values_only=True) if r[0]}
    assert third_summary["隔离行数 / rows quarantined"] == 1
    assert third_summary["入库行数 / rows loaded"] == third_summary["读取行数 / rows read"] - 1
    with session(sshd) as sftp:
        again = pull(Home.from_env(), sftp, sshd.root, ["enterprises"], wait=0, sleep=lambda s: None)
    assert [p.name for p in again] == [OTHER]
    (status,) = query(home / "warehouse.duckdb", "select status from meta.loads where file_name = ?", [GOOD])[
        0
    ]
    assert status == "loaded"
    receipt = openpyxl.load_workbook(folder / "rejected" / receipt_name(OTHER))
    assert receipt.sheetnames[0] == SUMMARY_SHEET
    summary = {r[0]: r[1] for r in receipt[SUMMARY_SHEET].iter_rows(values_only=True) if r[0]}
    assert "拒收" in summary["处理结果 / outcome"] and summary["入库行数 / rows loaded"] == 0
    (reason,) = query(
        home / "warehouse.duckdb",
        "select r.message from meta.rejections r join meta.loads l using (load_id)"
        " where l.file_name = ? and r.severity = 'critical' limit 1",
        [OTHER],
    )[0]
    assert any(reason in str(r[1]) for r in receipt[SUMMARY_SHEET].iter_rows(values_only=True))
    good = openpyxl.load_workbook(folder / "done" / receipt_name(GOOD))
    good_summary = {r[0]: r[1] for r in good[SUMMARY_SHEET].iter_rows(values_only=True) if r[0]}
    assert good_summary["入库行数 / rows loaded"] == good_summary["读取行数 / rows read"] > 0


@pytest.mark.slow
def test_the_dag_pulls_with_settings_and_answers_with_the_airflow_connection(
    sshd, drop, airflow_home, tmp_path, demo_files, monkeypatch
):
    from tests.dags.test_airflow_run import _task_states, airflow

    statwh_home = tmp_path / "statwh"
    shutil.copy(demo_files / "enterprises" / GOOD, drop / "enterprises" / GOOD)
    for k, v in {
        "STATWH_SFTP_HOST": sshd.host,
        "STATWH_SFTP_PORT": str(sshd.port),
        "STATWH_SFTP_USER": sshd.user,
        "STATWH_SFTP_KEY_FILE": str(sshd.key_file),
        "STATWH_SFTP_KNOWN_HOSTS": str(sshd.known_hosts),
        "STATWH_SFTP_DIR": sshd.root,
    }.items():
        monkeypatch.setenv(k, v)
    code, log = airflow(airflow_home, statwh_home, "airflow dags test statwh_sftp")
    assert code == 0, log[-6000:]
    assert (statwh_home / "inbox" / "enterprises" / GOOD).exists()
    with HomeEnv(statwh_home):
        assert run_cli("run") == 0
    # the second run answers through the Airflow connection (the settings gone)
    for k in list(os.environ):
        if k.startswith("STATWH_SFTP_"):
            monkeypatch.delenv(k)
    host_key = " ".join(sshd.known_hosts.read_text().split()[1:3])  # "ssh-ed25519 AAAA…"
    conn = {
        "conn_type": "sftp",
        "host": sshd.host,
        "port": sshd.port,
        "login": sshd.user,
        "extra": {"key_file": str(sshd.key_file), "host_key": host_key, "remote_dir": sshd.root},
    }
    monkeypatch.setenv("AIRFLOW_CONN_STATWH_SFTP", json.dumps(conn))
    code, log = airflow(airflow_home, statwh_home, "airflow dags test statwh_sftp")
    assert code == 0, log[-6000:]
    assert _task_states(airflow_home, "statwh_sftp") == {"settle": "success", "pull": "success"}
    assert sorted(p.name for p in (drop / "enterprises" / "done").iterdir()) == sorted(
        [GOOD, receipt_name(GOOD)]
    )


@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory):
    from tests.dags.test_airflow_run import airflow

    home = tmp_path_factory.mktemp("airflow")
    code, log = airflow(
        home, tmp_path_factory.mktemp("unused"), "airflow pools get statwh_duckdb", setup=True
    )
    assert code == 0, log[-4000:]
    return home

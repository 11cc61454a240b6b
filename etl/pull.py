"""Pulling departments' files from an SFTP drop point into the inbox, and answering them there.

The server holds one folder per source under a root (`<root>/enterprises/`, …), the usual drop
point of a 政务 network. `pull` lists each folder twice, `STATWH_STABLE_SECONDS` apart, and takes
only the files whose size and modification time did not change (a file still being uploaded is
left for a later run; `.part`/`.tmp` names, dotfiles and `~$` lock files never); it downloads
each to a hidden `.part` name in `inbox/<source>/`, checks the size, and renames it into place, so
the inbox never shows half a file. Each pulled file is remembered in `$STATWH_HOME/sftp/pending/`
with its sha256.

Whoever loads it (the ingest DAGs, `statwh_pipeline`, `statwh run`), `settle` finds the load by
that sha256 in `meta.loads` and answers the department beside its file: the remote file moves to
`done/` (loaded, or a duplicate of a file already loaded) or `rejected/` (rejected, or rows
quarantined), with the receipt `<name>.回执.xlsx` (`etl.receipt`) next to it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import posixpath
import stat
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from etl.base.issues import Issue
from etl.base.settings import Home, SftpSettings
from etl.inbox import SKIP_SUFFIXES
from etl.receipt import Outcome, receipt_name, write_receipt
from etl.warehouse.archive import ArchiveError, archived
from etl.warehouse.connection import connect, write_lock

log = logging.getLogger("statwh.pull")

DONE, REJECTED = "done", "rejected"
OK_STATUSES = {"loaded", "duplicate"}


@dataclass
class Pulled:
    """One file taken from the server, waiting for its load to be answered."""

    source: str
    name: str  # the department's name for it, in the remote folder
    remote: str  # its path on the server when it was taken
    local: str  # its name in inbox/<source>/
    sha256: str
    size: int
    mtime: int  # the remote file's, when it was taken
    pulled_at: str  # ISO local time, as meta.loads.loaded_at is kept


@contextmanager
def session(cfg: SftpSettings) -> Iterator:
    """An SFTP client for `cfg` (paramiko), the server's key checked against `cfg.known_hosts`."""
    import paramiko

    ssh = paramiko.SSHClient()
    ssh.load_host_keys(str(cfg.known_hosts))
    ssh.set_missing_host_key_policy(paramiko.RejectPolicy())
    ssh.connect(
        cfg.host,
        port=cfg.port,
        username=cfg.user,
        key_filename=str(cfg.key_file) if cfg.key_file else None,
        password=cfg.password,
        allow_agent=False,
        look_for_keys=False,
        timeout=30,
    )
    try:
        sftp = ssh.open_sftp()
        try:
            yield sftp
        finally:
            sftp.close()
    finally:
        ssh.close()


def takeable(name: str) -> bool:
    """A name a department's finished file can have (not a partial upload, a dotfile or a lock file)."""
    return not (name.startswith((".", "~$")) or name.endswith(SKIP_SUFFIXES))


def listing(sftp, folder: str) -> dict[str, tuple[int, int]]:
    """Regular files of `folder` that may be taken: name → (size, mtime); {} when it does not exist."""
    try:
        entries = sftp.listdir_attr(folder)
    except FileNotFoundError:
        return {}
    return {
        e.filename: (e.st_size, e.st_mtime)
        for e in entries
        if stat.S_ISREG(e.st_mode or 0) and takeable(e.filename)
    }


def stable_remote(sftp, folder: str, wait: float, sleep: Callable[[float], None] = time.sleep) -> list[str]:
    """Files of `folder` whose size and mtime are the same across two listings `wait` seconds apart."""
    first = listing(sftp, folder)
    if not first:
        return []
    sleep(wait)
    second = listing(sftp, folder)
    return sorted(n for n, seen in first.items() if second.get(n) == seen)


def pending_dir(home: Home) -> Path:
    return home.root / "sftp" / "pending"


def pending(home: Home) -> list[Pulled]:
    """Files pulled and not answered yet, oldest first."""
    d = pending_dir(home)
    records = [Pulled(**json.loads(p.read_text(encoding="utf-8"))) for p in sorted(d.glob("*.json"))]
    return sorted(records, key=lambda r: r.pulled_at)


def _record_path(home: Home, remote: str) -> Path:
    return pending_dir(home) / (hashlib.sha1(remote.encode("utf-8")).hexdigest() + ".json")


def download(sftp, remote: str, size: int, target_dir: Path, name: str) -> tuple[Path, str] | None:
    """Download `remote` into `target_dir` under a hidden `.part` name, check it has `size` bytes,
    then rename it to `name` (a free variant of it when taken); (path, sha256), None when the file
    changed meanwhile (left for a later run)."""
    target_dir.mkdir(parents=True, exist_ok=True)
    tmp = target_dir / f".{name}.{uuid.uuid4().hex[:8]}.part"
    digest = hashlib.sha256()
    try:
        with sftp.open(remote, "rb") as src, open(tmp, "wb") as dst:
            src.prefetch(size)
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        if tmp.stat().st_size != size or sftp.stat(remote).st_size != size:
            log.warning("%s: changed while it was downloaded; left for a later run", remote)
            return None
        target = target_dir / name
        n = 2
        while target.exists():
            target = target_dir / f"{Path(name).stem} ({n}){Path(name).suffix}"
            n += 1
        os.replace(tmp, target)
        return target, digest.hexdigest()
    finally:
        tmp.unlink(missing_ok=True)


def pull(
    home: Home,
    sftp,
    root: str,
    sources: list[str],
    *,
    wait: float,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Pulled]:
    """Take every stable file of `<root>/<source>/` into `inbox/<source>/`; the files taken."""
    taken = []
    waiting = {r.remote for r in pending(home)}
    for source in sources:
        folder = posixpath.join(root, source)
        for name in stable_remote(sftp, folder, wait, sleep):
            remote = posixpath.join(folder, name)
            if remote in waiting:  # pulled already, its load not answered yet
                continue
            seen = sftp.stat(remote)
            got = download(sftp, remote, seen.st_size, home.inbox / source, name)
            if got is None:
                continue
            local, sha = got
            now = dt.datetime.now().isoformat()
            rec = Pulled(source, name, remote, local.name, sha, seen.st_size, seen.st_mtime, now)
            path = _record_path(home, remote)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(asdict(rec), ensure_ascii=False), encoding="utf-8")
            log.info("%s: pulled into %s (%d bytes)", remote, local, seen.st_size)
            taken.append(rec)
    return taken


def _issues(con, table: str, load_id: int) -> list[Issue]:
    rows = con.execute(
        f"select severity, rule, message, sheet, row_number, column_name, value from meta.{table}"
        " where load_id = ? order by row_number",
        [load_id],
    ).fetchall()
    return [Issue(*r) for r in rows]


def outcomes(home: Home, records: list[Pulled]) -> dict[str, tuple[Outcome, Path | None]]:
    """The load of each pulled file made since it was pulled, by sha256 (with the archived copy,
    None when it was refused unread); files not loaded yet are left out."""
    if not records or not home.warehouse.exists():
        return {}
    found = {}
    with write_lock(home):
        con = connect(home)
        try:
            for r in records:
                row = con.execute(
                    "select load_id, status, rows_read, rows_loaded, rows_rejected, message, archive_path"
                    " from meta.loads where sha256 = ? and source = ? and loaded_at >= ?"
                    " order by load_id desc limit 1",
                    [r.sha256, r.source, dt.datetime.fromisoformat(r.pulled_at)],
                ).fetchone()
                if row is None:
                    continue
                load_id, status, read, loaded, rejected, message, archive_path = row
                issues = _issues(con, "rejections", load_id) + _issues(con, "warnings", load_id)
                outcome = Outcome(
                    r.name, r.source, status, read or 0, loaded or 0, rejected or 0, issues, message or ""
                )
                try:
                    copy = archived(home, archive_path, r.sha256)
                except ArchiveError:
                    copy = None
                found[r.remote] = (outcome, copy)
        finally:
            con.close()
    return found


def settle(home: Home, sftp) -> list[str]:
    """Answer every pulled file whose load is done: move it on the server to `done/` or
    `rejected/` beside it, with its receipt; one line per file answered."""
    records = pending(home)
    found = outcomes(home, records)
    lines = []
    for r in records:
        if r.remote not in found:
            continue
        outcome, copy = found[r.remote]
        folder = posixpath.join(
            posixpath.dirname(r.remote), DONE if outcome.status in OK_STATUSES else REJECTED
        )
        _mkdir(sftp, folder)
        receipt = home.root / "sftp" / "receipts" / f"{uuid.uuid4().hex[:8]}.xlsx"
        write_receipt(copy, outcome, receipt)
        try:
            _put(sftp, receipt, posixpath.join(folder, receipt_name(r.name)))
        finally:
            receipt.unlink(missing_ok=True)
        _move_if_same(sftp, r, posixpath.join(folder, r.name))
        _record_path(home, r.remote).unlink(missing_ok=True)
        lines.append(f"{r.source}/{r.name}: {outcome.status} → {folder}/")
    return lines


def _move_if_same(sftp, r: Pulled, target: str) -> None:
    """Move the remote file answered to `target`, unless it is gone or was replaced since it was
    pulled (a new upload under the same name stays, to be pulled in its turn; the receipt answers)."""
    try:
        now = sftp.stat(r.remote)
    except FileNotFoundError:
        log.warning("%s: gone from the server before it could be moved", r.remote)
        return
    if (now.st_size, now.st_mtime) != (r.size, r.mtime):
        log.warning("%s: replaced since it was pulled; the new file stays to be pulled", r.remote)
        return
    sftp.posix_rename(r.remote, target)


def _mkdir(sftp, folder: str) -> None:
    try:
        sftp.stat(folder)
    except FileNotFoundError:
        sftp.mkdir(folder)


def _put(sftp, local: Path, remote: str) -> None:
    """Upload under a hidden name, then rename into place (replacing an older receipt)."""
    tmp = posixpath.join(posixpath.dirname(remote), f".{posixpath.basename(remote)}.part")
    sftp.put(str(local), tmp)
    sftp.posix_rename(tmp, remote)

"""The archive: every file received, copied once under its sha256, and the journal of what came when.

- **One read of the department's file.** `receive` opens it once (`O_NOFOLLOW`, `fstat` says a
  regular file), refuses it unread when it is larger than `STATWH_MAX_FILE_BYTES`, and otherwise
  copies it into the archive while hashing: the sha256 recorded, the archived bytes and the bytes
  every later step reads are the same, even when the file is still being written meanwhile.
- **Nothing else reads the original.** Extraction, `reprocess`, `restore` and `explain` read the
  archived copy, through `archived`, which checks its sha256 first (a tampered copy is a one-line
  `ArchiveError` naming it). Paths are recorded relative to `STATWH_HOME`, so the data area can move.
- **The journal** (`$STATWH_HOME/journal.jsonl`, beside the archive: the archive holds only files
  named by their sha256; append-only, one JSON object a line, fsynced) records
  every load in the order the warehouse made them: `received` (sha256, archive path, source, file
  name, received_at), `reprocess` (the same, read again on request), `refused` (too large: name,
  size) and `crashed` (the reader crashed on that sha256). `statwh restore` replays it to rebuild
  the warehouse: the journal and the archive, not the warehouse file, are the record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from etl.base.settings import Home
from etl.read import OLE2_MAGIC, ZIP_MAGIC

JOURNAL = "journal.jsonl"
CHUNK = 1 << 20


class ArchiveError(Exception):
    """An archived file missing or not the bytes recorded for it: the message names it."""


class TooLarge(Exception):
    """A file over `STATWH_MAX_FILE_BYTES`: refused before it is copied."""

    def __init__(self, size: int, limit: int):
        super().__init__(
            f"文件大小 {size:,} 字节超过上限 {limit:,} 字节，未读取、未存档 / file of {size:,} bytes is over "
            f"STATWH_MAX_FILE_BYTES={limit:,}: refused unread"
        )
        self.size, self.limit = size, limit


@dataclass(frozen=True)
class Received:
    """A file copied into the archive: its sha256, its path there (absolute) and relative to home."""

    sha256: str
    path: Path
    relative: str
    size: int


def _suffix(head: bytes) -> str:
    return ".xlsx" if head.startswith(ZIP_MAGIC) else ".xls" if head.startswith(OLE2_MAGIC) else ".dat"


def relative_to_home(home: Home, path: Path) -> str:
    return path.relative_to(home.root).as_posix()


def receive(home: Home, path: Path, max_bytes: int) -> Received:
    """Copy `path` into the archive from one open handle while hashing it (see the module's doc).
    Raises `TooLarge` (nothing copied) or `ArchiveError` (not a regular file, unreadable)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as e:
        raise ArchiveError(f"{path.name}: 无法打开 / cannot open: {e.strerror}") from e
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise ArchiveError(f"{path.name}: 不是普通文件，不予读取 / not a regular file: never read")
        if st.st_size > max_bytes:
            raise TooLarge(st.st_size, max_bytes)
        home.archive.mkdir(parents=True, exist_ok=True)
        tmp_fd, tmp = tempfile.mkstemp(dir=home.archive, prefix=".receiving-")
        try:
            sha, size, head = _copy_hashing(f, tmp_fd, max_bytes)
        except BaseException:
            os.unlink(tmp)
            raise
    dest = home.archive / sha[:2] / f"{sha}{_suffix(head)}"
    if dest.exists():
        os.unlink(tmp)
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp, 0o444)
        os.replace(tmp, dest)
    return Received(sha, dest, relative_to_home(home, dest), size)


def _copy_hashing(f, out_fd: int, max_bytes: int) -> tuple[str, int, bytes]:
    """Copy `f` to `out_fd` (fsynced) while hashing; stop with `TooLarge` once past `max_bytes`
    (a file that grew after it was looked at)."""
    h, size, head = hashlib.sha256(), 0, b""
    with os.fdopen(out_fd, "wb") as out:
        while chunk := f.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise TooLarge(size, max_bytes)
            if not head:
                head = chunk[:8]
            h.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return h.hexdigest(), size, head


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def locate(home: Home, recorded: str | None, sha: str) -> Path:
    """Where an archived file is now: its recorded path relative to `STATWH_HOME`; an absolute path
    recorded by an older version is looked up by its name in this home's archive (the data area
    may have moved), never read from outside it."""
    if not recorded:
        raise ArchiveError(f"sha256 {sha[:12]}…: 未存档 / never archived")
    p = Path(recorded)
    if p.is_absolute():
        return home.archive / sha[:2] / p.name
    return home.root / p


def archived(home: Home, recorded: str | None, sha: str) -> Path:
    """The archived copy of a file, checked against its sha256 (`ArchiveError` when missing or altered)."""
    p = locate(home, recorded, sha)
    if not p.is_file():
        raise ArchiveError(f"{p}: 存档文件缺失 / archived file missing (sha256 {sha[:12]}…)")
    got = sha256_of(p)
    if got != sha:
        raise ArchiveError(
            f"{p}: 存档文件已被改动（sha256 {got[:12]}…，应为 {sha[:12]}…） / archived file altered"
        )
    return p


def journal_path(home: Home) -> Path:
    return home.root / JOURNAL


def journal(home: Home, event: str, **fields) -> None:
    """Append one event to the journal (one line, flushed and fsynced before returning)."""
    entry = {"event": event, **fields, "at": dt.datetime.now().isoformat()}
    for k, v in entry.items():
        if isinstance(v, dt.datetime):
            entry[k] = v.isoformat()
    home.root.mkdir(parents=True, exist_ok=True)
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    fd = os.open(journal_path(home), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def journal_entries(home: Home) -> Iterator[dict]:
    """The journal's events in order; a torn last line (a crash while appending) is skipped."""
    p = journal_path(home)
    if not p.exists():
        return
    with p.open(encoding="utf-8") as f:
        for line in f:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and "event" in entry:
                yield entry

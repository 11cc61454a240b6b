"""The inbox as a queue: which files wait, when a file is whole, claiming it, and claims of dead runs.

Light on purpose (standard library and `etl.base` only): the DAG files import it while the scheduler
parses them.

- Only **regular files** are taken. A symbolic link (to `/etc/shadow`, or to a spreadsheet outside
  the inbox), a FIFO, a socket or a device in `inbox/<source>/` is never opened or followed: it is
  listed by `refused_entries` with the reason, and left where it is for a person to look at.
- A file is taken only when it is **whole**: its size and mtime stay the same for
  `STATWH_STABLE_SECONDS` (a file last changed longer ago than that is whole already).
- A **claim** moves the file into `processing/` (an atomic rename) and records who claimed it in a
  JSON file beside it (`<claimed>.claim`), whatever the original name holds (newlines included).
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import stat
import time
import uuid
from pathlib import Path

from etl.base.settings import Home, stable_seconds

log = logging.getLogger("statwh.inbox")

SKIP_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", ".swp")
CLAIM_SUFFIX = ".claim"
LEGACY_CLAIM_SUFFIX = ".name"  # claims written before the JSON record: name, pid, host on lines
STALE_CLAIM_SECONDS = 6 * 3600


def _listed(name: str) -> bool:
    """Names a department's upload never means as a file to load: dotfiles, Office lock files, partials."""
    return not (name.startswith((".", "~$")) or name.endswith(SKIP_SUFFIXES))


# A copy's mark before the extension: a browser's second download (`… (1).xlsx`, `…（2）.xlsx`), WPS's
# or Explorer's copy (`… - 副本.xlsx`, `…_副本(2).xlsx`, `… - Copy.xlsx`). One or two digits only: a
# `（2025）` is a year, not the 2025th copy.
_COPY_MARK = re.compile(
    r"^(?P<base>.+?)(?P<copy>\s*[-_—]?\s*(?:副本|拷贝|copy|Copy|COPY))?"
    r"\s*(?:[(（](?P<n>\d{1,2})[)）])?(?P<ext>\.[^.]*)?$"
)


def queue_key(name: str) -> tuple[str, int, str]:
    """Where a file stands in its source's queue: by name, except that a copy of a name comes right
    after the file it copies (`X.xlsx`, `X (1).xlsx`, `X (2).xlsx`, `X (10).xlsx`), so the later
    download, usually the correction, is loaded after the original and is the figures' latest
    vintage (by bare name order `X (1).xlsx` sorted before `X.xlsx` and the original won)."""
    m = _COPY_MARK.match(name)
    if not m or not (m["copy"] or m["n"]):
        return (name, 0, name)
    rank = 1 + (int(m["n"]) if m["n"] else 0) + (1 if m["copy"] else 0) * 100
    return (m["base"].rstrip() + (m["ext"] or ""), rank, name)


def _entries(home: Home, source: str | None):
    """(source, DirEntry) for every listed entry of `inbox/<source>/`, sources sorted by name, a
    source's files by `queue_key`."""
    if not home.inbox.is_dir():
        return
    for d in sorted(os.scandir(home.inbox), key=lambda e: e.name):
        if not d.is_dir(follow_symlinks=False) or (source and d.name != source):
            continue
        for e in sorted(os.scandir(d.path), key=lambda e: queue_key(e.name)):
            if _listed(e.name):
                yield d.name, e


def _kind(mode: int) -> str | None:
    """What a non-regular entry is, for the message; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "符号链接 / a symbolic link"
    if stat.S_ISFIFO(mode):
        return "命名管道 / a FIFO"
    if stat.S_ISDIR(mode):
        return "文件夹 / a directory"
    return "设备或套接字 / a device or socket"


def waiting_files(home: Home, source: str | None = None) -> list[tuple[str, Path]]:
    """Regular files waiting in `inbox/<source>/`, by source and name; links and the like never."""
    out = []
    for src, e in _entries(home, source):
        try:
            mode = e.stat(follow_symlinks=False).st_mode
        except FileNotFoundError:
            continue
        if stat.S_ISREG(mode):
            out.append((src, Path(e.path)))
    return out


def refused_entries(home: Home, source: str | None = None) -> list[tuple[str, Path, str]]:
    """(source, path, why) for every entry of the inbox that is not a regular file: never taken."""
    out = []
    for src, e in _entries(home, source):
        try:
            kind = _kind(e.stat(follow_symlinks=False).st_mode)
        except FileNotFoundError:
            continue
        if kind is not None:
            out.append(
                (src, Path(e.path), f"不是普通文件（{kind}），不予读取 / not a regular file: never read")
            )
    return out


def _look(paths: list[Path]) -> dict[Path, tuple[int, int]]:
    out = {}
    for p in paths:
        try:
            st = p.lstat()
        except FileNotFoundError:
            continue
        if stat.S_ISREG(st.st_mode):
            out[p] = (st.st_size, st.st_mtime_ns)
    return out


def stable_files(
    home: Home, source: str | None = None, *, wait: float | None = None, sleep=time.sleep
) -> list[tuple[str, Path]]:
    """Waiting files whose size and mtime did not change for `wait` seconds (`STATWH_STABLE_SECONDS`).

    A file last modified longer ago than that is taken at once; the others are looked at again after
    the rest of the wait, and one that changed meanwhile (still being copied) is left for the next run."""
    wait = stable_seconds() if wait is None else wait
    first = waiting_files(home, source)
    if first and (held := open_for_writing([p for _, p in first])):
        for p in sorted(held):
            log.info("%s: 仍被打开写入，下次再取 / still open for writing: left for the next run", p.name)
        first = [(s, p) for s, p in first if p not in held]
    if not first:
        return []
    before = _look([p for _, p in first])
    now = time.time_ns()
    fresh = [p for p, (_size, mtime) in before.items() if now - mtime < wait * 1e9]
    if fresh:
        oldest_fresh = min(now - before[p][1] for p in fresh)
        sleep(max(0.0, wait - oldest_fresh / 1e9))
        after = _look(fresh)
        changed = {p for p in fresh if after.get(p) != before[p]}
        for p in sorted(changed):
            log.info("%s: 仍在写入，下次再取 / still being written: left for the next run", p.name)
        return [(s, p) for s, p in first if p in before and p not in changed]
    return [(s, p) for s, p in first if p in before]


def open_for_writing(paths: list[Path]) -> set[Path]:
    """The files of `paths` that a process of this machine holds open for writing (Linux `/proc`):
    an upload through sshd, Samba or a copy that paused longer than the stability wait is still
    being written whatever its mtime says (a file taken so had loaded truncated, and its later
    bytes were deleted with the claim). Empty where `/proc` cannot tell."""
    wanted = {}
    for p in paths:
        try:
            st = p.lstat()
        except OSError:
            continue
        wanted[(st.st_dev, st.st_ino)] = p
    if not wanted or not os.path.isdir("/proc/self/fd"):
        return set()
    held = set()
    for proc in os.scandir("/proc"):
        if not proc.name.isdigit():
            continue
        try:
            fds = list(os.scandir(f"/proc/{proc.name}/fd"))
        except OSError:
            continue
        for fd in fds:
            try:
                st = os.stat(fd.path)
            except OSError:
                continue
            if (p := wanted.get((st.st_dev, st.st_ino))) is not None and _writable(proc.name, fd.name):
                held.add(p)
    return held


def _writable(pid: str, fd: str) -> bool:
    """Whether the descriptor was opened for writing (its `flags:` in `/proc/<pid>/fdinfo/<fd>`)."""
    try:
        with open(f"/proc/{pid}/fdinfo/{fd}", encoding="ascii") as f:
            for line in f:
                if line.startswith("flags:"):
                    return bool(int(line.split()[1], 8) & (os.O_WRONLY | os.O_RDWR))
    except (OSError, ValueError, IndexError):
        return False
    return False


def claim_record(claimed: Path) -> Path:
    """The JSON record beside a claimed file: its original name, source, and who claimed it."""
    return claimed.with_name(claimed.name + CLAIM_SUFFIX)


def claim(home: Home, path: Path) -> Path | None:
    """Move a waiting file into `processing/` atomically; None when another run took it first (or it
    is no longer a regular file). The record is written first, so a crash between the two never
    leaves a claimed file without its name."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    dest_dir = home.root / "processing"
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / f"{uuid.uuid4().hex}__{path.parent.name}"
    record = {
        "name": path.name,
        "source": path.parent.name,
        "pid": os.getpid(),
        "started": process_start(os.getpid()),  # with the pid: a pid reused by another process is not us
        "host": socket.gethostname(),
        "claimed_at": time.time(),
        "size": st.st_size,  # what was there when claimed: `release` tells a file written on since
        "mtime_ns": st.st_mtime_ns,
    }
    claim_record(dest).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    try:
        os.rename(path, dest)
    except FileNotFoundError:
        claim_record(dest).unlink(missing_ok=True)
        return None
    return dest


def release(claimed: Path) -> None:
    """Forget a claim once its file is archived and recorded (or returned to the inbox). A file its
    sender went on writing after the claim (an upload that paused longer than the stability wait,
    then resumed into the same file) is kept instead: its record loses its owner, so the next run's
    `recover_claims` puts it back into the inbox and the whole file loads then (its bytes after the
    claim had been deleted with it, and the truncated figures stood)."""
    if not _written_since_claim(claimed):
        _forget(claimed)


def _forget(claimed: Path) -> None:
    """The claimed file and its records, removed."""
    claimed.unlink(missing_ok=True)
    claim_record(claimed).unlink(missing_ok=True)
    claimed.with_name(claimed.name + LEGACY_CLAIM_SUFFIX).unlink(missing_ok=True)


def _written_since_claim(claimed: Path) -> bool:
    """True (and the claim handed over to the next run) when the claimed file's size or mtime is
    no longer what the claim recorded, or a process still holds it open for writing."""
    record = _read_record(claimed)
    try:
        st = claimed.lstat()
    except FileNotFoundError:
        return False
    changed = "size" in (record or {}) and (st.st_size, st.st_mtime_ns) != (
        record["size"],
        record["mtime_ns"],
    )
    if not record or not (changed or open_for_writing([claimed])):
        return False
    log.warning(
        "%s: 读取后仍在写入（大小或修改时间已变），留待下次运行重新读取 / written on after it was read: kept for the next run",
        record.get("name"),
    )
    kept = {k: v for k, v in record.items() if k not in {"pid", "host", "recorded_at"}}
    claim_record(claimed).write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    return True


def _read_record(claimed: Path) -> dict | None:
    """The claim's record: JSON, or the older three-line form (name, pid, host); None when absent or unreadable."""
    f = claim_record(claimed)
    if f.exists():
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
            data["recorded_at"] = f.stat().st_mtime
            return data if isinstance(data, dict) else None
        except (ValueError, OSError):
            return None
    legacy = claimed.with_name(claimed.name + LEGACY_CLAIM_SUFFIX)
    if legacy.exists():
        lines = legacy.read_text(encoding="utf-8").splitlines()
        out: dict = {"name": lines[0] if lines else claimed.name, "recorded_at": legacy.stat().st_mtime}
        if len(lines) >= 3:
            out |= {"pid": lines[1], "host": lines[2]}
        return out
    return None


def _claimant_alive(record: dict | None, claimed_at: float) -> bool:
    """True while the process that claimed a file may still be working on it."""
    if not record or "pid" not in record or "host" not in record:
        return False  # nobody to wait for
    if record["host"] != socket.gethostname():  # another worker sharing the data area: trust it a while
        return time.time() - claimed_at < STALE_CLAIM_SECONDS
    try:
        pid = int(record["pid"])
        os.kill(pid, 0)
    except (ProcessLookupError, ValueError, TypeError):
        return False
    except PermissionError:
        pass
    # the pid of a process that died may be another's now (after a container restart pids start low
    # again under the same host name): its claim had been held for ever and the file never loaded
    if record.get("started") is not None and process_start(pid) not in (None, record["started"]):
        return False
    return pid != os.getpid()  # our own earlier claim is not being worked on now


def process_start(pid: int) -> int | None:
    """When a process started, in clock ticks since boot (`/proc/<pid>/stat`, field 22); None where
    it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return int(f.read().rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _is_record(name: str) -> bool:
    return name.endswith((CLAIM_SUFFIX, LEGACY_CLAIM_SUFFIX))


def recover_claims(home: Home) -> None:
    """Put files claimed by a run that died back into the inbox (a loaded one is then a duplicate).
    Claims of a process still running (an Airflow task, another `statwh run`) are left alone; a file
    of the same name that arrived since is never overwritten, and a recorded name never leads
    outside the inbox (only its last component is used)."""
    d = home.root / "processing"
    if not d.exists():
        return
    for f in d.iterdir():
        if _is_record(f.name):
            owner = f.with_name(f.name.rsplit(".", 1)[0])
            if not owner.exists():
                f.unlink(missing_ok=True)  # its claim never happened
            continue
        record = _read_record(f)
        claimed_at = record["recorded_at"] if record else f.stat().st_mtime
        if _claimant_alive(record, claimed_at):
            continue
        name = Path(str((record or {}).get("name") or "").replace("\n", " ")).name
        if name in {"", ".", ".."}:
            name = f.name
        source = f.name.split("__", 1)[1] if "__" in f.name else "unknown"
        target = home.inbox / source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target = target.with_name(
                _within_name_max(target.stem, f" (recovered {uuid.uuid4().hex[:6]}){target.suffix}")
            )
        os.link(f, target)  # fails rather than replace a file that is there
        _forget(f)


NAME_MAX = 255
"""Bytes a file name may take (ext4, xfs)."""


def _within_name_max(stem: str, tail: str) -> str:
    """`stem + tail`, the stem shortened (by characters, never splitting one) so that the name fits in
    `NAME_MAX` bytes: a recovered copy of an 80-character name had stopped every later run."""
    while stem and len((stem + tail).encode()) > NAME_MAX:
        stem = stem[:-1]
    return stem + tail

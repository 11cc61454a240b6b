"""Every `STATWH_*` setting, parsed and validated in one place. `STATWH_HOME` (default `./data`) is the
only one a user must know; the others are listed in the README ("Settings").
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Home:
    """The data area: inbox, archive, quarantine, warehouse file, published copy, docs."""

    root: Path

    @classmethod
    def from_env(cls, root: str | Path | None = None) -> Home:
        return cls(Path(root or os.environ.get("STATWH_HOME") or "data").resolve())

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def refused(self) -> Path:
        """Files refused unread (over `STATWH_MAX_FILE_BYTES`), moved out of the inbox, kept for a person."""
        return self.root / "refused"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        return self.root / "published"

    @property
    def snapshot(self) -> Path:
        return self.published / "statwh.duckdb"

    @property
    def parquet(self) -> Path:
        return self.published / "parquet"

    @property
    def report_dir(self) -> Path:
        return self.published / "report"

    @property
    def data_docs(self) -> Path:
        return self.root / "gx"

    @property
    def lock(self) -> Path:
        return self.root / "statwh.lock"

    def ensure(self) -> Home:
        for p in (self.inbox, self.archive, self.quarantine, self.published):
            p.mkdir(parents=True, exist_ok=True)
        return self


class SettingsError(ValueError):
    """A `STATWH_*` variable that cannot be used; the message names it, its value and what is expected."""


def _number(name: str, default: float, *, kind: type = float, minimum: float = 0) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = kind(raw.strip())
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise SettingsError(f"{name}={raw!r}: 应为数字 / expected {what}") from None
    if not math.isfinite(value) or value < minimum:
        raise SettingsError(
            f"{name}={raw!r}: 应为不小于 {minimum} 的有限数 / expected a finite number ≥ {minimum}"
        )
    return value


def limits() -> dict[str, int]:
    """Input caps, configurable by environment (bytes / cells)."""
    return {
        "max_bytes": int(_number("STATWH_MAX_FILE_BYTES", 200 * 2**20, kind=int, minimum=1)),
        "max_unzipped": int(_number("STATWH_MAX_UNZIPPED_BYTES", 2**30, kind=int, minimum=1)),
        "max_cells": int(_number("STATWH_MAX_CELLS", 60_000_000, kind=int, minimum=1)),
    }


def worker_limits() -> dict[str, float]:
    """Each file's reader process (`etl.warehouse.sandbox`): `STATWH_WORKER_MEMORY` bytes of address
    space beyond what it starts with (default 8 GiB; 0: no limit) and `STATWH_WORKER_SECONDS`
    (default 600) before it is killed and the file rejected."""
    return {
        "memory": int(_number("STATWH_WORKER_MEMORY", 8 * 2**30, kind=int, minimum=0)),
        "timeout": _number("STATWH_WORKER_SECONDS", 600, minimum=0.1),
    }


def lock_timeout() -> float:
    """Seconds a writer waits for the warehouse's write lock (`STATWH_LOCK_TIMEOUT`, default 600)."""
    return _number("STATWH_LOCK_TIMEOUT", 600)


def parquet_grace() -> float:
    """Seconds a superseded Parquet directory stays readable (for readers that resolved the link)."""
    return _number("STATWH_PARQUET_GRACE", 600)


def stable_seconds() -> float:
    """Seconds between the two looks at a file's size (`STATWH_STABLE_SECONDS`, default 3)."""
    return _number("STATWH_STABLE_SECONDS", 3)


def slice_share() -> float:
    """The share of a period's loaded rows a file must bring to replace them
    (`STATWH_MIN_SLICE_SHARE`, default 0.5; 0: any file replaces its periods, as before the check;
    `etl.validate.replacing`)."""
    share = _number("STATWH_MIN_SLICE_SHARE", 0.5)
    if share > 1:
        raise SettingsError(f"STATWH_MIN_SLICE_SHARE={share!r}: 应在 0 到 1 之间 / expected 0 to 1")
    return share


def retry_delay() -> float:
    """Seconds Airflow waits before retrying a failed task (`STATWH_RETRY_DELAY`, default 30)."""
    return _number("STATWH_RETRY_DELAY", 30)


_MEMORY = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.I)


def duckdb_memory() -> str:
    """DuckDB's memory limit for warehouse connections (`STATWH_DUCKDB_MEMORY`, default 1GB; DuckDB's
    own default is 80 % of the machine's RAM, too much beside Airflow's workers)."""
    raw = os.environ.get("STATWH_DUCKDB_MEMORY", "").strip() or "1GB"
    if not _MEMORY.match(raw):
        raise SettingsError(
            f"STATWH_DUCKDB_MEMORY={raw!r}: 应为内存大小 / expected a size such as 1GB or 512MB"
        )
    return raw


def data_docs_enabled() -> bool:
    """Validation results kept for great_expectations Data Docs (`STATWH_DATA_DOCS=0` turns them off)."""
    raw = os.environ.get("STATWH_DATA_DOCS", "1").strip()
    if raw not in {"0", "1", ""}:
        raise SettingsError(f"STATWH_DATA_DOCS={raw!r}: 应为 0 或 1 / expected 0 or 1")
    return raw != "0"


@dataclass(frozen=True)
class SftpSettings:
    """Where departments drop their files (`STATWH_SFTP_*`): `<root>/<source>/` on an SFTP server."""

    host: str
    port: int
    user: str
    root: str
    key_file: Path | None
    password: str | None
    known_hosts: Path


def sftp() -> SftpSettings | None:
    """The SFTP drop point, or None when `STATWH_SFTP_HOST` is unset. `STATWH_SFTP_USER` is required
    with it; `STATWH_SFTP_KEY_FILE` (a private key) or `STATWH_SFTP_PASSWORD`; `STATWH_SFTP_PORT`
    (22); `STATWH_SFTP_DIR` (the folder holding one folder per source, default the login folder);
    `STATWH_SFTP_KNOWN_HOSTS` (default ~/.ssh/known_hosts): the server's key must be in it."""
    host = os.environ.get("STATWH_SFTP_HOST", "").strip()
    if not host:
        return None
    port = int(_number("STATWH_SFTP_PORT", 22, kind=int, minimum=1))
    if port > 65535:
        raise SettingsError(f"STATWH_SFTP_PORT={port}: 应为 1–65535 / expected a port number")
    user = os.environ.get("STATWH_SFTP_USER", "").strip()
    if not user:
        raise SettingsError(
            "STATWH_SFTP_USER: 设置了 STATWH_SFTP_HOST 时必填 / required with STATWH_SFTP_HOST"
        )
    key = os.environ.get("STATWH_SFTP_KEY_FILE", "").strip()
    password = os.environ.get("STATWH_SFTP_PASSWORD") or None
    if key and not Path(key).expanduser().is_file():
        raise SettingsError(f"STATWH_SFTP_KEY_FILE={key!r}: 文件不存在 / no such file")
    if not key and not password:
        raise SettingsError(
            "STATWH_SFTP_KEY_FILE 或 STATWH_SFTP_PASSWORD 必填其一 / a key file or a password is required"
        )
    known = Path(os.environ.get("STATWH_SFTP_KNOWN_HOSTS", "").strip() or "~/.ssh/known_hosts").expanduser()
    if not known.is_file():
        raise SettingsError(
            f"STATWH_SFTP_KNOWN_HOSTS={str(known)!r}: 文件不存在，服务器的主机密钥须事先登记 "
            "/ no such file: the server's host key must be known"
        )
    root = os.environ.get("STATWH_SFTP_DIR", "").strip() or "."
    return SftpSettings(host, port, user, root, Path(key).expanduser() if key else None, password, known)


def check() -> None:
    """Parse every setting once (at start): a bad one is a `SettingsError` before any work is done."""
    home = Home.from_env()
    if home.root.exists() and not home.root.is_dir():
        raise SettingsError(f"STATWH_HOME={str(home.root)!r}: 不是目录 / not a directory")
    limits()
    worker_limits()
    lock_timeout()
    parquet_grace()
    stable_seconds()
    slice_share()
    retry_delay()
    duckdb_memory()
    data_docs_enabled()
    sftp()

"""Where things live. `STATWH_HOME` (default `./data`) is the only setting a user must know."""

from __future__ import annotations

import os
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


def limits() -> dict[str, int]:
    """Input caps, configurable by environment (bytes / cells)."""
    return {
        "max_bytes": int(os.environ.get("STATWH_MAX_FILE_BYTES", 200 * 2**20)),
        "max_unzipped": int(os.environ.get("STATWH_MAX_UNZIPPED_BYTES", 2**30)),
        "max_cells": int(os.environ.get("STATWH_MAX_CELLS", 60_000_000)),
    }


def lock_timeout() -> float:
    return float(os.environ.get("STATWH_LOCK_TIMEOUT", 600))


def parquet_grace() -> float:
    """Seconds a superseded Parquet directory stays readable (for readers that resolved the link)."""
    return float(os.environ.get("STATWH_PARQUET_GRACE", 600))

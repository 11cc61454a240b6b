"""Publishing: a read-only snapshot of the marts and Parquet exports, each replaced atomically.

Readers (dashboards, analysts) open `published/statwh.duckdb` read-only and never the writer's
file. Only aggregates are published: enterprise-level rows stay in the warehouse (统计法). What is
published, and the disclosure rules it follows, are SQL models of `warehouse/models/published/`
(built as the `published` views of the warehouse, so audits and analysts see what readers get):
a township or chain cell built from 1 to `min_cell_enterprises - 1` enterprises (ref.plan, from
plan.yaml `disclosure`) is suppressed (null) with `is_suppressed` saying so. This module only
copies them out: each view into a table of the snapshot, and the marts among them into Parquet.

Crash safety (a reader never sees a half-written file, a writer that dies leaves the previous
publication in place):

* the snapshot is written to `published/.statwh.<pid>.duckdb.tmp`, fsynced, made read-only and
  renamed over `published/statwh.duckdb` (rename(2) is atomic: an open reader keeps the old
  inode, a new reader opens the new file);
* a publisher that fails (a full disk) removes what it was writing before it says so, and
  the previous publication stays;
* the Parquet files are written into a new directory `published/.parquet-<stamp>/` (each file
  written aside and renamed in) and `published/parquet` is a symbolic link to the current one,
  swapped by renaming a new link over it — so the whole set changes at once and a reader listing
  `published/parquet/*.parquet` never mixes two builds. A reader resolves the link once
  (`Path("published/parquet").resolve()`) and reads from that directory: DuckDB opens a file more
  than once per query, and a path through the link could reach two builds between those opens.
  A superseded directory therefore stays for `STATWH_PARQUET_GRACE` seconds (default 600) after
  it was replaced, and the previous one always stays; older ones are removed, and so is a
  directory that was never linked (left by a publisher that died before its swap).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import time
from pathlib import Path

import duckdb

from etl.base.settings import Home, parquet_grace
from etl.warehouse.build import model, models
from etl.warehouse.comments import comment_published, source_of

SNAPSHOT_STORAGE_VERSION = "v1.0.0"  # the snapshot is readable by DuckDB 1.0 and every later version

# name in the snapshot → the view of the warehouse it copies (a model of warehouse/models/published/),
# in this order: a table leaves the warehouse only when it is named here
SNAPSHOT: dict[str, str] = {
    "marts.indicator_progress": "published.indicator_progress",
    "marts.indicator_values": "published.indicator_values",
    "marts.value_recipes": "published.value_recipes",
    "marts.township_scorecard": "published.township_scorecard",
    "marts.chain_output": "published.chain_output",
    "marts.source_freshness": "published.source_freshness",
    "marts.dim_indicator": "published.dim_indicator",
    "meta.loads": "published.loads",
    "meta.rejections": "published.rejections",
    "meta.warnings": "published.warnings",
}


def published_sources() -> dict[str, str]:
    """Name in the snapshot → the model or meta table its view copies (whose header describes it)."""
    return {name: source_of(model(view).sql) for name, view in SNAPSHOT.items()}


PARQUET_PREFIX = ".parquet-"
LINKED = ".linked"  # `<dir>.linked` beside a Parquet directory that `published/parquet` pointed at


def publish(con: duckdb.DuckDBPyConnection, home: Home) -> dict[str, Path]:
    """Write the snapshot and the Parquet files aside, then rename them into place.

    The caller holds the write lock (so stale leftovers of a publisher that died are ours to remove).
    """
    home.published.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(home)
    try:
        snap_tmp = _write_snapshot(con, home)
        new_dir, written = _write_parquet(con, home, snap_tmp)
    except BaseException:  # a full disk, a failed query: nothing half-written stays to fill the disk
        _remove_leftovers(home)
        _remove_unlinked_parquet(home)
        raise
    _swap_parquet(home, new_dir)
    os.replace(snap_tmp, home.snapshot)
    _fsync_dir(home.published)
    written["snapshot"] = home.snapshot
    return written


def _remove_unlinked_parquet(home: Home) -> None:
    """Parquet directories being written that no link ever pointed at (this publisher's, failed)."""
    for d in home.published.glob(PARQUET_PREFIX + "*"):
        if d.is_dir() and not d.is_symlink() and not _linked(d).exists():
            shutil.rmtree(d, ignore_errors=True)


def _write_snapshot(con: duckdb.DuckDBPyConnection, home: Home) -> Path:
    tmp = home.published / f".statwh.{os.getpid()}.duckdb.tmp"
    tmp.unlink(missing_ok=True)
    # the writer's own connection reads the warehouse (its default catalog, which the models'
    # names resolve in); the snapshot is a new file, attached beside it, written in DuckDB 1.0's
    # storage format: BI drivers bundle older DuckDB versions (docs/analysts.md)
    con.execute(f"attach '{_sql_path(tmp)}' as snap (storage_version '{SNAPSHOT_STORAGE_VERSION}')")
    try:
        for schema in sorted({name.split(".", 1)[0] for name in SNAPSHOT}):
            con.execute(f"create schema if not exists snap.{schema}")
        for name, view in SNAPSHOT.items():
            con.execute(f"create table snap.{name} as select * from {view}")
        comment_published(con, "snap", published_sources(), models())
        con.execute("checkpoint snap")
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # the first error is the one to report
            con.execute("detach snap")
        raise
    con.execute("detach snap")
    tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
    _fsync(tmp)
    tmp.chmod(0o444)
    return tmp


def _write_parquet(
    con: duckdb.DuckDBPyConnection, home: Home, snapshot: Path
) -> tuple[Path, dict[str, Path]]:
    """The marts as Parquet, copied from the snapshot just written (its tables, not the views
    again: the same rows, and the published views are evaluated once per build)."""
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
    new_dir = home.published / f"{PARQUET_PREFIX}{stamp}-{os.getpid()}"
    new_dir.mkdir()
    written: dict[str, Path] = {}
    con.execute(f"attach '{_sql_path(snapshot)}' as snap_written (read_only)")
    try:
        for name in SNAPSHOT:
            if not name.startswith("marts."):
                continue
            file = f"{name.split('.', 1)[1]}.parquet"
            part = new_dir / (file + ".tmp")
            con.execute(f"copy (select * from snap_written.{name}) to '{_sql_path(part)}' (format parquet)")
            _fsync(part)
            os.replace(part, new_dir / file)
            written[name] = home.parquet / file
    finally:
        con.execute("detach snap_written")
    _fsync_dir(new_dir)
    return new_dir, written


def _swap_parquet(home: Home, new_dir: Path) -> None:
    """Point `published/parquet` at `new_dir` in one rename; remove directories superseded long ago.

    The moment a directory stops being current is stamped on it (its mtime), so the grace period
    counts from the swap, not from when the directory was written.
    """
    link = home.parquet
    previous = os.readlink(link) if link.is_symlink() else None
    if link.exists() and not link.is_symlink():
        # a data area from before the link: move the old directory aside (one-time)
        link.rename(home.published / f"{PARQUET_PREFIX}0-legacy")
        previous = f"{PARQUET_PREFIX}0-legacy"
        _linked(home.published / previous).touch()
    _linked(new_dir).touch()  # readers may resolve to it from now on
    tmp_link = home.published / f".parquet-link.{os.getpid()}.tmp"
    tmp_link.unlink(missing_ok=True)
    os.symlink(new_dir.name, tmp_link)  # relative: a copied data area stays valid
    os.replace(tmp_link, link)
    if previous and (home.published / previous).is_dir():
        os.utime(home.published / previous)  # superseded now
    cutoff = time.time() - parquet_grace()
    for d in home.published.glob(PARQUET_PREFIX + "*"):
        if d.name.endswith(LINKED):
            if not d.with_name(d.name.removesuffix(LINKED)).is_dir():
                d.unlink(missing_ok=True)
            continue
        if d.name in (new_dir.name, previous) or not d.is_dir() or d.is_symlink():
            continue
        # never linked (a publisher that died before the swap): nobody can be reading it
        if not _linked(d).exists() or d.stat().st_mtime < cutoff:
            shutil.rmtree(d, ignore_errors=True)
            _linked(d).unlink(missing_ok=True)


def _linked(d: Path) -> Path:
    return d.with_name(d.name + LINKED)


def _remove_leftovers(home: Home) -> None:
    """Temporary files of a publisher that died (its staging Parquet directory goes at the next swap)."""
    for p in home.published.glob(".statwh.*.duckdb.tmp*"):
        p.chmod(0o644)
        p.unlink(missing_ok=True)
    for p in home.published.glob(".parquet-link.*.tmp"):
        p.unlink(missing_ok=True)


def _fsync(p: Path) -> None:
    fd = os.open(p, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(p: Path) -> None:
    try:
        _fsync(p)
    except OSError:  # some file systems cannot fsync a directory
        pass


def _sql_path(p: Path) -> str:
    return str(p).replace("'", "''")

"""The DuckDB warehouse file: connections, the write lock, and the tables loads write to.

Only this module, `etl.warehouse.load`, `etl.warehouse.build` and `etl.warehouse.publish` touch the warehouse file. DuckDB takes
one writer at a time: every writer holds `write_lock` (the same lock file Airflow tasks use).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from etl.base.datasets import DATASETS, LINEAGE
from etl.base.settings import Home, duckdb_memory, lock_timeout
from etl.warehouse.build import create_views_over_loads


class LockTimeout(Exception):
    """Another writer held the warehouse for longer than the configured wait."""


class WarehouseDamaged(Exception):
    """A DuckDB file of the data area cannot be read as a database: empty, truncated, overwritten.
    The message is one line naming the file and what to run (`statwh restore`, or `statwh
    publish` for the published snapshot)."""


# how DuckDB says that a file is no (longer a whole) database; a lock held by another process is not
DAMAGE_SIGNS = (
    "not a valid DuckDB database",
    "Could not read enough bytes",
    "Corrupt database",
    "checksum",
    "Serialization Error",
    "database file is corrupt",
)


def is_damage(e: BaseException) -> bool:
    """True when `e` is DuckDB saying that a database file is damaged."""
    text = str(e)
    return isinstance(e, duckdb.Error) and any(sign.lower() in text.lower() for sign in DAMAGE_SIGNS)


def damage_message(e: BaseException, path: Path | None = None) -> str:
    """One line: which file is damaged, what DuckDB said, and the command that rebuilds it."""
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    where = str(path) if path else "warehouse"
    if "/published/" in f"{path or text}":
        return (
            f"发布的快照已损坏（{where}：{text}）；请运行 statwh publish 重新发布 "
            f"/ the published snapshot is damaged: run `statwh publish`"
        )
    return (
        f"仓库文件已损坏（{where}：{text}）；请运行 statwh restore 从归档重建 "
        f"/ the warehouse is damaged: run `statwh restore` to rebuild it from the archive"
    )


_HELD: set[int] = set()
"""The descriptors of the write locks this process holds."""


def _drop_inherited_locks() -> None:
    """In a forked child (a reading worker): close its copies of the lock's descriptor, never
    unlocking (that would free the parent's lock). A worker left running by a killed run had held
    the lock, and the next run timed out on a writer that was gone."""
    for fd in list(_HELD):
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


os.register_at_fork(after_in_child=_drop_inherited_locks)


@contextlib.contextmanager
def write_lock(home: Home, timeout: float | None = None, *, on_wait=None) -> Iterator[None]:
    """Hold the warehouse's write lock; wait at most `timeout` seconds for another writer."""
    home.root.mkdir(parents=True, exist_ok=True)
    timeout = lock_timeout() if timeout is None else timeout
    fd = os.open(home.lock, os.O_RDWR | os.O_CREAT, 0o644)
    _HELD.add(fd)
    start = time.monotonic()
    told = False
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() - start > timeout:
                    holder = Path(home.lock).read_text(errors="replace").strip() or "another process"
                    raise LockTimeout(
                        f"等待其他写入进程超时（{timeout:.0f} 秒）：{holder} / timed out waiting for another writer"
                    ) from None
                if not told and on_wait:
                    on_wait()
                    told = True
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}".encode())
        yield
    finally:
        _HELD.discard(fd)
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


META_DDL = """
create schema if not exists meta;
create schema if not exists raw;
create schema if not exists marts;
create sequence if not exists meta.load_id_seq start 1;
create table if not exists meta.loads (
    load_id bigint primary key,
    source varchar not null,
    layout varchar,
    dataset varchar,
    file_name varchar not null,
    sha256 varchar not null,
    archive_path varchar,
    format varchar,
    encoding varchar,
    status varchar not null,           -- loaded / partial / rejected / duplicate
    rows_read bigint default 0,        -- data rows found in the file
    rows_loaded bigint default 0,
    rows_rejected bigint default 0,
    received_at timestamp not null,
    loaded_at timestamp not null,      -- the vintage: when the warehouse learnt these figures
    reporter varchar,                  -- 填报单位 named in the file
    message varchar,
    reprocess_of bigint                -- the load whose archived file was read again
);
create table if not exists meta.rejections (
    load_id bigint, file_name varchar, sheet varchar, row_number integer, column_name varchar,
    value varchar, rule varchar, severity varchar, message varchar
);
create table if not exists meta.warnings (
    load_id bigint, file_name varchar, sheet varchar, row_number integer, column_name varchar,
    value varchar, rule varchar, severity varchar, message varchar
);
-- every 合计/小计 row checked against the sum of its parts, one row per column (etl/extract/totals.py):
-- total and sum_of_parts in the file's own unit, passed within max(0.05, 0.01 %)
create table if not exists meta.reconciliations (
    load_id bigint, file_name varchar, sheet varchar, row_number integer, column_name varchar,
    total double, sum_of_parts double, difference double, passed boolean
);
create table if not exists meta.quarantine (
    load_id bigint, dataset varchar, sheet varchar, row_number integer, row_json varchar, reasons varchar
);
create table if not exists meta.load_columns (
    load_id bigint, sheet varchar, field varchar, column_letter varchar, header_text varchar
);
-- how the column's missing figures were written, e.g. {"—": 2, "blank": 1} (added later: kept
-- for warehouses made before)
alter table meta.load_columns add column if not exists missing_markers varchar;
-- the unit a number column was written in and the factor extraction applied to it (lineage,
-- core.value_inputs; added later: null for loads made before)
alter table meta.load_columns add column if not exists unit_read varchar;
alter table meta.load_columns add column if not exists unit_factor double;
create table if not exists meta.slices (
    load_id bigint, dataset varchar, slice_key varchar, loaded_at timestamp
);
create table if not exists meta.validation_results (
    load_id bigint, suite varchar, expectation varchar, column_name varchar, success boolean,
    unexpected_count bigint, unexpected_percent double, sample_values varchar, severity varchar,
    run_at timestamp
);
create table if not exists meta.builds (
    build_id bigint, built_at timestamp, last_vintage timestamp, seconds double
);
-- the slices (and the load of each) a type-2 model was last built from (etl/warehouse/build.py)
create table if not exists meta.model_slices (
    model varchar, dataset varchar, slice_key varchar, load_id bigint
);
-- each audit of warehouse/audits/ at each build (etl/warehouse/build.py `run_audits`)
create table if not exists meta.audits (
    build_id bigint, audit varchar, severity varchar, run_at timestamp,
    rows_found bigint,                 -- bad rows the audit's query returned
    passed boolean,                    -- none
    sample varchar                     -- the first bad rows, a JSON list of objects
);
"""


def raw_ddl() -> str:
    out = []
    for ds in DATASETS.values():
        cols = [f"{c} {t}" for c, t in ds.columns.items()]
        cols += [f"{c} {t}" for c, t in LINEAGE.items()]
        cols += ["load_id bigint not null", "slice_key varchar not null"]
        out.append(f"create table if not exists raw.{ds.name} (\n    " + ",\n    ".join(cols) + "\n);")
        # a column added to a dataset later (lineage columns of indicator_obs): null in older loads
        out += [f"alter table raw.{ds.name} add column if not exists {c} {t};" for c, t in ds.columns.items()]
    return "\n".join(out)


def _connect_to_write(home: Home) -> duckdb.DuckDBPyConnection:
    """The warehouse file opened to write, waiting (`STATWH_LOCK_TIMEOUT`) while another process
    holds it open — a reader's session on `warehouse.duckdb` itself (the README's queries): the run
    had stopped at once as an internal error. Then `LockTimeout`, saying what holds it."""
    start = time.monotonic()
    while True:
        try:
            return duckdb.connect(str(home.warehouse), config={"memory_limit": duckdb_memory()})
        except duckdb.IOException as e:
            if "lock" not in str(e).lower():
                raise
            if time.monotonic() - start > lock_timeout():
                holder = re.search(r"PID (\d+)", str(e), re.IGNORECASE)
                raise LockTimeout(
                    f"仓库文件正被另一进程打开（{'pid ' + holder.group(1) if holder else '另一进程'}，如查询会话），"
                    f"等待 {lock_timeout():.0f} 秒后仍未释放；请关闭该连接（分析请用 published/statwh.duckdb）"
                    " / the warehouse file is held open by another process (a query session?): close it,"
                    " and query published/statwh.duckdb instead"
                ) from None
            time.sleep(0.5)


def connect(home: Home, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file (creating its tables, and the views over them that a load's
    checks read, when writing). A file DuckDB cannot read is `WarehouseDamaged`."""
    home.root.mkdir(parents=True, exist_ok=True)
    try:
        if read_only:
            return duckdb.connect(str(home.warehouse), read_only=True)
        con = _connect_to_write(home)
        con.execute(META_DDL)
        con.execute(raw_ddl())
        create_views_over_loads(con)
    except duckdb.Error as e:
        if is_damage(e):
            raise WarehouseDamaged(damage_message(e, home.warehouse)) from e
        raise
    return con

"""Re-reading archived files after a spec or a rule changed: each becomes a new load (a new vintage)."""

from __future__ import annotations

from pathlib import Path

from etl.base.settings import Home
from etl.warehouse.load import LoadResult, ingest_file


def archived_loads(con, *, source: str | None = None, period: str | None = None) -> list[tuple]:
    """The newest load of every distinct archived file (by sha256) that loaded — else its newest
    rejected one —, optionally of one source / period. The same bytes refused under another name
    (April's file resent as `…1-5月`: `duplicate_other_period`) are not read again under that name:
    April's figures had been loaded as May's."""
    sql = """
        with latest as (
            select * from meta.loads
            where status in ('loaded', 'partial', 'rejected') and archive_path is not null
            qualify row_number() over (
                partition by sha256 order by status in ('loaded', 'partial') desc, load_id desc
            ) = 1
        )
        select l.load_id, l.source, l.file_name, l.archive_path, l.received_at, l.sha256
        from latest as l
        where (?::varchar is null or l.source = ?)
          and (?::varchar is null
               or exists (select 1 from meta.slices s where s.load_id = l.load_id and s.slice_key like '%' || ? || '%')
               or l.file_name like '%' || ? || '%')
        order by l.load_id
    """
    return con.execute(sql, [source, source, period, period, period]).fetchall()


def reprocess(con, home: Home, *, source: str | None = None, period: str | None = None) -> list[LoadResult]:
    """Read every archived file chosen again, as a new load. Each is read from the archive under
    this `STATWH_HOME` (whatever path an older version recorded), its sha256 checked first: one
    missing or altered is a rejected load naming it, never skipped in silence, never read from outside."""
    results = []
    for load_id, src, name, archive_path, received_at, sha in archived_loads(
        con, source=source, period=period
    ):
        results.append(
            ingest_file(
                con,
                home,
                Path(name),
                src,
                file_name=name,
                received_at=received_at,
                force=True,
                reprocess_of=load_id,
                archived_as=(archive_path, sha),
            )
        )
    return results

"""`statwh restore`: the warehouse rebuilt from the archive, replaying its journal.

Every load the warehouse made is a line of `$STATWH_HOME/journal.jsonl` (`etl.warehouse.archive`), in
the order it was made: the file's sha256, its archive path, source, name and `received_at`, and
for a file that was rejected unread (too large, the reader crashed on it) the rule. Replaying the
lines in order on an empty warehouse loads every file again from the archive (its sha256 checked),
reprocessed files again as new vintages, rejections unread again as rejections: the same load ids,
the same vintages in the same order, hence the same marts (only the load timestamps are new).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from etl.base.issues import Issue
from etl.base.settings import Home
from etl.warehouse.archive import journal, journal_entries, journal_path, locate
from etl.warehouse.load import UNREAD_RULES, LoadResult, Prepared, commit, ingest_file


def replay(con, home: Home, entries: list[dict] | None = None) -> list[LoadResult]:
    """Make every load of the journal again, in order, on `con` (an empty warehouse)."""
    results = []
    for e in journal_entries(home) if entries is None else entries:
        if e.get("event") not in {"received", "reprocess"}:
            continue
        received_at = dt.datetime.fromisoformat(e["received_at"])
        name = str(e.get("file_name") or "")
        if e.get("rule") or not e.get("archive"):
            results.append(commit(con, home, _unread(e, name, received_at), force=True, replay=True))
            continue
        results.append(
            ingest_file(
                con,
                home,
                Path(name),
                str(e["source"]),
                file_name=name,
                received_at=received_at,
                force=e["event"] == "reprocess",
                reprocess_of=e.get("reprocess_of"),
                archived_as=(e["archive"], e["sha256"]),
                replay=True,
            )
        )
    return results


def _unread(e: dict, name: str, received_at: dt.datetime) -> Prepared:
    """A load the journal records as rejected without reading the file: recorded so again."""
    rule = e.get("rule") or "unreadable_entry"
    why = Issue(
        "critical", rule, f"按存档日志重建：{rule} / restored from the journal: rejected unread ({rule})"
    )
    return Prepared(
        file_name=name,
        source=str(e.get("source") or ""),
        sha256=str(e.get("sha256") or ""),
        archive_path=e.get("archive"),
        received_at=received_at,
        issues=[why],
    )


def seed_journal(con, home: Home) -> int:
    """Write the journal from `meta.loads` when the archive has none yet (a data area from before
    the journal): every load, in load order, so that `restore` can rebuild all of it. Returns the
    number of loads written (0: a journal exists, or nothing is loaded)."""
    if journal_path(home).exists():
        return 0
    rows = con.execute(
        "select l.load_id, l.source, l.file_name, l.sha256, l.archive_path, l.received_at, l.reprocess_of,"
        " (select min(r.rule) from meta.rejections r where r.load_id = l.load_id and r.rule in ?) as unread"
        " from meta.loads as l order by l.load_id",
        [list(UNREAD_RULES)],
    ).fetchall()
    for _load_id, source, name, sha, path, received_at, reprocess_of, unread in rows:
        rel = None
        if path:
            p = locate(home, path, sha)
            rel = p.relative_to(home.root).as_posix() if p.is_relative_to(home.root) else None
        journal(
            home,
            "reprocess" if reprocess_of is not None else "received",
            sha256=sha,
            archive=rel,
            source=source,
            file_name=name,
            received_at=received_at,
            reprocess_of=reprocess_of,
            rule=unread if rel else unread or "unreadable_entry",
        )
    return len(rows)

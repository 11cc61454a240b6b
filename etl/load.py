"""Loading one file: archive it, extract, validate, and write it in one DuckDB transaction.

Nothing a department sends is lost: the file is archived under its sha256 before anything else,
rejected rows are kept in `meta.quarantine` (and a CSV beside the archive) with their reasons, and
a file that fails leaves the warehouse's data exactly as it was (only its `meta.loads` row and its
rejections are recorded).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from etl.extract import Extraction, Issue, extract
from etl.read import OLE2_MAGIC, ZIP_MAGIC
from etl.schemas import DATASETS, LINEAGE
from etl.settings import Home, limits

log = logging.getLogger("statwh.load")


@dataclass
class LoadResult:
    """What happened to one file: what a person reads in the summary."""

    file_name: str
    source: str
    status: str  # loaded / partial / rejected / duplicate
    load_id: int | None = None
    layout: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rejections: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    message: str = ""
    extraction: Extraction | None = None

    @property
    def ok(self) -> bool:
        return self.status in {"loaded", "duplicate"}


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def archive_file(home: Home, path: Path, sha: str) -> Path:
    """Copy `path` into the immutable archive under its sha256 (never under a name from outside)."""
    with path.open("rb") as f:
        head = f.read(8)
    ext = ".xlsx" if head.startswith(ZIP_MAGIC) else ".xls" if head.startswith(OLE2_MAGIC) else ".dat"
    dest = home.archive / sha[:2] / f"{sha}{ext}"
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_suffix(dest.suffix + ".tmp")
        shutil.copyfile(path, tmp)
        tmp.replace(dest)
        dest.chmod(0o444)
    return dest


def _now_after(con: duckdb.DuckDBPyConnection) -> dt.datetime:
    """A vintage strictly after every earlier one (two loads never share a timestamp)."""
    last = con.execute("select max(loaded_at) from meta.loads").fetchall()[0][0]
    now = dt.datetime.now().replace(tzinfo=None)
    if last is not None and now <= last:
        now = last + dt.timedelta(microseconds=1)
    return now


def _issue_rows(load_id: int, file_name: str, issues: list[Issue]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "load_id": [load_id] * len(issues),
            "file_name": [file_name] * len(issues),
            "sheet": [i.sheet for i in issues],
            "row_number": pd.array([i.row for i in issues], dtype="Int32"),
            "column_name": [i.column for i in issues],
            "value": [None if i.value is None else str(i.value)[:500] for i in issues],
            "rule": [i.rule for i in issues],
            "severity": [i.severity for i in issues],
            "message": [i.message for i in issues],
        }
    )


def _validation_issues(ex: Extraction) -> tuple[list[Issue], pd.DataFrame | None]:
    """Run the dataset's expectation suite; map failures back to sheet, row and column."""
    from etl.validate import validate

    frame = ex.frame
    assert frame is not None and ex.spec is not None
    outcome = validate(ex.spec.dataset, frame)
    issues = []
    colmap = {(c["sheet"], c["field"]): f"{c['header_text']} ({c['column_letter']})" for c in ex.column_map}
    for rec in outcome.issues.itertuples(index=False):
        if rec.row_index is not None and not pd.isna(rec.row_index) and rec.row_index in frame.index:
            r = frame.loc[rec.row_index]
            sheet, row = r["_sheet"], int(r["_row"])
            col = colmap.get((sheet, rec.column_name), rec.column_name)
            if r.get("_col") is not None and not pd.isna(r.get("_col")):
                col = f"{rec.column_name} ({r['_col']})"
        else:
            sheet, row, col = None, None, rec.column_name
        issues.append(Issue(rec.severity, rec.rule, rec.message, sheet, row, col, rec.value))
    return issues, outcome.results


def slice_keys(dataset: str, frame: pd.DataFrame) -> pd.Series:
    cols = DATASETS[dataset].slice_by
    key = frame[cols[0]].astype("string").fillna("")
    for c in cols[1:]:
        key = key + "|" + frame[c].astype("string").fillna("")
    return key


def ingest_file(
    con: duckdb.DuckDBPyConnection, home: Home, path: Path, source: str, *, file_name: str | None = None,
    received_at: dt.datetime | None = None, force: bool = False, reprocess_of: int | None = None,
) -> LoadResult:
    """Archive, extract, validate and load one file in one transaction. Never raises on bad input."""
    file_name = file_name or path.name
    received_at = received_at or dt.datetime.now()
    sha = sha256_of(path)
    archived = archive_file(home, path, sha)
    if not force:
        prior = con.execute(
            "select load_id from meta.loads where sha256 = ? and status in ('loaded','partial') order by load_id limit 1",
            [sha],
        ).fetchall()
        prior = prior[0] if prior else None
        if prior:
            load_id = con.execute("select nextval('meta.load_id_seq')").fetchall()[0][0]
            now = _now_after(con)
            con.execute(
                "insert into meta.loads (load_id, source, file_name, sha256, archive_path, status, received_at, loaded_at, message)"
                " values (?, ?, ?, ?, ?, 'duplicate', ?, ?, ?)",
                [load_id, source, file_name, sha, str(archived), received_at, now,
                 f"与第 {prior[0]} 次入库的文件内容相同，未重复入库 / same content as load {prior[0]}"],
            )
            return LoadResult(file_name, source, "duplicate", load_id,
                              message=f"already loaded as load {prior[0]} (same sha256): nothing loaded twice")

    ex = extract(path, source, file_name=file_name, limits=limits())
    result = LoadResult(file_name, ex.source, "rejected", extraction=ex, layout=ex.spec.layout if ex.spec else None)
    results_df = None
    if not ex.critical and ex.frame is not None:
        try:
            v_issues, results_df = _validation_issues(ex)
        except Exception as e:  # a bug in a rule must not lose the file
            log.exception("validation failed for %s", file_name)
            v_issues = [Issue("critical", "validation_error", f"校验过程出错 / validation failed: {e}")]
        # one reason per row and column: extraction's own messages are more precise than a suite's
        seen = {(i.sheet, i.row, (i.column or "").split(" (")[0]) for i in ex.issues}
        ex.issues.extend(i for i in v_issues if (i.sheet, i.row, (i.column or "").split(" (")[0]) not in seen
                         or i.row is None)
    critical = [i for i in ex.issues if i.severity == "critical"]
    row_issues = [i for i in ex.issues if i.severity == "row"]
    warnings = [i for i in ex.issues if i.severity == "warning"]
    result.rows_read = ex.rows_read
    result.warnings = warnings

    con.execute("begin transaction")
    try:
        load_id = con.execute("select nextval('meta.load_id_seq')").fetchall()[0][0]
        now = _now_after(con)
        result.load_id = load_id
        frame = ex.frame
        reporter = next((s.reporter for s in ex.sheets if s.reporter), None)
        if critical or frame is None:
            result.status = "rejected"
            result.rejections = critical or [Issue("critical", "unreadable", "文件无法读取 / unreadable")]
            result.rows_rejected = result.rows_read
            result.message = critical[0].message if critical else "unreadable"
            loaded = pd.DataFrame()
        else:
            bad = {(i.sheet, i.row) for i in row_issues}
            is_bad = pd.Series([(s, r) in bad for s, r in zip(frame["_sheet"], frame["_row"], strict=True)],
                               index=frame.index, dtype=bool)
            loaded = frame[~is_bad].copy()
            quarantined = frame[is_bad]
            result.rejections = row_issues
            result.rows_rejected = len({(i.sheet, i.row) for i in row_issues})
            result.rows_loaded = int(loaded["_row"].nunique() if ex.spec and ex.spec.shape == "wide" else len(loaded))
            result.status = "partial" if row_issues else "loaded"
            dataset = ex.spec.dataset
            if len(loaded):
                loaded["load_id"] = load_id
                loaded["slice_key"] = slice_keys(dataset, loaded)
                cols = list(DATASETS[dataset].columns) + list(LINEAGE) + ["load_id", "slice_key"]
                con.register("_incoming", loaded[cols])
                con.execute(f"insert into raw.{dataset} by name select * from _incoming")
                con.unregister("_incoming")
                slices = pd.DataFrame({"slice_key": loaded["slice_key"].unique()})
                slices["load_id"], slices["dataset"], slices["loaded_at"] = load_id, dataset, now
                con.register("_slices", slices)
                con.execute("insert into meta.slices by name select * from _slices")
                con.unregister("_slices")
            if len(quarantined):
                _quarantine(con, home, load_id, dataset, file_name, quarantined, row_issues)
        rows_loaded = result.rows_loaded if result.status != "rejected" else 0
        con.execute(
            "insert into meta.loads (load_id, source, layout, dataset, file_name, sha256, archive_path, format, encoding,"
            " status, rows_read, rows_loaded, rows_rejected, received_at, loaded_at, reporter, message, reprocess_of)"
            " values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [load_id, ex.source, result.layout, ex.spec.dataset if ex.spec else None, file_name, sha, str(archived),
             ex.format, ex.encoding, result.status, result.rows_read, rows_loaded, result.rows_rejected,
             received_at, now, reporter, result.message or None, reprocess_of],
        )
        all_rej = result.rejections
        if all_rej:
            con.register("_rej", _issue_rows(load_id, file_name, all_rej))
            con.execute("insert into meta.rejections by name select * from _rej")
            con.unregister("_rej")
        if warnings:
            con.register("_warn", _issue_rows(load_id, file_name, warnings))
            con.execute("insert into meta.warnings by name select * from _warn")
            con.unregister("_warn")
        if ex.column_map:
            cm = pd.DataFrame(ex.column_map)
            cm["load_id"] = load_id
            con.register("_cm", cm)
            con.execute("insert into meta.load_columns by name select * from _cm")
            con.unregister("_cm")
        if results_df is not None and len(results_df):
            vr = results_df.rename(columns={"column": "column_name"}).copy()
            vr["load_id"], vr["run_at"] = load_id, now
            con.register("_vr", vr)
            con.execute(
                "insert into meta.validation_results by name select load_id, suite, expectation, column_name,"
                " success, unexpected_count, unexpected_percent, sample_values, severity, run_at from _vr"
            )
            con.unregister("_vr")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return result


def _quarantine(con, home: Home, load_id: int, dataset: str, file_name: str, rows: pd.DataFrame,
                issues: list[Issue]) -> None:
    reasons: dict[tuple[str | None, int | None], list[str]] = {}
    for i in issues:
        reasons.setdefault((i.sheet, i.row), []).append(f"{i.column or ''}: {i.message}")
    data_cols = [c for c in rows.columns if c not in LINEAGE]
    q = pd.DataFrame(
        {
            "load_id": load_id,
            "dataset": dataset,
            "sheet": rows["_sheet"].values,
            "row_number": rows["_row"].astype("int32").values,
            "row_json": [json.dumps({k: (None if pd.isna(v) else str(v)) for k, v in r.items()}, ensure_ascii=False)
                         for r in rows[data_cols].to_dict("records")],
            "reasons": ["; ".join(reasons.get((s, int(r)), [])) for s, r in zip(rows["_sheet"], rows["_row"], strict=True)],
        }
    )
    con.register("_q", q)
    con.execute("insert into meta.quarantine by name select * from _q")
    con.unregister("_q")
    home.quarantine.mkdir(parents=True, exist_ok=True)
    out = rows.copy()
    out.insert(0, "reasons", q["reasons"].values)
    out.to_csv(home.quarantine / f"load{load_id:06d}.csv", index=False, encoding="utf-8-sig")

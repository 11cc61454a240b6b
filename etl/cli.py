"""`statwh`: the command line. Every stage of the pipeline runs from here without Airflow.

Exit status: 0 all input loaded (warnings allowed); 1 some input rejected or quarantined, or a wait
for another writer timed out; 2 wrong usage or configuration. Logs go to stderr; `--format json`
prints exactly one JSON array on stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import math
import os
import sys
import time
import unicodedata
from importlib import metadata
from pathlib import Path

from etl.base import settings
from etl.base.issues import Issue, one_line
from etl.base.settings import Home

EXAMPLES = {
    "run": "statwh run                      # load everything waiting in $STATWH_HOME/inbox/<source>/",
    "ingest": "statwh ingest enterprises 规上工业企业主要指标_2025年1-6月.xlsx",
    "check": "statwh check land_use 增减挂钩项目验收台账.xlsx   # prints what would load; changes nothing\n"
    "  statwh check enterprises 报表.xlsx --receipt 报表.回执.xlsx   # and the receipt a department would get",
    "build": "statwh build\n  statwh build --full     # every table rewritten from its query",
    "reprocess": "statwh reprocess --source enterprises --period 2025-06",
    "publish": "statwh publish",
    "restore": "statwh restore                  # rebuild warehouse.duckdb from the archive and its journal",
    "indicators": "statwh indicators --latest --format json\n  statwh indicators --as-of 2025-03-31",
    "explain": "statwh explain chain_output_electronic_info 2025-06\n  statwh explain gdp 2024 --region 320812 --format json",
    "report": "statwh report --out /tmp/dashboard",
    "demo": "statwh demo /tmp/inbox",
    "sources": "statwh sources",
    "spec": "statwh spec draft 新部门台账.xlsx --out etl/specs/new_layout.yaml",
    "docs": "statwh docs            # regenerate docs/data-dictionary.md from the models",
}

STATUS_ZH = {
    "achieved": "已完成",
    "on_track": "进度正常",
    "at_risk": "有风险",
    "off_track": "滞后",
    "missed": "未完成",
    "no_target": "目标待定",
    "no_data": "暂无数据",
}
STATUS_STYLE = {
    "achieved": "bold green",
    "on_track": "green",
    "at_risk": "yellow",
    "off_track": "red",
    "missed": "bold red",
    "no_target": "dim",
    "no_data": "dim",
}


class UsageError(Exception):
    """Wrong usage or configuration: exit 2."""


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


def _home(args) -> Home:
    return Home.from_env().ensure()


def _parse_on(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--on 应为日期，如 2025-06-30 / not a date: {text!r}") from None


def _parse_when(text: str) -> dt.datetime:
    try:
        d = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--as-of 应为日期或 ISO 日期时间，如 2025-03-31 或 2025-03-31T12:00 / not a date: {text!r}"
        ) from None
    if len(text) <= 10:  # a date: what was known by the end of that day
        d = d.replace(hour=23, minute=59, second=59, microsecond=999999)
    if d.tzinfo is not None:  # `…+08:00`: that instant in this machine's time, as loads are stamped
        d = d.astimezone()
    return d.replace(tzinfo=None)


def _check_source(source: str) -> None:
    from etl.spec.model import SpecError, source_ids, specs_for

    try:
        if not specs_for(source):
            raise UsageError(f"未知的数据源“{source}”，可用：{', '.join(source_ids())} / unknown source")
    except SpecError as e:
        raise UsageError(str(e)) from e


def _check_files(files: list[str]) -> list[Path]:
    paths = [Path(f) for f in files]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise UsageError("文件不存在 / no such file: " + ", ".join(missing))
    return paths


def _writer(home: Home):
    """The warehouse's writer for a command, saying on stderr when it waits for another one."""
    from etl.ingest import writer

    return writer(home, on_wait=lambda: _err("另一个写入进程正在运行，等待中… / waiting for another writer…"))


# ---------------------------------------------------------------- summaries


def print_result(r) -> None:
    mark = {"loaded": "✔", "partial": "◐", "rejected": "✘", "duplicate": "="}.get(r.status, "?")
    line = f"{mark} [{r.source}] {one_line(r.file_name)}: {r.status}"
    if r.status in {"loaded", "partial"}:
        line += f" — {r.rows_loaded} rows loaded"
        if r.rows_rejected:
            line += f", {r.rows_rejected} rows quarantined"
    elif r.status == "duplicate":
        line += f" — {r.message}"
    _err(line)
    for i in r.rejections[:5]:
        _err(f"    {i.severity}: {i.describe()}")
    if len(r.rejections) > 5:
        _err(f"    … and {len(r.rejections) - 5} more (meta.rejections, load {r.load_id})")
    for w in r.warnings[:3]:
        where = ", ".join(x for x in (w.sheet and f"sheet {w.sheet}", w.row and f"row {w.row}") if x)
        _err(f"    warning: {where + ': ' if where else ''}{w.message}")
    if len(r.warnings) > 3:
        _err(f"    … and {len(r.warnings) - 3} more warnings (meta.warnings, load {r.load_id})")


def print_totals(results) -> None:
    from collections import Counter

    c = Counter(r.status for r in results)
    _err("files: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())) if results else "no files waiting")


# ---------------------------------------------------------------- commands


def cmd_demo(args) -> int:
    from etl.demo import write_demo

    target = Path(args.dir) if args.dir else _home(args).inbox
    files = write_demo(target)
    _err(f"wrote {len(files)} sample files into {target}")
    return 0


def _width(text: str) -> int:
    """Columns a terminal gives `text`: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    """An aligned table with a header line and a rule under it (plain text: it pipes and greps)."""
    widths = [max(_width(str(v)) for v in col) for col in zip(headers, *rows, strict=True)]

    def line(values) -> str:
        return "  ".join(
            str(v) + " " * (w - _width(str(v))) for v, w in zip(values, widths, strict=True)
        ).rstrip()

    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))


def cmd_sources(args) -> int:
    from etl.spec.model import builtin_specs

    home = Home.from_env()
    rows = []
    for s in builtin_specs():
        spec = s.path.relative_to(Path.cwd()) if s.path.is_relative_to(Path.cwd()) else s.path
        rows.append([s.source, s.layout, s.dataset, f"{home.inbox / s.source}/", str(spec), s.description])
    print_table(
        ["来源 source", "格式 layout", "数据集 dataset", "收件目录 inbox", "规格 spec", "说明 description"],
        rows,
    )
    return 0


def _run_pipeline(home: Home, results_fn, *, build: bool = True) -> int:
    from etl.ingest import build_and_publish, built

    with _writer(home) as con:
        results = results_fn(con)
        print_totals(results)
        if build:
            summary = build_and_publish(con, home, built=built(results))
            _err(f"warehouse:  {home.warehouse}")
            _err(f"snapshot:   {summary.published.get('snapshot')}")
            _err(f"dashboard:  {summary.report}")
            if summary.data_docs:
                _err(f"data docs:  {summary.data_docs}")
    return 0 if all(r.ok for r in results) else 1


def _progress(total: int):
    """A progress bar on a terminal (stderr); nothing when stderr is a file or a pipe."""
    if total < 2 or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    p = Progress(
        TextColumn("[bold]loading"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=True,
    )
    p.start()
    p.add_task("", total=total)
    return p


def cmd_run(args) -> int:
    from etl.inbox import refused_entries, waiting_files
    from etl.ingest import process_inbox

    home = _home(args)
    if args.demo_if_empty and not waiting_files(home):
        from etl.demo import write_demo

        files = write_demo(home.inbox)
        whole = time.time() - 3600  # written whole just now: no need to watch them grow
        for f in files:
            os.utime(f, (whole, whole))
        _err(f"inbox was empty: wrote {len(files)} sample departmental files into {home.inbox}")
    for source, path, why in refused_entries(home, args.source):
        _err(f"✘ [{source}] {path.name!r}: {why}")
    bar = _progress(len(waiting_files(home, args.source)))

    def on_file(r):
        if bar is not None:
            bar.update(bar.task_ids[0], advance=1, description=one_line(r.file_name))
            bar.console.print(f"{r.status:9} {one_line(r.file_name)}", highlight=False)
        if bar is None or not r.ok:  # on a terminal the bar shows progress; problems still print in full
            print_result(r)

    def load_all(con):
        try:
            return process_inbox(con, home, args.source, on_file=on_file, build_last=True)
        finally:
            if bar is not None:
                bar.stop()

    code = _run_pipeline(home, load_all)
    if args.print_progress:
        args.as_of, args.on, args.latest, args.format = None, None, True, "table"
        cmd_indicators(args)
    return code


def cmd_ingest(args) -> int:
    from etl.ingest import ingest_paths

    _check_source(args.source)
    paths = _check_files(args.files)
    home = _home(args)

    def go(con):
        results = ingest_paths(con, home, args.source, paths, build_last=not args.no_build)
        for r in results:
            print_result(r)
        return results

    return _run_pipeline(home, go, build=not args.no_build)


def _print_sheet(s) -> None:
    """What `statwh check` says of one sheet: header, period, columns with units, missing figures, rows."""
    print(
        f"   sheet {s.sheet!r}: header row(s) {s.header_rows}; period {s.period or 'per row'}"
        + (f" (from {s.period_from})" if s.period_from else "")
        + (f"; 填报单位 {s.reporter}" if s.reporter else "")
    )
    for f, col in s.columns.items():
        unit = f"  [{s.units[f]}]" if f in s.units else ""
        print(f"     {f:16} ← {col}{unit}")
    for f, unit in s.units.items():  # what finishing applied to a reshaped table's values
        if f not in s.columns:
            print(f"     {f:16}   units: {unit}")
    if s.unmapped:
        print(f"     unmapped: {', '.join(s.unmapped)}")
    if s.missing:  # which marker each missing figure was written with
        print(
            "     missing: "
            + "; ".join(
                f"{f} {sum(m.values())} ("
                + ", ".join(f"{k or 'blank'} ×{n}" for k, n in sorted(m.items(), key=lambda x: -x[1]))
                + ")"
                for f, m in s.missing.items()
            )
        )
    if s.totals:  # the 合计 row against the sum of the rows it covers
        print(
            "     合计: "
            + "; ".join(
                f"{t['field']} {t['total']:,.2f} {'=' if abs(t['total'] - t['sum']) <= max(0.05, abs(t['total']) * 1e-4) else '≠'}"
                f" sum {t['sum']:,.2f}"
                for t in s.totals
            )
        )
    print(
        f"     rows: {s.rows_read} data; dropped {s.dropped_totals} total, {s.dropped_notes} note, "
        f"{s.dropped_parts} 其中, {s.dropped_blank} blank"
        + (f", {s.dropped_headers} repeated header" if s.dropped_headers else "")
        + (f", {s.dropped_headings} section heading" if s.dropped_headings else "")
    )


def cmd_check(args) -> int:
    from etl.base.settings import limits
    from etl.extract import row_counts

    _check_source(args.source)
    paths = _check_files(args.files)
    worst = 0
    for p in paths:
        ex = _extract_checked(p, args.source, limits())
        print(f"== {one_line(p.name)}")
        print(f"   format: {ex.format or '?'}" + (f" ({ex.encoding})" if ex.encoding else ""))
        print(
            f"   spec:   {ex.spec.layout + ' (' + str(ex.spec.path.name) + ')' if ex.spec else 'none matched'}"
        )
        if not ex.spec:
            for c in ex.considered:
                print(f"     considered: {c}")
        for s in ex.sheets:
            _print_sheet(s)
        if ex.spec:
            print_reconciliations(ex.reconciliations, sum(s.dropped_totals for s in ex.sheets))
        if ex.frame is not None and "period" in ex.frame:
            print(f"   periods read: {_periods_read(ex.frame)}")
        issues = list(ex.issues)
        if not ex.critical and ex.frame is not None:
            from etl.validate.suites import validate_frame

            try:
                v, _ = validate_frame(ex.spec.dataset, ex.frame, ex.column_map)
            except Exception as e:  # as a load does: a bug in a rule is this file's rejection
                v = [
                    Issue(
                        "critical",
                        "validation_error",
                        f"校验过程出错 / validation failed: {one_line(str(e))}",
                    )
                ]
            issues += v
        crit = [i for i in issues if i.severity == "critical"]
        rows = [i for i in issues if i.severity == "row"]
        warns = [i for i in issues if i.severity == "warning"]
        counts = row_counts(ex.frame, {(i.sheet, i.row) for i in rows}, ex.reshaped)  # as the load counts
        verdict = "would be rejected" if crit else f"would load {counts.describe()}"
        print(f"   → {verdict}; {len(warns)} warnings")
        for i in (crit + rows + warns)[:20]:
            print(f"     {i.severity}: {i.describe()}")
        if args.receipt:
            loadable = 0 if crit else counts.rows
            _check_receipt(args, p, len(paths), ex.rows_read, loadable, counts.quarantined, issues)
        if crit or rows:
            worst = 1
    return worst


def _extract_checked(path: Path, source: str, lim: dict):
    """`extract`, after what a load sees of the file before reading it (`file_issues`: sheets too
    large to read are refused unread; formulas never calculated are said), as a load does."""
    from etl.extract import extract
    from etl.extract.model import Extraction
    from etl.warehouse.sandbox import file_issues

    before = file_issues(path, lim.get("max_cells", 60_000_000))
    if any(i.severity == "critical" for i in before):
        ex = Extraction(path=path, source=source, spec=None)
    else:
        ex = extract(path, source, limits=lim)
    ex.issues[:0] = before
    return ex


def _check_receipt(args, path: Path, n_files: int, read: int, loadable: int, bad_rows: int, issues) -> None:
    """`statwh check --receipt OUT`: the receipt (回执) a department would get for `path`. OUT is the
    .xlsx to write for one file, a directory (`<name>.回执.xlsx` in it) for several."""
    from etl.receipt import Outcome, receipt_name, write_receipt

    out = Path(args.receipt)
    if n_files > 1 or out.is_dir():
        out = out / receipt_name(path.name)
    status = (
        "rejected" if any(i.severity == "critical" for i in issues) else "partial" if bad_rows else "loaded"
    )
    outcome = Outcome(path.name, args.source, status, read, loadable, bad_rows, issues, checked_only=True)
    print(f"   receipt: {write_receipt(path, outcome, out)}")


def print_reconciliations(recs: list[dict], total_rows: int = 0) -> None:
    """`statwh check`'s summary of the 合计/小计 rows checked against their parts, the failures listed
    (`total_rows`: the total rows the sheets dropped, some of which may not have been checked)."""
    if not recs:
        print(
            f"   合计核对：{total_rows} 个合计行未核对 / {total_rows} total rows left out unchecked"
            if total_rows
            else "   合计核对：无合计行 / totals: no total row to reconcile"
        )
        return
    bad = [r for r in recs if not r["passed"]]
    if not bad:
        print(f"   合计核对 {len(recs)} 处，全部一致 / {len(recs)} totals reconciled, all match")
        return
    print(
        f"   合计核对 {len(recs)} 处，{len(bad)} 处不符 / {len(recs)} totals reconciled, {len(bad)} do not match"
    )
    for r in bad[:20]:
        print(
            f"     ✘ {r['sheet']} 第{r['row_number']}行 {r['column_name']}: 合计 {r['total']:,.2f}，"
            f"明细之和 {r['sum_of_parts']:,.2f}，相差 {r['difference']:,.2f}"
        )


def _periods_read(frame) -> str:
    """The periods of the rows as they would load, with their basis (`2025Q1 ytd`): after the
    catalog's frequency (a quarterly indicator's 1-3月 is `2025Q1`), ordered by their end."""
    cols = ["period", "period_end"] + (["basis"] if "basis" in frame else [])
    seen = frame[cols].dropna(subset=["period"]).drop_duplicates()
    seen = seen.sort_values(["period_end", "period"], key=lambda c: c.astype(str))
    return (
        ", ".join(
            " ".join(str(v) for v in r if v is not None)
            for r in seen[cols[:1] + cols[2:]].itertuples(index=False)
        )
        or "none"
    )


def cmd_build(args) -> int:
    home = _home(args)
    from etl.warehouse.build import build

    with _writer(home) as con:
        timings = build(con, full=args.full)
    _err(f"built {len(timings)} models in {sum(timings.values()):.2f}s")
    return 0


def cmd_publish(args) -> int:
    home = _home(args)
    from etl.warehouse.publish import publish

    with _writer(home) as con:
        written = publish(con, home)
    for k, v in written.items():
        _err(f"{k}: {v}")
    return 0


def cmd_reprocess(args) -> int:
    from etl.warehouse.reprocess import reprocess

    home = _home(args)

    def go(con):
        results = reprocess(con, home, source=args.source, period=args.period)
        for r in results:
            print_result(r)
        return results

    return _run_pipeline(home, go)


def cmd_restore(args) -> int:
    from etl.ingest import NothingToRestore, build_and_publish, restore, restoring

    home = _home(args)
    try:
        with restoring(
            home, on_wait=lambda: _err("另一个写入进程正在运行，等待中… / waiting for another writer…")
        ) as (
            con,
            aside,
        ):
            if aside is not None:
                _err(f"原仓库文件已移至 / the old warehouse file was moved to {aside}")
            results = restore(con, home)
            for r in results:
                if not r.ok:
                    print_result(r)
            print_totals(results)
            build_and_publish(con, home)
    except NothingToRestore as e:
        raise UsageError(str(e)) from e
    _err(f"warehouse:  {home.warehouse} (restored from {len(results)} loads in the archive's journal)")
    return 0 if all(r.ok for r in results) else 1


def _progress_frame(args):
    import duckdb
    import pandas as pd

    home = Home.from_env()
    as_of = _parse_when(args.as_of) if args.as_of else None
    on = _parse_on(args.on) if args.on else (as_of.date() if as_of else dt.date.today())
    # readers read the published snapshot, never the writer's file: judged on another day, it is
    # judged again from the snapshot (etl.warehouse.judge); only --as-of evaluates the models
    # against the warehouse's history (under the write lock, read only)
    path = home.snapshot if as_of is None else home.warehouse
    if as_of is None:
        _require_snapshot(home)
    elif not path.exists():
        raise UsageError(
            f"仓库尚未建立：{path}（先运行 statwh run） / no warehouse yet: run `statwh run` first"
        )
    from etl.warehouse.build import progress_as_of

    df = None
    if as_of is None:
        con = duckdb.connect(str(path), read_only=True)
        df = con.execute("select * from marts.indicator_progress").df()
        con.close()
        if "judged_on" not in df or pd.Timestamp(df["judged_on"].max()) != pd.Timestamp(on):
            from etl.warehouse.judge import progress_on

            try:  # judged on another day (the build's): judge the snapshot again on `on`
                df = progress_on(path, on)
            except duckdb.Error as e:  # a snapshot of an older layout: judge the warehouse (below)
                logging.getLogger("statwh").info(
                    "judging the warehouse: the snapshot cannot be judged again (%s)", e
                )
                df = None
    if df is None:
        from etl.warehouse.connection import write_lock

        # as-of queries evaluate the models against the warehouse: wait for writers, read only
        with write_lock(home):
            con = duckdb.connect(str(home.warehouse), read_only=True)
            df = progress_as_of(con, as_of, on, published=True)
            con.close()
    if args.latest:
        df = df.sort_values("period_end", na_position="first").groupby("indicator_id", as_index=False).tail(1)
        df = df.sort_values("indicator_id")
    return df


def _require_snapshot(home: Home) -> None:
    """Readers need the published snapshot: without it, say what to run (exit 2)."""
    if not home.snapshot.is_file():
        raise UsageError(
            f"尚无发布的快照 {home.snapshot}；请先运行 statwh publish（或 statwh run） "
            f"/ nothing published yet: run `statwh publish` (or `statwh run`) first"
        )


def _jsonable(v):
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if hasattr(v, "item"):
        return _jsonable(v.item())
    return v


def cmd_indicators(args) -> int:
    import pandas as pd

    df = _progress_frame(args)
    if args.format == "json":
        rows = [
            {k: _jsonable(None if (not isinstance(v, str) and pd.isna(v)) else v) for k, v in r.items()}
            for r in df.to_dict("records")
        ]
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if args.format == "csv":
        df.to_csv(sys.stdout, index=False)
        return 0
    from rich.console import Console
    from rich.table import Table

    t = Table(title="淮安区工作报告目标进度 / indicator progress", show_lines=False)
    for col in ("指标", "时期", "实际", "目标", "单位", "进度%", "应达%", "到期预计", "状态"):
        t.add_column(col, justify="right" if col not in {"指标", "状态", "单位", "时期"} else "left")
    fmt = lambda v, d=1: "—" if v is None or pd.isna(v) else f"{v:,.{d}f}"  # noqa: E731
    for r in df.itertuples(index=False):
        st = r.status
        t.add_row(
            f"{r.name_zh}\n[dim]{r.indicator_id}[/dim]",
            r.period if isinstance(r.period, str) and r.period else "—",  # no_data: NaN, not None
            fmt(r.actual, 2),
            fmt(r.target, 0) if r.target is not None and not pd.isna(r.target) else "目标待定",
            r.unit if isinstance(r.unit, str) else "",
            fmt(r.progress_pct),
            fmt(r.expected_pct),
            fmt(r.projected_at_deadline, 1),
            f"[{STATUS_STYLE[st]}]{STATUS_ZH[st]} {st}[/]",
        )
    Console(width=int(os.environ.get("COLUMNS", 140))).print(t)
    return 0


def cmd_explain(args) -> int:
    """How a figure was made, recomputed from the archived files: 0 all match, 1 a mismatch, 2 none such."""
    from etl.warehouse.explain import ExplainError, explain, render, to_json

    try:
        found = explain(Home.from_env(), args.indicator, args.period, args.region)
    except ExplainError as e:
        raise UsageError(str(e)) from e
    if args.format == "json":
        print(json.dumps([to_json(e) for e in found], ensure_ascii=False, default=str))
    else:
        print("\n\n".join("\n".join(render(e)) for e in found))
    return 0 if all(e.ok for e in found) else 1


def cmd_report(args) -> int:
    from etl.report import write_report

    home = Home.from_env()
    _require_snapshot(home)
    out = write_report(home, Path(args.out) if args.out else None)
    print(out)
    return 0


def _draft_or_why(path: Path, source: str | None):
    """The draft of `path`, or the one-line reason it cannot be drafted (run in the reader's worker)."""
    from etl.draft.draft import draft_spec
    from etl.read import ReadError

    try:
        return draft_spec(path, source)
    except (ReadError, ValueError) as e:
        return str(e)


def cmd_spec_draft(args) -> int:
    from etl.warehouse.sandbox import ReaderCrash, in_worker

    path = _check_files([args.file])[0]
    if args.source:
        _check_source(args.source)
    try:  # read in a worker process under the reader's limits, as `statwh run` reads a file
        d = in_worker(lambda: _draft_or_why(path, args.source), path.name, **settings.worker_limits())
    except ReaderCrash as e:
        _err(f"statwh: {path.name}: 读取程序在此文件上崩溃 / the reader crashed on this file: {e}")
        return 1
    if isinstance(d, str):
        _err(f"statwh: {path.name}: {d}")
        return 1
    if args.out:
        Path(args.out).write_text(d.yaml_text, encoding="utf-8")
        _err(f"wrote {args.out}")
    else:
        print(d.yaml_text)
    if d.undecided:
        _err(f"{len(d.undecided)} things for a person to decide (TODO(person) in the draft):")
        for u in d.undecided:
            _err(f"  - {u}")
    return 0


def cmd_docs(args) -> int:
    from etl.base.paths import DICTIONARY
    from etl.docs import data_dictionary

    out = Path(args.out) if args.out else DICTIONARY
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(data_dictionary(), encoding="utf-8")
    _err(f"wrote {out}")
    return 0


def _version() -> str:
    try:
        return metadata.version("statwh")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def _add_load_commands(add) -> None:
    """run, ingest, check, build, reprocess, publish, restore: what reads files and writes the warehouse."""
    sp = add("run", "process every file waiting in the inbox, build the marts, publish", cmd_run)
    sp.add_argument("--source", help="only this source's inbox folder")
    sp.add_argument(
        "--demo-if-empty", action="store_true", help="write the sample files first when the inbox is empty"
    )
    sp.add_argument("--print-progress", action="store_true", help="print the indicator table at the end")
    sp = add(
        "ingest", "ingest FILEs as SOURCE (a source id or a spec file), then refresh the marts", cmd_ingest
    )
    sp.add_argument("source")
    sp.add_argument("files", nargs="+", metavar="FILE")
    sp.add_argument("--no-build", action="store_true", help="load only; do not rebuild the marts")
    sp = add(
        "check", "extract and validate only; print what would load and what would be rejected", cmd_check
    )
    sp.add_argument("source")
    sp.add_argument("files", nargs="+", metavar="FILE")
    sp.add_argument(
        "--receipt",
        metavar="OUT",
        help="also write the receipt (回执): a copy of the workbook, each refused cell red and commented, "
        "a first sheet summarising it (OUT: an .xlsx for one file, a directory for several)",
    )
    sp = add("build", "rebuild the marts from what is loaded", cmd_build)
    sp.add_argument(
        "--full",
        action="store_true",
        help="rewrite every table from its query, even those a build keeps or brings forward",
    )
    sp = add("reprocess", "re-read archived files and load them again as new vintages", cmd_reprocess)
    sp.add_argument("--source")
    sp.add_argument("--period", help="only files holding this period (2025, 2025Q2, 2025-06)")
    add("publish", "write the read-only snapshot and the Parquet exports", cmd_publish)
    add(
        "restore",
        "rebuild the warehouse from the archive in the recorded load order, every vintage reproduced",
        cmd_restore,
    )


def _add_query_commands(add) -> None:
    """indicators, explain: what reads the warehouse."""
    sp = add("indicators", "progress of every indicator against its target, every period", cmd_indicators)
    sp.add_argument("--as-of", help="what the warehouse knew then: a date or ISO date-time")
    sp.add_argument(
        "--on",
        help="judge pace as of this date (default: today, or the --as-of date); periods after it are left out",
    )
    sp.add_argument("--latest", action="store_true", help="the latest period of each indicator only")
    sp.add_argument("--format", choices=("table", "csv", "json"), default="table")
    sp = add(
        "explain",
        "how a figure was made (files, cells, operation, unit, vintage), recomputed from the archive",
        cmd_explain,
    )
    sp.add_argument("indicator", metavar="INDICATOR")
    sp.add_argument("period", nargs="?", metavar="PERIOD", help="default: the indicator's latest period")
    sp.add_argument("--region", metavar="CODE", help="统计用区划代码 (default: the district)")
    sp.add_argument("--format", choices=("text", "json"), default="text")


def _add_tool_commands(add) -> None:
    """report, demo, sources, spec draft, docs: the tools around them."""
    sp = add("report", "write the HTML dashboard", cmd_report)
    sp.add_argument("--out", help="directory (default: inside the published area)")
    sp = add("demo", "write the sample departmental spreadsheets", cmd_demo)
    sp.add_argument("dir", nargs="?", help="default: $STATWH_HOME/inbox")
    add("sources", "list the source specs and where each expects its files", cmd_sources)
    sp = add("spec", "draft a source spec for an unfamiliar layout (statwh spec draft FILE)", cmd_spec_draft)
    spsub = sp.add_subparsers(dest="spec_command", required=True, metavar="draft")
    dp = spsub.add_parser(
        "draft",
        help="read FILE and write a draft spec for a person to review",
        epilog="example:\n  " + EXAMPLES["spec"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    dp.add_argument("file", metavar="FILE")
    dp.add_argument("--source", help="limit the guess to this source id")
    dp.add_argument("--out", help="write the draft here (default: stdout)")
    sp = add("docs", "write the data dictionary generated from the SQL models' headers", cmd_docs)
    sp.add_argument("--out", help="default: docs/data-dictionary.md")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="statwh",
        description="District statistics warehouse: departmental spreadsheets in, indicator progress out. "
        "Data area: $STATWH_HOME (default ./data).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  " + "\n  ".join(EXAMPLES.values()),
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    p.add_argument("--version", action="version", version=f"statwh {_version()}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, help_, fn):
        sp = sub.add_parser(
            name,
            help=help_,
            description=help_,
            epilog="example:\n  " + EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sp.set_defaults(fn=fn)
        return sp

    _add_load_commands(add)
    _add_query_commands(add)
    _add_tool_commands(add)
    return p


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings.check()
    except settings.SettingsError as e:
        _err(f"statwh: {e}")
        return 2
    try:
        return args.fn(args)
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:  # Ctrl-C: each load is one transaction, a claimed file goes back next run
        _err("statwh: 已中断 / interrupted")
        return 130
    except Exception as e:  # never a traceback on the terminal: one line, the details in a log file
        return _failed(e)


def _failed(e: Exception) -> int:
    """The one line (and exit status) for an error a command did not handle: usage and settings
    (2), a damaged warehouse or snapshot (2, what to run), a full disk (1), a wait for the lock
    (1), anything else an internal error (1) whose traceback goes to a log file."""
    from etl.warehouse.connection import LockTimeout, WarehouseDamaged, damage_message, is_damage

    if isinstance(e, settings.SettingsError | UsageError | WarehouseDamaged):
        _err(f"statwh: {one_line(str(e))}")
        return 2
    if is_damage(e):
        _err(f"statwh: {damage_message(e)}")
        return 2
    if isinstance(e, LockTimeout):
        _err(f"statwh: {one_line(str(e))}")
        return 1
    if _disk_full(e):
        home = Home.from_env().root
        _err(
            f"statwh: 磁盘已满，未完成的文件已清除，已入库的数据不受影响；请为 {home} 所在磁盘腾出空间后重新运行 "
            f"/ disk full: free space on the disk holding {home} and run the command again"
        )
        return 1
    log_file = _log_traceback(e)
    _err(
        f"statwh: 内部错误 / internal error: {type(e).__name__}: {one_line(str(e))[:300]}"
        f" — details in {log_file}"
    )
    return 1


def _disk_full(e: BaseException) -> bool:
    """ENOSPC or a quota, from Python's own writes or DuckDB's (which says it in words)."""
    import errno

    if isinstance(e, OSError) and e.errno in {errno.ENOSPC, errno.EDQUOT}:
        return True
    return "No space left on device" in str(e) or "Disk quota exceeded" in str(e)


def _log_traceback(e: Exception) -> Path:
    """Write `e`'s traceback to `$STATWH_HOME/logs/statwh-<time>-<pid>.log` (the temp dir when
    the data area cannot take it); the file's path."""
    import tempfile
    import traceback

    text = "".join(traceback.format_exception(e))
    name = f"statwh-{dt.datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}.log"
    head = f"statwh {' '.join(sys.argv[1:])}\n"
    for d in (Home.from_env().root / "logs", Path(tempfile.gettempdir())):
        try:
            d.mkdir(parents=True, exist_ok=True)
            (d / name).write_text(head + text, encoding="utf-8")
            return d / name
        except OSError:
            continue
    return Path("(no log: nowhere to write)")


if __name__ == "__main__":
    sys.exit(main())

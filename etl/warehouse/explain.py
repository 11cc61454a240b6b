"""Where a figure comes from: `statwh explain`, from `core.value_inputs`, recomputed from the archive.

`explain` reads a value of `marts.indicator_values` (its latest vintage) and its inputs in
`core.value_inputs` (the files, sheets and cells, the operation, the unit conversion), then reads
those cells again from the archived files (each checked against its sha256 first) and recomputes
the figure: `sum(sign × contribution)` over the inputs, a cell contributing its figure × factor,
or 1 when it reads as what `count_if` names; `difference_from_max` subtracts the largest peer. A
value made from other values (the gaps) recomputes those first.

The warehouse is read under the write lock (a reader never opens the writer's file while a writer
runs), read only, and closed before any archived file is opened. It is read, not the published
snapshot: lineage names enterprises' cells, which are never published.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from etl.base import cells
from etl.base.settings import Home
from etl.read import ReadError, Workbook, read_workbook
from etl.reference.vocabularies import vocabulary
from etl.spec.model import specs_for
from etl.warehouse.archive import ArchiveError, archived
from etl.warehouse.connection import write_lock

REL_TOL = 1e-9  # float sums of many cells: the stored figure and the recomputed one agree to this
KEY = ("indicator_id", "region_code", "period", "basis")

OPERATIONS = {
    "cell": "取单元格 / one cell",
    "sum": "求和 / sum of cells",
    "count_flags": "计数：标志为“是”的企业 / count of flagged enterprises",
    "count_first_time": "计数：首次入库的企业 / count of first-time entries",
    "count_distinct": "计数：名单中的企业（每年每家一次），加按镇街汇总的家数 / count of listed enterprises",
    "difference": "差值：本区 − 对标地区 / difference: ours − the peer's",
    "difference_from_max": "差值：本区 − 两地中较高者 / difference: ours − the higher peer",
    "none": "无输入：没有符合条件的单元格，值为 0 / no input: nothing qualifies, the value is 0",
}


class ExplainError(Exception):
    """An indicator, period or region the warehouse holds no value of: exit 2, one line."""


@dataclass
class Explained:
    """One value: what the warehouse states, how it was made, and what the archived files give."""

    value: dict[str, Any]  # its row of marts.indicator_values (latest), with name_zh
    inputs: list[dict[str, Any]]  # its rows of core.value_inputs, in input_no order
    recomputed: float | None = None
    problems: list[str] = field(default_factory=list)  # inputs that could not be read again
    refs: list[Explained] = field(default_factory=list)  # the values a gap is made from

    @property
    def operation(self) -> str:
        return self.inputs[0]["operation"] if self.inputs else "none"

    @property
    def stored(self) -> float:
        return float(self.value["value"])

    @property
    def difference(self) -> float | None:
        return None if self.recomputed is None else self.recomputed - self.stored

    @property
    def ok(self) -> bool:
        if self.recomputed is None or self.problems or not all(r.ok for r in self.refs):
            return False
        return math.isclose(self.recomputed, self.stored, rel_tol=REL_TOL, abs_tol=1e-9)


def explain(
    home: Home, indicator: str, period: str | None = None, region: str | None = None
) -> list[Explained]:
    """The latest values of `indicator` (its latest period unless `period`; the district's unless
    `region`), explained and recomputed. `ExplainError` when there is none."""
    with _reading(home) as con:
        keys = _keys(con, indicator, period, region)
        found = _fetch(con, keys)
    return recompute(home, found)


def explain_all(home: Home) -> list[Explained]:
    """Every latest value of the warehouse, explained and recomputed (each archived file read once)."""
    with _reading(home) as con:
        keys = con.execute(f"select {', '.join(KEY)} from marts.indicator_values where is_latest").fetchall()
        found = _fetch(con, keys)
    return recompute(home, found)


class _reading:
    """The warehouse, read only, under the write lock; closed (and the lock let go) on exit."""

    def __init__(self, home: Home):
        self.home = home

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        if not self.home.warehouse.is_file():
            raise ExplainError(
                f"仓库尚未建立：{self.home.warehouse}（先运行 statwh run） / no warehouse yet: run `statwh run` first"
            )
        self.lock = write_lock(self.home)
        self.lock.__enter__()
        self.con = duckdb.connect(str(self.home.warehouse), read_only=True)
        return self.con

    def __exit__(self, *exc) -> None:
        self.con.close()
        self.lock.__exit__(*exc)


def _keys(con, indicator: str, period: str | None, region: str | None) -> list[tuple]:
    """The keys of the latest values asked for; `ExplainError` naming what is missing."""
    rows = con.execute(
        "select v.indicator_id, v.region_code, v.period, v.basis, v.period_end, v.region_code = p.district_code"
        " from marts.indicator_values as v cross join ref.plan as p where v.is_latest and v.indicator_id = ?",
        [indicator],
    ).fetchall()
    if not rows:
        raise ExplainError(f"没有指标“{indicator}”的数值 / no values of indicator {indicator!r}")
    if region is not None:
        rows = [r for r in rows if r[1] == region]
    elif any(r[5] for r in rows):
        rows = [r for r in rows if r[5]]
    if not rows:
        raise ExplainError(f"指标“{indicator}”没有地区 {region} 的数值 / no values for region {region}")
    if period is None:
        last = max(r[4] for r in rows)
        rows = [r for r in rows if r[4] == last]
    else:
        rows = [r for r in rows if r[2] == period]
    if not rows:
        raise ExplainError(f"指标“{indicator}”没有时期 {period} 的数值 / no value for period {period}")
    return sorted({r[:4] for r in rows})


def _fetch(con, keys: list[tuple]) -> list[Explained]:
    """The values of `keys` and of every value they point at, with their inputs."""
    wanted, todo, out = set(), list(keys), []
    values: dict[tuple, dict] = {}
    while todo:
        batch = [k for k in dict.fromkeys(todo) if k not in wanted]
        wanted.update(batch)
        todo = []
        if not batch:
            break
        for row in _rows(con, "value", batch):
            values[tuple(row[k] for k in KEY)] = {**row, "inputs": []}
        for row in _rows(con, "input", batch):
            k = tuple(row[c] for c in KEY)
            if k in values:
                values[k]["inputs"].append(row)
            if row["input_kind"] == "value":
                todo.append(tuple(row[f"ref_{c}"] for c in KEY))
    made = {
        k: Explained({c: v for c, v in r.items() if c != "inputs"}, r["inputs"]) for k, r in values.items()
    }
    for e in made.values():
        e.refs = [made[r] for r in _ref_keys(e) if r in made]
    out = [made[k] for k in keys if k in made]
    return out


def _ref_keys(e: Explained) -> list[tuple]:
    return [tuple(i[f"ref_{c}"] for c in KEY) for i in e.inputs if i["input_kind"] == "value"]


VALUE_SQL = """
select v.*, i.name_zh, l.archive_path as load_archive_path
from marts.indicator_values as v
left join ref.indicators as i on v.indicator_id = i.indicator_id
left join meta.loads as l on v.load_id = l.load_id
where v.is_latest and (v.indicator_id, v.region_code, v.period, v.basis) in (select * from _keys)
"""

INPUT_SQL = """
select i.*, l.source as load_source, l.layout as load_layout
from core.value_inputs as i
left join meta.loads as l on i.load_id = l.load_id
where (i.indicator_id, i.region_code, i.period, i.basis) in (select * from _keys)
order by i.indicator_id, i.region_code, i.period, i.basis, i.input_no
"""


def _rows(con, what: str, keys: list[tuple]) -> list[dict]:
    import pandas as pd

    con.register("_keys", pd.DataFrame(keys, columns=list(KEY)))
    try:
        cur = con.execute(VALUE_SQL if what == "value" else INPUT_SQL)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.unregister("_keys")


def recompute(home: Home, found: list[Explained]) -> list[Explained]:
    """Read every input cell again from the archive and recompute each value (refs first)."""
    books = _Books(home)
    done: set[int] = set()

    def run(e: Explained) -> None:
        if id(e) in done or e.recomputed is not None:  # each value once
            return
        done.add(id(e))
        for r in e.refs:
            run(r)
        e.recomputed = _combine(e, books)

    for e in found:
        run(e)
    return found


def _combine(e: Explained, books: _Books) -> float | None:
    """The value from its inputs as read again; None when an input cannot be read (a problem each)."""
    refs = {tuple(r.value[c] for c in KEY): r for r in e.refs}
    ours, peers = 0.0, []
    for i in e.inputs:
        if i["input_kind"] == "value":
            ref = refs.get(tuple(i[f"ref_{c}"] for c in KEY))
            got = None if ref is None else ref.recomputed
            if got is None:
                e.problems.append(f"引用的数值无法复核 / referenced value not recomputed: {_ref_label(i)}")
                continue
        else:
            if i["count_if"] is None and i["factor"] is None:
                e.problems.append(
                    f"{cell_label(i)}: 单位换算未记录（旧版本入库，可运行 statwh reprocess 重新读取）"
                    " / conversion not recorded (an older load: `statwh reprocess` reads it again)"
                )
                continue
            raw = books.cell(i, e.problems)
            if raw is _MISSING:
                continue
            got = contribution(i, raw, field_vocab(i["load_source"], i["load_layout"], i["field"]))
            if got is None:
                e.problems.append(f"{cell_label(i)}: 读回“{raw}”，不是数值 / read back {raw!r}: not a figure")
                continue
        if i["sign"] < 0 and e.operation == "difference_from_max":
            peers.append(got)
        else:
            ours += i["sign"] * got
    if e.problems:
        return None
    return ours - max(peers) if peers else ours


def contribution(i: dict[str, Any], raw: Any, vocab=None) -> float | None:
    """What one input cell, as read again, adds to its value: its figure × factor, or 1 when it
    reads as what `count_if` names (0 when it does not: `vocab` maps a categorical cell, else
    `是/否` for a flag and the text for a word); None when a figure cannot be read."""
    kind = i["count_if"]
    if kind is None:
        parsed = cells.parse_number(raw)
        if parsed.value is None or i["factor"] is None:
            return None
        return parsed.value * float(i["factor"])
    if kind in {"present", "name"}:
        return 1.0 if cells.clean_text(raw) else 0.0
    if vocab is not None:
        known, word = vocab.lookup(raw)
        word = word if known else None
    else:
        word = cells.parse_flag(raw).value if kind == "flag" else cells.clean_text(raw)
    return 1.0 if word == (True if kind == "flag" else kind) else 0.0


_MISSING = object()


def cell_label(i: dict[str, Any]) -> str:
    return f"{i['source_file']} {i['sheet']}!{i['cell']}"


class _Books:
    """Archived workbooks read once each (sha256 checked), and their cells."""

    def __init__(self, home: Home):
        self.home = home
        self.books: dict[str, Workbook | str] = {}

    def cell(self, i: dict[str, Any], problems: list[str]) -> Any:
        """The input's cell as the archived file holds it; `_MISSING` (and a problem) when it cannot be read."""
        if not i["cell"] or not i["sha256"]:
            problems.append(f"{cell_label(i)}: 未记录单元格 / no cell recorded")
            return _MISSING
        wb = self._book(i)
        if isinstance(wb, str):
            problems.append(wb)
            return _MISSING
        grid = next((g for g in wb.sheets if g.name == i["sheet"]), None)
        if grid is None and len(wb.sheets) == 1 and wb.format in ("csv", "html"):
            grid = wb.sheets[0]
        if grid is None:
            problems.append(f"{cell_label(i)}: 存档文件中没有该工作表 / no such sheet in the archived file")
            return _MISSING
        r, c = int(i["row_number"]) - 1, column_index(i["column_letter"])
        return grid.rows[r][c] if r < len(grid.rows) and c < len(grid.rows[r]) else None

    def _book(self, i: dict[str, Any]) -> Workbook | str:
        sha = i["sha256"]
        if sha not in self.books:
            try:
                path = archived(self.home, i["archive_path"], sha)
                self.books[sha] = read_workbook(path, sheet_name=Path(i["source_file"]).stem)
            except (ArchiveError, ReadError) as e:
                self.books[sha] = f"{i['source_file']}: {e}"
        return self.books[sha]


@functools.cache
def field_vocab(source: str | None, layout: str | None, field_name: str):
    """The vocabulary the layout maps a categorical field through (flags: `flag` by default)."""
    for spec in specs_for(source) if source else []:
        if spec.layout == layout and (f := spec.field(field_name)) is not None and f.vocab is not None:
            return f.vocab
    return vocabulary("flag") if field_name.startswith("is_") else None


def column_index(letters: str) -> int:
    """A → 0, Z → 25, AA → 26."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - ord("A") + 1
    return n - 1


def _ref_label(i: dict[str, Any]) -> str:
    return f"{i['ref_indicator_id']} {i['ref_region_code']} {i['ref_period']} ({i['ref_basis']})"


def vintage_text(v: Any) -> str:
    return v.strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, dt.datetime) else str(v)


# ---- what a person reads (`statwh explain`) -------------------------------------------------


def source_groups(e: Explained, first: int = 5) -> list[dict[str, Any]]:
    """The value's cells by file, sheet and field: the first `first` cells and how many."""
    groups: dict[tuple, dict[str, Any]] = {}
    for i in e.inputs:
        if i["input_kind"] != "cell":
            continue
        k = (i["source_file"], i["sha256"], i["archive_path"], i["sheet"], i["field"])
        g = groups.setdefault(
            k,
            dict(zip(("file", "sha256", "archive_path", "sheet", "field"), k, strict=True))
            | {"load_id": i["load_id"], "cells": [], "count": 0},
        )
        g["count"] += 1
        if len(g["cells"]) < first:
            g["cells"].append(i["cell"])
    return list(groups.values())


def unit_notes(e: Explained) -> list[str]:
    """How the cells' units became the value's: `万元 → 亿元 ×0.0001` (or `亿元`, none needed)."""
    unit = e.value["unit"]
    out: dict[str, None] = {}
    for i in e.inputs:
        if i["input_kind"] != "cell" or i["count_if"] is not None:
            continue
        u, f = i["unit_as_read"], i["factor"]
        if f is None:
            out["单位换算未记录（旧版本入库）/ conversion not recorded (an older load)"] = None
        elif u is None or (u == unit and f == 1):
            out[f"{u or '未注明 / none given'} → {unit} ×{f:g}" if f != 1 else f"{unit}"] = None
        else:
            out[f"{u} → {unit} ×{f:g}"] = None
    if out or not any(i["input_kind"] == "cell" for i in e.inputs):
        return list(out)  # none for a value made of other values (each says its own)
    return ["计数，无需换算 / a count: no conversion"]


def to_json(e: Explained) -> dict[str, Any]:
    """One value explained, as `statwh explain --format json` prints it."""
    v = e.value
    return {
        "indicator_id": v["indicator_id"],
        "name_zh": v.get("name_zh"),
        "region_code": v["region_code"],
        "period": v["period"],
        "basis": v["basis"],
        "value": e.stored,
        "unit": v["unit"],
        "vintage": vintage_text(v["vintage"]),
        "load_id": v["load_id"],
        "operation": e.operation,
        "inputs": len(e.inputs),
        "sources": source_groups(e),
        "units": unit_notes(e),
        "from_values": [to_json(r) for r in e.refs],
        "recomputed": e.recomputed,
        "difference": e.difference,
        "match": e.ok,
        "problems": e.problems,
    }


def _num(x: float | None, unit: str = "") -> str:
    if x is None:
        return "—"
    return f"{x:,.10g}{(' ' + unit) if unit else ''}"


def render(e: Explained, indent: str = "") -> list[str]:
    """One value explained, in Chinese with English glosses (`statwh explain`)."""
    v = e.value
    lines = [
        f"{indent}{v.get('name_zh') or v['indicator_id']} {v['indicator_id']} · 地区 / region {v['region_code']}"
        f" · 时期 / period {v['period']} · 口径 / basis {v['basis']}",
        f"{indent}  数值 / value: {_num(e.stored, v['unit'])}"
        f"（版本 / vintage {vintage_text(v['vintage'])} · 入库 / load {v['load_id']}）",
        f"{indent}  算法 / operation: {OPERATIONS.get(e.operation, e.operation)} ({e.operation}),"
        f" {len(e.inputs)} 项输入 / inputs",
    ]
    for g in source_groups(e):
        more = f" … 共 {g['count']} 个单元格 / {g['count']} cells" if g["count"] > len(g["cells"]) else ""
        lines.append(
            f"{indent}  来源 / source: {g['file']}（sha256 {g['sha256'][:12]}…, {g['archive_path']}）"
            f" 表 / sheet {g['sheet']}: {', '.join(g['cells'])}{more}（字段 / field {g['field']}）"
        )
    if any(i["input_kind"] == "cell" for i in e.inputs):
        lines.append(f"{indent}  单位换算 / unit: {'; '.join(unit_notes(e))}")
    for r in e.refs:
        sign = next((i["sign"] for i in e.inputs if i["ref_region_code"] == r.value["region_code"]), 1)
        lines.append(f"{indent}  {'+' if sign > 0 else '−'} 引用 / from:")
        lines += render(r, indent + "    ")
    lines.append(f"{indent}  {verdict(e)}")
    return lines


def verdict(e: Explained) -> str:
    """`复核一致 / recomputed: match`, or what differs."""
    if e.ok:
        return f"复核一致 / recomputed: match（{_num(e.recomputed, e.value['unit'])}）"
    if e.recomputed is None or not all(r.ok for r in e.refs):
        why = "；".join(e.problems[:5]) or "引用的数值复核不一致 / a value it comes from does not recompute"
        return f"复核失败 / recomputed: failed — {why}"
    return (
        f"复核不一致 / recomputed: mismatch — 仓库值 / stored {_num(e.stored)}，"
        f"按存档文件重算 / from the archived files {_num(e.recomputed)}，差 / difference {_num(e.difference)}"
    )

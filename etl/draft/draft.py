"""Draft a source spec for an unfamiliar spreadsheet (`statwh spec draft FILE`).

`draft_spec(path)` reads a departmental file that no layout reads yet and writes the YAML a data
engineer would start from, with everything it could not decide marked `# TODO(person): …` (and
listed in `DraftResult.undecided`). It never guesses silently: every choice carries a comment that
says what it was based on.

How it reads the file, without a spec:

1. **Header.** Each of the top rows is scored by how many of its cells are short text labels
   (not numbers, not dates, not repeated in the column below) standing over columns that hold
   values. A second header row is taken when merged ranges say so (a parent merged across its
   children, or single cells merged down over both rows) or, without merge information (CSV),
   when the row below holds only labels sitting under the gaps of a parent (`工业总产值 | ∅` over
   `本月 | 本年累计`). Names are joined `parent/child` by `etl.extract.header_names`, exactly as
   extraction will join them.
2. **Wide tables.** A row with at least two period-like cells (`2024年`, `2025年1-6月`, `2024.0`)
   over columns of figures is a wide table (`shape: wide`, dataset `indicator_obs`).
3. **Rows below.** Totals (合计/总计/小计), `其中` parts and notes (注：, 数据来源：) are recognised
   with `etl.extract.classify_row`; the rest are the data rows whose content is sniffed.
4. **Fields.** An alias index over ALL existing specs, per dataset, matches headers to fields.
   Every dataset is then tried: exact alias matches count most, then columns whose *content*
   has a home in the dataset (18-character strings valid as 统一社会信用代码 → `credit_code`;
   township names resolving with `RegionResolver` → the region field; dates → the date field;
   figures → a number field whose unit converts from the header's unit; 是/否 → a flag), with
   header similarity to the known aliases to choose among several candidates. The best dataset
   wins; its closest existing layout lends types, units, `required`, `required_any`,
   `constants` and `period_from`.
5. **Units and periods.** Units from header brackets, a `单位：` row, an `指标：` line or the file
   name (the order extraction uses); the period from a period column, the sheet name, the title
   rows or the file name (`etl.base.cells.parse_period`).
6. **Trial.** The draft is loaded with `etl.spec.model.load_spec` and the file extracted with it;
   the outcome is written at the top of the YAML.

Only `draft_spec` is public; the CLI (`statwh spec draft`) writes `DraftResult.yaml_text`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

import yaml

from etl.base import cells
from etl.base.cells import Period, clean_text, column_letter, header_key
from etl.base.codes import is_valid_credit_code
from etl.extract import (
    classify_row,
    clean_indicator_name,
    extract,
    header_names,
    indicator_from_file_name,
    match_header,
    sheet_meta,
    unit_in_file_name,
    unit_source,
)
from etl.read import Grid, Workbook, read_workbook
from etl.reference.regions import RegionResolver
from etl.spec.model import FieldSpec, SourceSpec, builtin_specs, load_spec

__all__ = ["DraftColumn", "DraftResult", "draft_spec"]

SCAN_ROWS = 30
SAMPLE_ROWS = 400
GUESS_RATIO = 0.5  # header similarity needed to propose a field by its name
GUESS_MARGIN = 0.1  # ... and its lead over the next candidate
_SPECIFIC = {"credit_code", "region"}  # content kinds that decide a field on their own
_COMPATIBLE = {
    "credit_code": {"credit_code"},
    "region": {"region"},
    "date": {"date"},
    "period": {"period", "year"},
    "flag": {"flag"},
    "integer": {"integer", "number"},
    "number": {"number"},
    "text": {"text", "industry"},
    "names": {"text"},
    "code": {"industry", "text"},
}
_NAME_SUFFIXES = (
    "公司",
    "厂",
    "合作社",
    "中心",
    "研究院",
    "院",
    "店",
    "社",
    "所",
    "集团",
    "企业",
    "场",
    "馆",
    "部",
)
_META_PREFIX = re.compile(
    r"^(?:填报|编制|报送|制表)?(?:单位|数据库|指标|时间|地区|填报人|审核人|制表人|负责人|联系电话)\s*[:：]"
)
_UNDEFINED = "???"


# ---------------------------------------------------------------- results


@dataclass
class DraftColumn:
    """One column of the file and what the draft made of it."""

    letter: str
    header: str
    kind: str  # content: credit_code, region, date, period, flag, integer, number, text, names, code, rownum, empty
    field: str | None = None
    how: str = ""  # alias / content / guess / none / skipped
    note: str = ""
    unit: str | None = None
    unit_from: str | None = None
    candidates: list[str] = dc_field(default_factory=list)


@dataclass
class DraftResult:
    """What `draft_spec` found: the YAML to review, and the list of what a person must decide."""

    yaml_text: str
    undecided: list[str]
    source: str
    dataset: str
    layout: str
    shape: str  # rows / wide
    sheet: str
    header_rows: str  # "3-4" (1-based, as a spreadsheet user names them)
    closest: str | None = None  # "source/layout" of the nearest existing spec
    columns: list[DraftColumn] = dc_field(default_factory=list)
    periods_across: list[str] = dc_field(default_factory=list)  # wide tables
    trial_rows: int | None = None  # rows the trial extraction with the draft produced
    trial_problems: list[str] = dc_field(default_factory=list)  # its critical issues


# ---------------------------------------------------------------- cell kinds


def _text(v: Any) -> str:
    return clean_text(v) if v is not None else ""


def _is_number(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int | float):
        return True
    return isinstance(v, str) and cells.parse_number(v).value is not None


def _is_label(v: Any) -> bool:
    """A short text that can name a column."""
    if not isinstance(v, str):
        return False
    t = _text(v)
    if not t or t in cells.MISSING_MARKERS or len(t) > 40:
        return False
    if _META_PREFIX.match(t) or t.startswith(("注", "数据来源", "资料来源")) and ("：" in t or ":" in t):
        return False
    if cells.parse_number(t).value is not None:
        return False
    return not (re.search(r"\d", t) and cells.parse_date(t).value is not None and len(t) <= 12)


def _blank(v: Any) -> bool:
    return v is None or _text(v) == ""


def _cell(row: list[Any], c: int) -> Any:
    return row[c] if c < len(row) else None


# ---------------------------------------------------------------- header finding


@dataclass
class _Header:
    row: int
    depth: int
    names: list[str]
    score: float
    why_depth: str = ""


def _body(grid: Grid, start: int, limit: int = 25) -> list[list[Any]]:
    out = []
    for r in range(start, len(grid.rows)):
        row = grid.rows[r]
        if all(_blank(v) for v in row):
            continue
        first = next((_text(v) for v in row if not _blank(v)), "")
        if first.startswith(("注", "数据来源", "资料来源", "说明")) and sum(not _blank(v) for v in row) <= 2:
            break
        out.append(row)
        if len(out) >= limit:
            break
    return out


def _two_row_evidence(grid: Grid, r: int) -> str:
    """Why rows r and r+1 form one header ('' when they do not)."""
    if r + 1 >= len(grid.rows):
        return ""
    top, sub = grid.rows[r], grid.rows[r + 1]
    sub_cells = [(c, v) for c, v in enumerate(sub) if not _blank(v)]
    if len(sub_cells) < 2 or not all(_is_label(v) for _, v in sub_cells):
        return ""
    width = max(len(top), len(sub))
    if grid.merged:
        across = [
            m
            for m in grid.merged
            if m[0][0] == r
            and m[1][0] == r
            and m[1][1] > m[0][1]
            and m[1][1] - m[0][1] + 1 < width
            and any(m[0][1] <= c <= m[1][1] for c, _ in sub_cells)
        ]
        down = [m for m in grid.merged if m[0][0] == r and m[1][0] == r + 1]
        if across:
            (_, c0), (_, c1) = across[0]
            return (
                f"merged cells: “{_text(top[c0])}” spans {column_letter(c0)}–{column_letter(c1)} "
                f"over its sub-headings"
            )
        if down and any(_blank(_cell(top, c)) for c, _ in sub_cells):
            return "merged cells: single headings merged down over both rows"
        return ""
    # no merge information (CSV, some .xls): children under the gap after their parent
    for c, _ in sub_cells:
        if _blank(_cell(top, c)) and c > 0 and any(_is_label(_cell(top, k)) for k in range(c)):
            k = max(k for k in range(c) if _is_label(_cell(top, k)))
            if not _blank(_cell(sub, k)):
                return f"parent/child pattern: “{_text(top[k])}” over “{_text(sub[k])}”, “{_text(sub[c])}”"
    return ""


def _score_header(grid: Grid, r: int, depth: int) -> _Header | None:

    names = header_names(grid, r, depth)
    body = _body(grid, r + depth)
    if not body:
        return None
    score = 0.0
    for c, name in enumerate(names):
        if not name or not _is_label(name.split("/")[-1]) and not _is_label(name):
            continue
        below = [_cell(b, c) for b in body]
        filled = [v for v in below if not _blank(v)]
        if not filled:
            continue
        if any(_text(v) == name for v in filled):
            continue  # a value that repeats down the column is data, not a heading
        score += 1
    raw_cells = [v for rr in grid.rows[r : r + depth] for v in rr if not _blank(v)]
    score -= sum(1 for v in raw_cells if _is_number(v) and not cells.parse_period(v))
    score -= 0.5 * sum(1 for v in raw_cells if isinstance(v, dt.date | dt.datetime))
    if score < 2:
        return None
    return _Header(r, depth, names, score)


def _find_header(grid: Grid) -> _Header | None:
    best: _Header | None = None
    for r in range(min(SCAN_ROWS, len(grid.rows))):
        if sum(1 for v in grid.rows[r] if not _blank(v)) < 2:
            continue
        cands = []
        h1 = _score_header(grid, r, 1)
        if h1:
            cands.append(h1)
        why = _two_row_evidence(grid, r)
        if why:
            h2 = _score_header(grid, r, 2)
            if h2 and (h1 is None or h2.score >= h1.score):
                h2.why_depth = why
                h2.score += 0.5
                cands.append(h2)
        for h in cands:
            if best is None or h.score > best.score:
                best = h
    return best


# ---------------------------------------------------------------- wide tables


def _find_wide(grid: Grid) -> tuple[int, dict[int, Period]] | None:
    """The first row with ≥ 2 period-like cells standing over columns of figures."""
    for r in range(min(SCAN_ROWS, len(grid.rows))):
        pcs = {c: p for c, v in enumerate(grid.rows[r]) if not _blank(v) and (p := cells.parse_period(v))}
        if len(pcs) < 2:
            continue
        rest = [v for c, v in enumerate(grid.rows[r]) if c not in pcs and not _blank(v)]
        if not all(_is_label(v) for v in rest) or all(
            isinstance(v, dt.date | dt.datetime) for v in (grid.rows[r][c] for c in pcs)
        ):
            continue  # a row of data (figures, dates) that happens to hold two year-like values
        body = _body(grid, r + 1, 40)
        vals = [_cell(b, c) for b in body for c in pcs]
        filled = [v for v in vals if not _blank(v)]
        if not filled:
            # every period column empty below: still periods across when a label column has text
            if body and any(isinstance(_cell(b, c), str) for b in body for c in range(min(pcs))):
                return r, pcs
            continue
        numeric = [v for v in filled if _is_number(v) or _text(v) in cells.MISSING_MARKERS]
        dates = [
            v
            for v in filled
            if isinstance(v, dt.date | dt.datetime) or (isinstance(v, str) and cells.parse_period(v))
        ]
        if len(numeric) >= 0.6 * len(filled) and len(dates) < 0.3 * len(filled):
            return r, pcs
    return None


# ---------------------------------------------------------------- column content


@dataclass
class _Content:
    kind: str
    filled: int
    total: int
    detail: str = ""


def _content(values: list[Any], header: str) -> _Content:
    total = len(values)
    vals = [v for v in values if not _blank(v) and _text(v) not in cells.MISSING_MARKERS]
    n = len(vals)
    if not vals:
        return _Content("empty", 0, total, "no values")
    texts = [_text(v) for v in vals]
    share = lambda k: k / n  # noqa: E731
    # row numbers 1, 2, 3 …
    if all(_is_number(v) for v in vals):
        nums = [cells.parse_number(v).value for v in vals]
        if "序号" in header or (n >= 3 and nums == [float(i) for i in range(int(nums[0]), int(nums[0]) + n)]):
            return _Content("rownum", n, total, "row numbers")
    codes = [t for t in texts if len(t.replace(" ", "")) == 18]
    if share(len(codes)) >= 0.8:
        valid = sum(1 for t in codes if is_valid_credit_code(t.replace(" ", "").upper()))
        if share(valid) >= 0.6:
            return _Content("credit_code", n, total, f"{valid} of {n} values are valid 统一社会信用代码")
    flag_words = {"是", "否", "√", "×", "✓", "✔", "y", "n", "yes", "no", "有", "无"}
    if all(isinstance(v, str) for v in vals) and all(t.lower() in flag_words for t in texts):
        return _Content("flag", n, total, "yes/no marks: " + "、".join(sorted(set(texts))))
    is_dt = sum(1 for v in vals if isinstance(v, dt.date | dt.datetime))
    date_text = sum(
        1
        for v in vals
        if isinstance(v, str) and re.search(r"\d{4}\D+\d{1,2}", v) and cells.parse_date(v).value is not None
    )
    if share(is_dt + date_text) >= 0.8:
        return _Content("date", n, total, "dates")
    if (
        all(isinstance(v, str) for v in vals)
        and share(sum(1 for t in texts if cells.parse_period(t))) >= 0.8
        and share(date_text) < 0.5
    ):
        return _Content("period", n, total, "periods: " + "、".join(sorted(set(texts))[:3]))
    nums_ok = [v for v in vals if _is_number(v)]
    if share(len(nums_ok)) >= 0.8:
        numbers = [cells.parse_number(v).value for v in nums_ok]
        if (
            all(isinstance(v, str) for v in vals)
            and len({len(t) for t in texts}) == 1
            and any(t.startswith("0") for t in texts)
        ):
            return _Content("code", n, total, "fixed-width codes written as text")
        whole = all(float(x).is_integer() for x in numbers)
        kind = "integer" if whole else "number"
        return _Content(kind, n, total, "whole numbers" if whole else "figures")

    resolver = RegionResolver.default()
    distinct = list(dict.fromkeys(texts))[:60]
    hits = [t for t in distinct if resolver.resolve(t).code is not None]
    if len(hits) >= max(1, 0.6 * len(distinct)):
        levels = Counter(resolver.resolve(t).level for t in hits)
        level = levels.most_common(1)[0][0]
        return _Content(
            "region",
            n,
            total,
            f"{len(hits)} of {len(distinct)} distinct values resolve as places"
            f" (mostly {level}: {'、'.join(hits[:3])})",
        )
    named = sum(1 for t in distinct if t.endswith(_NAME_SUFFIXES))
    if len(distinct) >= 2 and named >= 0.7 * len(distinct):
        return _Content("names", n, total, "names of enterprises or organisations")
    return _Content("text", n, total, f"text, {len(set(texts))} distinct in {n} of {total} rows")


# ---------------------------------------------------------------- the alias index


@dataclass
class _Known:
    """All that the existing specs know about one dataset."""

    dataset: str
    specs: list[SourceSpec]
    combined: SourceSpec  # every field of every layout of the dataset, aliases pooled
    fields: dict[str, FieldSpec]  # field → its FieldSpec (the first layout that has it)
    aliases: dict[str, list[str]]  # field → every alias known for it


def _known(source: str | None) -> dict[str, _Known]:
    specs = [s for s in builtin_specs() if s.shape == "rows"]
    if source and any(s.source == source for s in builtin_specs()):
        specs = [s for s in specs if s.source == source]
    out: dict[str, _Known] = {}
    for ds in dict.fromkeys(s.dataset for s in specs):
        mine = [s for s in specs if s.dataset == ds]
        fields: dict[str, FieldSpec] = {}
        aliases: dict[str, list[str]] = {}
        for s in mine:
            for f in s.fields:
                fields.setdefault(f.name, f)
                aliases.setdefault(f.name, [])
                for a in (f.name, *f.aliases):
                    if a not in aliases[f.name]:
                        aliases[f.name].append(a)
        combined_fields = tuple(
            FieldSpec(
                name=n, aliases=tuple(aliases[n]), type=f.type, unit=f.unit, default_unit=f.default_unit
            )
            for n, f in fields.items()
        )
        combined = SourceSpec(
            path=Path("<index>"), source=mine[0].source, layout="<index>", dataset=ds, fields=combined_fields
        )
        out[ds] = _Known(ds, mine, combined, fields, aliases)
    return out


def _similarity(header: str, aliases: list[str]) -> tuple[float, str]:
    key = header_key(header)
    best, which = 0.0, ""
    for a in aliases:
        ak = header_key(a)
        if not ak or not key:
            continue
        r = difflib.SequenceMatcher(None, key, ak).ratio()
        if r > best:
            best, which = r, a
    return best, which


# ---------------------------------------------------------------- assignment of columns to fields


@dataclass
class _Plan:
    dataset: str
    columns: list[DraftColumn]
    score: float
    exact: int


def _unit_of(name: str, meta: Any, file_name: str) -> tuple[str | None, str | None]:

    return unit_source(name, meta, file_name)


def _unit_fits(unit: str | None, f: FieldSpec) -> bool:
    if f.type not in {"number", "integer"} or not f.unit or unit is None:
        return True
    try:
        cells.unit_factor(unit, f.unit)
        return True
    except ValueError:
        return False


def _plan(known: _Known, names: list[str], contents: dict[int, _Content], units: dict[int, tuple]) -> _Plan:

    mapping, dups = match_header(names, known.combined)
    cols: dict[int, DraftColumn] = {}
    taken: set[str] = set()
    exact = 0
    for f, c in mapping.items():
        cols[c] = DraftColumn(
            column_letter(c),
            names[c],
            contents[c].kind,
            f,
            "alias",
            f"header is a known alias of {f}",
            *units[c],
        )
        taken.add(f)
        exact += 1
    for f, cs in dups.items():
        for c in cs:
            if c not in cols:
                cols[c] = DraftColumn(
                    column_letter(c),
                    names[c],
                    contents[c].kind,
                    None,
                    "none",
                    f"also a known alias of {f}, which column {column_letter(mapping[f])} takes",
                    *units[c],
                    candidates=[f],
                )
    score = 3.0 * exact
    for c, name in enumerate(names):
        if not name or c in cols:
            continue
        ct = contents[c]
        col = DraftColumn(column_letter(c), name, ct.kind, None, "none", ct.detail, *units[c])
        cols[c] = col
        key = header_key(name)
        if ct.kind in {"integer", "number"} and re.match(r"(合计|总计|小计|总数)$", key):
            ct = _Content("total", ct.filled, ct.total, "a total column (the sum of the others), left out")
            col.kind, col.note = ct.kind, ct.detail
        elif key.startswith(("其中", "内:")):
            ct = _Content("part", ct.filled, ct.total, "a 其中 column (part of another figure), left out")
            col.kind, col.note = ct.kind, ct.detail
        if ct.kind in {"rownum", "empty", "total", "part"}:
            col.how = "skipped"
            continue
        types = _COMPATIBLE.get(ct.kind, set())
        free = [
            f
            for f, fs in known.fields.items()
            if f not in taken and fs.type in types and _unit_fits(col.unit, fs)
        ]
        if not free:
            continue
        sims = sorted(((_similarity(name, known.aliases[f]), f) for f in free), key=lambda x: -x[0][0])
        col.candidates = [f for _, f in sims]
        (best_r, best_alias), best_f = sims[0]
        second = sims[1][0][0] if len(sims) > 1 else 0.0
        pick, how, why = None, "none", ""
        if ct.kind in _SPECIFIC and len(free) == 1:
            pick, how, why = free[0], "content", ct.detail
        elif ct.kind in _SPECIFIC and best_r >= GUESS_RATIO and best_r - second >= GUESS_MARGIN:
            pick, how, why = best_f, "content", f"{ct.detail}; header like “{best_alias}”"
        elif best_r >= GUESS_RATIO and best_r - second >= GUESS_MARGIN:
            pick, how, why = best_f, "guess", f"{ct.detail}; header like “{best_alias}” ({best_r:.2f})"
        elif ct.kind == "names" and "name" in free:
            pick, how, why = "name", "guess", ct.detail
        elif ct.kind in {"date", "period", "region", "credit_code"} and len(free) == 1:
            pick, how, why = (
                free[0],
                "guess",
                f"{ct.detail}; the only {known.fields[free[0]].type} field left",
            )
        if pick:
            col.field, col.how, col.note = pick, how, why
            taken.add(pick)
            score += 2.0 if how == "content" else 1.0
    ordered = [cols[c] for c in sorted(cols)]
    return _Plan(known.dataset, ordered, score, exact)


def _closest(known: _Known, names: list[str]) -> tuple[SourceSpec, int]:

    scored = [(len(match_header(names, s)[0]), -i, s) for i, s in enumerate(known.specs)]
    n, _, spec = max(scored, key=lambda x: (x[0], x[1]))
    return spec, n


# ---------------------------------------------------------------- YAML writing


_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^:,\[\]{}#&*!|>'\"%@`]*")


def _scalar(s: Any) -> str:
    if isinstance(s, bool):
        return "true" if s else "false"
    if isinstance(s, int | float):
        return str(s)
    s = str(s)
    if _PLAIN.fullmatch(s) and not s.endswith(" "):
        try:
            if yaml.safe_load(f"[{s}]") == [s]:
                return s
        except yaml.YAMLError:
            pass
    return json.dumps(s, ensure_ascii=False)


def _flow(v: Any) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_flow(x) for x in v) + "]"
    return _scalar(v)


def _alias_text(header: str) -> str:
    """The header as an alias: its unit bracket left out (aliases are compared without it)."""
    s = clean_text(header).replace(" ", "")
    u = cells.unit_in_text(s)
    if u:
        s = re.sub(r"[\(（\[【]\s*(?:单位[:：])?\s*" + re.escape(u) + r"\s*[\)）\]】]", "", s)
    return s or clean_text(header)


def _files_pattern(file_name: str) -> str:
    stem = clean_text(Path(file_name).stem)
    runs = re.findall(r"[\u4e00-\u9fff][\u4e00-\u9fff（）()]*[\u4e00-\u9fff）)]|[\u4e00-\u9fff]", stem)
    runs = [re.sub(r"^(?:年|月|季度|年度)+|(?:年|月|年度)+$", "", r) for r in runs]
    runs = [r for r in runs if len(r) >= 3]
    return f"*{max(runs, key=len)}*" if runs else "*"


def _description(title_texts: list[str], file_name: str) -> str:
    for t in title_texts:
        if _META_PREFIX.match(t) or len(t) < 4:
            continue
        s = re.sub(r"[\(（][^\)）]*\d{4}[^\)）]*[\)）]", "", t)
        s = re.sub(r"\d{4}\s*年(?:度)?(?:\d{1,2}(?:\s*[-—~至]\s*\d{1,2})?月)?", "", s).strip(" _-")
        if len(s) >= 4:
            return s
    return re.sub(
        r"\d{4}\s*年(?:度)?(?:\d{1,2}(?:\s*[-—~至]\s*\d{1,2})?月)?", "", Path(file_name).stem
    ).strip(" _-")


def _wrap(text: str, prefix: str, width: int = 100) -> list[str]:
    """`text` as comment lines of at most `width` characters; continuations indented under it."""
    cont = prefix[: len(prefix) - len(prefix.lstrip())] + "#   "
    out, line = [], prefix
    for word in re.split(r"(?<= )", text):
        if len(line) + len(word) > width and line != prefix and line != cont:
            out.append(line.rstrip())
            line = cont
        line += word
    out.append(line.rstrip())
    return out


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.undecided: list[str] = []

    def comment(self, text: str, indent: str = "") -> None:
        self.lines.extend(_wrap(text, f"{indent}# "))

    def todo(self, text: str, indent: str = "") -> None:
        self.undecided.append(text)
        self.lines.extend(_wrap(text, f"{indent}# TODO(person): "))

    def line(self, text: str) -> None:
        self.lines.append(text)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


# ---------------------------------------------------------------- the draft


def _choose_sheet(wb: Workbook) -> tuple[Grid, str, Any] | None:
    """The sheet to draft from: a wide table, else the one with the best header."""
    best = None
    for g in wb.sheets:
        if not g.rows or all(all(_blank(v) for v in r) for r in g.rows):
            continue
        w = _find_wide(g)
        if w is not None:
            cand = (100.0 + len(w[1]), g, "wide", w)
        else:
            h = _find_header(g)
            if h is None:
                continue
            cand = (h.score, g, "rows", h)
        if best is None or cand[0] > best[0]:
            best = cand
    return None if best is None else best[1:]


def draft_spec(path: Path, source: str | None = None) -> DraftResult:
    """Draft a spec for the layout of `path` (any file `etl.read.workbook` reads).

    `source` restricts the datasets considered to those of an existing source id; an unknown id
    is written as the draft's `source:` (with a TODO). Raises `etl.read.workbook.ReadError` for a file that
    cannot be read, and ValueError when no sheet holds anything like a table."""
    path = Path(path)
    wb = read_workbook(path)
    chosen = _choose_sheet(wb)
    if chosen is None:
        raise ValueError(f"{path.name}: no sheet holds a header over rows of values / 找不到表头")
    grid, shape, found = chosen
    others = [
        g.name for g in wb.sheets if g is not grid and any(any(not _blank(v) for v in r) for r in g.rows)
    ]
    if shape == "wide":
        result = _draft_wide(path, wb, grid, found, source, others)
    else:
        result = _draft_rows(path, wb, grid, found, source, others)
    _trial(path, result)
    return result


def _period_sources(grid: Grid, meta: Any, file_name: str) -> dict[str, tuple[Period, str]]:
    out: dict[str, tuple[Period, str]] = {}
    if not re.fullmatch(r"(?i)sheet\d*", grid.name) and (p := cells.parse_period(grid.name)):
        out["sheet"] = (p, grid.name)
    for t in meta.title_texts:
        if (p := cells.parse_period(t)) and not _META_PREFIX.match(t):
            out["title"] = (p, t)
            break
    if p := cells.parse_period(Path(file_name).stem):
        out["file_name"] = (p, Path(file_name).name)
    return out


def _period_text(p: Period) -> str:
    return p.text + (" (本年累计 from January)" if p.basis == "ytd" else "")


def _draft_rows(
    path: Path, wb: Workbook, grid: Grid, h: _Header, source: str | None, others: list[str]
) -> DraftResult:

    file_name = path.name
    names = h.names
    meta = sheet_meta(grid, h.row)
    start = h.row + h.depth

    # the rows below the header: data, totals, parts, notes
    text_cols = [c for c, n in enumerate(names) if n]
    probe = SourceSpec(path=Path("<draft>"), source="", layout="", dataset="")
    kinds: dict[int, str] = {}
    in_notes = False
    sample_label_cols = list(range(min(3, len(names))))
    for r in range(start, len(grid.rows)):
        k = classify_row(grid.rows[r], sample_label_cols, probe, in_notes)
        in_notes = in_notes or k == "note"
        kinds[r] = k
    data_rows = [r for r, k in kinds.items() if k == "data"]
    sample = [grid.rows[r] for r in data_rows[:SAMPLE_ROWS]]
    contents = {c: _content([_cell(row, c) for row in sample], names[c]) for c in range(len(names))}
    # label columns as extraction will see them: text columns and the first three
    label_cols = sorted(
        {c for c in text_cols if contents[c].kind in {"text", "names", "region"}} | set(range(3))
    )
    in_notes = False
    for r in range(start, len(grid.rows)):
        k = classify_row(grid.rows[r], label_cols, probe, in_notes)
        in_notes = in_notes or k == "note"
        kinds[r] = k
    data_rows = [r for r, k in kinds.items() if k == "data"]
    # total rows whose label extraction would not recognise (全镇合计, 小计 with spaces …)
    extra_totals: list[str] = []
    for r in data_rows:
        for c in label_cols:
            t = _text(_cell(grid.rows[r], c)).replace(" ", "")
            if t and len(t) <= 8 and re.search(r"合计|总计|小计", t) and t not in extra_totals:
                extra_totals.append(t)
    if extra_totals:
        data_rows = [
            r
            for r in data_rows
            if not any(_text(_cell(grid.rows[r], c)).replace(" ", "") in extra_totals for c in label_cols)
        ]
    units = {
        c: _unit_of(names[c], meta, file_name) if contents[c].kind in {"number", "integer"} else (None, None)
        for c in range(len(names))
    }

    # which dataset: the plan with the best score
    known = _known(source)
    plans = sorted((_plan(k, names, contents, units) for k in known.values()), key=lambda p: -p.score)
    plan = plans[0]
    kn = known[plan.dataset]
    closest, closest_n = _closest(kn, names)
    ds_source = closest.source
    w = _Writer()
    named_cols = [c for c in plan.columns if c.how != "skipped"]

    # ---- header comment
    w.comment(f"Draft spec written by `statwh spec draft` from “{file_name}”, sheet “{grid.name}”.")
    w.comment("Review every TODO(person) line, then try it: statwh check <this file> <the file>.")
    w.comment("")
    hdr = f"{h.row + 1}" if h.depth == 1 else f"{h.row + 1}-{h.row + h.depth}"
    w.comment(
        f"header: row{'s' if h.depth == 2 else ''} {hdr}"
        + (f" (two rows, joined as parent/child; {h.why_depth})" if h.depth == 2 else "")
    )
    totals = [r for r, k in kinds.items() if k == "total"]
    notes = [r for r, k in kinds.items() if k == "note"]
    parts = [r for r, k in kinds.items() if k == "part"]
    rng = f" (rows {data_rows[0] + 1}–{data_rows[-1] + 1})" if data_rows else ""
    w.comment(f"data rows: {len(data_rows)}{rng}")
    if totals:
        labels = sorted(
            {
                next((_text(_cell(grid.rows[r], c)) for c in label_cols if _text(_cell(grid.rows[r], c))), "")
                for r in totals
            }
        )
        w.comment(
            f"total rows (kept as evidence, never loaded): {len(totals)}, “{'、'.join(labels)}” in row "
            f"{', '.join(str(r + 1) for r in totals[:5])}"
        )
    if parts:
        w.comment(f"其中 rows (parts, dropped): {len(parts)}")
    if notes:
        first = _text(next(v for v in grid.rows[notes[0]] if not _blank(v)))
        w.comment(f"note rows (dropped): {len(notes)}, from row {notes[0] + 1} “{first[:30]}…”")
    if meta.unit_row:
        w.comment(f"unit row above the header: {meta.unit_row}")
    if meta.reporter:
        w.comment(f"reporting office: {meta.reporter}")
    w.comment(
        f"closest existing layout: {closest.source}/{closest.layout} "
        f"({closest_n} of {len(named_cols)} columns by their names)"
    )
    w.line("")

    # ---- identity
    if source and source != ds_source:
        w.todo(
            f"source “{source}” was asked for, but the columns fit dataset {plan.dataset} of source "
            f"“{ds_source}”; a new source id also needs the pipeline to know it."
        )
        src = source
    else:
        src = ds_source
    w.line(f"source: {_scalar(src)}")
    layout = f"{closest.layout}_draft" if closest_n else f"draft_{plan.dataset}"
    w.line(f"layout: {_scalar(layout)}   # rename as you like: unique within the source")
    fit = plan.exact / max(1, len(named_cols))
    if plan.exact == 0 or fit < 0.5 or (len(plans) > 1 and plans[1].score >= plan.score):
        alt = f" (next best: {plans[1].dataset})" if len(plans) > 1 else ""
        how = (
            "no header is a known alias: chosen by the columns' content"
            if plan.exact == 0
            else f"only {plan.exact} of {len(named_cols)} headers are known aliases"
        )
        w.todo(
            f"dataset {plan.dataset}: {how}{alt}. Confirm it fits (etl/base/datasets.py), or a new dataset is needed."
        )
    w.line(f"dataset: {plan.dataset}")
    w.line(f"description: {_scalar(_description(meta.title_texts, file_name))}")
    w.line(
        f"files: {_flow([_files_pattern(file_name)])}   # file-name patterns this layout takes (from this file's name)"
    )
    differing = [
        g
        for g in others
        if (hh := _find_header(next(x for x in wb.sheets if x.name == g))) is None
        or [n for n in hh.names if n] != [n for n in names if n]
    ]
    if differing:
        w.todo(
            f'other sheets ({"、".join(differing)}) have other headers; `sheets: "*"` reads every sheet whose '
            f"header matches: narrow it (e.g. to “{grid.name}”) if they must be left alone."
        )
    w.line('sheets: "*"')

    # ---- period
    mapped = {c.field for c in plan.columns if c.field}
    psrc = _period_sources(grid, meta, file_name)
    order = list(closest.period_from)
    if "column" in order and "period" in mapped:
        col = next(c for c in plan.columns if c.field == "period")
        w.comment(f"period: per row, from column {col.letter} “{col.header}”")
    else:
        hit = next(((where, psrc[where]) for where in order if where in psrc), None)
        if hit:
            where, (p, text) = hit
            w.comment(f"period: {_period_text(p)}, from the {where.replace('_', ' ')}: “{text}”")
            others_p = {k: v for k, v in psrc.items() if v[0].text != p.text}
            if others_p:
                k, (q, t) = next(iter(others_p.items()))
                w.todo(
                    f"the {k.replace('_', ' ')} says another period: {q.text} (“{t}”); "
                    f"put first in period_from the one that is right."
                )
        elif closest.period_required:
            w.todo(
                "no period found in a column, the sheet name, the title or the file name: name the period "
                "in the file's title or name (2025年1-6月), or set period_required: false."
            )
        else:
            w.comment("period: none needed by this dataset")
    w.line(f"period_from: {_flow(order)}")
    if not closest.period_required:
        w.line("period_required: false")

    # ---- fields
    w.line("fields:")
    required = {f.name for f in closest.fields if f.required}
    for col in plan.columns:
        if col.how == "skipped":
            w.comment(f"{col.letter} “{col.header}”: {col.note or col.kind}, left out", "  ")
            continue
        if col.field is None:
            continue
        fs = closest.field(col.field) or kn.fields[col.field]
        body: dict[str, Any] = {"aliases": [_alias_text(col.header)]}
        if fs.type != "text":
            body["type"] = fs.type
        if fs.unit:
            body["unit"] = fs.unit
        if fs.default_unit:
            body["default_unit"] = fs.default_unit
        if col.field in required:
            body["required"] = True
        if fs.month_end:
            body["month_end"] = True
        why = {"alias": "known alias", "content": "from its content", "guess": "guessed"}[col.how]
        note = f"{col.letter} “{col.header}” — {why}"
        if col.how != "alias":
            note += f": {col.note}"
        if fs.type in {"number", "integer"} and fs.unit:
            if col.unit:
                factor = cells.unit_factor(col.unit, fs.unit)
                note += f"; unit {col.unit} (from the {col.unit_from})" + (
                    f" → {fs.unit} ×{factor:g}" if factor != 1 else ""
                )
            elif fs.default_unit:
                note += f"; no unit in the file: {fs.default_unit} assumed (default_unit)"
        w.comment(note, "  ")
        if col.how == "guess":
            w.todo(
                f"confirm that {col.letter} “{col.header}” is {col.field} (other candidates: "
                f"{', '.join(c for c in col.candidates if c != col.field) or 'none'}).",
                "  ",
            )
        if fs.type in {"number", "integer"} and fs.unit and not col.unit and not fs.default_unit:
            w.todo(
                f"{col.letter} “{col.header}”: no unit in the header, a 单位： row or the file name; "
                f"add default_unit (the warehouse unit is {fs.unit}).",
                "  ",
            )
        w.line(f"  {col.field}: {_flow(body)}")
    for col in plan.columns:
        if col.field is not None or col.how == "skipped":
            continue
        body = {"aliases": [_alias_text(col.header)]}
        t = {
            "credit_code": "credit_code",
            "region": "region",
            "date": "date",
            "period": "period",
            "flag": "flag",
            "integer": "integer",
            "number": "number",
        }.get(col.kind)
        if t:
            body["type"] = t
        unit = f" in {col.unit} (from the {col.unit_from})" if col.unit else ""
        cands = (
            f"candidates: {', '.join(col.candidates)}"
            if col.candidates
            else f"no field of {plan.dataset} takes {col.kind} values{unit}"
        )
        w.todo(
            f"{col.letter} “{col.header}”: {col.note}{unit if col.candidates else ''}; {cands}. "
            f"Replace {_UNDEFINED} with the field and uncomment the line, or leave it out.",
            "  ",
        )
        w.line(f"  # {_UNDEFINED}: {_flow(body)}")
    for f in closest.fields:
        if f.required and f.name not in mapped:
            w.todo(
                f"required field {f.name} ({f.type}; known headers: {'、'.join(f.aliases[:4])}) has no column: "
                f"map one above, or the file cannot fill it.",
                "  ",
            )
    # ---- the rest of the layout
    groups = [list(g) for g in closest.required_any if any(x in mapped for x in g)]
    for g in closest.required_any:
        if not any(x in mapped for x in g):
            w.todo(f"{closest.layout} needs one of {', '.join(g)}; no column maps to any of them.")
    if groups:
        w.line("required_any:")
        for g in groups:
            w.line(f"  - {_flow([x for x in g if x in mapped])}")
    if extra_totals:
        w.comment(f"total labels seen in this file besides the usual ones: {'、'.join(extra_totals)}")
        w.line(f"total_labels: {_flow(list(SourceSpec.total_labels) + extra_totals)}")
    if closest.blank_means != "missing":
        w.line(f"blank_means: {closest.blank_means}")
    if closest.constants:
        rivals = [
            s for s in kn.specs if s is not closest and s.constants and s.constants != closest.constants
        ]
        tied = [s for s in rivals if len(_match(names, s)) >= closest_n]
        if tied:
            w.todo(
                f"constants: {_flow(closest.constants)} as in {closest.layout}, but {tied[0].layout} fits as well "
                f"with {_flow(tied[0].constants)}: which one is this file?"
            )
        else:
            w.comment(f"as in {closest.layout}")
        w.line(f"constants: {_flow(dict(closest.constants))}")
    return DraftResult(
        yaml_text=w.text(),
        undecided=w.undecided,
        source=src,
        dataset=plan.dataset,
        layout=layout,
        shape="rows",
        sheet=grid.name,
        header_rows=hdr,
        closest=f"{closest.source}/{closest.layout}",
        columns=plan.columns,
    )


def _match(names: list[str], spec: SourceSpec) -> dict[str, int]:

    return match_header(names, spec)[0]


def _draft_wide(
    path: Path,
    wb: Workbook,
    grid: Grid,
    found: tuple[int, dict[int, Period]],
    source: str | None,
    others: list[str],
) -> DraftResult:

    file_name = path.name
    hr, pcols = found
    meta = sheet_meta(grid, hr)
    first = min(pcols)
    body = _body(grid, hr + 1, 60)
    resolver = RegionResolver.default()
    region_col, region_hits, indicator_cols = None, 0, []
    header = grid.rows[hr]
    for c in range(first):
        vals = [_text(_cell(b, c)) for b in body if isinstance(_cell(b, c), str) and _text(_cell(b, c))]
        if not vals:
            continue
        hits = sum(1 for v in dict.fromkeys(vals) if resolver.resolve(v).code is not None)
        if hits > region_hits:
            if region_col is not None:
                indicator_cols.append(region_col)
            region_col, region_hits = c, hits
        else:
            indicator_cols.append(c)
    if region_col is not None and region_hits * 2 < len({_text(_cell(b, region_col)) for b in body}):
        indicator_cols.append(region_col)
        region_col = None
    indicator_cols.sort()

    w = _Writer()
    w.comment(f"Draft spec written by `statwh spec draft` from “{file_name}”, sheet “{grid.name}”.")
    w.comment("Review every TODO(person) line, then try it: statwh check <this file> <the file>.")
    w.comment("")
    periods = [p.text for p in pcols.values()]
    letters = f"{column_letter(min(pcols))}–{column_letter(max(pcols))}"
    w.comment(
        f"wide table: periods across in row {hr + 1}, columns {letters}: "
        f"{', '.join(periods[:4])}{' … ' + periods[-1] if len(periods) > 4 else ''} ({len(periods)} periods)"
    )
    if region_col is not None:
        w.comment(
            f"regions down column {column_letter(region_col)} “{_text(_cell(header, region_col)) or '(no heading)'}”"
            f" ({region_hits} distinct places)"
        )
    if indicator_cols:
        w.comment(f"indicator names in column(s) {', '.join(column_letter(c) for c in indicator_cols)}")
    elif meta.indicator:
        w.comment(f"indicator from the 指标： line: {meta.indicator}")
    else:
        w.comment(f"indicator from the file name: “{indicator_from_file_name(file_name)}”")
    unit, unit_from = None, None
    if indicator_cols:
        vals = [_text(_cell(b, c)) for b in body for c in indicator_cols if _text(_cell(b, c))]
        us = {cells.unit_in_text(v) for v in vals} - {None}
        if us:
            unit, unit_from = "、".join(sorted(us)), "indicator names"
    if unit is None and meta.indicator and (u := cells.unit_in_text(meta.indicator)):
        unit, unit_from = u, "指标： line"
    if unit is None and meta.unit_row:
        unit, unit_from = meta.unit_row, "unit row"
    if unit is None and (u := unit_in_file_name(file_name)):
        unit, unit_from = u, "file name"
    notes = [
        r
        for r in range(hr + 1, len(grid.rows))
        if _text(next((v for v in grid.rows[r] if not _blank(v)), "")).startswith(
            ("注", "数据来源", "资料来源")
        )
    ]
    if notes:
        w.comment(f"notes below the table from row {notes[0] + 1} (dropped)")
    if unit:
        w.comment(f"unit: {unit} (from the {unit_from})")
    w.line("")
    if source and source != "indicators":
        w.todo(
            f"source “{source}” was asked for, but wide tables fill dataset indicator_obs of source indicators."
        )
    src = source or "indicators"
    w.line(f"source: {_scalar(src)}")
    w.line("layout: nbs_wide_draft   # rename as you like: unique within the source")
    w.line("dataset: indicator_obs")
    what = meta.indicator and clean_indicator_name(meta.indicator) or indicator_from_file_name(file_name)
    if indicator_cols:
        what = "、".join(
            dict.fromkeys(
                clean_indicator_name(_text(_cell(b, c)))
                for b in body
                for c in indicator_cols
                if _text(_cell(b, c))
            )
        )
    w.line(f"description: {_scalar(what + '（宽表：时期在列）')}")
    w.line(
        f"files: {_flow([_files_pattern(file_name)])}   # file-name patterns this layout takes (from this file's name)"
    )
    w.line("shape: wide")
    w.line("wide:")
    w.line(f"  label: {'region' if region_col is not None else 'indicator'}")
    w.line("period_required: false")
    if unit is None:
        w.todo(
            "no unit anywhere (指标： line, header brackets, 单位： row, file name): the values load without a "
            "unit; add one to the file name (`… 万元.xls`) or confirm that they have none."
        )
    # blank cells inside filled period columns: not reported, or zero?
    filled_cols = [c for c in pcols if any(not _blank(_cell(b, c)) for b in body)]
    data_body = [b for b in body if region_col is None or not _blank(_cell(b, region_col))]
    holes = sum(1 for b in data_body for c in filled_cols if _blank(_cell(b, c)))
    if holes:
        w.todo(
            f"{holes} blank cell{'s' if holes > 1 else ''} among the figures: `missing` (not reported) or `zero` "
            f"(the table leaves zeros blank, e.g. no metro = 0 公里)?"
        )
    w.line("blank_means: missing")
    if others:
        w.comment(f"other sheets: {'、'.join(others)} (read too when they hold periods across)")
    return DraftResult(
        yaml_text=w.text(),
        undecided=w.undecided,
        source=src,
        dataset="indicator_obs",
        layout="nbs_wide_draft",
        shape="wide",
        sheet=grid.name,
        header_rows=str(hr + 1),
        closest="indicators/nbs_wide",
        columns=[
            DraftColumn(column_letter(c), _text(_cell(header, c)), "period", "period", "wide", p.text)
            for c, p in pcols.items()
        ],
        periods_across=periods,
    )


def _trial(path: Path, result: DraftResult) -> None:
    """Load the draft and extract the file with it; note the outcome at the top of the YAML."""

    with tempfile.TemporaryDirectory() as tmp:
        spec_path = Path(tmp) / "draft.yaml"
        spec_path.write_text(result.yaml_text, encoding="utf-8")
        load_spec(spec_path)  # a draft that does not load is a bug here, not the person's job
        try:
            ex = extract(path, str(spec_path))
        except Exception as e:  # pragma: no cover - extraction never raises on bad input
            result.trial_problems = [f"{type(e).__name__}: {e}"]
            ex = None
    if ex is not None:
        result.trial_problems = [i.message for i in ex.critical]
        result.trial_rows = None if ex.frame is None else len(ex.frame)
    if result.trial_problems:
        line = f"# trial: extracting “{path.name}” with this draft fails: {result.trial_problems[0][:160]}"
        result.undecided.append(f"the draft does not yet extract the file: {result.trial_problems[0][:200]}")
    else:
        line = f"# trial: extracting “{path.name}” with this draft gives {result.trial_rows} rows"
    lines = result.yaml_text.split("\n")
    at = next(i for i, x in enumerate(lines) if x == "")
    lines.insert(at, line)
    result.yaml_text = "\n".join(lines)

"""Wide tables: periods across, indicators (or regions) down."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etl.base import cells
from etl.base.cells import Period, clean_text, column_letter, header_key
from etl.base.issues import Issue
from etl.extract.classify import classify_row
from etl.extract.header import label_text
from etl.extract.meta import (
    SheetMeta,
    is_unit_row,
    sheet_meta,
    sheet_township,
    unit_conflict,
    unit_in_file_name,
    unit_sources,
)
from etl.extract.model import NOTE_PREFIXES, Extraction, SheetInfo
from etl.extract.rows import SERIAL_HEADERS
from etl.extract.totals import mismatch_issue, reconciliation, resolve_regions
from etl.read import Grid
from etl.reference import catalog
from etl.reference.regions import RegionResolver, name_of
from etl.spec.model import SourceSpec

# ---------------------------------------------------------------- wide tables


def fill_merged(grid: Grid) -> list[list[Any]]:
    """Rows with each merged block's value copied into every cell of that block (and only there)."""
    rows = [list(r) for r in grid.rows]
    for (r0, c0), (r1, c1) in grid.merged:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        v = rows[r0][c0]
        for r in range(r0, min(r1 + 1, len(rows))):
            for c in range(c0, c1 + 1):
                if c < len(rows[r]) and rows[r][c] is None:
                    rows[r][c] = v
    return rows


def refuse_merged_figures(
    grid: Grid, rows: list[list[Any]], first_data_row: int, figure_cols: set[int]
) -> None:
    """A figure merged over several cells of the data (one number over two years, or over two
    townships) is no single cell's: `fill_merged` copied it into each, so every cell of the block
    is made a text naming the block, which no parser reads as a figure (each is refused)."""
    for (r0, c0), (r1, c1) in grid.merged:
        if (r0, c0) == (r1, c1) or r1 < first_data_row or r0 >= len(grid.rows) or c0 >= len(grid.rows[r0]):
            continue
        v = grid.rows[r0][c0]
        if v is None:
            continue
        ref = f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}"
        for r in range(max(r0, first_data_row), min(r1 + 1, len(rows))):
            for c in range(c0, c1 + 1):
                if c in figure_cols and c < len(rows[r]):
                    rows[r][c] = cells.not_a_figure(
                        v,
                        f"合并单元格 {ref} 中的数值属于哪一格无法确定，请分格填写"
                        f" / a figure merged over {ref} is no single cell's",
                    )


def indicator_from_file_name(file_name: str) -> str:
    """`07_nbs-trimmed_教育经费 万元.xls` → `教育经费`: the last `_` part that names a catalog
    indicator (`地区生产总值_分区.csv` → 地区生产总值), else the last part; without its unit."""
    stem = clean_text(Path(file_name).stem)
    u = unit_in_file_name(file_name)
    parts = [p.strip() for p in stem.split("_")]
    parts = [p[: -len(u)].strip() if u and p.endswith(u) else p for p in parts]
    named = [p for p in parts if p and catalog.indicator_id_for(p)]
    return (named or parts)[-1] or stem


_FOOTNOTE = re.compile(
    cells.NOTE_MARKS  # ①…⑳, ❶…❿, ¹²³⁴…⁹ anywhere
    + r"|[*＊※#＃△▲☆★]+(?=\s*(?:[(（][^)）]*[)）])?\s*$)"  # *, ※, △ at the end (before a unit bracket)
    r"|[(（]\s*注\s*[\d\u2460-\u2473]*\s*[)）]"  # （注1）
)


def without_footnote(name: Any) -> Any:
    """An indicator's name without its footnote markers (`地区生产总值①`, `地区生产总值*`,
    `规上工业总产值（注1）`, `地区生产总值¹（亿元）` → the name the catalog knows); read before NFKC
    makes ① a `1`. Anything not text is returned as it is."""
    return _FOOTNOTE.sub("", name).strip() if isinstance(name, str) else name


def figure(raw: Any, unit: str | None, growth: bool = False) -> cells.Parsed:
    """A figure cell of a column in `unit` (None: none given): its footnote marker dropped before
    NFKC makes it a digit (`12.3①` is 12.3, not 12.31); a unit written in the cell (`12.3亿元`,
    `5.2%`) other than the column's is a problem (the cell is refused, never read in the
    column's unit); the same unit, or a unit where the column has none, is kept in `.unit`. A
    `growth` indicator's cell may say its change in words (`下降3.2%` is -3.2: `cells.parse_change`)."""
    parsed = cells.parse_number(raw)  # (its footnote marker dropped there: `cells.FIGURE_NOTE`)
    if parsed.problem and growth and (change := cells.parse_change(raw)) is not None:
        parsed = change
    if parsed.unit and unit and parsed.unit != unit:  # `250.3亿` in a 亿元 column is in 亿元
        parsed = dataclasses.replace(parsed, unit=cells.in_column_unit(parsed.unit, unit))
    if parsed.unit and unit and parsed.unit != unit and not _same_unit(parsed.unit, unit):
        return cells.Parsed(
            None,
            problem=f"单元格写“{clean_text(raw)}”，与本列单位“{unit}”不同，请只填数字"
            f" / the cell says {parsed.unit}, the column is in {unit}",
        )
    return parsed


def _same_unit(u1: str, u2: str) -> bool:
    """Two names of one unit (家 and 个: a count either way)."""
    try:
        return cells.same_dimension(u1, u2) and cells.unit_factor(u1, u2) == 1.0
    except ValueError:
        return False


def clean_indicator_name(name: str) -> str:
    """Without its unit bracket and stray export suffixes: `一般公共预算支出（亿元）i` → `一般公共预算支出`."""
    s = clean_text(name)
    unit = cells.unit_in_text(s)
    if unit:
        s = re.sub(r"[\(（\[【]\s*" + re.escape(unit) + r"\s*[\)）\]】]", "", s)
    return re.sub(r"(?<=[\u4e00-\u9fff\)）])[A-Za-z]{1,2}$", "", s).strip()


REGION_HEADERS = {"地区", "地区名称", "区县", "区域", "省份", "城市", "县区", "镇街", "乡镇"}
UNIT_HEADERS = {"单位", "计量单位"}


def _wide_label_columns(
    rows: list[list[Any]], start: int, first_period_col: int
) -> tuple[int | None, list[int]]:
    """Among the columns left of the periods: the one holding regions, and the text ones (indicators).
    A 序号 or 单位 column (its label in any of the header rows) is neither."""

    resolver = RegionResolver.default()
    best, best_hits, text_cols = None, 0, []
    header = rows[start - 1] if start > 0 else []
    keys = [
        {header_key(v) for r in rows[max(0, start - 3) : start] if c < len(r) and isinstance(v := r[c], str)}
        for c in range(first_period_col)
    ]  # each label column's header labels (a label of a deeper header is in its top row)
    serial = {c for c, k in enumerate(keys) if k & (SERIAL_HEADERS | UNIT_HEADERS)}
    serial |= {c for c in range(first_period_col) if _code_column(rows[start : start + 40], c, keys[c])}
    for c in range(min(first_period_col, len(header))):
        if keys[c] & REGION_HEADERS:
            others = [
                x
                for x in range(first_period_col)
                if x != c
                and x not in serial
                and any(isinstance(r[x] if x < len(r) else None, str) for r in rows[start : start + 40])
            ]
            return c, others
    sample = [
        r
        for r in rows[start : start + 40]
        if not any(isinstance(v, str) and label_text(v).startswith(NOTE_PREFIXES) for v in r if v is not None)
    ]
    for c in (x for x in range(first_period_col) if x not in serial):
        vals = [r[c] for r in sample if c < len(r) and isinstance(r[c], str) and label_text(r[c])]
        if not vals:
            continue
        hits = sum(1 for v in vals if resolver.resolve(v).code is not None)
        if hits > best_hits:
            best, best_hits = c, hits
        text_cols.append(c)
    if best is not None and best_hits * 2 < len([r for r in sample if best < len(r) and r[best]]):
        best = None  # mostly not regions: the label column holds indicators
    return best, [c for c in text_cols if c != best]


_CODE = re.compile(r"\d{6,12}")


def _code_column(sample: list[list[Any]], c: int, keys: set[str]) -> bool:
    """A column of codes (`地区代码`, `区划代码`, `指标代码`; or only 6–12 digit numbers below the
    header): it names neither the indicator nor the region (the region column says the place)."""
    if any(k.endswith(("代码", "编码", "编号")) for k in keys):
        return True
    vals = [label_text(r[c]) for r in sample if c < len(r) and label_text(r[c])]
    return bool(vals) and all(_CODE.fullmatch(v.removesuffix(".0")) for v in vals)


@dataclass
class _WideLayout:
    """Where a wide table's parts are: its header row, the period of each value column, and the
    label columns left of them (the one holding regions, if any, and those holding indicators)."""

    header_row: int
    periods: dict[int, Period]
    region_col: int | None
    indicator_cols: list[int]
    unit_col: int | None = None  # a 单位 column: each row's unit
    col_units: dict[int, str] = field(default_factory=dict)  # a period column's own unit (its header's)
    col_indicators: dict[int, str] = field(default_factory=dict)  # the indicator named over a period column

    @property
    def label_cols(self) -> list[int]:
        return ([self.region_col] if self.region_col is not None else []) + self.indicator_cols


LONG_COLUMNS = (
    "indicator_name",
    "region",
    "period",
    "period_end",
    "_period_basis",
    "value",
    "_unit_value",
    "_unit_from_value",
    "missing",
    "_sheet",
    "_row",
    "_col",
)


def extract_wide_sheet(
    grid: Grid, spec: SourceSpec, file_name: str, ex: Extraction
) -> dict[str, list[Any]] | None:
    """Periods across: every (row, period column) cell becomes one long row.

    The label columns left of the periods are told apart by their content: the one whose values
    are region names, and text columns holding the indicator (merged vertically, as WPS exports
    do, and drifting between columns). Without an indicator column, the indicator is the
    `指标：` line above the table, else the file name."""
    assert spec.wide is not None
    found = period_header(grid, spec)
    if found is None:
        return None
    rows = fill_merged(grid)
    header_row, periods = found
    first_col = min(periods)
    meta = sheet_meta(grid, header_row)
    default_indicator = meta.indicator or indicator_from_file_name(file_name)
    if not catalog.indicator_id_for(clean_indicator_name(default_indicator)):
        default_indicator = indicator_in_title(meta.title_texts) or default_indicator
    periods, col_units, skipped = value_columns(rows, header_row, periods, default_indicator)
    if not periods:
        return None
    region_col, indicator_cols = _wide_label_columns(rows, header_row + 1, first_col)
    if region_col is None and not indicator_cols:
        return None
    layout = _WideLayout(
        header_row,
        periods,
        region_col,
        indicator_cols,
        _unit_column(rows, header_row, first_col),
        col_units,
        column_indicators(rows, header_row, periods, col_units),
    )
    info = SheetInfo(sheet=grid.name, reporter=meta.reporter, header_rows=str(header_row + 1))
    info.unmapped += skipped
    info.unmapped += _unplaced_period_columns(grid.name, rows[header_row], found[1], ex)
    refuse_merged_figures(grid, rows, _sub_header_rows(rows, header_row, periods), set(periods))
    _record_columns(info, grid.name, rows[header_row], layout, ex)
    out = _long_rows(grid, rows, spec, layout, default_indicator, (meta, file_name), info, ex)
    if out is None:
        return None
    if region_col is not None:
        out["region_code"] = resolve_regions(
            out["region"],
            [x - 1 for x in out["_row"]],
            grid.name,
            label_text(rows[header_row][region_col]) or "地区",
            region_col,
            ex,
        )
    elif place := sheet_township(meta, grid.name, file_name):
        out["region"] = [place[1]] * len(out["region"])
        out["region_code"] = [place[0]] * len(out["region"])
        info.columns["region"] = f"{place[1]} ({place[2]})"
    else:
        out["region_code"] = [None] * len(out["region"])
    return out


_NAMES_A_SPAN = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)|[年月季旬]|[Hh][12](?!\d)")


def _unplaced_period_columns(
    sheet: str, header: list[Any], periods: dict[int, Period], ex: Extraction
) -> list[str]:
    """Columns right of the first period whose header names a span of time that no period here
    places (`2025年下半年`, `2025年第6期`, `6月上旬`, `2024-2025年`): not loaded — each a warning
    of `ex` and an unmapped column, never silently left out. A change, target or other figure
    (`2025年目标`, `2025年增长%`) is an unmapped column with its reason, as `value_columns` says one
    under a period."""
    out = []
    for c in range(min(periods) + 1, len(header)):
        t = label_text(header[c])
        if c in periods or not t or not _NAMES_A_SPAN.search(t):
            continue
        if any(w in t for w in GROWTH_WORDS):
            out.append(f"{t} ({column_letter(c)}): 增长/增速，非本期数 / a change, not a value")
            continue
        if why := next((why for w, why in OTHER_FIGURE_WORDS if w in t), None):
            out.append(f"{t} ({column_letter(c)}): {why}")
            continue
        why = (
            "不是本库能定位的时期，该列未入库 / not a period this warehouse places: the column is not loaded"
        )
        ex.issues.append(
            Issue("warning", "period_not_placed", f"“{t}”{why}", sheet, None, f"{t} ({column_letter(c)})")
        )
        out.append(f"{t} ({column_letter(c)}): {why}")
    return out


def indicator_in_title(titles: list[str]) -> str | None:
    """The catalog indicator a title names (`淮安区各镇地区生产总值`, `2025年规上工业总产值增速`):
    the longest of the catalog's names and aliases it holds, for a table whose 指标 line and file
    name name none (it was loaded as ext.<file name>). Several that do not nest: None."""
    names = sorted(
        {n for i in catalog.indicators() for n in (i.name_zh, *i.aliases) if len(n) >= 4},
        key=len,
        reverse=True,
    )
    for t in titles:
        t = clean_text(t).replace(" ", "")
        hits = [n for n in names if n in t]
        if hits and all(h in hits[0] for h in hits):
            return hits[0]
    return None


def _unit_column(rows: list[list[Any]], header_row: int, first_period_col: int) -> int | None:
    """A label column headed 单位 / 计量单位 (in any of the header's rows): each row's unit."""
    for r in rows[max(0, header_row - 2) : header_row + 1]:
        for c, v in enumerate(r[:first_period_col]):
            if isinstance(v, str) and header_key(v) in UNIT_HEADERS:
                return c
    return None


def _row_unit(cur: list[Any], c: int | None) -> list[tuple[str, str]]:
    """The unit a row's 单位 cell gives (`万元`, `(万元)`), first of the row's unit places."""
    text = label_text(cur[c]) if c is not None and c < len(cur) else ""
    if not text:
        return []
    return [(text if text in cells.KNOWN_UNITS else (cells.unit_in_text(f"({text})") or text), "unit column")]


GROWTH_WORDS = (
    "增长",
    "增速",
    "增幅",
    "增减",
    "同比",
    "环比",
    "比上年",
    "比去年",
    "较上年",
    "±",
    "百分点",
    "下降",
)
"""A period column whose header holds one of these is a change, not the period's value."""
OTHER_FIGURE_WORDS = (
    ("目标", "目标/计划，非实际数 / a target, not the actual"),
    ("计划", "目标/计划，非实际数 / a target, not the actual"),
    ("任务", "目标/计划，非实际数 / a target, not the actual"),
    ("预计", "预计数，非实际数 / a forecast, not the actual"),
    ("预测", "预计数，非实际数 / a forecast, not the actual"),
    ("预估", "预计数，非实际数 / a forecast, not the actual"),
    ("位次", "位次，非数值 / a rank, not the value"),
    ("排名", "位次，非数值 / a rank, not the value"),
    ("名次", "位次，非数值 / a rank, not the value"),
    ("比重", "占比，非数值 / a share, not the value"),
    ("占比", "占比，非数值 / a share, not the value"),
    ("占全", "占比，非数值 / a share, not the value"),
    ("完成率", "完成进度，非数值 / progress, not the value"),
    ("进度", "完成进度，非数值 / progress, not the value"),
)
"""Other figures a period column may hold beside the period's value (`2025年目标`, `2025年预计`,
`2025年1-9月位次`, `占全市比重%`): left out like a change, unless the indicator's own name says so
(a rank indicator's table is all 位次)."""
YEAR_EARLIER_WORDS = ("上年同期", "去年同期", "上年", "去年")
"""A period column headed so (`2025年1-9月` over 本期 / 上年同期) is the same span a year earlier."""


def _says_year_earlier(label: str) -> bool:
    """`上年同期`, `去年`: the figures of a year earlier. A change against it (`比上年增长`, `较去年
    同期增速`) is this period's figure: the name of a growth indicator, never a year earlier."""
    return any(w in label for w in YEAR_EARLIER_WORDS) and not any(
        w in label for w in (*GROWTH_WORDS, "比", "较")
    )


def value_columns(
    rows: list[list[Any]], header_row: int, periods: dict[int, Period], indicator: str = ""
) -> tuple[dict[int, Period], dict[int, str], list[str]]:
    """The period columns that hold the period's figures, read with their header's labels (the
    period row, up to two rows above it, and the sub-header rows below it: `绝对额` / `增长%` /
    `上年同期` under a `2025年1-9月` written over each): (period of each value column, the unit its
    header gives, the columns left out and why). A change (`增长%`, `比2024年增长`, `同比`) is no
    value; `上年同期` / `去年` is the same span a year earlier; `累计` / `当月` / `当季` set the basis.
    A label over every period column (`规上工业总产值增速` over the periods) names the indicator,
    and a growth indicator's table (its `indicator`: the 指标 line or the file name) is all growth."""
    sub = _sub_header_rows(rows, header_row, periods)
    periods = _spans_of_years(rows, header_row, sub, periods)
    first = min(periods)
    out: dict[int, Period] = {}
    units: dict[int, str] = {}
    skipped: list[str] = []
    labels_of = {
        c: [
            t
            for r in range(max(0, header_row - 2), sub)
            if c < len(rows[r])
            and (t := label_text(rows[r][c]))
            and (r >= header_row or t not in {label_text(v) for v in rows[r][:first]})
        ]  # a title merged over the whole width (it fills the label columns too) is none of them
        for c in periods
    }
    common = set.intersection(*(set(v) for v in labels_of.values())) if len(periods) > 1 else set()
    growth_table = any(w in indicator for w in GROWTH_WORDS)
    for c, p in periods.items():
        labels = labels_of[c]
        text = "/".join(dict.fromkeys(labels))
        own = "/".join(t for t in labels if t not in common)
        if not growth_table and any(w in own for w in GROWTH_WORDS):
            skipped.append(f"{text} ({column_letter(c)}): 增长/增速，非本期数 / a change, not a value")
            continue
        if why := next((why for w, why in OTHER_FIGURE_WORDS if w in own and w not in indicator), None):
            skipped.append(f"{text} ({column_letter(c)}): {why}")
            continue
        if any(_says_year_earlier(t) for t in labels if not cells.parse_period(t)):
            p = year_earlier(p)
        out[c] = _with_basis(p, labels)
        if u := next((u for t in reversed(labels) if (u := cells.unit_in_text(t))), None):
            units[c] = u
    return out, units, skipped


def column_indicators(
    rows: list[list[Any]], header_row: int, periods: dict[int, Period], units: dict[int, str]
) -> dict[int, str]:
    """The indicator named above each period column (`规上工业企业数` over 2025年1-9月 / 2024年1-9月,
    `工业总产值（万元）` over the next two; merged, or written once over the first and carried right
    to the next label): the label nearest the period row that names a catalog indicator. A title
    over the whole width (it fills the label columns too) names none. A unit in a label carried
    right is the unit of the columns it is carried over (added to `units` where they have none)."""
    first = min(periods)
    out: dict[int, str] = {}
    for r in reversed(range(max(0, header_row - 2), header_row)):  # the nearest first
        row = rows[r]
        titles = {label_text(v) for v in row[:first]}
        carried = ""
        for c in sorted(periods):
            t = label_text(row[c]) if c < len(row) else ""
            carried = t if t else carried if c - 1 in periods else ""
            if carried and carried not in titles and c not in units and (u := cells.unit_in_text(carried)):
                units[c] = u
            if (
                carried
                and carried not in titles
                and catalog.indicator_id_for(clean_indicator_name(without_footnote(carried)))
            ):
                out.setdefault(c, without_footnote(carried))
    return out


def _span_under(rows: list[list[Any]], header_row: int, sub: int, c: int, year: Period) -> Period | None:
    """The span of `year` a sub-header label names (`1-9月`, `9月`, `三季度`, `上半年` under
    `2025年`), None when no label below the period row names one (`绝对额`, `增长%`)."""
    for r in range(header_row + 1, sub):
        t = label_text(rows[r][c]) if c < len(rows[r]) else ""
        if t and cells.parse_period(t) is None and (p := cells.parse_period(f"{year.text}年{t}")):
            if p != year or "全年" in t:
                return p
    return None


def _spans_of_years(
    rows: list[list[Any]], header_row: int, sub: int, periods: dict[int, Period]
) -> dict[int, Period]:
    """Period columns with a year's spans below them (`2025年` over `1-9月` / `9月`, merged or
    written once over the first): each column the span its sub-header names, never the whole
    year; a column right of a year whose header is blank or that year again (a merge) joins it
    when its sub-header names a span."""
    out: dict[int, Period] = {}
    year: Period | None = None
    for c in range(min(periods), max(len(r) for r in rows[header_row:sub])):
        head = label_text(rows[header_row][c]) if c < len(rows[header_row]) else ""
        if c in periods:
            p = periods[c]
            year = p if p.freq == "year" else None
            out[c] = (_span_under(rows, header_row, sub, c, p) if year else None) or p
        elif year is not None and (not head or cells.parse_period(head) == year):
            if span := _span_under(rows, header_row, sub, c, year):
                out[c] = span
        else:
            year = None
    return out


def _sub_header_rows(rows: list[list[Any]], header_row: int, periods: dict[int, Period]) -> int:
    """The row after the header's last: up to two rows below the period row whose period cells
    are all labels (`绝对额`, `增长%`, `本期`), none a figure."""
    end = header_row + 1
    while end < min(len(rows), header_row + 3):
        vals = [rows[end][c] for c in periods if c < len(rows[end]) and label_text(rows[end][c])]
        if not vals or any(not isinstance(v, str) or cells.parse_number(v).value is not None for v in vals):
            break
        if any(cells.parse_number(v).missing for v in vals):
            break
        end += 1
    return end


def year_earlier(p: Period) -> Period:
    """The same span a year earlier: `2025-09` ytd → `2024-09` ytd, `2025Q3` → `2024Q3`, `2025` → `2024`."""
    y = p.end.year - 1
    text = str(y) + p.text[4:]
    end = p.end.replace(year=y, day=1) + dt.timedelta(days=31)
    return Period(text, end.replace(day=1) - dt.timedelta(days=1), p.basis, p.freq)


BASIS_LABELS = {"累计", "本年累计", "累计值", "累计数", "当月", "当月值", "本月", "当季", "当季值"}


def _with_basis(p: Period, labels: list[str]) -> Period:
    """A month or quarter headed 累计 (本年累计, 累计值) is the year to date; 当月 / 当季 the span alone.
    Only a label that is the basis word alone says so: an indicator's name over the periods that
    holds one (小升规企业（累计）, 高新技术企业（累计新增）) names the indicator."""
    words = "".join(t for t in labels if header_key(t) in BASIS_LABELS)
    if "累计" in words and p.freq in {"month", "quarter"}:
        return Period(p.end.strftime("%Y-%m"), p.end, "ytd", "month")
    if ("当月" in words or "当季" in words) and p.basis == "ytd":
        return Period(p.text, p.end, "period", p.freq)
    return p


def period_header(grid: Grid, spec: SourceSpec) -> tuple[int, dict[int, Period]] | None:
    """The header of a wide table: the first row (within the spec's scan) with two or more cells
    that are periods, and the period of each of those columns; else a 月报's header of this
    period and a year earlier under a title giving the period (`this_and_year_earlier`)."""
    scan = range(min(spec.header_scan_rows, len(grid.rows)))
    for r in scan:
        pcs = {c: p for c, v in enumerate(grid.rows[r]) if v is not None and (p := cells.parse_period(v))}
        if len(pcs) >= 2 or (len(pcs) == 1 and _one_period_header(grid.rows[r], pcs)):
            return r, pcs
    for r in scan:
        if found := this_and_year_earlier(grid.rows, r):
            return r, found
    return None


ONE_PERIOD_HEADS = {"地区", "地区名称", "区域", "行政区划", "指标", "指标名称"}
"""The first cell of a 统计局 export's header that has one period column (`地区,2025年`)."""


def _one_period_header(row: list[Any], pcs: dict[int, Period]) -> bool:
    """A header of one period column: `地区 | 2025年` and nothing else (a 统计局 export of one year or
    quarter had been refused for want of two period columns)."""
    present = [(c, v) for c, v in enumerate(row) if v is not None and str(v).strip()]
    return (
        len(present) == 2
        and present[1][0] in pcs
        and isinstance(present[0][1], str)
        and header_key(present[0][1]) in ONE_PERIOD_HEADS
    )


THIS_PERIOD = {"本期": None, "本期数": None, "本月": "period", "本月数": "period", "本年累计": "ytd",
               "累计": "ytd", "本期累计": "ytd", "累计数": "ytd", "本年": None}  # fmt: skip
"""A 月报 column of the title's period: the word, and the basis it says (None: the title's)."""
INDICATOR_HEADS = {"指标名称", "指标", "主要指标", "项目", "指标项目"}


def this_and_year_earlier(rows: list[list[Any]], r: int) -> dict[int, Period] | None:
    """A 统计局 月报's header — 指标名称 | 单位 | 本期 (or `1-9月`, `本年累计`) | 上年同期 | 同比增长% —
    under a title giving the period (`2025年1-9月淮安区主要经济指标`): the column of this period is
    the title's (its span when it writes one without the year), 上年同期 is left the same period
    for `value_columns` to move a year earlier, a change is no period. Such tables had been
    refused as having no period columns. None when the row is not such a header."""
    row = rows[r]
    heads = [header_key(v) if isinstance(v, str) else "" for v in row]
    if not any(h in INDICATOR_HEADS for h in heads):
        return None
    title = next(
        (
            p
            for t in (label_text(v) for above in rows[:r] for v in above)
            if t and (p := cells.parse_period(t))
        ),
        None,
    )
    if title is None:
        return None
    this: dict[int, Period] = {}
    earlier: list[int] = []
    for c, h in enumerate(heads):
        if not h:
            continue
        if h in THIS_PERIOD:
            this[c] = _as_basis(title, THIS_PERIOD[h])
        elif cells.parse_period(h) is None and (p := cells.parse_period(f"{title.end.year}年{h}")):
            if p.freq != "year":
                this[c] = p  # `1-9月`: the title's year
        elif _says_year_earlier(h) and not any(w in h for w in GROWTH_WORDS):
            earlier.append(c)
    if not this or not earlier:
        return None
    found = dict(this)
    for c in earlier:  # the nearest column of this period on its left (else the first)
        left = [k for k in this if k < c]
        found[c] = this[max(left)] if left else this[min(this)]
    return found


def _as_basis(p: Period, basis: str | None) -> Period:
    """`p` read as `basis`: a month's year to date (`本年累计`) or the month alone (`本月`)."""
    if basis is None or p.freq != "month" or p.basis == basis:
        return p
    return Period(p.text, p.end, basis, p.freq)


def _record_columns(
    info: SheetInfo, sheet: str, header: list[Any], layout: _WideLayout, ex: Extraction
) -> None:
    """The table's columns in `info` (region, indicators, periods) and the region's in
    meta.load_columns' rows of `ex`; `info` joins the file's sheets."""
    c = layout.region_col
    if c is not None:
        info.columns["region"] = f"{label_text(header[c]) or '(blank)'} ({column_letter(c)})"
        ex.column_map.append(
            {
                "sheet": sheet,
                "field": "region",
                "column_letter": column_letter(c),
                "header_text": label_text(header[c]),
            }
        )
    if layout.indicator_cols:
        info.columns["indicator"] = ", ".join(column_letter(c) for c in layout.indicator_cols)
    info.columns["periods"] = ", ".join(p.text for p in layout.periods.values())
    info.columns["value"] = "the period columns " + ", ".join(column_letter(c) for c in layout.periods)
    ex.sheets.append(info)


def _long_rows(
    grid: Grid,
    rows: list[list[Any]],
    spec: SourceSpec,
    layout: _WideLayout,
    default_indicator: str,
    where: tuple[SheetMeta, str],
    info: SheetInfo,
    ex: Extraction,
) -> dict[str, list[Any]] | None:
    """The long rows (`LONG_COLUMNS`) of every data row below the header: its region, its
    indicator (else `default_indicator`) with its unit (`unit_sources` of the indicator's text,
    the sheet's meta and the file name: `where`), one row per period cell that holds a number or
    a missing marker. Rows left out are counted in `info`; cells that are no number are issues
    of `ex`. None, with a critical issue, when two places give the unit differently."""
    out: dict[str, list[Any]] = {k: [] for k in LONG_COLUMNS}
    rows_used: set[int] = set()
    units_seen: dict[str, str] = {}
    in_notes = False
    total_rows: list[int] = []
    heads = header_labels(rows, layout.header_row)
    group_region = ""  # the region of the rows above, while its indicators follow without it
    for r in range(layout.header_row + 1, len(rows)):
        kind = classify_row(grid.rows[r], layout.label_cols, spec, in_notes)
        if kind == "data" and repeats_header(rows[r], heads):
            info.dropped_headers += 1
            continue
        if kind == "data" and r <= layout.header_row + 3 and is_unit_row(rows[r]):
            continue  # `单位：亿元` under the header: the unit (`units_around`), no region's row
        whole = kind == "total" and _names_the_district(rows[r], layout)
        if kind != "data":
            in_notes = in_notes or kind == "note"
            _count_dropped(info, kind)
            total_rows += [r] if kind == "total" else []
            group_region = "" if kind != "blank" else group_region
            if not whole:
                continue
        cur = rows[r]
        region, ind_raw = _row_labels(cur, layout, group_region)
        if whole:  # `全区`: the district's own figure, loaded, and checked against the places too
            region, group_region = _district_name(), ""
        if layout.region_col is not None and not region:
            info.dropped_blank += 1
            continue
        group_region = region
        cell_units = _row_cell_units(cur, r, layout, ind_raw, default_indicator, where, grid.name, ex)
        if cell_units is None:
            return None
        growth = any(w in (ind_raw or default_indicator) for w in GROWTH_WORDS)
        for c, p, parsed in _period_values(cur, r, layout, cell_units, spec, (grid.name, growth), ex):
            indicator = ind_raw or layout.col_indicators.get(c) or default_indicator
            unit, unit_from = cell_units[c]
            if unit is None and parsed.unit:
                unit, unit_from = parsed.unit, "cell"
            units_seen[indicator] = f"{unit} ({unit_from})" if unit else "?"
            rows_used.add(r)
            _append_long(out, indicator, region, p, parsed, unit, unit_from, (grid.name, r + 1, c))
    info.rows_read = len(rows_used)
    if layout.region_col is not None and total_rows:
        check_wide_totals(grid, rows, layout, total_rows, out, default_indicator, ex)
    info.units["value"] = "; ".join(f"{clean_indicator_name(k)}: {v}" for k, v in units_seen.items())
    return out


_DISTRICT_WORDS = frozenset({"全区", "全区合计", "全区总计", "全区合计数"})
"""A regions-down table's total row that names the district (not `合计`, the sum of the rows
listed, which may be some townships only): the district's figure, as in a long table."""


def _names_the_district(row: list[Any], layout: _WideLayout) -> bool:
    rc = layout.region_col
    if rc is None or rc >= len(row):
        return False
    text = label_text(row[rc]).replace(" ", "")
    return text in _DISTRICT_WORDS or text.removesuffix("合计") == _district_name()


def _district_name() -> str:
    return name_of(RegionResolver.default().district) or "全区"


def _row_labels(cur: list[Any], layout: _WideLayout, group_region: str) -> tuple[str, str]:
    """A data row's region (else the region of the rows above, written once over its indicators'
    rows: 车桥镇 over its indicators) and its own indicator label ("" when it has none)."""
    rc = layout.region_col
    region = label_text(cur[rc]) if rc is not None and rc < len(cur) else ""
    ind_raw = next(
        (
            label_text(without_footnote(cur[c]))
            for c in layout.indicator_cols
            if c < len(cur) and label_text(cur[c])
        ),
        "",
    )
    if rc is not None and not region and ind_raw and group_region:
        region = group_region
    return region, ind_raw


def _row_cell_units(
    cur: list[Any],
    r: int,
    layout: _WideLayout,
    ind_raw: str,
    default_indicator: str,
    where: tuple[SheetMeta, str],
    sheet: str,
    ex: Extraction,
) -> dict[int, tuple[str | None, str | None]] | None:
    """The unit of each period cell of a data row, and where it was said: the row's own unit
    column and indicator label (its header), else the 指标 line or the file name (`where`), the
    period column's header. None, with a critical issue, when two of them disagree."""
    indicator = ind_raw or default_indicator
    found = _row_unit(cur, layout.unit_col) + [
        (u, "indicator name" if w == "header" else w) for u, w in unit_sources(ind_raw, *where)
    ]
    for u in [None, *dict.fromkeys(layout.col_units.values())]:
        if conflict := unit_conflict(found if u is None else [(u, "header"), *found]):
            ex.issues.append(Issue("critical", "unit_conflict", f"{indicator}：{conflict}", sheet, r + 1))
            return None
    return {
        c: _cell_unit(
            ind_raw or layout.col_indicators.get(c) or default_indicator, layout.col_units.get(c), found
        )
        for c in layout.periods
    }


def _append_long(
    out: dict[str, list[Any]],
    indicator: str,
    region: str,
    p: Period,
    parsed: cells.Parsed,
    unit: str | None,
    unit_from: str | None,
    at: tuple[str, int, int],
) -> None:
    """One long row: a period cell's figure with its indicator, region, period and unit, and the
    cell it came from (`at`: sheet, 1-based row, 0-based column)."""
    sheet, row, col = at
    out["indicator_name"].append(clean_indicator_name(indicator))
    out["region"].append(region or None)
    out["period"].append(p.text)
    out["period_end"].append(p.end)
    out["_period_basis"].append(p.basis)
    out["value"].append(parsed.value)
    out["_unit_value"].append(unit)
    out["_unit_from_value"].append(unit_from)
    out["missing"].append(parsed.missing)
    out["_sheet"].append(sheet)
    out["_row"].append(row)
    out["_col"].append(column_letter(col))


SHEET_WIDE = {"unit row", "title", "file name", "指标 line"}
"""Places that give one unit for a whole sheet: of a catalog indicator of another kind they say
nothing (`单位：万元` above a 规上工业企业数 row or column: its 个 is the catalog's)."""


def _cell_unit(
    indicator: str, col_unit: str | None, found: list[tuple[str, str]]
) -> tuple[str | None, str | None]:
    """A cell's unit and where it says so: its column's header, else the first of the row's
    places (`found`) — skipping a sheet-wide unit of another kind than its catalog indicator's."""
    cands = ([(col_unit, "header")] if col_unit else []) + found
    iid = catalog.indicator_id_for(clean_indicator_name(indicator))
    target = catalog.by_id()[iid].unit if iid else None
    for u, w in cands:
        if target is None or w not in SHEET_WIDE or not _other_kind(u, target):
            return u, w
    return None, None


def _other_kind(u1: str, u2: str) -> bool:
    """Two units both of a known kind, and not the same one (万元 and 个). A rate (`%`) or an
    unknown unit is of no known kind: above a money indicator it is a conflict, never skipped."""
    return u1 in cells.UNIT_FACTORS and u2 in cells.UNIT_FACTORS and not cells.same_dimension(u1, u2)


NOT_ADDITIVE = ("%", "‰", "增长", "增速", "率", "比重", "指数", "平均", "人均", "位次", "排名", "占比")
"""An indicator whose name or unit holds one of these is no sum: its total row is not checked."""


def check_wide_totals(
    grid: Grid,
    rows: list[list[Any]],
    layout: _WideLayout,
    total_rows: list[int],
    out: dict[str, list[Any]],
    default_indicator: str,
    ex: Extraction,
) -> None:
    """A regions-down table's 合计/总计/小计 rows against the regions they cover, period column by
    period column, as etl.extract.totals checks a rows table: the data rows of the total row's
    indicator (all of them for a 合计/总计 or a lone total row; since the indicator's previous
    total row for a 小计 among several), in the file's unit, within the larger of 0.05 and 0.01 %
    of the total. Each check is recorded (`ex.reconciliations`), a mismatch is also a warning.
    Rates, shares, indices and averages are no sums (`NOT_ADDITIVE`): not checked. An
    indicators-down table's total row (rare: indicators of different units) is not checked."""
    parts: dict[tuple[str, str], list[tuple[int, float]]] = {}
    totals = {r + 1 for r in total_rows}  # a `全区` row is loaded too: never a part of itself
    for ind, row, col, v, u in zip(
        out["indicator_name"], out["_row"], out["_col"], out["value"], out["_unit_value"], strict=True
    ):
        if v is not None and row not in totals and not any(w in f"{ind}{u or ''}" for w in NOT_ADDITIVE):
            parts.setdefault((ind, col), []).append((row, v))
    per_indicator = Counter(_row_indicator(rows[r], layout, default_indicator, None) for r in total_rows)
    previous: dict[str, int] = {}
    for r in total_rows:
        ind = _row_indicator(rows[r], layout, default_indicator, None)
        label = next((t for c in layout.label_cols if c < len(rows[r]) and (t := label_text(rows[r][c]))), "")
        lo, hi = (
            (previous.get(ind, 0), r + 1)
            if per_indicator[ind] > 1 and label.startswith("小计")
            else (0, None)
        )
        previous[ind] = r + 1
        for c, p in layout.periods.items():
            total = cells.parse_number(grid.rows[r][c] if c < len(grid.rows[r]) else None).value
            covered = [
                v
                for row, v in parts.get(
                    (_row_indicator(rows[r], layout, default_indicator, c), column_letter(c)), []
                )
                if lo < row and (hi is None or row < hi)
            ]
            if total is None or not covered:
                continue
            rec = _wide_reconciliation(
                grid.name, r, c, p, ind if layout.indicator_cols else "", total, covered
            )
            ex.reconciliations.append(rec)
            if not rec["passed"]:
                ex.issues.append(mismatch_issue(rec, grid.name, label_text(grid.rows[r][c])))


def _row_indicator(row: list[Any], layout: _WideLayout, default_indicator: str, col: int | None) -> str:
    """The indicator of a row (its indicator columns' label, else the one over period column
    `col`, else the sheet's), as the long rows name it."""
    ind = next(
        (
            label_text(without_footnote(row[c]))
            for c in layout.indicator_cols
            if c < len(row) and label_text(row[c])
        ),
        "",
    )
    over = layout.col_indicators.get(col) if col is not None else None
    return clean_indicator_name(ind or over or default_indicator)


def _wide_reconciliation(
    sheet: str, r: int, c: int, p: Period, indicator: str, total: float, covered: list[float]
) -> dict[str, Any]:
    """One period cell of a total row against the sum of the cells it covers (meta.reconciliations' keys)."""
    parts = float(sum(covered))
    column = f"{(indicator + ' ') if indicator else ''}{p.text} ({column_letter(c)})"
    return reconciliation(sheet, r + 1, column, "value", total, parts, max(0.05, abs(total) * 1e-4))


def header_labels(rows: list[list[Any]], header_row: int) -> dict[int, set[str]]:
    """Column → the labels of the header's rows (the period row and up to two rows above it)."""
    out: dict[int, set[str]] = {}
    for h in range(max(0, header_row - 2), header_row + 1):
        for c, v in enumerate(rows[h]):
            if label_text(v):
                out.setdefault(c, set()).add(label_text(v))
    return out


def repeats_header(row: list[Any], heads: dict[int, set[str]]) -> bool:
    """A row every cell of which repeats its column's header label: the header printed again on a
    later page of a long printout (skipped, counted as a repeated header)."""
    cells_ = [(c, label_text(v)) for c, v in enumerate(row) if label_text(v)]
    return bool(cells_) and all(t in heads.get(c, ()) for c, t in cells_)


def _count_dropped(info: SheetInfo, kind: str) -> None:
    """A row left out, counted by its kind: notes, blank rows, and totals (其中 parts with them)."""
    if kind == "note":
        info.dropped_notes += 1
    elif kind == "blank":
        info.dropped_blank += 1
    else:
        info.dropped_totals += 1


def _period_values(
    cur: list[Any],
    r: int,
    layout: _WideLayout,
    units: dict[int, tuple[str | None, str | None]],
    spec: SourceSpec,
    where: tuple[str, bool],
    ex: Extraction,
) -> list[tuple[int, Period, cells.Parsed]]:
    """(column, period, parsed cell) of the period cells of row `r` that parse (`figure`, in the
    cell's unit of `units`; a blank is 0 where the spec says so); each cell that does not is a
    row issue of `ex` instead."""
    out = []
    sheet, growth = where
    for c, p in layout.periods.items():
        v = cur[c] if c < len(cur) else None
        parsed = figure(v, units[c][0], growth)
        if parsed.value is None and parsed.missing == "" and spec.blank_means == "zero":
            parsed = cells.Parsed(0.0)
        if parsed.problem:
            ex.issues.append(
                Issue(
                    "row",
                    "parse_number",
                    parsed.problem,
                    sheet,
                    r + 1,
                    f"{p.text} ({column_letter(c)})",
                    label_text(v),
                )
            )
            continue
        out.append((c, p, parsed))
    return out

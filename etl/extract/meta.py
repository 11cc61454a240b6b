"""Metadata around a table: title, 单位 rows, 指标/地区 lines, the period of a sheet, and units."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etl.base import cells
from etl.base.cells import Period, clean_text
from etl.extract.header import label_text
from etl.extract.model import NOTE_PREFIXES
from etl.read import Grid
from etl.reference.regions import RegionResolver, name_of, townships_of
from etl.spec.model import FieldSpec, SourceSpec

# ---------------------------------------------------------------- metadata around the table


_META_INDICATOR = re.compile(r"^指标\s*[:：]\s*(.+)$")
_META_REGION = re.compile(r"^地区\s*[:：]\s*(.+)$")


@dataclass
class SheetMeta:
    title_texts: list[str]
    unit_row: str | None
    reporter: str | None
    indicator: str | None
    region: str | None
    more_units: list[tuple[str, str]] = field(default_factory=list)
    """Units stated around the table elsewhere (`units_around`): (unit, where)."""


NOTES_SCANNED = 15
"""The last rows of a sheet searched for a footnote stating a unit (`注：金额单位为亿元`)."""


def unit_row_unit(row: list[Any]) -> str | None:
    """The unit a row of one or two cells states (`单位：亿元`), when it is no footnote: under a
    header, it gives the columns their unit (`units_around`) and is no data row."""
    texts = [t for v in row if (t := label_text(v))]
    if 1 <= len(texts) <= 2 and not texts[0].startswith(NOTE_PREFIXES):
        return cells.unit_from_unit_row(texts[0])
    return None


def is_unit_row(row: list[Any]) -> bool:
    return unit_row_unit(row) is not None


_STEMS = "甲乙丙丁戊己庚辛壬癸"
_COLUMN_NUMBER_WORDS = {"栏次", "栏号", "列次", "列号", "代码"}


def is_column_numbers_row(row: list[Any]) -> bool:
    """A 统计报表's 栏次 row under its header: the label columns lettered 甲 乙 丙 …, the figure
    columns numbered 1 2 3 … in order (`栏次` may head it). No data row: it had been read as a
    record (a township named `丙`) and refused, the file left partial."""
    cells_ = [
        str(v).strip() if not isinstance(v, float) or not v.is_integer() else str(int(v))
        for v in row
        if v not in (None, "") and str(v).strip()
    ]
    if len(cells_) < 3:
        return False
    stems = [c for c in cells_ if len(c) == 1 and c in _STEMS]
    numbers = [int(c) for c in cells_ if c.isdigit()]
    words = [c for c in cells_ if c in _COLUMN_NUMBER_WORDS]
    if len(stems) + len(numbers) + len(words) != len(cells_) or len(numbers) < 2:
        return False
    return numbers == list(range(numbers[0], numbers[0] + len(numbers))) and numbers[0] <= 1


def units_around(grid: Grid, header_row: int) -> list[tuple[str, str]]:
    """Units a sheet states outside its title rows and header (unit, where): in its name
    (`产值（千元）`), on a row of one or two cells just under the header (`单位：亿元`), and in a
    footnote (`注：本表金额单位为亿元`) among its last rows. Each is a place a reader looks: a
    figure is read in it, or the sheet is rejected when another place says otherwise — never
    read in a unit assumed while the sheet states one."""
    found: list[tuple[str, str]] = []
    if u := cells.unit_in_text(grid.name):
        found.append((u, "sheet name"))
    rows = grid.rows
    for r in range(header_row + 1, min(len(rows), header_row + 4)):
        if u := unit_row_unit(rows[r]):
            found.append((u, "row under the header"))
            break
    found += footnote_units(rows[max(header_row + 1, len(rows) - NOTES_SCANNED) :])
    return found


UNIT_LINE = re.compile(r"^(?:计量|金额|面积|数量|数据|货币)?单\s*位\s*[:：∶]")
"""A line below the table that states a unit and nothing else (`数据单位：千元`)."""


def footnote_units(rows: Iterable[Iterable[Any]]) -> list[tuple[str, str]]:
    """The units footnotes among `rows` state (`注：本表金额单位为亿元`, or a unit line alone:
    `数据单位：千元`): (unit, "footnote")."""
    found = []
    for row in rows:
        texts = [t for v in row if (t := label_text(v))]
        if 1 <= len(texts) <= 2 and (texts[0].startswith(NOTE_PREFIXES) or UNIT_LINE.match(texts[0])):
            if u := cells.unit_from_unit_row(texts[0]):
                found.append((u, "footnote"))
    return found


def sheet_meta(grid: Grid, header_row: int) -> SheetMeta:
    texts = []
    for r in range(header_row):
        for c in grid.rows[r]:
            t = label_text(c)
            if t:
                texts.append(t)
    unit = reporter = indicator = region = None
    for t in texts:
        unit = unit or cells.unit_from_unit_row(t)
        reporter = reporter or cells.reporter_in_text(t)
        m = _META_INDICATOR.match(t)
        if m:
            indicator = m.group(1).strip()
        m = _META_REGION.match(t)
        if m:
            region = m.group(1).strip()
    return SheetMeta(texts, unit, reporter, indicator, region, units_around(grid, header_row))


_UNIT_ENDING_STEM = re.compile(
    r"(?:^|[\s_\-—])(" + "|".join(map(re.escape, sorted(cells.KNOWN_UNITS, key=len, reverse=True))) + r")$"
)
"""A known unit ending a file name's stem after a space, `_`, `-` or `—` (`产值_万元`): the
leftmost match is the longest unit. One pattern compiled at import, before the workers fork (a
pattern per unit, 150 of them, was compiled again in every worker: ≈ 40 ms a file)."""


@functools.lru_cache(maxsize=256)
def unit_in_file_name(name: str) -> str | None:
    """The unit a file's name gives (`…（万元）.xlsx`, `产值_万元.csv`), or None."""
    stem = clean_text(Path(name).stem)
    if u := cells.unit_in_text(stem):
        return u
    m = _UNIT_ENDING_STEM.search(stem)
    return m.group(1) if m else None


def period_of_sheet(
    spec: SourceSpec, grid: Grid, meta: SheetMeta, file_name: str
) -> tuple[Period | None, str | None]:
    """The period of the sheet from the places the spec names (sheet name, title, file name), in
    its order. Months written without their year (`1—9月`) take the year another place gives
    (`2025年…` in the title): the year alone is not the period then."""
    texts = _period_texts(spec, grid, meta, file_name)
    for where, text in texts:
        p = stated_period(text)
        if p and p.freq == "year" and (months := _months_elsewhere(texts)) is not None:
            m, ytd, at = months
            return month_period(p.end.year, m, ytd), f"{at} + {where}"
        if p:
            return p, where
    return None, None


_DAY_DATE = re.compile(r"\d{4}([-./])\d{1,2}\1\d{1,2}(?!\d)|\d{4}年\d{1,2}月\d{1,2}日|(?<!\d)\d{8}(?!\d)")
_MADE_OR_SENT = re.compile(r"报送|上报|报出|填报|制表|编制|打印|导出|生成|发送")
"""Words that mark a date as when the file was made or sent (`填报日期：`, `工信局报送_`)."""


def stated_period(text: str) -> Period | None:
    """The period `text` states. A text whose only date is a day (`工信局报送_2025-10-15`,
    `填报日期：2025年10月15日`) states no period when the day is not its month's last or the text
    says the date is when the file was made or sent: it is not the month of the figures (a
    1—9月 roster is sent in October), and reading it so would file them under the wrong month,
    silently. A month's last day with no such word (`截至2025年10月31日`) is a stock's date: its month.
    Days that are the two ends of a span (`2025年1月1日至9月30日`) are the span's (`cells.parse_period`)."""
    p = cells.parse_period(text)
    flat = clean_text(text).replace(" ", "")
    days = [m.group(0) for m in _DAY_DATE.finditer(cells.MONTH_SPAN.sub(" ", flat))]
    if p is None or not days or cells.parse_period(_DAY_DATE.sub(" ", flat)) is not None:
        return p
    if _MADE_OR_SENT.search(flat) or not all(_is_month_end(d) for d in days):
        return None
    return p


def _is_month_end(day_text: str) -> bool:
    digits = re.findall(r"\d+", day_text)
    y, m, d = (digits[0][:4], digits[0][4:6], digits[0][6:]) if len(digits) == 1 else digits[:3]
    try:
        day = dt.date(int(y), int(m), int(d))
    except ValueError:
        return False
    return (day + dt.timedelta(days=1)).day == 1


def made_or_sent_dates(spec: SourceSpec, grid: Grid, meta: SheetMeta, file_name: str) -> str:
    """What a period-not-found message adds when a place held only a date that is not a period
    (see `stated_period`): `（文件名中的“2025-10-15”是日期，不是报告期：…）`, or ""."""
    said = []
    for where, text in _period_texts(spec, grid, meta, file_name):
        flat = clean_text(text).replace(" ", "")
        if cells.parse_period(text) is not None and stated_period(text) is None:
            place = _PLACE_NAMES[where].split(" / ")[0]
            said += [f"{place}中的“{m.group(0)}”" for m in _DAY_DATE.finditer(flat)]
    if not said:
        return ""
    return f"（{'、'.join(dict.fromkeys(said))}是日期，不是报告期：不是月末，或写明是制表、报送日期）"


_PLACE_NAMES = {"sheet": "工作表名 / sheet name", "title": "标题 / title", "file_name": "文件名 / file name"}


def period_disagreement(spec: SourceSpec, grid: Grid, meta: SheetMeta, file_name: str) -> str | None:
    """Two places that each state a month or quarter (sheet name, first dated title line, file
    name) and end on different days: the sheet's period cannot be trusted (August's figures under
    a September title would silently overwrite September's), so the message naming both. A text
    with a day in it (`报送_2025-10-15`) is a date the file was made or sent, not a period."""
    seen: dict[str, tuple[str, str, int, dt.date | None]] = {}
    for where, text in _period_texts(spec, grid, meta, file_name):
        if where in seen or _DAY_DATE.search(clean_text(text).replace(" ", "")):
            continue
        p = cells.parse_period(text)
        if p is not None and p.freq in ("month", "quarter"):
            seen[where] = (text, p.text, p.end.month, p.end)
        elif p is None and (months := months_only(text)) is not None:  # `9月`: the month alone
            seen[where] = (text, f"{months[0]}月", months[0], None)
    months = {m for _, _, m, _ in seen.values()}
    ends = {e for _, _, _, e in seen.values() if e is not None}
    if len(months) < 2 and len(ends) < 2:
        return None
    said = "；".join(f"{_PLACE_NAMES[w]}“{t}”→{p}" for w, (t, p, _, _) in seen.items())
    return f"报告期不一致，请核对后重新报送：{said} / the places that state the period disagree"


def _period_texts(
    spec: SourceSpec, grid: Grid, meta: SheetMeta, file_name: str, places: tuple[str, ...] | None = None
) -> list[tuple[str, str]]:
    out = []
    for where in spec.period_from if places is None else places:
        if (
            where == "sheet"
            and not re.fullmatch(r"(?i)sheet\d*", grid.name)
            and grid.name != Path(file_name).stem
        ):
            # (a CSV's one sheet is named after the file: that is the file name's place, after the title)
            out.append((where, grid.name))
        elif where == "title":
            out += [(where, t) for t in meta.title_texts]
        elif where == "file_name":
            out.append((where, Path(file_name).stem))
    return out


_MONTHS_ONLY = re.compile(r"(?<![\d年.\-/])(?:(1)\s*[-—–~至]\s*)?(\d{1,2})\s*月")


def months_only(text: str) -> tuple[int, bool] | None:
    """`1—9月` → (9, True: from January); `9月` → (9, False); None when a year is written with
    them (`2025年1-9月` is a whole period) or no months are."""
    m = _MONTHS_ONLY.search(clean_text(text).replace(" ", ""))
    if m is None or not 1 <= int(m.group(2)) <= 12:
        return None
    return int(m.group(2)), m.group(1) is not None or m.group(2) == "1"


def _months_elsewhere(texts: list[tuple[str, str]]) -> tuple[int, bool, str] | None:
    for where, text in texts:
        if (got := months_only(text)) is not None:
            return got[0], got[1], where
    return None


def month_period(year: int, month: int, ytd: bool) -> Period:
    """The month `year-month`, its figures from January (`ytd`) or of the month alone."""
    end = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    return Period(f"{year}-{month:02d}", end, "ytd" if ytd else "period", "month")


YEAR_PLACES = ("sheet", "title", "file_name")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")


def year_of_sheet(
    spec: SourceSpec, grid: Grid, meta: SheetMeta, file_name: str, places: tuple[str, ...] | None = None
) -> int | None:
    """The year the sheet name, title or file name gives (for months written without theirs;
    not a sending date's: 12月 sent on 2026-01-10 is December 2025's); `places`: where to look
    (default: the spec's `period_from`)."""
    for _, text in _period_texts(spec, grid, meta, file_name, places):
        if (p := stated_period(text)) is not None:
            return p.end.year
    return None


UNIT_PLACES = (
    "header",
    "unit row",
    "指标 line",
    "title",
    "sheet name",
    "row under the header",
    "footnote",
    "file name",
    "spec",
)
"""Where a unit may be written, in the order it is taken (README "Adding a departmental layout")."""


def unit_sources(header: str, meta: SheetMeta, file_name: str) -> list[tuple[str, str]]:
    """Every unit the file gives a column, with where it says so, in `UNIT_PLACES` order: the
    header text (`（万元）`), a unit row (`单位：`, never `填报单位：`), an `指标：…(亿元)` line, a
    title above the table (`…（万元）`), the file name."""
    found: list[tuple[str, str]] = []
    # a child's own unit before its parents' (`工业总产值（万元）/从业人员（人）`: 人)
    # a sub-header row of units (`亿元` under `工业总产值`) is the column's unit too
    parts = list(reversed(header.split("/")))
    if u := next((u for part in parts if (u := cells.unit_in_text(part) or cells.unit_alone(part))), None):
        found.append((u, "header"))
    if meta.unit_row:
        found.append((meta.unit_row, "unit row"))
    if meta.indicator and (u := cells.unit_in_text(meta.indicator)):
        found.append((u, "指标 line"))
    for t in meta.title_texts:
        if not _META_INDICATOR.match(t) and (u := cells.unit_in_text(t)):
            found.append((u, "title"))
            break
    # a CSV's one sheet is named after its file: a unit there is the file name's (said below)
    text_file = Path(file_name).suffix.lower() in TEXT_SUFFIXES
    found += [(u, w) for u, w in meta.more_units if not (text_file and w == "sheet name")]
    if u := unit_in_file_name(file_name):
        found.append((u, "file name"))
    return found


def unit_conflict(found: list[tuple[str, str]]) -> str | None:
    """Two places that give different units of one kind (header 万元, unit row 亿元): both named,
    in Chinese and English. Units of different kinds do not conflict (a 单位：万元 row above an
    `从业人员（人）` column speaks of the money columns)."""
    for i, (u1, w1) in enumerate(found):
        for u2, w2 in found[i + 1 :]:
            if u1 != u2 and cells.same_dimension(u1, u2):
                return (
                    f"单位矛盾：{_PLACE_ZH.get(w1, w1)}写“{u1}”，{_PLACE_ZH.get(w2, w2)}写“{u2}”，请统一后重新报送"
                    f" / the {w1} says {u1} but the {w2} says {u2}"
                )
    return None


_PLACE_ZH = {
    "header": "表头",
    "unit row": "单位行",
    "指标 line": "指标行",
    "title": "标题",
    "file name": "文件名",
    "spec": "规格",
    "sheet name": "工作表名",
    "row under the header": "表头下的单位行",
    "footnote": "表注",
    "unit column": "单位列",
    "indicator name": "指标名称",
    "cell": "单元格",
}


def unit_source(header: str, meta: SheetMeta, file_name: str) -> tuple[str | None, str | None]:
    """The unit a file gives a column and where it says so: the first of `unit_sources`."""
    found = unit_sources(header, meta, file_name)
    return found[0] if found else (None, None)


def unit_for(f: FieldSpec, header: str, meta: SheetMeta, file_name: str) -> tuple[str | None, str]:
    u, src = unit_source(header, meta, file_name)
    return (u, src) if u else (f.default_unit, "spec")


def township_in_title(titles: list[str]) -> tuple[str, str] | None:
    """The township (or zone) a title opens with, in full, after its city and district
    (`车桥镇主要经济指标`, `淮安区经济开发区2025年主要指标`): (code, name) — an indicators-down
    table of a township is that township's, not the district's. None when no title opens so (a
    township named later, `…（含经济开发区）`, says nothing of whose the figures are)."""
    resolver = RegionResolver.default()
    prefixes = [n for c in (resolver.district, resolver.district[:4] + "00") if (n := name_of(c))]
    for t in titles:
        if t.startswith("指标"):
            continue
        t = t.replace(" ", "")
        for p in reversed(prefixes):  # 淮安市, then 淮安区
            t = t.removeprefix(p)
        for code, name in townships_of(resolver.district).items():
            # `石塘镇等5镇` / `石塘镇、车桥镇…` name more than the one
            if t.startswith(name) and not t[len(name) :].startswith(
                ("等", "、", "和", "及", "与", ",", "，")
            ):
                return code, name
    return None


def sheet_township(meta: SheetMeta, sheet: str, file_name: str) -> tuple[str, str, str] | None:
    """The township a table without a region column is of: a `地区：车桥镇` line above it, else a
    title, the sheet's name, the file's name or the 填报单位 opening with one (`township_in_title`):
    (code, name, where). A table of a township had been filed as the district's."""
    resolver = RegionResolver.default()
    townships = townships_of(resolver.district)
    if meta.region and (code := resolver.resolve_code(meta.region)) in townships:
        return code, townships[code], "地区 line"
    places = (
        (meta.title_texts, "title"),
        ([sheet], "sheet name"),
        ([Path(file_name).stem], "file name"),
        ([meta.reporter or ""], "填报单位"),  # 填报单位：车桥镇人民政府
    )
    for texts, where in places:
        if place := township_in_title(texts):
            return place[0], place[1], where
    return None


def sheet_gives(grid: Grid, spec: SourceSpec, file_name: str) -> Callable[[int], frozenset[str]] | None:
    """For `find_header`: the required fields a sheet gives without a column, for a header at a
    given row — the township of a roster or ledger of one township, named by a `地区：` line, its
    title, sheet name, file name or 填报单位 (`sheet_township`): a workbook of one sheet per
    township had been refused for its missing 所在镇 column. None when the spec has no such field."""
    if not any(f.name == "township" and f.type == "region" and f.required for f in spec.fields):
        return None

    @functools.cache
    def given(row: int) -> frozenset[str]:
        place = sheet_township(sheet_meta(grid, row), grid.name, file_name)
        return frozenset({"township"}) if place else frozenset()

    return given

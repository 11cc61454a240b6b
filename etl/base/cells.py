"""Cell parsers: numbers, dates, periods and units as departments write them.

Pure functions on single values, plus vectorised versions for whole columns. No I/O.
A parser never raises on bad input: it returns a `Parsed` (value, missing marker, problem).
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from etl.base.issues import NOT_A_FIGURE

MISSING_MARKERS = {"", "—", "－", "-", "--", "——", "…", "...", "/", "／", "－－", "*", "x", "X", "无", "空"}
"""Cell texts that mean "no figure": kept as the marker, never as zero (unless a spec says so)."""

EXCEL_ERRORS = {"#REF!", "#DIV/0!", "#VALUE!", "#N/A", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}

EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclass(frozen=True, slots=True)
class Parsed:
    value: Any
    missing: str | None = None
    """The marker when the cell holds no figure ('' for blank, '—', '…', …)."""
    problem: str | None = None
    """Chinese + English reason when the cell holds something that is not what was expected."""
    warning: str | None = None
    """A doubt worth a look that does not stop the value from loading (`2024.1` may be `2024.10`)."""
    unit: str | None = None
    """A unit written in the cell itself (`3.4公顷`), which the column's unit must match."""


def clean_text(raw: Any) -> str:
    """NFKC (full-width → half-width), no surrounding or inner line breaks; None → ''."""
    if raw is None:
        return ""
    if isinstance(raw, float) and math.isnan(raw):
        return ""
    return _clean_str(raw if type(raw) is str else str(raw))


_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=16384)
def _clean_str(s: str) -> str:
    """`clean_text` of a string, remembered: a sheet's labels and header texts are cleaned again
    for every layout and header depth tried (≈ 9,000 times a roster), and rosters repeat their
    townships, flags and units down the rows."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", s)).strip()


def header_key(raw: Any) -> str:
    """The form in which header texts and aliases are compared (see `_header_key`)."""
    return _header_key(clean_text(raw))


@functools.lru_cache(maxsize=8192)
def _header_key(s: str) -> str:
    """The form in which header texts and aliases are compared: NFKC, no spaces, no brackets of
    units or of words that leave the measure as it is (`（万元）`, `（1-6月）`, `（街道）`); a
    bracket naming another measure keeps its words (`营业收入（上年同期）`, `地区生产总值（增长%）`:
    `营业收入上年同期`, `地区生产总值增长`), so that it matches no name of the figure itself."""
    s = s.replace(" ", "")
    rest = _BRACKETED.sub("", s)
    s = _BRACKETED.sub(lambda m: _other_measure(m.group(1), rest), s)
    return s.strip(":：").lower()


def bare_key(raw: Any) -> str:
    """`header_key` with every bracket dropped, whatever it holds: what a name would match but for
    a bracket naming another figure (said when a required column is missing)."""
    return _BRACKETED.sub("", clean_text(raw).replace(" ", "")).strip(":：").lower()


_BRACKETED = re.compile(r"[\(（\[【]([^\)）\]】]*)[\)）\]】]")
_PLAN_WORDS = ("计划", "预计", "预测", "目标", "任务", "规划", "预算")
OTHER_MEASURE_WORDS = (
    # another period than the figure's own
    "上年", "去年", "同期", "上期", "上月", "上季", "年初", "期初",
    # a change, a share or a rank instead of the level; the new ones instead of the stock
    "增长", "增速", "增幅", "增减", "增量", "下降", "同比", "环比", "比重", "占比", "±", "排名", "位次",
    "新增", "净增", "减少",
    # a part of the figure, or the figure with or without something
    "其中", "不含", "含税",
    # another price basis than current prices
    "不变价", "可比价",
    # a plan or an estimate instead of the actual
    *_PLAN_WORDS,
)  # fmt: skip
"""Words that, in brackets after a figure's name, make it another figure (`工业总产值（上年同期）`)."""
_PLAN_NAMES = ("计划", "目标", "任务", "规划")  # a name of a plan's figure (not 一般公共预算收入: an actual)


_RANK_WORDS = frozenset({"排名", "位次", "名次"})


def _said(word: str, name: str) -> bool:
    """The name says `word` already (a rank in any of its words: `全省排名（位次）`)."""
    return word in name or (word in _RANK_WORDS and any(r in name for r in _RANK_WORDS))


_ONE_MONTH = re.compile(r"(?:本月|当月|月度)(?:数|值)?|(?:\d{4}年)?\d{1,2}月份?(?:数|值)?")
"""A bracket naming one month (`（本月）`, `（当月）`, `（6月）`, `（2025年6月）`): kept in the key, as a
header row of its own would be (`工业总产值/本月`); dropped, the month's figure had been read as the
year to date (June's output summed as 1-6月's)."""


def without_month_bracket(name: Any) -> str:
    """`name` without a bracket naming one month (`规模以上工业总产值（当月）` → `规模以上工业总产值`):
    an indicator's name, whose reading (the month alone) its basis says, not its key."""
    return _BRACKETED.sub(
        lambda m: "" if _ONE_MONTH.fullmatch(m.group(1).replace(" ", "")) else m.group(0), clean_text(name)
    )


def _other_measure(inner: str, rest: str) -> str:
    """A bracket's text as the header's key keeps it: '' for a unit or a word that leaves the
    measure as it is, or words the name already says; its words, without `%` and punctuation, when
    they name another measure — except plan words after a name that is itself a plan's
    (`目标值（计划数）` is the target)."""
    if _ONE_MONTH.fullmatch(inner.replace(" ", "")):
        return inner  # `工业总产值（本月）`, `（6月）`: the month alone, never the year to date
    words = [w for w in OTHER_MEASURE_WORDS if w in inner]
    if not words or all(_said(w, rest) for w in words):
        return ""  # `新增企业数（新增）`, `全省排名（位次）`: the name says it already
    if all(w in _PLAN_WORDS for w in words) and any(w in rest for w in _PLAN_NAMES):
        return ""
    return re.sub(r"[%％,，、;；:：/]", "", inner)


_UNIT_IN_BRACKETS = re.compile(r"[\(（\[【]\s*(?:单位[:：])?\s*([^\)）\]】]{1,8})\s*[\)）\]】]")
# money in any scale: 千元 … 万亿元; foreign currencies in their own dimension (never converted to 元)
MONEY_SCALES = {
    "": 1.0, "十": 10.0, "百": 100.0, "千": 1e3, "万": 1e4, "十万": 1e5, "百万": 1e6, "千万": 1e7,
    "亿": 1e8, "十亿": 1e9, "百亿": 1e10, "千亿": 1e11, "万亿": 1e12,
}  # fmt: skip
CURRENCIES = ("元", "美元", "欧元", "港元", "港币", "日元", "英镑", "澳元", "韩元")
KNOWN_UNITS = (
    *(f"{scale}{cur}" for cur in CURRENCIES for scale in MONEY_SCALES),
    "平方米", "万平方米", "平方公里", "公顷", "万亩", "亩", "万人", "人", "家", "个", "间",
    "%", "百分点", "位次", "位", "名", "公里", "吨", "万吨", "辆", "项", "件", "户",
    "千人", "百人", "十万人", "百万人", "亿人", "千吨", "百万吨", "亿吨", "万家", "万个",
)  # fmt: skip
_MONEY_LIKE = re.compile(r"[十百千万亿]*\S{0,3}(?:元|币|布|镑|郎)")  # 卢布, 英镑, 法郎
_SCALED_MEASURE = re.compile(r"[十百千万亿]+(?:人|户|家|个|辆|吨|件|项|套|台|间|头|只|株|千瓦|瓦|度)")
"""A count or mass under a scale (`千人`, `万户`): a unit not known is said as written, so that
converting it fails loudly — `从业人员（千人）` had been read as 人, a thousand times too few."""


UNIT_SYMBOLS = {
    **dict.fromkeys(("m²", "m2", "m^2", "㎡", "平米", "sqm", "平方"), "平方米"),
    **dict.fromkeys(("万m²", "万m2", "万㎡", "万平米"), "万平方米"),
    **dict.fromkeys(("hm²", "hm2", "hm^2", "ha", "公頃"), "公顷"),
    **dict.fromkeys(("km²", "km2", "km^2", "㎢", "k㎡", "平方千米"), "平方公里"),
}
"""Units written as symbols or short forms (`复垦面积（m²）`, `单位：hm2`, `3.4㎡`), compared
lower-cased: each is the unit it stands for, never passed over (the area had loaded as 亩)."""
SCALE_WORDS = frozenset(k for k in MONEY_SCALES if k)
"""A scale alone (`数值（万）`, `单位：亿`): ten thousand of what is not said. Returned as written,
so that converting it fails loudly instead of the figure being taken in the catalog's unit."""


def known_unit(word: str) -> str | None:
    """`万元`, also written `万元人民币` / `人民币万元` (`人民币` alone: 元), or a symbol of one
    (`m²`, `hm2`: `UNIT_SYMBOLS`); None for anything else."""
    w = word.strip()
    if "人民币" in w:
        w = w.replace("人民币", "") or "元"
    return w if w in KNOWN_UNITS else UNIT_SYMBOLS.get(w.lower())


def unit_at_start(text: str) -> tuple[str, int] | None:
    """The known unit (or unit symbol) `text` begins with, longest first, and how many characters
    it takes: `万元）` → (`万元`, 2), `hm2以上` → (`公顷`, 3)."""
    low = text.lower()
    for word in _UNIT_WORDS:
        if low.startswith(word):
            return (UNIT_SYMBOLS.get(word) or word), len(word)
    return None


def unit_at_end(text: str) -> tuple[str, int] | None:
    """The known unit (or unit symbol) `text` ends with (`3.4公顷`, `120㎡`), as `unit_at_start`."""
    low = text.lower()
    for word in _UNIT_WORDS:
        if low.endswith(word) and len(low) > len(word):
            return (UNIT_SYMBOLS.get(word) or word), len(word)
    return None


CELL_SCALES = ("万亿", "千万", "百万", "亿", "万")
"""The scales a figure cell may write without the thing counted (`250.3亿`, `31000万`), longest
first: such a cell counts what its column counts (`in_column_unit`)."""
_SCALE_PREFIX = re.compile(r"^[十百千万亿]+")


def _bare_scale_at_end(text: str) -> tuple[str, int] | None:
    """`250.3亿` → (`亿`, 1): a figure that writes its scale only (`CELL_SCALES`)."""
    for word in CELL_SCALES:
        if text.endswith(word) and len(text) > len(word):
            return word, len(word)
    return None


def in_column_unit(cell_unit: Any, column_unit: str | None) -> Any:
    """A cell's unit read in its column: a bare scale (`亿` of `250.3亿`) is that scale of what
    the column counts — `亿元` under 亿元 or 万元, `万人` under 人 — when that is a known unit;
    the cell is then in its column's unit or refused as a cell in another one, as if it had
    written it. Anything else is returned as it is (`万` under `%` or 公顷: no such unit, refused)."""
    if not isinstance(cell_unit, str) or cell_unit not in CELL_SCALES or not column_unit:
        return cell_unit
    thing = _SCALE_PREFIX.sub("", column_unit)
    return (known_unit(cell_unit + thing) or cell_unit) if thing else cell_unit


def unit_in_text(text: Any) -> str | None:
    """A unit written in brackets in a header or title: `工业总产值（万元）` → `万元`,
    `营业收入（含税，万元）` → `万元`. A money unit that is no known one (`（万卢布）`) is returned
    as written, so that converting it fails loudly instead of the figure being taken as 万元."""
    s = clean_text(text)
    for m in _UNIT_IN_BRACKETS.finditer(s):
        if u := known_unit(re.sub(r"\s+", "", m.group(1))):  # `（千 元）`: one unit, spaced out
            return u
        for part in re.split(r"[,，、;；\s]+", m.group(1).strip()):
            if u := known_unit(part):
                return u
            if _MONEY_LIKE.fullmatch(part) or part in SCALE_WORDS or _SCALED_MEASURE.fullmatch(part):
                return part
    return None


_UNIT_ROW = re.compile(r"单\s*位\s*(?:[:：∶/]|为|是|\s)\s*(\S.*)")
"""`单位：万元`, spaced as forms space it (`单  位：千 元`, `单位 千元`), with a ratio sign (`单位∶千元`)
or a slash (`单位/千元`): what follows, its spaces dropped, is read for a unit."""
_REPORTER = re.compile(r"(填报|编制|报送|制表)单位\s*[:：]\s*(\S+)")


def unit_alone(text: Any) -> str | None:
    """A label that is a unit and nothing else (`亿元`, `（亿元）`, `单位：亿元`): a sub-header row
    of units under the header's names gives each column its unit so."""
    s = clean_text(text).replace(" ", "").strip("()（）[]【】")
    return known_unit(s) or (
        unit_from_unit_row(s) if s.startswith(("单位", "计量单位", "金额单位")) else None
    )


def unit_from_unit_row(text: Any) -> str | None:
    """`单位：万元` / `金额单位：亿元` / `单位为亿元` → the unit; `填报单位：淮安区统计局` is not a unit."""
    s = clean_text(text)
    s_wo_reporter = _REPORTER.sub(" ", s)
    m = _UNIT_ROW.search(s_wo_reporter)
    if not m:
        return None
    u = re.sub(r"\s+", "", m.group(1)).replace("人民币", "") or "元"
    if found := unit_at_start(u):
        return found[0]
    if u in SCALE_WORDS:
        return u  # `单位：万`: said, so that it cannot be assumed to be the catalog's unit
    return u if _MONEY_LIKE.match(u) else None  # `单位：万卢布`: said, so that it cannot be assumed 万元


def reporter_in_text(text: Any) -> str | None:
    """`填报单位：淮安区工业和信息化局` → the reporting office (metadata, never a unit)."""
    m = _REPORTER.search(clean_text(text))
    return m.group(2) if m else None


NOTE_MARKS = "[\u2460-\u2473\u2776-\u277f\u00b9\u00b2\u00b3\u2070-\u2079]"
"""Footnote markers NFKC turns into digits: ①…⑳, ❶…❿, ¹²³⁴…⁹."""
FIGURE_NOTE = re.compile(rf"(?<=\d)\s*(?:{NOTE_MARKS}|[*＊※])+\s*$")
"""A footnote marker after a figure (`12.3①`, `30²`, `640.72*`), dropped before NFKC makes it a
digit (12.31); the asterisk of a 统计局 table's `*为快报数` had made the figure unreadable."""
_NOTE_MARK = re.compile(NOTE_MARKS)
LABEL_NOTE = re.compile(r"\s*(?:[\u2460-\u2473\u2776-\u277f]|(?<![A-Za-z])[\u00b9\u00b2\u00b3\u2070-\u2079])")
"""A footnote's marker in a label (`石塘镇①`, `2025年¹`, `从业人员②`), which NFKC would make a digit
(`石塘镇1`, `2025年1`: January): ①–⑳, ❶–❿, and superscript digits not after a letter (`m²`,
`km²` are units)."""


def without_note_marks(text: str) -> str:
    """`text` without the footnote markers a label may carry (`LABEL_NOTE`)."""
    return LABEL_NOTE.sub("", text) if LABEL_NOTE.search(text) else text


_MASKED = re.compile(r"[*＊]{2,}(\S{0,6})")
"""A figure masked as the published work report masks it (`**`, `**亿元`): no figure, like `*`."""
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_NUM_START = re.compile(r"^[+-]?\d")
_SPACED_DIGITS = re.compile(r"\d\s+\d")
_SPACE_GROUPED = re.compile(r"^[+-]?\d{1,3}(?: \d{3})+(?:\.\d*)?")
"""`12 345`, `1 234 567.8`: a space as the thousands separator (one space, groups of three)."""
_NUM_TEXT = re.compile(r"^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?$")


def _grouped(grouping: re.Pattern, s: str) -> bool:
    """`s` is one number grouped in thousands (`12,026.31`, `12 026.31万元`): the grouping matches its
    start and no digit follows (`12,026.31,5` and `12 026.31 5` had loaded as 12026.315)."""
    m = grouping.match(s)
    return m is not None and not any(c.isdigit() for c in s[m.end() :])


def not_a_figure(shown: Any, why: str) -> str:
    """The text a reader puts in place of a number it must not load as a figure (a figure merged
    over several cells, a format that scales it): `parse_number` refuses it with `why`, and no
    numeric fast path takes it for a number."""
    return f"{shown}{NOT_A_FIGURE}{why}"


def parse_number(raw: Any) -> Parsed:
    """A figure: int/float cells as they are; text with thousands separators, full-width digits,
    a trailing unit or `%`; missing markers kept."""
    if raw is None:
        return Parsed(None, "")
    if isinstance(raw, str) and NOT_A_FIGURE in raw:
        return Parsed(None, None, raw.split(NOT_A_FIGURE, 1)[1])
    if isinstance(raw, bool):
        return Parsed(None, None, f"应为数值，实际为逻辑值 {raw} / expected a number")
    if isinstance(raw, int | float):
        if isinstance(raw, float) and math.isnan(raw):
            return Parsed(None, "")
        return _finite(raw, raw)
    if isinstance(raw, dt.date | dt.datetime | dt.time | dt.timedelta):
        return Parsed(None, None, f"应为数值，实际为日期 {raw} / expected a number, got a date")
    if isinstance(raw, str):
        raw = FIGURE_NOTE.sub("", raw)
        if _NOTE_MARK.search(raw):  # `①12`: a marker NFKC would make a digit, not where a note goes
            return Parsed(None, None, f"无法识别的数值“{raw.strip()}” / not a number")
    s = clean_text(raw).replace("\u2212", "-")  # the minus sign (−3.2) as typeset text writes it
    if s in MISSING_MARKERS:
        return Parsed(None, str(raw).strip())  # the marker as written (— and … are not - and ...)
    if masked := _MASKED.fullmatch(s.replace(" ", "")):
        if not masked.group(1) or known_unit(masked.group(1)):  # `**亿元`: masked, in 亿元
            return Parsed(None, str(raw).strip())
    if s.upper() in EXCEL_ERRORS:
        return Parsed(None, None, f"单元格为 Excel 错误值 {s}，请修正公式后重新导出 / Excel error value")
    if s.upper() in {"TRUE", "FALSE"}:  # a logical cell (etl.read.fastsheet puts back its text) or its text
        return Parsed(
            None, None, f"应为数值，实际为逻辑值 {s.upper()} / expected a number, got a logical value"
        )
    if "," in s and not _grouped(_GROUPED, s.replace(" ", "")) and _NUM_START.match(s):
        return Parsed(  # `51,5` or `1,23`: a decimal comma, or a slip? never 515 or 123
            None,
            None,
            f"数值“{s}”中的逗号不是千位分隔符，无法确定其含义 / ambiguous number: a comma that is no thousands separator",
        )
    if _SPACED_DIGITS.search(s) and not _grouped(_SPACE_GROUPED, s.strip()):
        return Parsed(  # `12 34`: two numbers, or a slip? never 1234
            None,
            None,
            f"数值“{s}”的数字之间有空格，不是千位分组，无法确定其含义 / digits split by a space that is no thousands grouping",
        )
    t = s.replace(",", "").replace(" ", "")
    pct = t.endswith("%")
    t = t.rstrip("%")
    cell_unit = None
    if found := unit_at_end(t) or _bare_scale_at_end(t):
        cell_unit, n = found
        t = t[:-n]
    m = _NUM_TEXT.match(t)
    if not m:
        return Parsed(None, None, f"无法识别的数值“{s}” / not a number")
    p = _finite(t, s)
    return Parsed(p.value, None, p.problem, unit="%" if pct else cell_unit) if p.problem is None else p


NOT_FINITE = "数值“{}”超出范围（无穷大或非数） / not a finite number"
MAX_FIGURE = 1e15
"""No statistical figure of a district reaches this in any unit (the whole country's GDP is about
1.3e14 元): a larger one is a slip (`1e308`), and summing it would overflow to infinity in a mart."""
TOO_LARGE = (
    "数值“{}”超出范围（绝对值不小于 1e15，不是合理的统计数） / beyond any plausible figure (|x| ≥ 1e15)"
)


def _finite(v: Any, shown: Any) -> Parsed:
    """`v` as a finite float, else a problem naming `shown` (`1e400`, `inf`, an int too large)."""
    try:
        f = float(v)
    except OverflowError:
        f = math.inf
    if not math.isfinite(f):
        return Parsed(None, None, NOT_FINITE.format(str(shown)[:24]))
    if abs(f) >= MAX_FIGURE:
        return Parsed(None, None, TOO_LARGE.format(str(shown)[:24]))
    return Parsed(f)


_CHANGE = re.compile(
    r"^(增长|增加|上升|提高|提升|加快|下降|减少|降低|回落|放缓|收窄)\s*([0-9]+(?:\.[0-9]+)?)\s*(%|个百分点|百分点)?$"
)
_FALLS = ("下降", "减少", "降低", "回落", "放缓", "收窄")


def parse_change(raw: Any) -> Parsed | None:
    """A change written in words, as a growth table's cell says it: `下降3.2%` → -3.2 (%),
    `增长5.1` → 5.1, `回落0.5个百分点` → -0.5 (百分点). None for any other text. Only a cell of a
    growth indicator is read so (`增长1.2%` under 城镇化率 would be a change, not the level)."""
    m = _CHANGE.fullmatch(clean_text(raw).replace(" ", "")) if isinstance(raw, str) else None
    if m is None:
        return None
    value = float(m.group(2)) * (-1 if m.group(1) in _FALLS else 1)
    unit = {"%": "%", None: None}.get(m.group(3), "百分点")
    return Parsed(value, unit=unit)


_LOWER_BOUND = re.compile(
    r"^(≥|>=|＞=|>|＞|不低于|不少于|至少|力争|确保|达到|突破|超过|高于|大于)?\s*([^≥>＞]+?)\s*(及以上|以上)?$"
)


def parse_lower_bound(raw: Any) -> Parsed | None:
    """A figure written as a lower bound, as a target often is: `≥1600`, `1600以上`, `不低于1600`,
    `力争突破1600` → 1600 (the unit a cell writes kept: `力争100亿元` → 100, 亿元), with a warning
    naming the words read past; None for a text with no such words, or whose rest is no figure
    (`1500-1600`, `1600左右`, `≤1600`)."""
    s = clean_text(raw).replace(" ", "") if isinstance(raw, str) else ""
    s = re.sub(r"^(力争|确保)(突破|超过|达到)", r"\1", s)
    return _bound(raw, _LOWER_BOUND.fullmatch(s), ("下限", "lower"))


def _bound(raw: Any, m: re.Match[str] | None, words: tuple[str, str]) -> Parsed | None:
    """The figure of a bound's match (its words in groups 1 and 3, the figure in 2), with a
    warning naming what was read past; None without such words or when the rest is no figure."""
    if m is None or not (m.group(1) or m.group(3)):
        return None
    inner = parse_number(m.group(2))
    if inner.value is None or inner.problem:
        return None
    zh, en = words
    return Parsed(
        inner.value,
        unit=inner.unit,
        warning=f"“{clean_text(raw)}”按{zh} {inner.value:g} 计 / read as its {en} bound {inner.value:g}",
    )


_UPPER_BOUND = re.compile(
    r"^(≤|<=|＜=|<|＜|不超过|不高于|不多于|控制在|低于|小于|进入前|跻身前|保持前|前|进入第|第)?\s*([^≤<＜]+?)"
    r"\s*(?:名|位)?\s*(及以内|以内|之内|以下|及以下)?$"
)


def parse_upper_bound(raw: Any) -> Parsed | None:
    """A figure written as an upper bound, as a rank's or a rate's target is: `前10`, `进入前10名`,
    `第10位`, `≤10`, `10以内`, `不超过5.5%` → the figure, with a warning naming the words read past;
    None for a text with no such words or whose rest is no figure. Only an indicator whose
    direction is down may take it (`etl.extract.finish.targets` checks)."""
    s = clean_text(raw).replace(" ", "") if isinstance(raw, str) else ""
    return _bound(raw, _UPPER_BOUND.fullmatch(s), ("上限", "upper"))


def bound_kind(raw: Any) -> str | None:
    """`lower` or `upper` for a cell that is no plain figure but a bound (`≥1600`, `前10`)."""
    if parse_number(raw).problem is None:
        return None
    if parse_lower_bound(raw) is not None:
        return "lower"
    return "upper" if parse_upper_bound(raw) is not None else None


def parse_flag(raw: Any) -> Parsed:
    """是/否, √/×, Y/N, 1/0, blank → False (a blank flag column means 'not flagged'); a 规上/规下
    column's 规上 / 规模以上 and 规下 / 规模以下 are its yes and no."""
    s = clean_text(raw).lower()
    if s in {"是", "√", "✓", "✔", "y", "yes", "1", "1.0", "true", "有", "规上", "规模以上"}:
        return Parsed(True)
    if s in {"否", "×", "✗", "n", "no", "0", "0.0", "false", "", "无", "-", "—", "规下", "规模以下"}:
        return Parsed(False)
    return Parsed(None, None, f"标志列应填“是/否”，实际为“{s}” / expected yes/no")


def excel_serial_to_date(v: float) -> dt.date:
    return EXCEL_EPOCH + dt.timedelta(days=int(v))


_DATETIME_TEXT = re.compile(r"^(\d{4}([-/.])\d{1,2}\2\d{1,2})[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_SERIAL_TEXT = re.compile(r"^[2-7]\d{4}(?:\.\d+)?$")
_DATE_PATTERNS = (
    (re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?$"), "ymd"),
    (re.compile(r"^(\d{4})[-/年](\d{1,2})月?$"), "ym"),
    (re.compile(r"^(\d{4})\.(\d{1,2})$"), "ym_dot"),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), "ymd"),
)


def parse_date(raw: Any, *, month_end: bool = False) -> Parsed:
    """A date cell: real dates, Excel serials, `2024-06-15`, `2024.6.15`, `2024年6月`, `2024.6`.

    A month without a day is its first day (or its last with `month_end`). `2024.1` may be a
    float-mangled `2024.10`: it reads as January, with a problem text flagging the doubt (the
    caller decides whether that is a warning)."""
    if raw is None:
        return Parsed(None, "")
    if isinstance(raw, dt.datetime):
        return Parsed(raw.date())
    if isinstance(raw, dt.date):
        return Parsed(raw)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if isinstance(raw, float) and math.isnan(raw):
            return Parsed(None, "")
        if 20000 < raw < 80000:  # Excel serial between 1954 and 2119
            return Parsed(excel_serial_to_date(raw))
        if isinstance(raw, float) and 1990 < raw < 2100:
            return parse_date(repr(raw), month_end=month_end)
        return Parsed(None, None, f"无法识别的日期 {raw} / not a date")
    s = clean_text(raw)
    m = _DATETIME_TEXT.match(s)
    if m:  # `2024-06-15 00:00:00`: a date cell as a reader turned it into text
        s = m.group(1)
    s = s.replace(" ", "")
    if s in MISSING_MARKERS:
        return Parsed(None, s)
    if _SERIAL_TEXT.match(s):  # an Excel serial that arrived as text
        return parse_date(float(s), month_end=month_end)
    for pat, kind in _DATE_PATTERNS:
        m = pat.match(s)
        if not m:
            continue
        y, mo = int(m.group(1)), int(m.group(2))
        try:
            if kind == "ymd":
                return Parsed(dt.date(y, mo, int(m.group(3))))
            d = _month_end(y, mo) if month_end else dt.date(y, mo, 1)
        except ValueError:
            return Parsed(None, None, f"日期“{s}”不存在 / no such date")
        if kind == "ym_dot" and m.group(2) == "1":
            return Parsed(
                d, warning=f"“{s}”可能是被转成小数的“{y}.10”（10月），请确认 / may be a float-mangled {y}.10"
            )
        return Parsed(d)
    return Parsed(None, None, f"无法识别的日期“{s}”，请写成 2024-06-30 / not a date")


def _month_end(y: int, m: int) -> dt.date:
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Period:
    """A reporting period: `2024` (year), `2024Q2` (quarter), `2024-06` (month).

    `basis` tells how a figure for it is to be read: `period` (that month/quarter/year alone),
    `ytd` (本年累计: from January to the period's end)."""

    text: str
    end: dt.date
    basis: str = "period"
    freq: str = "year"  # year / quarter / month


_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_P_RANGE = re.compile(r"(\d{4})(?:年度?|[-./_])?\s*(\d{1,2})\s*[-—~～至到]\s*(\d{1,2})\s*月")
"""`2025年1-9月`, also with the year set off as a date sets it off (`2025-1-9月`, `2025/1-9月`: it had
been January)."""
# a range without 月 only where nothing can follow it (`2025年1-9`, `2025.1-9`; not the date `2025.1-9日`)
_P_RANGE_BARE = re.compile(r"(\d{4})(?:年度?|\.)\s*(\d{1,2})\s*[-—~～至到]\s*(\d{1,2})(?:月份?)?(?:累计)?$")
# quarters to date: 前三季度, 前3季, 一至三季度, 1-3季度, 一、二季度 (each ends in 季)
_P_QRANGE = re.compile(
    r"(\d{4})年?(?:度)?\s*(?:前([一二两三四1234])|([一1])\s*[-—~～至到、]\s*([一二两三四1234]))\s*个?季"
)
_P_HALF = re.compile(r"(\d{4})年?(?:度)?\s*(上|下)半年")
_P_QUARTER = re.compile(r"(\d{4})年?(?:第)?([一二三四1234])季度?")
_P_QTAG = re.compile(r"(?<!\d)(\d{4})\s*(?:年度?)?[-_ .]?([QH])([1-4])(?!\d)", re.I)
# a span between two months, its ends as written: `1月至9月`, `2025年1月1日至2025年9月30日`, `第1-6月`
MONTH_SPAN = re.compile(
    r"(\d{4})年?度?\s*第?\s*(\d{1,2})\s*月?(?:(\d{1,2})[日号])?\s*[-—~～至到]\s*"
    r"(?:(\d{4})年)?\s*(\d{1,2})\s*月(?:(\d{1,2})[日号])?"
)
_P_FIRST_MONTHS = re.compile(r"(\d{4})年?度?\s*前(十[一二]|[一二两三四五六七八九十]|\d{1,2})个?月")
_START = r"初(?=$|[^\u4e00-\u9fff]|余额|数|值|存量|至)"
"""初 as the start of a year or month (`2025年初`, `年初余额`), not a word beginning so (`初中`, `初步`)."""
_P_UNPLACED = re.compile(
    rf"\d{{4}}年度?(?:年中$|年?{_START}|[上中下]旬|第[\d一二三四五六七八九十]+[期周旬])"  # 2025年初, 第6期
    rf"|\d月(?:{_START}|[上中下]旬|第?[\d一二三四五]周)"  # 6月初, 6月上旬, 6月第2周
    r"|\d月[、，,和及]\d{1,2}月"  # 5月、6月: two months
    r"|(?<!\d)(\d{4})年?(?:\d{1,2}月(?:末|底)?)?\s*[-—~～至到]\s*(?!\1)\d{4}年"  # 2024-2025年
)
"""What names a part of a year, or a span over two, that no period here places (the 6th issue, the
start of the year, ten days, a week, two months apart, two years): no period, never the year."""
_CN_YEAR = re.compile(r"([〇零○一二三四五六七八九]{4})(?=年)")
_CN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "00012345678" + "9")
_P_MONTH = re.compile(r"(\d{4})\s*(?:年|[-./_])\s*(\d{1,2})\s*(?:月|月末|月份|$|[^\d])")
_P_YEAR = re.compile(r"(?<!\d)(\d{4})\s*(?:年|年度|年末|$)|[(（【\[](\d{4})[)）】\]]")
_CN_MONTH = {w: i for i, w in enumerate("一二三四五六七八九十", 1)} | {"十一": 11, "十二": 12, "两": 2}
_P_CN_MONTHS = re.compile(
    r"(十[一二]|[一二三四五六七八九十])(?=\s*(?:[-—~～至到]\s*(?:十[一二]|[一二三四五六七八九十])\s*)?月)"
)


_P_NOT_A_PERIOD = re.compile(
    r"^(?:比|较|与)\S*\d{4}"  # 比2024年同期增长
    r"|(?:\d|年|年度|月|月份|季度|季|半年|全年)[(（]?(?:同比)?(?:增长|增速|增幅|增减|目标|目标值|计划|预计|预测|任务"
    r"|预期|预估|估计|力争|考核|预算|规划|测算)率?[(（]?[%％]?[)）]?(?:数|值)?[)）]?$"
)
"""A period's change, target or forecast (`2025年1-9月增长`, `2025年目标`, `2025年预计`,
`2025年（预期）`, `2025年力争`, `2025年考核数`, `比2024年增长%`): a figure beside the period's, never
the period."""


def _range_period(y: int, a: int, b: int) -> Period | None:
    """Months a..b of year y: from January, year to date (`2025-09` ytd, the year for 1-12); one
    month, that month; a quarter's three months, the quarter alone (`7-9月` → `2025Q3`); any other
    span (`5-9月`) is no period this warehouse keeps (None)."""
    if not 1 <= a <= b <= 12:
        return None
    if a == 1 and b == 12:
        return Period(str(y), dt.date(y, 12, 31), "period", "year")
    if a == 1:
        return Period(f"{y}-{b:02d}", _month_end(y, b), "ytd", "month")
    if a == b:
        return Period(f"{y}-{b:02d}", _month_end(y, b), "period", "month")
    if b - a == 2 and b % 3 == 0:
        return Period(f"{y}Q{b // 3}", _month_end(y, b), "period", "quarter")
    return None


def _span_period(m: re.Match[str]) -> Period | None:
    """The period of a span written with both its ends (`1月至9月`, `2025年1月1日至2025年9月30日`):
    as `_range_period`, when it runs from a month's first day to a month's last in one year."""
    y, a, b = int(m.group(1)), int(m.group(2)), int(m.group(5))
    if m.group(4) and int(m.group(4)) != y or m.group(3) and int(m.group(3)) != 1:
        return None
    if m.group(6) and (not 1 <= b <= 12 or int(m.group(6)) != _month_end(y, b).day):
        return None
    return _range_period(y, a, b)


def _span_in(s: str) -> tuple[bool, Period | None]:
    """A span of the year `s` names in words or tags (`1-9月`, `1月至9月`, `前6个月`, `前三季度`,
    `上半年`, `2025H1`, `2025年Q2`, `第二季度`): (True, its period, or None where it names a span
    no period places: `下半年`, `H2`, `二、三季度`); (False, None) when it names none."""
    m = _P_RANGE.search(s) or _P_RANGE_BARE.search(s)
    if m:
        return True, _range_period(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := MONTH_SPAN.search(s):
        return True, _span_period(m)
    if m := _P_FIRST_MONTHS.search(s):
        n = m.group(2)
        return True, _range_period(int(m.group(1)), 1, int(n) if n.isdigit() else _CN_MONTH[n])
    m = _P_QRANGE.search(s)
    if m:
        y = int(m.group(1))
        last = _CN_NUM[m.group(2) or m.group(4)]
        if last == 1:
            return True, Period(f"{y}Q1", _month_end(y, 3), "period", "quarter")
        return True, Period(f"{y}-{last * 3:02d}", _month_end(y, last * 3), "ytd", "month")
    m = _P_HALF.search(s)
    if m:
        y = int(m.group(1))
        return True, (Period(f"{y}-06", _month_end(y, 6), "ytd", "month") if m.group(2) == "上" else None)
    m = _P_QTAG.search(s)
    if m:  # 2025Q2, 2025年Q2; 2025H1 is 上半年, H2 a half it cannot place
        y, half, n = int(m.group(1)), m.group(2).upper() == "H", int(m.group(3))
        if half:
            return True, (Period(f"{y}-06", _month_end(y, 6), "ytd", "month") if n == 1 else None)
        return True, Period(f"{y}Q{n}", _month_end(y, n * 3), "period", "quarter")
    m = _P_QUARTER.search(s)
    if m:
        y, q = int(m.group(1)), _CN_NUM[m.group(2)]
        return True, Period(f"{y}Q{q}", _month_end(y, q * 3), "period", "quarter")
    if re.search(r"\d{4}年?(?:度)?[^季]*季|半年", s):
        return True, None  # 二、三季度, 第一、二季度: quarters it does not place
    return False, None


_P_DAY = re.compile(r"\d{4}\s*(?:年|[-./_])\s*\d{1,2}\s*(?:月|[-./_])\s*(\d{1,2})(?!\d)")


def _no_such_day(s: str, y: int, mo: int) -> bool:
    """`s` writes a day its month does not have (`2025年2月30日`, `2025-06-31`)."""
    m = _P_DAY.search(s)
    return m is not None and not 1 <= int(m.group(1)) <= calendar.monthrange(y, mo)[1]


def parse_period(raw: Any) -> Period | None:
    """A period in a header, title, sheet or file name: `2025年1-6月` (ytd to June), `2024年12月末`,
    `（截至2025年6月）`, `2025年第二季度`, `2024Q2`, `2024-06`, `2024年`, `2024`, `2024.0`;
    `2025年前三季度` / `1-3季度` / `一至九月` are `2025年1-9月`, `2025年上半年` is `1-6月`, `7-9月` is
    the quarter; `2025年1月至6月`, `2025年1月1日至6月30日`, `前6个月` and `2025H1` are `1-6月` too,
    `2025年Q2` the quarter, `二〇二五年` 2025 and `元月` January. What names a part of a year it cannot
    place is no period (None), never the year: `2025年下半年`, `2025年5-9月`, `2024年同期`,
    `2025年二、三季度`, `2025年初`, `2025年第6期`, `6月上旬`, `5月、6月`, `2024-2025年`; nor is a period's change,
    target or forecast (`2025年1-9月增长`, `2025年目标`, `比2024年增长%`); nor the number 2025.1, which
    is what Excel keeps of a typed `2025.10` (October had loaded as January; the text `2025.1` is January)."""
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer() and 1949 < raw < 2100:
        raw = int(raw)
    if isinstance(raw, int) and 1949 < raw < 2100:
        return Period(str(raw), dt.date(raw, 12, 31), "period", "year")
    if isinstance(raw, float) and 1949 < raw < 2100 and f"{raw:.2f}".endswith(".10"):
        return None  # the number 2025.1: `2025.10` typed into a number cell (October) or January? neither
    if isinstance(raw, str):  # `2025年①`: a footnote's marker, which NFKC makes a digit (2025-01)
        raw = without_note_marks(raw)
    s = clean_text(raw).replace(" ", "")
    if not s or _P_NOT_A_PERIOD.search(s):
        return None
    s = _CN_YEAR.sub(lambda m: m.group(1).translate(_CN_DIGITS), s).replace("元月", "1月")
    s = _P_CN_MONTHS.sub(lambda m: str(_CN_MONTH[m.group(1)]), s)
    if _P_UNPLACED.search(s):
        return None
    said, p = _span_in(s)
    if said:
        return p
    m = _P_MONTH.search(s + " ")
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12 or _no_such_day(s, y, mo):
            return None  # `2025年13月`, `2025年2月30日`: no period, never the year or the month near it
        if 1949 < y < 2100:
            return Period(f"{y}-{mo:02d}", _month_end(y, mo), "period", "month")
    m = _P_YEAR.search(s)
    if m:
        if "同期" in s:
            return None  # `2024年同期`: the same span as another column, a year earlier; not the year
        y = int(m.group(1) or m.group(2))
        if 1949 < y < 2100:
            return Period(str(y), dt.date(y, 12, 31), "period", "year")
    m = re.fullmatch(r"(\d{4})\.0", s)
    if m:
        return parse_period(int(m.group(1)))
    return None


def ytd_quarter(period: Any, basis: Any) -> str | None:
    """The quarter a year-to-date month at a quarter's end stands for: `2025-03` read from
    `2025年1-3月` (basis `ytd`) → `2025Q1`, `2025-09` → `2025Q3`; None for any other period (a
    month alone, a month inside a quarter, a year). A quarterly indicator's figure takes it."""
    if basis != "ytd" or not isinstance(period, str):
        return None
    m = re.fullmatch(r"(\d{4})-(\d{2})", period)
    if not m or int(m.group(2)) not in (3, 6, 9):
        return None
    return f"{m.group(1)}Q{int(m.group(2)) // 3}"


UNIT_FACTORS: dict[str, tuple[str, float]] = {
    # unit -> (dimension, factor to the dimension's base unit)
    **{
        f"{scale}{cur}": ("money" if cur == "元" else f"money:{cur}", factor)
        for cur in CURRENCIES
        for scale, factor in MONEY_SCALES.items()
    },
    "平方米": ("area", 1.0),
    "万平方米": ("area", 1e4),
    "亩": ("area", 10000.0 / 15.0),
    "万亩": ("area", 1e4 * 10000.0 / 15.0),
    "公顷": ("area", 1e4),
    "平方公里": ("area", 1e6),
    "人": ("people", 1.0),
    "百人": ("people", 100.0),
    "千人": ("people", 1e3),
    "万人": ("people", 1e4),
    "十万人": ("people", 1e5),
    "百万人": ("people", 1e6),
    "亿人": ("people", 1e8),
    "吨": ("mass", 1.0),
    "千吨": ("mass", 1e3),
    "万吨": ("mass", 1e4),
    "百万吨": ("mass", 1e6),
    "亿吨": ("mass", 1e8),
    "家": ("count", 1.0),
    "个": ("count", 1.0),
    "万家": ("count", 1e4),
    "万个": ("count", 1e4),
    "位次": ("rank", 1.0),
    "位": ("rank", 1.0),
    "名": ("rank", 1.0),
}


def same_dimension(u1: str, u2: str) -> bool:
    """Whether two units measure the same kind of thing (万元 and 亿元; not 万元 and 人). Money in
    another currency (万美元, 万卢布) is money too: it speaks of the money columns — and does not
    convert to 元 (`unit_factor`)."""
    if u1 == u2:
        return True
    k1, k2 = _kind(u1), _kind(u2)
    return k1 is not None and k1 == k2


def _kind(u: str) -> str | None:
    if u in UNIT_FACTORS:
        return UNIT_FACTORS[u][0].split(":")[0]
    return "money" if _MONEY_LIKE.fullmatch(u) else None


def convert(value: float, from_unit: str, to_unit: str) -> Parsed:
    """`value` in `from_unit` as a figure in `to_unit`: the value, or a problem when the units do
    not convert or the result is not a finite number (`1e308` 万元 in 元)."""
    try:
        factor = unit_factor(from_unit, to_unit)
    except ValueError as e:
        return Parsed(None, None, str(e))
    out = value * factor
    if not math.isfinite(out):
        return Parsed(
            None,
            None,
            f"数值 {value:g}{from_unit} 换算为{to_unit}后超出范围 / not a finite number in {to_unit}",
        )
    return Parsed(out)


def unit_factor(from_unit: str, to_unit: str) -> float:
    """Multiply a figure in `from_unit` by this to get it in `to_unit`. Same unit → 1.

    Raises ValueError for units of different dimensions (万元 → 亩) or unknown pairs."""
    if from_unit == to_unit:
        return 1.0
    if from_unit in UNIT_FACTORS and to_unit in UNIT_FACTORS:
        d1, f1 = UNIT_FACTORS[from_unit]
        d2, f2 = UNIT_FACTORS[to_unit]
        if d1 == d2:  # to 12 digits: 万亩 → 亩 is 10000, not 10000.000000000002 (the ratios are decimal)
            return float(f"{f1 / f2:.12g}")
    raise ValueError(f"单位“{from_unit}”无法换算为“{to_unit}” / cannot convert {from_unit} to {to_unit}")


def column_letter(idx: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    s = ""
    idx += 1
    while idx:
        idx, r = divmod(idx - 1, 26)
        s = chr(65 + r) + s
    return s


_UNIT_WORDS = sorted({*KNOWN_UNITS, *UNIT_SYMBOLS}, key=len, reverse=True)
"""Every unit word and symbol, longest first (`万平方米` before `平方米` before `米`)."""

"""Region resolution: the place names departments write → 统计用区划代码 (2023).

Spreadsheets name places in many forms: `平桥`, `平桥镇`, `淮城街道办事处`, `淮安市淮安区`, `内蒙古`,
`新疆维吾尔自治区`. `RegionResolver.resolve` turns each into one code, or explains in Chinese (with an
English gloss) why it cannot: the name is unknown, or it names several places.

Codes: provinces and cities as 6 digits (`320000`, `320800`), counties 6 digits (`320803`),
townships 9 digits (`320803101`), the whole country `000000`.

Resolution order, for a resolver configured with a district (default 淮安区 320803):

1. the district's townships (incl. functional zones: 经济开发区, 淮安新材料产业园, 白马湖农场; a zone
   also by its short forms: `开发区`, `经开区`, `新材料产业园`, `新材料园`, `新材料园区`);
2. the district's city and everything in it, and the 31 provinces by name;
3. the district's province and everything in it;
4. the whole country.

At the first step where a name matches, one match resolves it; several are ambiguous, except that
a single match of a higher level than all the others wins (`淮安` → 淮安市 over 淮安区, `海南` →
海南省 over 海南藏族自治州 and 海南镇, `东莞` → 东莞市 over 东莞镇); several townships stay ambiguous.
Within a step the official name is tried before short forms and former names (`楚州区`).
A name written with a suffix must match a place's official name or one of its forms, so `平桥区` is
Henan's 平桥区, not our 平桥镇; only when nothing matches anywhere are suffixes ignored (`施河乡` →
施河镇). A name prefixed with its province/city/county (`淮安区平桥镇`, `江苏淮安`) is resolved
inside that prefix.

The reference is loaded once from `etl/reference/data/divisions/` (plain dicts, ~0.2 s).
"""

from __future__ import annotations

import csv
import gzip
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from etl.base.cells import without_note_marks
from etl.base.names import normalize_name
from etl.base.paths import DIVISIONS_DIR

__all__ = [
    "COUNTRY_CODE",
    "DEFAULT_DISTRICT",
    "RegionResolver",
    "Resolution",
    "ancestors",
    "full_name",
    "level_of",
    "name_of",
    "normalize_name",
    "short_form",
    "townships_of",
]

REFERENCE_DIR = DIVISIONS_DIR
DEFAULT_DISTRICT = "320803"
COUNTRY_CODE = "000000"
COUNTRY_NAME = "全国"
_COUNTRY_ALIASES = frozenset({"全国", "全国合计", "全国总计", "中国", "中华人民共和国"})
# Rows that only group others: kept in the hierarchy, never matched by name nor shown in paths.
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

# Words written after a name that are not part of official names (the office, not the place).
_NOISE = frozenset({"人民政府", "管理委员会", "管委会", "办事处"})
# Suffix → how many characters must remain for it to be stripped (`沛县` → `沛`, but `城区` stays).
_SUFFIXES = {
    "特别行政区": 2,
    "自治区": 2,
    "自治州": 2,
    "自治县": 2,
    "自治旗": 2,
    "街道": 2,
    "地区": 2,
    "林区": 2,
    "镇": 2,
    "乡": 2,
    "区": 2,
    "旗": 2,
    "盟": 2,
    "县": 1,
    "市": 2,
    "省": 2,
}
_SUFFIX_LENGTHS = sorted({len(s) for s in _SUFFIXES}, reverse=True)
_NOISE_LENGTHS = sorted({len(s) for s in _NOISE}, reverse=True)
# Ethnic groups named in autonomous areas and 民族乡 (`各族` as in 龙胜各族自治县).
_ETHNIC = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
    "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各"
).split()
_MULTI = "|".join(sorted((g for g in _ETHNIC if len(g) > 1), key=len, reverse=True))
_SINGLE = "".join(g for g in _ETHNIC if len(g) == 1)
# Trailing ethnic qualifiers. In autonomous areas a multi-character group may omit 族 (伊犁哈萨克自治州).
_ETHNIC_TAIL = re.compile(f"(?:(?:{_MULTI}|[{_SINGLE}])族)+$")
_AUTONOMOUS_TAIL = re.compile(f"(?:(?:{_MULTI})族?|[{_SINGLE}]族)+$")
# Former names still seen in departments' files (renamed 2012: 楚州区 → 淮安区; 2016: 清河区 and 清浦区
# merged into 清江浦区). Matched like short forms.
FORMER_NAMES = {"楚州区": "320803", "淮安县": "320803", "清河区": "320812", "清浦区": "320812"}
_FLOAT_CODE = re.compile(r"(\d{2,12})\.0*")
_NOTED = re.compile(r"[*＊※]+$")
"""A place name marked for a footnote (`经济开发区*`): the name, without its mark."""
_RANK = {"province": 0, "city": 1, "county": 2, "township": 3}
# Functional zones commonly written without their qualifier.
_GENERIC_ZONES = frozenset({"经济开发区", "经济技术开发区"})


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving one name: a code, or a problem (with candidates if ambiguous)."""

    code: str | None
    level: str | None  # 'country', 'province', 'city', 'county', 'township'
    name: str | None  # official name
    candidates: tuple[tuple[str, str], ...] = field(default=())  # (code, full path name)
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.code is not None


# --------------------------------------------------------------------------- name forms


def _denoise(name: str) -> str:
    """`淮城街道办事处` → `淮城街道`."""
    for n in _NOISE_LENGTHS:
        if len(name) > n and name[-n:] in _NOISE:
            return name[:-n]
    return name


def _strip_ethnic(stem: str, *, autonomous: bool) -> str:
    """`广西壮族` → `广西`, `新疆维吾尔` → `新疆`; keeps at least 2 characters (`内蒙古`)."""
    match = (_AUTONOMOUS_TAIL if autonomous else _ETHNIC_TAIL).search(stem)
    return stem[: match.start()] if match and match.start() >= 2 else stem


def short_form(name: str) -> str:
    """The name without office words, its level suffix and ethnic qualifiers.

    `平桥镇` → `平桥`, `淮城街道办事处` → `淮城`, `广西壮族自治区` → `广西`, `沛县` → `沛`.
    """
    stem = _denoise(name)
    for n in _SUFFIX_LENGTHS:
        suffix = stem[-n:]
        keep = _SUFFIXES.get(suffix)
        if keep is not None and len(stem) - n >= keep:
            stem = stem[:-n]
            if suffix.startswith("自治"):
                stem = _strip_ethnic(stem, autonomous=True)
            elif suffix in ("乡", "镇") and stem.endswith("族"):
                stem = _strip_ethnic(stem, autonomous=False)
            break
    return stem


def _clean(raw: str) -> str:
    """The query as compared: name key (NFKC, no spaces) without office words; a code that
    Excel turned into a number (`320803.0`) loses its `.0`."""
    text = _denoise(normalize_name(_NOTED.sub("", without_note_marks(raw))))
    number = _FLOAT_CODE.fullmatch(text)
    return number.group(1) if number else text


# --------------------------------------------------------------------------- reference


@dataclass
class _Reference:
    """The divisions as plain dicts, plus name indexes."""

    names: dict[str, str] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)
    exact: dict[str, list[str]] = field(default_factory=dict)  # official name (denoised) → codes
    forms: dict[str, list[str]] = field(default_factory=dict)  # short forms and aliases → codes
    shorts: dict[str, str] = field(default_factory=dict)  # short forms of provinces/cities/counties

    def add(self, code: str, name: str, level: str, parent: str | None) -> None:
        self.names[code] = name
        self.levels[code] = level
        if parent is not None:
            self.parents[code] = parent
            self.children.setdefault(parent, []).append(code)
        if name in _PLACEHOLDERS:
            return
        official = _denoise(name)
        short = short_form(official)
        if level != "township":
            self.shorts[code] = short
        self.exact.setdefault(official, []).append(code)
        forms = {short} - {official, ""}
        if (level == "township" and code[6] in "45") or (level == "county" and code[4] in "78"):
            for alias in self._zone_aliases(official, parent) - {official}:
                forms |= {alias, short_form(alias)} - {official}
        for form in forms:
            self.forms.setdefault(form, []).append(code)

    def add_alias(self, code: str, alias: str) -> None:
        """Another name for `code`, matched like its short form."""
        for form in {alias, short_form(alias)} - {""}:
            codes = self.forms.setdefault(form, [])
            if code not in codes:
                codes.append(code)

    def _zone_aliases(self, name: str, parent: str | None) -> set[str]:
        """Functional zones are also written without the county/city prefix
        (`淮安新材料产业园` → `新材料产业园`), and `经济开发区` as `开发区`."""
        aliases: set[str] = set()
        if parent is None:
            return aliases
        prefixes = {self.shorts.get(a, "") for a in self._chain(parent)}
        for prefix in sorted(prefixes, key=len, reverse=True):
            if len(prefix) >= 2 and name.startswith(prefix) and len(name) - len(prefix) >= 3:
                aliases.add(name[len(prefix) :])
                break
        if name in _GENERIC_ZONES or aliases & _GENERIC_ZONES:
            aliases.add("开发区")
        for form in list(aliases | {name}):
            aliases |= _zone_abbreviations(form)
        return aliases

    def _chain(self, code: str) -> Iterator[str]:
        """`code` and its ancestors, innermost first."""
        current: str | None = code
        while current is not None:
            yield current
            current = self.parents.get(current)


_ZONE_ENDINGS = (
    ("经济技术开发区", ("经开区",)),
    ("经济开发区", ("经开区",)),
    ("产业园", ("园", "园区", "产业园区")),
)


def _zone_abbreviations(name: str) -> set[str]:
    """How departments shorten a zone's name: `经济开发区` → `经开区`, `新材料产业园` → `新材料园`,
    `新材料园区`, `新材料产业园区` (a stem of at least two characters kept)."""
    for ending, shorts in _ZONE_ENDINGS:
        stem = name[: -len(ending)]
        if name.endswith(ending):
            return {stem + s for s in shorts if len(stem) >= 2 or s == "经开区"}
    return set()


def _rows(path: Path) -> Iterator[list[str]]:
    """The data rows of a shipped CSV (header skipped)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        yield from reader


@cache
def _reference() -> _Reference:
    """Load the shipped divisions once (columns as in the upstream CSVs)."""
    ref = _Reference()
    for code, name in _rows(REFERENCE_DIR / "provinces.csv"):
        ref.add(code + "0000", name, "province", None)
    for code, name, province in _rows(REFERENCE_DIR / "cities.csv"):
        ref.add(code + "00", name, "city", province + "0000")
    for code, name, city, _province in _rows(REFERENCE_DIR / "areas.csv"):
        if code in ref.names:  # 东莞市, 中山市, 儋州市: the city repeated as its own county
            continue
        ref.add(code, name, "county", city + "00")
    for code, name, area, _province, _city in _rows(REFERENCE_DIR / "streets.csv.gz"):
        ref.add(code, name, "township", area)
    for alias, code in FORMER_NAMES.items():
        ref.add_alias(code, alias)
    return ref


# --------------------------------------------------------------------------- code helpers


def _code6(code: object) -> str:
    """A code as the resolver keys it: 2/4 digits padded to 6, `000` village tails cut."""
    text = normalize_name(str(code)) if code is not None else ""
    if len(text) in (2, 4):
        return text.ljust(6, "0")
    if len(text) == 12 and text.endswith("000"):
        return text[:9]
    return text


def name_of(code: str) -> str | None:
    """Official name of a code (`320803` → 淮安区, `32` → 江苏省, `000000` → 全国); None if unknown."""
    c = _code6(code)
    return COUNTRY_NAME if c == COUNTRY_CODE else _reference().names.get(c)


def level_of(code: str) -> str | None:
    """'country', 'province', 'city', 'county' or 'township'; None if unknown."""
    c = _code6(code)
    return "country" if c == COUNTRY_CODE else _reference().levels.get(c)


def ancestors(code: str) -> tuple[str, ...]:
    """Codes of the places containing `code`, outermost first (`320803101` → 320000, 320800,
    320803). Placeholders such as 北京 `110100 市辖区` are included. Unknown code → ()."""
    ref = _reference()
    c = _code6(code)
    if c not in ref.names:
        return ()
    return tuple(reversed(list(ref._chain(c))[1:]))


def full_name(code: str) -> str | None:
    """The path name, placeholders left out: `320803101` → 江苏省淮安市淮安区平桥镇."""
    ref = _reference()
    c = _code6(code)
    if c == COUNTRY_CODE:
        return COUNTRY_NAME
    if c not in ref.names:
        return None
    parts = [ref.names[a] for a in (*ancestors(c), c)]
    return "".join(p for p in parts if p not in _PLACEHOLDERS)


def townships_of(district: str = DEFAULT_DISTRICT) -> dict[str, str]:
    """The 9-digit codes and names of a county's townships, in code order."""
    ref = _reference()
    c = _code6(district)
    return {t: ref.names[t] for t in sorted(ref.children.get(c, ())) if ref.levels[t] == "township"}


# --------------------------------------------------------------------------- resolver


@cache
def _default_resolver(district: str) -> RegionResolver:
    return RegionResolver(district)


class RegionResolver:
    """Resolves place names relative to one district (see module docstring for the rules)."""

    def __init__(self, district: str = DEFAULT_DISTRICT) -> None:
        self._ref = _reference()
        self.district = _code6(district)
        if self._ref.levels.get(self.district) != "county":
            raise ValueError(f"not a county-level code: {district!r}")
        self.city = self._ref.parents[self.district]
        self.province = self._ref.parents[self.city]

    @staticmethod
    def default(district: str = DEFAULT_DISTRICT) -> RegionResolver:
        """The shared resolver for `district` (built once per district)."""
        return _default_resolver(_code6(district))

    # Lookups that do not depend on the district, for convenience.
    name_of = staticmethod(name_of)
    level_of = staticmethod(level_of)
    ancestors = staticmethod(ancestors)
    full_name = staticmethod(full_name)
    townships_of = staticmethod(townships_of)

    def resolve(self, name: object) -> Resolution:
        """Resolve one place name (or a 2/4/6/9/12-digit code) to a `Resolution`."""
        raw = "" if name is None or (isinstance(name, float) and name != name) else str(name)
        query = _clean(raw)
        if not query:
            return Resolution(None, None, None, problem="地区名称为空 (empty region name)")
        if query in _COUNTRY_ALIASES or query == COUNTRY_CODE:
            return Resolution(COUNTRY_CODE, "country", COUNTRY_NAME)
        if query.isdigit():
            return self._by_code(raw.strip(), query)
        hits: tuple[str, ...] = ()
        for loose in (False, True):
            hits = self._find(query, None, loose=loose, depth=0)
            if hits:
                break
        if len(hits) == 1:
            code = hits[0]
            return Resolution(code, self._ref.levels[code], self._ref.names[code])
        if not hits:
            return Resolution(
                None,
                None,
                None,
                problem=f"未找到地区“{raw.strip()}”，请核对名称，或写明所属县区 (unknown region name “{raw.strip()}”)",
            )
        return self._ambiguous(raw.strip(), hits)

    def resolve_code(self, name: object) -> str | None:
        """Just the code (None when unknown or ambiguous)."""
        return self.resolve(name).code

    # -- internals

    def _by_code(self, raw: str, digits: str) -> Resolution:
        code = _code6(digits)
        if code in self._ref.names and len(digits) in (2, 4, 6, 9, 12):
            return Resolution(code, self._ref.levels[code], self._ref.names[code])
        return Resolution(
            None, None, None, problem=f"统计用区划代码“{raw}”不存在 (unknown division code “{raw}”)"
        )

    def _ambiguous(self, raw: str, hits: tuple[str, ...]) -> Resolution:
        candidates = tuple((c, full_name(c) or c) for c in hits)
        shown = "、".join(f"{path}（{code}）" for code, path in candidates[:5])
        if len(candidates) > 5:
            shown += f" 等{len(candidates)}处"
        townships = all(self._ref.levels[c] == "township" for c in hits)
        hint = "请写明所属县区" if townships else "请写明所属省市"
        gloss = "give its county or district" if townships else "give its province or city"
        codes = ", ".join(c for c, _ in candidates[:5]) + (", …" if len(candidates) > 5 else "")
        return Resolution(
            None,
            None,
            None,
            candidates=candidates,
            problem=(
                f"地区名称“{raw}”有多个匹配：{shown}，{hint} "
                f"(ambiguous region name “{raw}”: {len(candidates)} candidates {codes}; {gloss})"
            ),
        )

    def _scopes(self) -> Iterator[tuple[str | None, bool]]:
        """(root, strict-descendants-only) of each step, innermost first."""
        yield self.district, True
        yield self.city, False  # plus the provinces, see _in_scope
        yield self.province, False
        yield None, False

    def _within(self, code: str, root: str) -> bool:
        return root in self._ref._chain(code)

    def _in_scope(self, code: str, root: str | None, strict: bool) -> bool:
        if root is None:
            return True
        if strict:
            return code != root and self._within(code, root)
        if root == self.city and self._ref.levels[code] == "province":
            return True
        return self._within(code, root)

    def _direct(self, query: str, root: str | None, *, loose: bool) -> tuple[str, ...]:
        """Matches of `query` as a whole name inside `root`, at the first step that has any."""
        ref = self._ref
        if loose:  # suffixes ignored: compare short forms (`平桥乡` finds 平桥镇)
            key = short_form(query)
            tiers = [ref.exact.get(key, []) + ref.forms.get(key, [])]
        else:
            tiers = [ref.exact.get(query, []), ref.forms.get(query, [])]
        for scope, strict in self._scopes():
            for tier in tiers:
                hits = [
                    c
                    for c in tier
                    if self._in_scope(c, scope, strict) and (root is None or self._within(c, root))
                ]
                if hits:
                    return self._prefer(hits)
        return ()

    def _containers(self, prefix: str, root: str | None) -> list[str]:
        """Provinces, cities and counties written as `prefix` (official name or short form)."""
        ref = self._ref
        found = ref.exact.get(prefix, []) + ref.forms.get(prefix, [])
        return [
            c
            for c in dict.fromkeys(found)
            if ref.levels[c] != "township" and (root is None or (c != root and self._within(c, root)))
        ]

    def _find(self, query: str, root: str | None, *, loose: bool, depth: int) -> tuple[str, ...]:
        """Direct matches, else `<province/city/county><rest>` resolved inside the prefix."""
        hits = self._direct(query, root, loose=loose)
        if hits or depth >= 3:
            return hits
        found: list[str] = []
        for cut in range(2, len(query)):
            for container in self._containers(query[:cut], root):
                found.extend(self._find(query[cut:], container, loose=loose, depth=depth + 1))
        return self._prefer(found)

    def _prefer(self, hits: Iterable[str]) -> tuple[str, ...]:
        """One code when the matches allow it: the only match of the highest level, unless that
        level is township (`淮安` → 淮安市 over 淮安区, `海南` → 海南省 over 海南藏族自治州,
        `东莞` → 东莞市 over 东莞镇); else all of them (ambiguous)."""
        unique = tuple(dict.fromkeys(hits))
        if len(unique) <= 1:
            return unique
        ranks = {c: _RANK[self._ref.levels[c]] for c in unique}
        top = min(ranks.values())
        leaders = [c for c in unique if ranks[c] == top]
        if len(leaders) == 1 and top < _RANK["township"]:
            return (leaders[0],)
        return unique

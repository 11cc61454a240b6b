"""GB/T 4754-2017 国民经济行业分类 (incl. amendment No. 1, 2019): codes, names, industrial chains.

Departments write industry codes as `C3311`, `3311`, `3311.0`, or as numbers that lost their
leading zero (`113.0` for `0113`). `normalize_industry_code` turns them into the digits of the
code; `industry_problem` explains (Chinese, English gloss) what is wrong with one; `chain_of` maps
a code to one of the district's industrial chains (`CHAINS`) via the editable `chains.csv`.

Shipped (`etl/reference/data/industry/`): the 20 门类, 97 大类 and the 179 中类 of manufacturing
(门类 C). 小类 (4th digit) are not shipped, so they are not validated.
"""

from __future__ import annotations

import csv
import numbers
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from etl.base.names import normalize_name
from etl.base.paths import INDUSTRY_DIR

__all__ = [
    "CHAINS",
    "OTHER_CHAIN",
    "chain_of",
    "industry_problem",
    "name_of",
    "normalize_industry_code",
    "section_of",
]

REFERENCE_DIR = INDUSTRY_DIR
CHAINS = ("高端装备制造", "盐化工", "生物医药", "绿色食品", "电子信息", "其他")
OTHER_CHAIN = "其他"

_LETTERED = re.compile(r"^([A-T])(\d{2,4})$")
_DIGITS = re.compile(r"^\d{1,4}$")
_NUMBER_TEXT = re.compile(r"^(\d{1,4})\.0*$")  # a number turned into text: "3311.0", "113.0"


@dataclass(frozen=True)
class _Classification:
    sections: dict[str, str]  # letter → 门类 name
    divisions: dict[str, tuple[str, str]]  # 大类 (2 digits) → (letter, name)
    groups: dict[str, str]  # 中类 (3 digits) → name, manufacturing only
    chains: tuple[tuple[str, str], ...]  # (code prefix, chain), longest prefix first
    grouped: frozenset[str]  # 大类 whose 中类 are shipped (so a missing 中类 is an error)


@cache
def _classification() -> _Classification:
    """Load the shipped classification and chain mapping once."""
    sections: dict[str, str] = {}
    divisions: dict[str, tuple[str, str]] = {}
    groups: dict[str, str] = {}
    with open(REFERENCE_DIR / "gbt4754_2017.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            level, code = row["level"], row["code"]
            if level == "门类":
                sections[code] = row["name"]
            elif level == "大类":
                divisions[code] = (row["section"], row["name"])
            elif level == "中类":
                groups[code] = row["name"]
    chains = _load_chains(REFERENCE_DIR / "chains.csv")
    return _Classification(sections, divisions, groups, chains, frozenset(g[:2] for g in groups))


def _load_chains(path: Path) -> tuple[tuple[str, str], ...]:
    """The (prefix, chain) rows of `chains.csv`, checked, longest prefix first."""
    seen: dict[str, str] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != ["code_prefix", "chain", "note"]:
            raise ValueError(f"{path}: columns must be code_prefix,chain,note, got {reader.fieldnames}")
        for line, row in enumerate(reader, start=2):
            prefix, chain = (row["code_prefix"] or "").strip(), (row["chain"] or "").strip()
            if not re.fullmatch(r"\d{2,4}", prefix):
                raise ValueError(f"{path}:{line}: code_prefix must be 2–4 digits, got {prefix!r}")
            if chain not in CHAINS:
                raise ValueError(f"{path}:{line}: unknown chain {chain!r}; use one of {CHAINS}")
            if prefix in seen:
                raise ValueError(f"{path}:{line}: code_prefix {prefix} listed twice")
            seen[prefix] = chain
    return tuple(sorted(seen.items(), key=lambda item: -len(item[0])))


def _from_number(value: int) -> str | None:
    """Digits of a code stored as a number: 1 or 3 digits lost a leading zero (113 → 0113)."""
    if value < 0:
        return None
    digits = str(value)
    if len(digits) in (1, 3):
        digits = "0" + digits
    return digits if len(digits) in (2, 4) else None


def _parse(raw: object) -> tuple[str | None, str | None]:
    """(section letter as written or None, digits or None)."""
    if raw is None or isinstance(raw, bool):
        return None, None
    if isinstance(raw, numbers.Integral):
        return None, _from_number(int(raw))
    if isinstance(raw, numbers.Real):
        value = float(raw)
        if value != value or not value.is_integer():
            return None, None
        return None, _from_number(int(value))
    text = normalize_name(str(raw)).upper()
    if match := _LETTERED.match(text):
        return match.group(1), match.group(2)
    if match := _NUMBER_TEXT.match(text):
        return None, _from_number(int(match.group(1)))
    if _DIGITS.match(text):  # text keeps its digits (so normalising twice changes nothing)
        return None, "0" + text if len(text) == 1 else text
    return None, None


def normalize_industry_code(raw: object) -> str | None:
    """The digits of an industry code, without the section letter; None if it is not one.

    `C3311`, `3311`, `3311.0`, 3311 → `3311`; `0113` → `0113`. A code stored as a number lost
    its leading zero: 113, 113.0 and the text `113.0` → `0113` (3 digits: the 4-digit reading is
    preferred over a 中类). Text digits are kept as written (`331`, `C331` → `331`), so the result
    normalises to itself. Existence is not checked: see `industry_problem`.
    """
    return _parse(raw)[1]


def industry_problem(code: object) -> str | None:
    """None when `code` is a GB/T 4754-2017 code as far as shipped, else the reason (Chinese with
    an English gloss): malformed, unknown 大类, unknown 中类 (manufacturing), wrong 门类 letter."""
    shown = "" if code is None else str(code).strip()
    if not shown or (isinstance(code, float) and code != code):
        return "行业代码为空 (industry code is empty)"
    letter, digits = _parse(code)
    if digits is None:
        return (
            f"行业代码“{shown}”格式不对：应为2–4位数字，可带门类字母，如 C3311 "
            f"(malformed industry code “{shown}”: expected 2–4 digits, optionally after the section "
            "letter, e.g. C3311)"
        )
    ref = _classification()
    division = digits[:2]
    if division not in ref.divisions:
        return (
            f"行业代码“{shown}”的大类“{division}”在 GB/T 4754-2017 中不存在 "
            f"(industry code “{shown}”: division {division} does not exist in GB/T 4754-2017)"
        )
    section, _ = ref.divisions[division]
    if letter is not None and letter != section:
        return (
            f"行业代码“{shown}”的门类字母应为 {section}（{ref.sections[section]}），而不是 {letter} "
            f"(industry code “{shown}”: division {division} belongs to section {section}, not {letter})"
        )
    group = digits[:3]
    if len(digits) >= 3 and division in ref.grouped and group not in ref.groups:
        return (
            f"行业代码“{shown}”的中类“{group}”在 GB/T 4754-2017 中不存在 "
            f"(industry code “{shown}”: group {group} does not exist in GB/T 4754-2017)"
        )
    return None


def section_of(code: object) -> str | None:
    """The 门类 letter (`3311` → `C`), or None when the 大类 does not exist."""
    letter, digits = _parse(code)
    if digits is None:
        return None
    entry = _classification().divisions.get(digits[:2])
    return entry[0] if entry else None


def name_of(code: object) -> str | None:
    """Name of the most specific level shipped: 门类 for a letter (`C` → 制造业), else the 中类
    if shipped (`3311` → 结构性金属制品制造), else the 大类 (`5212` → 零售业). None if invalid."""
    ref = _classification()
    if isinstance(code, str) and normalize_name(code).upper() in ref.sections:
        return ref.sections[normalize_name(code).upper()]
    if industry_problem(code) is not None:
        return None
    digits = normalize_industry_code(code) or ""
    if len(digits) >= 3 and digits[:3] in ref.groups:
        return ref.groups[digits[:3]]
    return ref.divisions[digits[:2]][1]


def chain_of(code: object) -> str:
    """The district's industrial chain of a code (longest `chains.csv` prefix), else `其他`."""
    digits = normalize_industry_code(code)
    if digits is None:
        return OTHER_CHAIN
    for prefix, chain in _classification().chains:
        if digits.startswith(prefix):
            return chain
    return OTHER_CHAIN

"""统一社会信用代码 (GB 32100-2015) and its embedded 组织机构代码 (GB 11714).

Pure functions, no I/O. `credit_code_problem` explains what is wrong with a code in words a clerk
can act on; `make_credit_code` builds valid codes (the sample data uses it).
"""

from __future__ import annotations

import re

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(CREDIT_ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_FLOATISH = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$|^\d{15,18}\.0+$")


def credit_check_char(first17: str) -> str:
    """The 18th character for the first 17 (GB 32100-2015 §4.2)."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def org_check_char(first8: str) -> str:
    """The 9th character of an 组织机构代码 for its first 8 (GB 11714)."""
    total = sum(_ORG_ALPHABET.index(c) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def looks_excel_mangled(raw: object) -> bool:
    """True when a credit code was turned into a number by Excel (`9.13208E+17`, a float)."""
    if isinstance(raw, float):
        return True
    return bool(_FLOATISH.match(str(raw).strip()))


def credit_code_problem(code: object) -> str | None:
    """None when `code` is a valid 统一社会信用代码, else a short Chinese reason."""
    if code is None or (isinstance(code, float) and code != code) or str(code).strip() in {"", "<NA>", "nan"}:
        return "信用代码为空"
    problem = _text_problem(str(code).strip().upper())
    # a valid code is never a mangled one, though `0E0000010000000003` also reads as a float
    if problem and looks_excel_mangled(code):
        return "信用代码被 Excel 转成了数字（科学计数法或小数），请将该列设为文本后重新填报"
    return problem


def _text_problem(s: str) -> str | None:
    """What is wrong with a code's text (trimmed, upper case), else None."""
    if len(s) != 18:
        return f"信用代码应为18位，实际{len(s)}位"
    bad = [c for c in s if c not in _VALUE]
    if bad:
        return f"信用代码含非法字符“{''.join(bad)}”（不得使用 I、O、Z、S、V）"
    if credit_check_char(s[:17]) != s[17]:
        return f"信用代码校验位错误：第18位应为 {credit_check_char(s[:17])}，实际为 {s[17]}"
    org = s[8:17]
    if org_check_char(org[:8]) != org[8]:
        return f"信用代码第9–17位（组织机构代码）校验位错误：应为 {org_check_char(org[:8])}"
    return None


def is_valid_credit_code(code: object) -> bool:
    return credit_code_problem(code) is None


def make_credit_code(region6: str, org8: str, kind: str = "91") -> str:
    """A valid code: registration authority + type `kind`, region, organisation code, checks."""
    org = org8 + org_check_char(org8)
    first17 = kind + region6 + org
    return first17 + credit_check_char(first17)

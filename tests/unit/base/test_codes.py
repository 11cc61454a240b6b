"""统一社会信用代码 checks in etl/base/codes.py."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from etl.base.codes import (
    CREDIT_ALPHABET,
    credit_check_char,
    credit_code_problem,
    is_valid_credit_code,
    looks_excel_mangled,
    make_credit_code,
    org_check_char,
)

EXCEL_MESSAGE = "信用代码被 Excel 转成了数字（科学计数法或小数），请将该列设为文本后重新填报"
REAL_CODES = ("914403001922038216", "91110108551385082Q")

regions6 = st.text(alphabet="0123456789", min_size=6, max_size=6)
orgs8 = st.text(alphabet=CREDIT_ALPHABET, min_size=8, max_size=8)
kinds = st.text(alphabet=CREDIT_ALPHABET, min_size=2, max_size=2)


@st.composite
def valid_codes(draw: st.DrawFn) -> str:
    return make_credit_code(draw(regions6), draw(orgs8), draw(kinds))


# --------------------------------------------------------------------------- properties


@given(regions6, orgs8, kinds)
def test_make_credit_code_is_always_valid(region: str, org: str, kind: str) -> None:
    code = make_credit_code(region, org, kind)
    assert len(code) == 18 and code.startswith(kind + region + org)
    assert credit_code_problem(code) is None


@given(valid_codes(), st.integers(min_value=0, max_value=17), st.characters())
def test_any_single_substitution_is_detected(code: str, position: int, char: str) -> None:
    """Weights are 3^i mod 31 (never 0) and 31 is prime, so changing one character always changes
    the weighted sum mod 31. The only exception is a case change: the validator upper-cases, so
    `…082q` is the same code as `…082Q`. Whitespace at either end is stripped (length changes)."""
    assume(char != code[position])
    changed = code[:position] + char + code[position + 1 :]
    if char.upper() == code[position]:
        assert is_valid_credit_code(changed)
    else:
        assert not is_valid_credit_code(changed), changed


@given(valid_codes(), st.integers(min_value=0, max_value=15))
def test_adjacent_transpositions_in_the_first_17_are_detected(code: str, i: int) -> None:
    """Swapping positions i, i+1 changes the sum by (a-b)(w_i - w_i+1) = -2(a-b)·3^i ≠ 0 mod 31."""
    assume(code[i] != code[i + 1])
    swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
    assert not is_valid_credit_code(swapped)


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=8, max_size=8))
def test_org_check_char_completes_the_weighted_sum(org: str) -> None:
    check = org_check_char(org)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    total = sum(alphabet.index(c) * w for c, w in zip(org, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    assert check in "0123456789X"
    assert (total + (10 if check == "X" else int(check))) % 11 == 0


@given(st.text(max_size=30))
def test_problem_is_none_exactly_when_valid(text: str) -> None:
    problem = credit_code_problem(text)
    assert (problem is None) == is_valid_credit_code(text)
    assert problem is None or problem.startswith("信用代码")


# --------------------------------------------------------------------------- known codes


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code: str) -> None:
    assert credit_code_problem(code) is None
    assert credit_check_char(code[:17]) == code[17]
    assert org_check_char(code[8:16]) == code[16]


def test_lowercase_and_surrounding_spaces_are_accepted() -> None:
    assert is_valid_credit_code("91110108551385082q")
    assert is_valid_credit_code("  91110108551385082Q\t")


# --------------------------------------------------------------------------- Excel


@pytest.mark.parametrize(
    "raw",
    [
        "9.13208E+17",
        "9.13208e17",
        913208001234567000.0,
        9.13208e17,
        "913208001234567890.0",
        "91320800123456789.00",
    ],
)
def test_excel_mangled_codes_are_rejected_with_the_excel_message(raw: object) -> None:
    assert looks_excel_mangled(raw)
    assert credit_code_problem(raw) == EXCEL_MESSAGE


def test_numpy_float_is_excel_mangled() -> None:
    np = pytest.importorskip("numpy")
    assert credit_code_problem(np.float64(913208001234567000.0)) == EXCEL_MESSAGE


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_do_not_look_mangled(code: str) -> None:
    assert not looks_excel_mangled(code)


# --------------------------------------------------------------------------- messages


def test_messages() -> None:
    assert credit_code_problem(None) == "信用代码为空"
    assert credit_code_problem(float("nan")) == "信用代码为空"
    assert credit_code_problem("9111010855138508") == "信用代码应为18位，实际16位"
    assert "非法字符“I”" in (credit_code_problem("91110108551385082I") or "")
    assert "不得使用 I、O、Z、S、V" in (credit_code_problem("9111010855138508OQ") or "")
    wrong = credit_code_problem("91110108551385082A")
    assert wrong == "信用代码校验位错误：第18位应为 Q，实际为 A"


def test_wrong_org_check_with_right_main_check() -> None:
    org = "55138508"
    bad_ninth = "3" if org_check_char(org) != "3" else "4"
    first17 = "91110108" + org + bad_ninth
    code = first17 + credit_check_char(first17)
    assert (
        credit_code_problem(code) == f"信用代码第9–17位（组织机构代码）校验位错误：应为 {org_check_char(org)}"
    )

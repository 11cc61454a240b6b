"""GB/T 4754-2017 codes and the district's industrial chains."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.base.paths import INDUSTRY_DIR
from etl.reference import industry
from etl.reference.industry import (
    CHAINS,
    chain_of,
    industry_problem,
    name_of,
    normalize_industry_code,
    section_of,
)

REFERENCE = INDUSTRY_DIR


def _rows() -> list[dict[str, str]]:
    with open(REFERENCE / "gbt4754_2017.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --------------------------------------------------------------------------- the shipped table


def test_all_sections_and_divisions_are_shipped() -> None:
    rows = _rows()
    sections = {r["code"]: r["name"] for r in rows if r["level"] == "门类"}
    divisions = {r["code"]: r for r in rows if r["level"] == "大类"}
    assert list(sections) == [chr(c) for c in range(ord("A"), ord("T") + 1)]
    assert list(divisions) == [f"{n:02d}" for n in range(1, 98)]
    assert all(d["section"] in sections and d["name"] for d in divisions.values())
    # section boundaries
    first = {}
    for code, d in divisions.items():
        first.setdefault(d["section"], code)
    assert first == {
        "A": "01", "B": "06", "C": "13", "D": "44", "E": "47", "F": "51", "G": "53",
        "H": "61", "I": "63", "J": "66", "K": "70", "L": "71", "M": "73", "N": "76",
        "O": "80", "P": "83", "Q": "84", "R": "86", "S": "91", "T": "97",
    }  # fmt: skip


def test_manufacturing_groups() -> None:
    groups = [r for r in _rows() if r["level"] == "中类"]
    assert len(groups) == 179  # manufacturing: 31 大类, 179 中类
    assert all(r["section"] == "C" and 13 <= int(r["code"][:2]) <= 43 for r in groups)
    assert len({r["code"] for r in groups}) == len(groups)
    assert {r["code"][:2] for r in groups} == {str(n) for n in range(13, 44)}


# --------------------------------------------------------------------------- normalising


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("C3311", "3311"),
        ("c3311", "3311"),
        ("3311", "3311"),
        ("3311.0", "3311"),
        (3311, "3311"),
        (3311.0, "3311"),
        (113.0, "0113"),  # a number lost its leading zero
        (113, "0113"),
        ("113.0", "0113"),
        ("0113", "0113"),
        ("331", "331"),  # text keeps its digits: a 中类
        ("013", "013"),
        ("C331", "331"),
        ("5", "05"),
        ("C33", "33"),
        (33, "33"),
        (5, "05"),
        (" Ｃ３３１１ ", "3311"),
        ("C 3311", "3311"),
        (None, None),
        ("", None),
        (float("nan"), None),
        (33.5, None),
        ("33111", None),
        ("3311A", None),
        ("X3311", None),
        (True, None),
    ],
)
def test_normalize_industry_code(raw: object, expected: str | None) -> None:
    assert normalize_industry_code(raw) == expected


def test_numpy_scalars() -> None:
    np = pytest.importorskip("numpy")
    assert normalize_industry_code(np.float64(113.0)) == "0113"
    assert normalize_industry_code(np.int64(3311)) == "3311"


@given(
    st.one_of(
        st.integers(min_value=-10, max_value=100_000),
        st.floats(allow_nan=True),
        st.text(alphabet="ABCTXc0123456789. ", max_size=7),
    )
)
def test_normalizing_twice_changes_nothing(raw: object) -> None:
    """Extraction stores the normalised digits; validation and chain mapping read them again."""
    once = normalize_industry_code(raw)
    assert once is None or normalize_industry_code(once) == once
    if once is not None:
        assert chain_of(once) == chain_of(raw)
        if industry_problem(raw) is None:  # (the reverse fails only for a wrong letter: A3311)
            assert industry_problem(once) is None


@given(st.integers(min_value=100, max_value=9999))
def test_numbers_give_four_digits(n: int) -> None:
    digits = normalize_industry_code(n)
    assert digits == f"{n:04d}" == normalize_industry_code(float(n)) == normalize_industry_code(f"{n}.0")


# --------------------------------------------------------------------------- validating


@pytest.mark.parametrize("raw", ["C3311", "3311", 113.0, "0113", "05", "97", "9700", "1494", "4120", "C331"])
def test_valid_codes(raw: object) -> None:
    assert industry_problem(raw) is None


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("99", "大类“99”在 GB/T 4754-2017 中不存在"),
        ("9911", "大类“99”"),
        (99.0, "大类“99”"),
        ("00", "大类“00”"),
        ("98", "大类“98”"),
        ("1380", "中类“138”"),  # 13 has 131–137 and 139
        ("C340", "中类“340”"),
        ("A3311", "门类字母应为 C"),
        ("abc", "格式不对"),
        ("", "行业代码为空"),
        (None, "行业代码为空"),
    ],
)
def test_problems(raw: object, fragment: str) -> None:
    problem = industry_problem(raw)
    assert problem is not None and fragment in problem
    assert "(" in problem and problem.endswith(")")  # English gloss


def test_groups_outside_manufacturing_are_not_checked() -> None:
    # only manufacturing 中类 are shipped: 5299 passes on its 大类 alone
    assert industry_problem("5299") is None


def test_section_and_name() -> None:
    assert section_of("3311") == section_of("C3311") == "C"
    assert section_of(113.0) == "A"
    assert section_of("9911") is None
    assert name_of("C") == "制造业"
    assert name_of("33") == "金属制品业"
    assert name_of("3311") == "结构性金属制品制造"  # 小类 not shipped: its 中类
    assert name_of("5212") == "零售业"
    assert name_of("9911") is None


# --------------------------------------------------------------------------- chains


@pytest.mark.parametrize(
    ("raw", "chain"),
    [
        ("3411", "高端装备制造"),
        ("C3511", "高端装备制造"),
        (3670, "高端装备制造"),
        ("3731", "高端装备制造"),
        ("3825", "高端装备制造"),
        ("2612", "盐化工"),
        ("2613", "盐化工"),
        ("C26", "盐化工"),
        ("1030", "盐化工"),  # 采盐
        ("1494", "盐化工"),  # 盐加工: longer prefix than 14 绿色食品
        ("2710", "生物医药"),
        ("2762", "生物医药"),
        ("1310", "绿色食品"),
        ("1499", "绿色食品"),
        ("1512", "绿色食品"),
        ("3973", "电子信息"),
        ("3311", "其他"),  # 金属制品: not equipment
        ("4011", "其他"),
        ("5212", "其他"),
        (113.0, "其他"),
        ("garbage", "其他"),
        (None, "其他"),
    ],
)
def test_chain_of(raw: object, chain: str) -> None:
    assert chain_of(raw) == chain


def test_chain_names() -> None:
    assert CHAINS == ("高端装备制造", "盐化工", "生物医药", "绿色食品", "电子信息", "其他")


@given(st.integers(min_value=0, max_value=9999))
def test_chain_is_always_one_of_the_chains(n: int) -> None:
    assert chain_of(f"{n:04d}") in CHAINS


def test_chains_csv_is_checked(tmp_path: Path) -> None:
    good = tmp_path / "ok.csv"
    good.write_text("code_prefix,chain,note\n26,盐化工,\n2612,盐化工,x\n", encoding="utf-8")
    assert industry._load_chains(good) == (("2612", "盐化工"), ("26", "盐化工"))
    for body in (
        "code_prefix,chain,note\n26,化工,\n",  # unknown chain
        "code_prefix,chain,note\n26,盐化工,\n26,生物医药,\n",  # duplicate
        "code_prefix,chain,note\nC26,盐化工,\n",  # not digits
        "prefix,chain\n26,盐化工\n",  # wrong columns
    ):
        bad = tmp_path / "bad.csv"
        bad.write_text(body, encoding="utf-8")
        with pytest.raises(ValueError):
            industry._load_chains(bad)


def test_shipped_chains_use_known_chains_and_divisions() -> None:
    for prefix, chain in industry._classification().chains:
        assert chain in CHAINS
        letter = section_of(prefix[:2])
        assert letter is not None and industry_problem(letter + prefix) is None, prefix

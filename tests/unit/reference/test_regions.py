"""Region resolution against the shipped 2023 统计用区划代码."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.reference import regions
from etl.reference.regions import (
    RegionResolver,
    Resolution,
    ancestors,
    full_name,
    level_of,
    name_of,
    normalize_name,
    short_form,
    townships_of,
)

R = RegionResolver.default()
TOWNSHIPS = townships_of("320803")

# Province names exactly as NBS tables print them.
NBS_PROVINCES = {
    "北京市": "110000",
    "天津市": "120000",
    "河北省": "130000",
    "山西省": "140000",
    "内蒙古自治区": "150000",
    "辽宁省": "210000",
    "吉林省": "220000",
    "黑龙江省": "230000",
    "上海市": "310000",
    "江苏省": "320000",
    "浙江省": "330000",
    "安徽省": "340000",
    "福建省": "350000",
    "江西省": "360000",
    "山东省": "370000",
    "河南省": "410000",
    "湖北省": "420000",
    "湖南省": "430000",
    "广东省": "440000",
    "广西壮族自治区": "450000",
    "海南省": "460000",
    "重庆市": "500000",
    "四川省": "510000",
    "贵州省": "520000",
    "云南省": "530000",
    "西藏自治区": "540000",
    "陕西省": "610000",
    "甘肃省": "620000",
    "青海省": "630000",
    "宁夏回族自治区": "640000",
    "新疆维吾尔自治区": "650000",
}


def code(name: object, resolver: RegionResolver = R) -> str | None:
    return resolver.resolve(name).code


# --------------------------------------------------------------------------- loading


def test_resolver_is_cached() -> None:
    # how long building takes is for a benchmark to print, not for a test to time
    assert RegionResolver.default() is RegionResolver.default("320803")
    regions._reference.cache_clear()
    assert RegionResolver("320803").resolve("平桥").code == "320803101"


def test_district_townships_include_functional_zones() -> None:
    assert len(TOWNSHIPS) == 19
    assert TOWNSHIPS["320803001"] == "淮城街道"
    assert TOWNSHIPS["320803101"] == "平桥镇"
    assert {TOWNSHIPS[c] for c in ("320803400", "320803401", "320803402")} == {
        "白马湖农场",
        "经济开发区",
        "淮安新材料产业园",
    }
    assert list(TOWNSHIPS) == sorted(TOWNSHIPS)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("经开区", "320803401"),
        ("淮安区经开区", "320803401"),
        ("淮安区经济开发区", "320803401"),
        ("新材料园", "320803402"),
        ("新材料园区", "320803402"),
        ("新材料产业园区", "320803402"),
        ("淮安新材料园", "320803402"),
        ("淮安经开区", "320871"),  # the city's 淮安经济技术开发区, not ours
    ],
)
def test_zones_by_the_short_forms_departments_write(written: str, expected: str) -> None:
    assert code(written) == expected


def test_an_unknown_park_stays_a_problem_naming_it() -> None:
    res = R.resolve("盐化新材料园")
    assert res.code is None and "盐化新材料园" in (res.problem or "")


def test_codes_are_six_digits_above_townships() -> None:
    assert name_of("320000") == name_of("32") == "江苏省"
    assert name_of("320800") == name_of("3208") == "淮安市"
    assert name_of("320803") == "淮安区"
    assert name_of("000000") == "全国"
    assert name_of("999999") is None
    assert level_of("320000") == "province"
    assert level_of("320800") == "city"
    assert level_of("320803") == "county"
    assert level_of("320803101") == "township"
    assert ancestors("320803101") == ("320000", "320800", "320803")
    assert ancestors("320000") == ()
    assert ancestors("nonsense") == ()
    assert full_name("320803101") == "江苏省淮安市淮安区平桥镇"
    # placeholders (市辖区) stay in the hierarchy but not in path names
    assert ancestors("110105") == ("110000", "110100")
    assert full_name("110105") == "北京市朝阳区"


def test_cities_without_districts_are_one_place() -> None:
    # areas.csv repeats 东莞市 as its own county 441900: one city, its towns directly below
    assert level_of("441900") == "city"
    assert code("东莞") == "441900"
    some_town = next(iter(townships_of("441900")))
    assert ancestors(some_town) == ("440000", "441900")


# --------------------------------------------------------------------------- the district first


@pytest.mark.parametrize("township", sorted(TOWNSHIPS))
def test_every_township_resolves_by_official_and_short_name(township: str) -> None:
    name = TOWNSHIPS[township]
    for written in (name, short_form(name), township):
        res = R.resolve(written)
        assert (res.code, res.level, res.name, res.problem) == (township, "township", name, None), written


@given(
    township=st.sampled_from(sorted(TOWNSHIPS)),
    short=st.booleans(),
    spaces=st.lists(st.sampled_from([" ", "\u3000", "\t"]), max_size=3),
    cut=st.integers(min_value=0, max_value=10),
    office=st.sampled_from(["", "办事处", "管委会"]),
)
def test_township_names_survive_spacing_and_office_words(
    township: str, short: bool, spaces: list[str], cut: int, office: str
) -> None:
    name = TOWNSHIPS[township]
    written = short_form(name) if short else name
    written = written[:cut] + "".join(spaces) + written[cut:] + office
    assert code(written) == township


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("平桥", "320803101"),  # 平桥 also exists in Henan, Zhejiang, Anhui, Chongqing …
        ("复兴", "320803112"),  # … and 复兴 in 20+ places
        ("顺河", "320803115"),  # … and 顺河 in 徐州, 宿迁, Anhui, Henan
        ("淮城", "320803001"),
        ("淮城街道", "320803001"),
        ("淮城街道办事处", "320803001"),
        ("开发区", "320803401"),
        ("经济开发区", "320803401"),
        ("淮安区经济开发区", "320803401"),
        ("经济开发区管委会", "320803401"),
        ("新材料产业园", "320803402"),
        ("淮安区平桥镇", "320803101"),
        ("淮安市淮安区平桥镇", "320803101"),
        ("江苏省淮安市淮安区平桥镇", "320803101"),
        ("淮安平桥", "320803101"),
        (" 平　桥 ", "320803101"),
    ],
)
def test_district_names(written: str, expected: str) -> None:
    assert code(written) == expected


def test_district_first_even_when_the_name_exists_elsewhere() -> None:
    elsewhere = R.resolve("浙江省天台县平桥镇")
    assert elsewhere.code is not None and elsewhere.code != "320803101"
    assert code("平桥镇") == "320803101"
    assert code("宿豫顺河") == "321311001"  # a county prefix restricts the search


# --------------------------------------------------------------------------- city, province, country


@pytest.mark.parametrize(
    ("written", "expected", "level"),
    [
        ("淮安", "320800", "city"),  # the city, not 淮安区
        ("淮安市", "320800", "city"),
        ("淮安区", "320803", "county"),
        ("淮安市淮安区", "320803", "county"),
        ("清江浦", "320812", "county"),
        ("清江浦区", "320812", "county"),
        ("楚州区", "320803", "county"),  # former name
        ("江苏", "320000", "province"),
        ("江苏省", "320000", "province"),
        ("江苏淮安", "320800", "city"),
        ("北京", "110000", "province"),
        ("内蒙古", "150000", "province"),
        ("广西", "450000", "province"),
        ("宁夏", "640000", "province"),
        ("新疆", "650000", "province"),
        ("西藏", "540000", "province"),
        ("海南", "460000", "province"),  # not 海南藏族自治州 nor 兴化市海南镇
        ("北　　京", "110000", "province"),  # NBS pads two-character names
        ("全国", "000000", "country"),
    ],
)
def test_places_above_the_district(written: str, expected: str, level: str) -> None:
    res = R.resolve(written)
    assert (res.code, res.level, res.problem) == (expected, level, None)


@pytest.mark.parametrize(("written", "expected"), sorted(NBS_PROVINCES.items()))
def test_all_provinces_as_nbs_writes_them(written: str, expected: str) -> None:
    res = R.resolve(written)
    assert (res.code, res.level, res.name) == (expected, "province", written)


def test_a_suffix_is_respected() -> None:
    assert code("平桥区") == "411503"  # Henan's district, not our 平桥镇
    assert code("施河乡") == "320803106"  # no 施河乡 anywhere: suffix ignored as a last resort


def test_codes_as_input() -> None:
    assert R.resolve("320803101").name == "平桥镇"
    assert R.resolve("320803101000").code == "320803101"
    assert R.resolve("32").code == "320000"
    assert R.resolve(320803.0).code == R.resolve("320803101.0").code[:6] == "320803"  # Excel numbers
    bad = R.resolve("999999")
    assert bad.code is None and "999999" in (bad.problem or "")


def test_other_district() -> None:
    qjp = RegionResolver.default("320812")
    assert code("平桥", qjp) == "320803101"  # found at city level
    with pytest.raises(ValueError):
        RegionResolver("320800")


# --------------------------------------------------------------------------- problems


def test_name_only_in_other_counties_is_ambiguous() -> None:
    res = R.resolve("望京")
    assert res.code is None and res.level is None
    assert res.candidates == (
        ("110105026", "北京市朝阳区望京街道"),
        ("511923120", "四川省巴中市平昌县望京镇"),
    )
    assert res.problem is not None
    assert res.problem.startswith("地区名称“望京”有多个匹配：北京市朝阳区望京街道（110105026）")
    assert "请写明所属县区" in res.problem and "(ambiguous region name" in res.problem
    # qualifying it settles it
    assert code("朝阳区望京") == "110105026"
    assert code("四川望京") == "511923120"
    assert code("望京街道") == "110105026"


def test_ambiguous_counties_ask_for_the_province() -> None:
    res = R.resolve("朝阳区")
    assert {c for c, _ in res.candidates} == {"110105", "220104"}
    assert "请写明所属省市" in (res.problem or "")
    assert code("北京市朝阳区") == "110105"


def test_many_candidates_are_all_returned_but_the_message_is_short() -> None:
    res = R.resolve("城关镇")
    assert res.code is None and len(res.candidates) > 50
    assert "等" in (res.problem or "") and len(res.problem or "") < 400


@pytest.mark.parametrize("written", ["火星基地", "（平桥）x", "淮安区火星镇"])
def test_unknown(written: str) -> None:
    res = R.resolve(written)
    assert res.code is None and res.candidates == ()
    assert (res.problem or "").startswith("未找到地区") and "unknown region name" in (res.problem or "")


@pytest.mark.parametrize("written", ["", "   ", "\u3000", None, float("nan")])
def test_empty(written: object) -> None:
    res = R.resolve(written)
    assert res.code is None and res.problem == "地区名称为空 (empty region name)"


def test_resolution_is_frozen() -> None:
    res = R.resolve("平桥")
    assert isinstance(res, Resolution) and res.ok
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.code = "x"  # type: ignore[misc]


@given(st.text(max_size=12))
def test_resolve_never_raises(text: str) -> None:
    res = R.resolve(text)
    assert (res.code is None) == (res.problem is not None)


# --------------------------------------------------------------------------- names


def test_short_forms() -> None:
    assert short_form("广西壮族自治区") == "广西"
    assert short_form("新疆维吾尔自治区") == "新疆"
    assert short_form("内蒙古自治区") == "内蒙古"
    assert short_form("恩施土家族苗族自治州") == "恩施"
    assert short_form("淮城街道办事处") == "淮城"
    assert short_form("沛县") == "沛"
    assert short_form("城区") == "城区"


def test_normalize_name() -> None:
    assert normalize_name("淮安市　华宇（集团） 有限公司") == "淮安市华宇(集团)有限公司"
    assert normalize_name("ＡＢＣ\u200b科技\t有限公司\n") == "ABC科技有限公司"
    assert normalize_name(None) == "" and normalize_name(float("nan")) == ""


@given(st.text())
def test_normalize_name_is_idempotent_and_spaceless(text: str) -> None:
    key = normalize_name(text)
    assert normalize_name(key) == key
    assert not any(ch.isspace() for ch in key)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("石塘镇①", "320803122"),
        ("淮城街道²", "320803001"),
        ("石塘镇 ❶", "320803122"),
        ("石塘镇*", "320803122"),
    ],
)
def test_a_place_marked_for_a_footnote_is_the_place(written: str, expected: str) -> None:
    """NFKC makes `①` a digit: `石塘镇①` had been the unknown `石塘镇1`, its row refused."""
    assert code(written) == expected

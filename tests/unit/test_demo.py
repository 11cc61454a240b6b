"""The sample departmental spreadsheets (`etl.demo`): deterministic, valid, and telling their story."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from etl import demo
from etl.base.codes import is_valid_credit_code
from tests.conftest import REPO

STREETS_CSV = REPO.parent / "shared" / "reference" / "streets.csv"


def _rows(path: Path) -> list[list[object]]:
    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_index(0).to_python(skip_empty_area=False)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "inbox"
    paths = demo.write_demo(root)
    assert paths == sorted(paths) and all(p.is_file() for p in paths)
    return root


@pytest.fixture(scope="module")
def rosters(inbox) -> dict[tuple[int, int], list[list[object]]]:
    return {
        (y, m): _rows(inbox / "enterprises" / demo.roster_file_name(y, m)) for y, m in demo.ROSTER_PERIODS
    }


def _data_rows(rows: list[list[object]]) -> list[list[object]]:
    """Roster rows 6… up to the blank row before the notes."""
    out = []
    for r in rows[5:]:
        if all(v == "" for v in r):
            break
        out.append(r)
    return out


def _flag(v: object) -> bool:
    return v in ("是", "√")


def test_file_counts(inbox):
    for source, n in demo.FILE_COUNTS.items():
        assert len(list((inbox / source).iterdir())) == n, source
    names = sorted(p.name for p in (inbox / "enterprises").iterdir())
    assert len(names) == 23
    assert "规上工业企业主要指标_2023年1-12月.xlsx" in names
    assert "规上工业企业主要指标_2024年1-2月.xlsx" in names
    assert "规上工业企业主要指标_2024年1-6月.xlsx" in names
    assert not any("年1-1月" in n for n in names)


def test_same_output_every_run(inbox, tmp_path):
    other = tmp_path / "inbox"
    paths = demo.write_demo(other)
    rel_a = sorted(p.relative_to(inbox) for p in inbox.rglob("*") if p.is_file())
    rel_b = sorted(p.relative_to(other) for p in paths)
    assert rel_a == rel_b
    for rel in rel_a:
        a, b = inbox / rel, other / rel
        if rel.suffix == ".xlsx":
            assert _rows(a) == _rows(b), rel
        assert a.read_bytes() == b.read_bytes(), rel


def test_townships_are_the_official_list():
    assert len(demo.DEMO_TOWNSHIPS) == 19
    assert all(code.startswith("320803") and len(code) == 9 for code, _ in demo.DEMO_TOWNSHIPS)
    if not STREETS_CSV.exists():
        pytest.skip("shared reference data not present")
    official = [
        tuple(line.split(",")[:2])
        for line in STREETS_CSV.read_text(encoding="utf-8").splitlines()
        if line.startswith("320803")
    ]
    assert [(c, n.strip('"')) for c, n in official] == list(demo.DEMO_TOWNSHIPS)


def test_roster_layout(rosters):
    for (y, m), rows in rosters.items():
        assert rows[0][0] == f"淮安区工业企业主要经济指标（{y}年1-{m}月）"
        assert rows[1][0] == "填报单位：淮安区工业和信息化局" and rows[1][16] == "单位：万元"
        assert rows[2][:7] == [
            "序号",
            "统一社会信用代码",
            "企业名称",
            "所在镇（街道）",
            "行业代码",
            "所属产业链",
            "工业总产值（万元）",
        ]
        assert rows[2][8] == "营业收入（万元）" and rows[2][10:] == [
            "从业人员（人）", "是否规上", "专精特新", "高新技术企业", "上市企业", "50强", "入库类型"
        ]  # fmt: skip
        assert rows[3][6:10] == ["本月", "本年累计", "本月", "本年累计"]
        assert rows[4][2 if y == 2025 else 0] == "合计"
        data = _data_rows(rows)
        assert 300 <= len(data) <= 600
        tail = rows[5 + len(data) :]
        assert [r[0] for r in tail[:4]] == [
            "", "注：1. 本表统计范围为辖区内工业企业。", "\u30002. 工业总产值为当年价格。", "数据来源：淮安区统计局"
        ]  # fmt: skip
        codes = {r[4] for r in data}
        assert all(isinstance(c, str) and re.fullmatch(r"\d{4}", c) for c in codes)
        assert {r[5] for r in data} <= set(demo.CHAINS)


def test_roster_sheet_names(inbox):
    for y, m in demo.ROSTER_PERIODS:
        wb = CalamineWorkbook.from_path(str(inbox / "enterprises" / demo.roster_file_name(y, m)))
        assert wb.sheet_names == [demo.ROSTER_SHEET_NAMES.get((y, m), "Sheet1")]
    assert len(demo.ROSTER_SHEET_NAMES) >= 2


def test_roster_total_row_is_the_sum_of_the_data(rosters):
    for period, rows in rosters.items():
        data = _data_rows(rows)
        for col in range(6, 10):
            assert rows[4][col] == round(sum(r[col] for r in data), 2), (period, col)
        assert rows[4][10] == sum(r[10] for r in data), period


def test_credit_codes_valid_and_stable(rosters):
    name_of: dict[str, str] = {}
    code_of: dict[str, str] = {}
    for rows in rosters.values():
        for r in _data_rows(rows):
            code, name = r[1], r[2]
            assert is_valid_credit_code(code), code
            assert name_of.setdefault(code, name) == name
            assert code_of.setdefault(name, code) == code
    regions = {code[2:8] for code in name_of}
    assert {"320803", "320800", "320891"} <= regions


def test_year_to_date_is_the_sum_of_the_months(rosters):
    for year in (2024, 2025):
        periods = [(y, m) for y, m in demo.ROSTER_PERIODS if y == year]
        monthly: dict[str, list[float]] = defaultdict(list)
        for p in periods:
            for r in _data_rows(rosters[p]):
                monthly[r[1]].append(r[6])
                if p[1] == 2:
                    assert r[6] == r[7] and r[8] == r[9]  # 1–2月: 本月 is the year to date
        dec = {r[1]: r for r in _data_rows(rosters[(year, 12)])}
        full_year = [c for c, v in monthly.items() if len(v) == len(periods)]
        assert len(full_year) > 400
        for code in full_year:
            assert round(sum(monthly[code]), 2) == pytest.approx(dec[code][7], abs=0.005), code


def test_chain_story(rosters):
    for year in (2023, 2024, 2025):
        by_chain: dict[str, float] = defaultdict(float)
        for r in _data_rows(rosters[(year, 12)]):
            if _flag(r[11]):
                by_chain[r[5]] += r[7]
        for chain, per_year in demo.CHAIN_OUTPUT_YI.items():
            assert by_chain[chain] / 1e4 == pytest.approx(per_year[year], abs=0.01), (year, chain)
    assert demo.CHAIN_OUTPUT_YI["绿色食品"][2025] >= 100 > demo.CHAIN_OUTPUT_YI["绿色食品"][2024]


def test_roster_flags_and_entries(rosters):
    entered: dict[str, str] = {}
    for (y, m), rows in rosters.items():
        data = _data_rows(rows)
        n = len(data)
        assert sum(_flag(r[15]) for r in data) == 50, (y, m)
        assert 3 <= sum(_flag(r[14]) for r in data) <= 6
        assert 0.08 <= sum(_flag(r[13]) for r in data) / n <= 0.12, (y, m)
        assert 0.03 <= sum(_flag(r[12]) for r in data) / n <= 0.07, (y, m)
        assert 0.10 <= sum(not _flag(r[11]) for r in data) / n <= 0.18, (y, m)
        tick = (y, m) in demo.TICK_PERIODS
        assert {r[c] for r in data for c in range(11, 16)} == ({"√", ""} if tick else {"是", "否"})
        kinds = [r[16] for r in data if r[16]]
        assert set(kinds) <= {"小升规", "新建投产"}
        if (y, m) == (2023, 12):
            assert not kinds
        else:
            assert 2 <= len(kinds) <= 5, (y, m)
        for r in data:
            if r[16]:
                assert r[1] not in entered  # an entry type only in the period of entry
                entered[r[1]] = r[16]
                assert _flag(r[11])
    assert 0.45 <= sum(k == "小升规" for k in entered.values()) / len(entered) <= 0.75


def test_entries_follow_the_roster(rosters):
    """小升规: in an earlier roster as 规下; 新建投产: a credit code never seen before."""
    seen_small: set[str] = set()
    seen: set[str] = set()
    for rows in rosters.values():
        data = _data_rows(rows)
        for r in data:
            if r[16] == "小升规":
                assert r[1] in seen_small
            elif r[16] == "新建投产":
                assert r[1] not in seen
        for r in data:
            seen.add(r[1])
            if not _flag(r[11]):
                seen_small.add(r[1])


def test_hightech_lists(inbox, rosters):
    roster_names = {r[2] for rows in rosters.values() for r in _data_rows(rows)}
    listed: set[str] = set()
    for year in (2022, 2023, 2024):
        rows = _rows(inbox / "hightech" / f"{year}年高新技术企业认定名单.xlsx")
        assert rows[0][0] == f"淮安区{year}年度高新技术企业认定名单"
        assert rows[1] == ["序号", "企业名称", "证书编号", "发证日期", "所在镇街", "认定类型"]
        data = rows[2:]
        assert 25 <= len(data) <= 40
        assert 0.5 <= sum(r[5] == "首次认定" for r in data) / len(data) <= 0.75
        assert {r[5] for r in data} <= {"首次认定", "重新认定"}
        assert all(re.fullmatch(rf"GR{year}32\d{{6}}", r[2]) for r in data)
        assert all(isinstance(r[3], dt.date) and r[3].year == year and r[3].month in (11, 12) for r in data)
        names = {r[1].replace("(", "（").replace(")", "）") for r in data}
        assert len(names & roster_names) / len(names) >= 0.55
        listed |= names
    assert demo.HIGHTECH_LIST_ONLY in listed and demo.HIGHTECH_FLAG_ONLY not in listed
    for rows in rosters.values():
        flags = {r[2]: _flag(r[13]) for r in _data_rows(rows)}
        assert flags[demo.HIGHTECH_FLAG_ONLY] and not flags[demo.HIGHTECH_LIST_ONLY]

    counts = _rows(inbox / "hightech" / "2025年高新技术企业认定情况统计表.xlsx")
    assert counts[1] == ["镇（街道）", "首次认定（家）", "重新认定（家）", "合计（家）"]
    body, total = counts[2:-1], counts[-1]
    assert [r[0] for r in body] == [n for _, n in demo.DEMO_TOWNSHIPS] and total[0] == "合计"
    for c in (1, 2, 3):
        assert total[c] == sum(r[c] for r in body)
    assert all(r[1] + r[2] == r[3] for r in body)
    assert 25 <= total[3] <= 40


def test_land_ledgers(inbox):
    rows = _rows(inbox / "land_use" / "增减挂钩项目验收台账.xlsx")
    assert rows[0][0] == "淮安区城乡建设用地增减挂钩项目验收台账" and rows[1][0] == "面积单位：亩"
    assert rows[2] == ["序号", "项目名称", "所在镇", "复垦面积", "其中：耕地", "验收日期"]
    data, total = rows[3:-1], rows[-1]
    assert 30 <= len(data) <= 45 and total[0] == "合计"
    assert total[3] == round(sum(r[3] for r in data), 2) and total[4] == round(sum(r[4] for r in data), 2)
    assert all(60 <= r[3] <= 400 and r[4] < r[3] for r in data)
    texts = [r[5] for r in data if isinstance(r[5], str)]
    assert sorted(texts) == ["2024-09-15", "2024.6", "2025年3月"]

    def year(v: object) -> int:
        return v.year if isinstance(v, dt.date) else int(str(v)[:4])

    assert 1 <= sum(year(r[5]) == 2023 for r in data) <= 8
    after = sum(r[3] for r in data if year(r[5]) >= 2024)
    assert 5000 <= after <= 5600

    rows = _rows(inbox / "land_use" / "占补平衡项目台账.xlsx")
    assert rows[0] == ["项目名称", "乡镇（街道）", "新增耕地面积（公顷）", "验收时间"]
    assert len(rows[1:]) == 20
    assert all(2 <= r[2] <= 30 and isinstance(r[3], dt.date) and r[3].year in (2024, 2025) for r in rows[1:])


def test_indicator_csvs_are_gbk_with_crlf(inbox):
    csvs = sorted((inbox / "indicators").glob("*.csv"))
    assert len(csvs) == 4
    for path in csvs:
        raw = path.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        text = raw.decode("gbk")
        assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
        lines = text.split("\r\n")
        assert (
            lines[0].startswith("数据库：")
            and lines[1].startswith("指标：")
            and lines[2].startswith("时间：")
        )
        assert lines[3].startswith("地区,")
        assert lines[-2] == "数据来源：淮安市统计局"
    gdp = (inbox / "indicators" / "主要经济指标_地区生产总值.csv").read_bytes().decode("gbk").split("\r\n")
    assert gdp[3] == "地区,2025年,2024年,2023年,2022年,2021年,2020年"
    table = {line.split(",")[0]: line.split(",")[1:] for line in gdp[4:8]}
    assert list(table) == ["淮安区", "清江浦区", "淮阴区", "淮安市"]
    assert table["淮阴区"][0] == ""
    gap = [float(a) - float(b) for a, b in zip(table["淮安区"][:3], table["清江浦区"][:3], strict=True)]
    assert all(g < 0 for g in gap) and gap[0] > gap[1] > gap[2]  # 2025, 2024, 2023: shrinking
    quarterly = (inbox / "indicators" / "地区生产总值_季度.csv").read_bytes().decode("gbk").split("\r\n")
    assert quarterly[2] == "时间：2025年各季度"
    assert quarterly[3] == "地区,2025年1-3月,2025年1-6月,2025年1-9月"


def test_industrial_output_matches_the_roster(inbox, rosters):
    lines = (
        (inbox / "indicators" / "主要经济指标_规模以上工业总产值.csv")
        .read_bytes()
        .decode("gbk")
        .split("\r\n")
    )
    values = dict(zip(lines[3].split(",")[1:], lines[4].split(",")[1:], strict=True))
    assert lines[4].startswith("淮安区,")
    for year in (2023, 2024, 2025):
        roster = sum(r[7] for r in _data_rows(rosters[(year, 12)]) if _flag(r[11])) / 1e4
        assert float(values[f"{year}年"]) == pytest.approx(roster, abs=0.01)


def test_long_table_and_targets(inbox):
    rows = _rows(inbox / "indicators" / "其他指标_长表.xlsx")
    assert rows[0] == ["指标名称", "地区", "时期", "数值", "单位", "口径"]
    assert {r[1] for r in rows[1:]} == {"淮安区"}
    assert all(re.fullmatch(r"20\d\d年", r[2]) for r in rows[1:])
    values = {(r[0], r[2]): r[3] for r in rows[1:]}
    assert values[("全国综合实力百强区排名", "2025年")] == 101
    assert values[("新增公共停车位", "2024年")] == 1200

    rows = _rows(inbox / "targets" / "工作报告目标任务表.xlsx")
    assert rows[0] == ["指标名称", "目标值", "单位", "完成时限", "基期", "备注"]
    by_name = {r[0]: r for r in rows[1:]}
    assert len(by_name) == len(demo.TARGET_ROWS) == 17
    assert by_name["三年新增挂钩"][1:5] == [10000, "亩", "2026年", "2023年"]
    assert by_name["高端装备制造产业规模"][1] == 100
    for name in ("地区生产总值", "工业总产值", "电子信息产业规模", "三年新增占补"):
        assert by_name[name][1] == "" and by_name[name][5] == demo.MASKED_NOTE

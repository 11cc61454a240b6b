"""What the dataset generators share: townships with their codes, credit codes, period and date
forms, flags, units — each written the ways departments write them, with the value it means.
Ground truth here is the generator's own (the district's 统计用区划代码, GB 32100's check digit),
never computed by statwh's code."""

from __future__ import annotations

import datetime as dt
import random

from tests.layouts.space import Layout

# 淮安区's townships (统计用区划代码): code, full name, short name
TOWNSHIPS = [
    ("320803001", "淮城街道", "淮城"),
    ("320803002", "河下街道", "河下"),
    ("320803004", "山阳街道", "山阳"),
    ("320803101", "平桥镇", "平桥"),
    ("320803104", "朱桥镇", "朱桥"),
    ("320803106", "施河镇", "施河"),
    ("320803107", "车桥镇", "车桥"),
    ("320803109", "流均镇", "流均"),
    ("320803110", "博里镇", "博里"),
    ("320803112", "复兴镇", "复兴"),
    ("320803113", "苏嘴镇", "苏嘴"),
    ("320803114", "钦工镇", "钦工"),
    ("320803115", "顺河镇", "顺河"),
    ("320803121", "漕运镇", "漕运"),
    ("320803122", "石塘镇", "石塘"),
    ("320803123", "范集镇", "范集"),
]


def township(lay: Layout, rng: random.Random) -> tuple[str, str]:
    """(as written, its code)."""
    code, full, short = rng.choice(TOWNSHIPS)
    written = {"full": full, "short": short, "code": f"{code}{full}"}[lay.township_form]
    return written, code


_USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code(rng: random.Random, used: set[str]) -> str:
    """A valid 统一社会信用代码 (GB 32100-2015 check digit) of a 淮安区 company."""
    while True:
        body = "91320803" + "".join(rng.choice(_USCC) for _ in range(9))
        check = (31 - sum(_USCC.index(ch) * w for ch, w in zip(body, _WEIGHTS, strict=True)) % 31) % 31
        code = body + _USCC[check]
        if code not in used:
            used.add(code)
            return code


WORDS = ["华信", "恒瑞", "天成", "金泰", "宏达", "新源", "瑞丰", "博远", "嘉禾", "永盛", "中科", "东方"]
KINDS = ["机械", "食品", "电子", "化工", "医药", "材料", "纺织", "科技"]


def company(rng: random.Random, used: set[str]) -> str:
    while True:
        n = f"淮安{rng.choice(WORDS)}{rng.choice(KINDS)}{rng.choice(['有限公司', '股份有限公司', '制造有限公司'])}"
        if n not in used:
            used.add(n)
            return n


FLAGS = {
    "是/否": ("是", "否"),
    "√/×": ("√", "×"),
    "Y/N": ("Y", "N"),
    "1/0": (1, 0),
    "是/blank": ("是", None),
}


def flag(lay: Layout, value: bool) -> object:
    yes, no = FLAGS[lay.flag_form]
    if lay.is_csv and isinstance(yes, int):
        return str(yes if value else no)
    return yes if value else no


def month_period(lay: Layout, year: int, month: int) -> tuple[str, str | None]:
    """The period as written (and the year written elsewhere for `month_only`), meaning YYYY-MM."""
    span = f"1-{month}月" if month > 1 else "1月"
    return {
        "ytd": (f"{year}年{span}", None),
        "dot": (f"{year}.{month}", None),
        "iso": (f"{year}-{month:02d}", None),
        "month_only": (f"1—{month}月" if month > 1 else "1月", f"{year}年"),
    }[lay.period_form]


def date_text(lay: Layout, d: dt.date) -> object:
    if lay.date_form == "date":
        return d if not lay.is_csv else d.isoformat()
    return {
        "iso": d.isoformat(),
        "cn": f"{d.year}年{d.month}月{d.day}日",
        "dot": f"{d.year}.{d.month}.{d.day}",
    }[lay.date_form]


MONEY_TO_WAN = {"元": 1e-4, "万元": 1.0, "亿元": 1e4}  # 1 亿元 = 10,000 万元
AREA_TO_MU = {"亩": 1.0, "公顷": 15.0, "平方米": 15 / 10_000}  # 1 公顷 = 15 亩, 1 亩 = 666.67 m²


def amount(rng: random.Random, unit: str) -> float | int:
    """A figure as a department writes it in `unit` (whole 元, two decimals in 万元 …)."""
    if unit in ("元", "平方米"):
        return rng.randrange(0, 50_000_000)
    return rng.randrange(0, 10_000_000) / 100

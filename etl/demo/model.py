"""The enterprise model: every enterprise of 淮安区's rosters, month by month, drawn from `SEED`.

`build()` draws the whole story in one fixed order (each step takes its turn at one
`numpy.random.Generator`, so reordering the steps changes every file): the baseline roster,
entries and exits, monthly output calibrated to `CHAIN_OUTPUT_YI` to the cent, revenue,
employees, 50强, listings and 专精特新, names and credit codes, and the 高新技术企业
certificates 2016–2025 that the flags follow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from etl.base.codes import CREDIT_ALPHABET, make_credit_code
from etl.demo.story import (
    CHAIN_INDUSTRY_CODES,
    CHAIN_OUTPUT_YI,
    CHAINS,
    DEMO_TOWNSHIPS,
    HIGHTECH_FLAG_ONLY,
    HIGHTECH_LIST_ONLY,
    ROSTER_PERIODS,
    SEED,
    month_index,
    period_months,
)

_N_MONTHS = 36  # 2023-01 … 2025-12, month index t = (year - 2023) * 12 + month - 1
_SEASON = np.array([0.92, 0.70, 1.02, 0.98, 1.00, 1.06, 0.96, 0.97, 1.04, 0.99, 1.05, 1.31])
_BASE_COUNTS = {  # chain: (规上 at baseline, 规下 at baseline)
    "高端装备制造": (96, 16), "盐化工": (32, 4), "生物医药": (36, 6),
    "绿色食品": (82, 15), "电子信息": (40, 7), "其他": (106, 19),
}  # fmt: skip
_CHAIN_GROWTH = {
    "高端装备制造": 0.13,
    "盐化工": 0.03,
    "生物医药": 0.14,
    "绿色食品": 0.09,
    "电子信息": 0.14,
    "其他": 0.08,
}
_NEW_PLANT_CHAINS = (
    ("高端装备制造", 0.3),
    ("生物医药", 0.2),
    ("电子信息", 0.2),
    ("绿色食品", 0.15),
    ("盐化工", 0.05),
    ("其他", 0.1),
)
_PRODUCTIVITY = {
    "高端装备制造": 90,
    "盐化工": 260,
    "生物医药": 150,
    "绿色食品": 130,
    "电子信息": 80,
    "其他": 100,
}
_HIGHTECH_WEIGHT = {
    "高端装备制造": 1.6,
    "盐化工": 0.9,
    "生物医药": 2.2,
    "绿色食品": 0.5,
    "电子信息": 2.2,
    "其他": 0.6,
}
_REGIONS = (("320803", 0.55), ("320800", 0.15), ("320891", 0.12), ("320812", 0.06), ("320802", 0.04),
            ("320804", 0.03), ("320000", 0.03), ("320100", 0.02))  # fmt: skip
_ZIHAO = "恒华瑞鑫盛泰宏德嘉丰源汇诚信达润创力博金天宇振永安康明远联正通海美佳富利隆兴旺晟昌凯腾辉锦鸿卓铭立捷晨弘毅睿欣豪峰威泽荣"
_TOWN_WEIGHTS = {  # township code suffix → weight for industrial enterprises
    "001": 2, "002": 1, "004": 3, "101": 6, "104": 3, "106": 6, "107": 5, "109": 3, "110": 3,
    "112": 3, "113": 3, "114": 4, "115": 4, "121": 3, "122": 3, "123": 4, "400": 1, "401": 22, "402": 6,
}  # fmt: skip
_TOWN_CODES = [c[-3:] for c, _ in DEMO_TOWNSHIPS]
_TOWN_CODE_WEIGHTS = np.array([_TOWN_WEIGHTS[c] for c in _TOWN_CODES], dtype=float)


@dataclass
class Ent:
    """One enterprise of the rosters: when it is present, 规上, 专精特新, listed, and who it is."""

    idx: int
    chain: str
    small: bool  # ever 规下 (levels in 万元, not calibrated)
    first_p: int
    start_t: int
    end_p: int = len(ROSTER_PERIODS)  # first period it is absent from
    above_from_p: int | None = None  # period from which 是否规上 = 是
    entry_type: str = ""
    entry_p: int | None = None
    weight: float = 1.0
    level: float = 0.0  # small firms: annual output pace, 万元
    industry: str = ""
    word: str = ""
    town: str = ""  # township code
    short_town: bool = False
    name: str = ""
    code: str = ""
    ratio: float = 1.0
    productivity: float = 100.0
    srdi_from_p: int | None = None
    listed_from_p: int | None = None
    certs: list[tuple[dt.date, str]] = field(default_factory=list)  # (date, 首次认定/重新认定)

    def present(self, p: int) -> bool:
        return self.first_p <= p < self.end_p

    @property
    def last_t(self) -> int:
        return period_months(self.end_p - 1)[-1]


@dataclass
class Company:
    """A non-industrial holder of a 高新技术企业 certificate (not in the roster)."""

    name: str
    town: str
    certs: list[tuple[dt.date, str]] = field(default_factory=list)


@dataclass
class Demo:
    """Everything the writers read: the enterprises, their figures and flags, the certificates."""

    ents: list[Ent]
    out: np.ndarray  # (enterprise, month) output in 0.01 万元, int64
    rev: np.ndarray
    employees: np.ndarray  # (enterprise, year 0..2)
    top50: dict[int, list[int]]
    hightech_flag: np.ndarray  # (enterprise, period) bool
    companies: list[Company]
    cert_rows: dict[int, list[tuple[dt.date, str, str, str, str]]]  # year → (date, no, name, town, type)


def _pick(rng: np.random.Generator, items, weights) -> int:
    w = np.asarray(weights, dtype=float)
    return int(rng.choice(len(items), p=w / w.sum()))


def _new_ent(rng: np.random.Generator, ents: list[Ent], chain: str, small: bool, p: int, start_t: int) -> Ent:
    """A new enterprise of `chain`, appended to `ents`: its size, industry, township and ratios drawn."""
    e = Ent(idx=len(ents), chain=chain, small=small, first_p=p, start_t=start_t)
    if small:
        e.level = float(rng.uniform(700, 1800))
    else:
        e.weight = float(np.clip(rng.lognormal(0.0, 1.0), 0.45, 30.0))
    codes = CHAIN_INDUSTRY_CODES[chain]
    e.industry, e.word = codes[int(rng.integers(len(codes)))]
    if chain == "盐化工" and rng.random() < 0.7:
        e.town = "320803402"
    else:
        e.town = DEMO_TOWNSHIPS[_pick(rng, _TOWN_CODES, _TOWN_CODE_WEIGHTS)][0]
    e.short_town = bool(rng.random() < 0.08)
    e.ratio = float(rng.uniform(0.9, 1.05))
    e.productivity = _PRODUCTIVITY[chain] * float(rng.uniform(0.6, 1.6))
    ents.append(e)
    return e


def _baseline_roster(rng: np.random.Generator) -> tuple[list[Ent], Ent, Ent]:
    """The enterprises of the 2023-12 file (active all of 2023), and the flag-only and list-only ones."""
    ents: list[Ent] = []
    for chain in CHAINS:
        n_big, n_small = _BASE_COUNTS[chain]
        for _ in range(n_big):
            _new_ent(rng, ents, chain, False, 0, 0).above_from_p = 0
        for _ in range(n_small):
            _new_ent(rng, ents, chain, True, 0, 0)
    # The two deliberate 高新技术企业 disagreements: mid-size, present throughout.
    flag_only = _new_ent(rng, ents, "高端装备制造", False, 0, 0)
    flag_only.above_from_p, flag_only.weight, flag_only.industry, flag_only.word = 0, 2.0, "3484", "精密机械"
    list_only = _new_ent(rng, ents, "生物医药", False, 0, 0)
    list_only.above_from_p, list_only.weight, list_only.industry, list_only.word = 0, 1.6, "2761", "生物科技"
    return ents, flag_only, list_only


def _enter_and_leave(rng: np.random.Generator, ents: list[Ent], protected: set[int]) -> None:
    """Entries and exits, period by period: 小升规, 新建投产, new 规下 firms, 0–2 leavers (never `protected`)."""
    chains_new, w_new = zip(*_NEW_PLANT_CHAINS, strict=True)
    small_mix = [_BASE_COUNTS[c][1] for c in CHAINS]
    for p in range(1, len(ROSTER_PERIODS)):
        start = period_months(p)[0]
        n = int(rng.integers(2, 6))
        n_x = int(rng.binomial(n, 0.6))
        pool = [e for e in ents if e.present(p) and e.small and e.above_from_p is None and e.first_p < p]
        if n_x > len(pool):
            n_x = len(pool)
        if n_x:
            lv = np.array([e.level for e in pool])
            for i in rng.choice(len(pool), size=n_x, replace=False, p=lv / lv.sum()):
                e = pool[int(i)]
                e.above_from_p, e.entry_type, e.entry_p = p, "小升规", p
        for _ in range(n - n_x):
            e = _new_ent(rng, ents, chains_new[_pick(rng, chains_new, w_new)], False, p, start)
            e.above_from_p, e.entry_type, e.entry_p = p, "新建投产", p
        for _ in range(n_x + int(rng.integers(0, 2))):
            _new_ent(rng, ents, CHAINS[_pick(rng, CHAINS, small_mix)], True, p, start)
        n_leave = int(rng.choice([0, 1, 1, 2]))
        big_w = sorted(e.weight for e in ents if not e.small)
        cut = big_w[len(big_w) // 2]
        leavers = [
            e
            for e in ents
            if e.present(p) and e.first_p < p and e.idx not in protected and e.entry_p is None
            and (e.small or e.weight < cut)
        ]  # fmt: skip
        for i in rng.choice(len(leavers), size=n_leave, replace=False):
            leavers[int(i)].end_p = p


def _raw_output(rng: np.random.Generator, ents: list[Ent]) -> np.ndarray:
    """Monthly output (万元), before calibration: (enterprise, month), 0 outside an enterprise's months."""
    n_e = len(ents)
    raw = np.zeros((n_e, _N_MONTHS))
    noise = rng.normal(0.0, 0.04, size=(n_e, _N_MONTHS))
    growth = {c: 1.0 + g + rng.normal(0.0, 0.07, size=(n_e, 2)) for c, g in _CHAIN_GROWTH.items()}
    for e in ents:
        months = np.arange(e.start_t, e.last_t + 1)
        if e.small:
            lv = np.array([e.level * float(rng.uniform(1.04, 1.14)) ** (t // 12) for t in range(_N_MONTHS)])
            lv = np.minimum(lv, 1850.0)
            if e.above_from_p is not None:
                lv[period_months(e.above_from_p)[0] :] *= float(rng.uniform(1.35, 1.9))
        else:
            g = growth[e.chain][e.idx]
            per_year = e.weight * np.array([1.0, g[0], g[0] * g[1]])
            lv = per_year[np.arange(_N_MONTHS) // 12]
        vals = lv[months] * _SEASON[months % 12] / 12.0 * (1.0 + noise[e.idx, months])
        if e.start_t > 0 and not e.small:  # a new plant ramps up
            ramp = np.minimum(1.0, (np.arange(len(months)) + 2) / 5.0)
            vals = vals * ramp
        raw[e.idx, months] = vals
    return raw


def _counted(ents: list[Ent], dec_p: int) -> np.ndarray:
    """The 规上 rows of the roster of period `dec_p` (a December): what the story's sums run over."""
    return np.array(
        [e.present(dec_p) and e.above_from_p is not None and e.above_from_p <= dec_p for e in ents]
    )


def _calibrate(rng: np.random.Generator, ents: list[Ent], raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Output and revenue in 0.01 万元 (int64): `raw` scaled (in place) to the story, then exact to the cent."""
    # Calibrate the never-规下 firms so that each chain's December 本年累计, summed over the 规上 rows,
    # meets the story (firms that became 规上 by 小升规 count with their own, uncalibrated, figures).
    chain_of = np.array([CHAINS.index(e.chain) for e in ents])
    small = np.array([e.small for e in ents])
    for yi, year in enumerate((2023, 2024, 2025)):
        rows_in = _counted(ents, ROSTER_PERIODS.index((year, 12)))
        cols = slice(yi * 12, yi * 12 + 12)
        ysum = raw[:, cols].sum(axis=1)
        for ci, chain in enumerate(CHAINS):
            in_chain = chain_of == ci
            target = CHAIN_OUTPUT_YI[chain][year] * 1e4
            fixed = ysum[in_chain & rows_in & small].sum()
            scaled = ysum[in_chain & rows_in & ~small].sum()
            raw[in_chain & ~small, cols] *= (target - fixed) / scaled
    out = np.rint(raw * 100).astype(np.int64)
    rev_ratio = np.clip(
        np.array([e.ratio for e in ents])[:, None] * (1.0 + rng.normal(0.0, 0.015, size=raw.shape)),
        0.88,
        1.07,
    )
    rev = np.rint(raw * rev_ratio * 100).astype(np.int64)
    # Trim the rounding so each chain's sum is the story to the cent (on the largest firm's December).
    for yi, year in enumerate((2023, 2024, 2025)):
        rows_in = _counted(ents, ROSTER_PERIODS.index((year, 12)))
        for ci, chain in enumerate(CHAINS):
            rows = np.flatnonzero((chain_of == ci) & rows_in)
            diff = int(round(CHAIN_OUTPUT_YI[chain][year] * 1e6)) - int(
                out[rows, yi * 12 : yi * 12 + 12].sum()
            )
            big_rows = np.flatnonzero((chain_of == ci) & rows_in & ~small)
            biggest = big_rows[np.argmax(out[big_rows, yi * 12 + 11])]
            out[biggest, yi * 12 + 11] += diff
    return out, rev


def _employees(ents: list[Ent], out: np.ndarray) -> np.ndarray:
    """Employees per year (enterprise, year 0..2): annualised output / productivity, at least 6."""
    employees = np.zeros((len(ents), 3), dtype=np.int64)
    for e in ents:
        for yi in range(3):
            months = [t for t in range(yi * 12, yi * 12 + 12) if e.start_t <= t <= e.last_t]
            if months:
                annual = out[e.idx, months].sum() / 100 / len(months) * 12
                employees[e.idx, yi] = max(6, int(round(annual / e.productivity)))
    return employees


def _top50(ents: list[Ent], annual: dict[int, np.ndarray]) -> dict[int, list[int]]:
    """50强: the 50 largest by previous-year output among firms present all year (2023: by 2023)."""
    top50: dict[int, list[int]] = {}
    for year in (2023, 2024, 2025):
        ps = [p for p, (y, _) in enumerate(ROSTER_PERIODS) if y == year]
        eligible = [e.idx for e in ents if all(e.present(p) for p in ps)]
        basis = annual[max(2023, year - 1)]
        top50[year] = sorted(eligible, key=lambda i: (-int(basis[i]), i))[:50]
    return top50


def _list_and_certify_srdi(rng: np.random.Generator, ents: list[Ent], annual_2023: np.ndarray) -> None:
    """上市: 4 large firms from the start, a fifth from 2025-07. 专精特新: about 5%, more from 2024-08 and 2025-08."""
    by_size = sorted(
        (e for e in ents if e.first_p == 0 and e.end_p == len(ROSTER_PERIODS) and not e.small),
        key=lambda e: -int(annual_2023[e.idx]),
    )
    for i, rank in enumerate((1, 4, 9, 17, 33)):
        by_size[rank].listed_from_p = 0 if i < 4 else ROSTER_PERIODS.index((2025, 7))
    srdi_w = {"高端装备制造": 3, "盐化工": 1, "生物医药": 2, "绿色食品": 1, "电子信息": 3, "其他": 1}
    for n_add, from_p in (
        (21, 0),
        (4, ROSTER_PERIODS.index((2024, 8))),
        (4, ROSTER_PERIODS.index((2025, 8))),
    ):
        cand = [e for e in ents if not e.small and e.srdi_from_p is None and e.first_p <= from_p < e.end_p]
        w = np.array([srdi_w[e.chain] for e in cand], dtype=float)
        for i in rng.choice(len(cand), size=n_add, replace=False, p=w / w.sum()):
            cand[int(i)].srdi_from_p = from_p


def _name_ents(rng: np.random.Generator, ents: list[Ent], flag_only: Ent, list_only: Ent) -> None:
    """Names and credit codes (the fixed names first, so generated ones never collide)."""
    used_names = {HIGHTECH_FLAG_ONLY, HIGHTECH_LIST_ONLY}
    used_codes: set[str] = set()
    flag_only.name, list_only.name = HIGHTECH_FLAG_ONLY, HIGHTECH_LIST_ONLY
    for e in ents:
        if not e.name:
            listed = e.listed_from_p is not None
            e.name = _company_name(rng, e.word, used_names, listed)
        e.code = _credit_code(rng, used_codes)


def _hightech_flags(ents: list[Ent], flag_only: Ent, list_only: Ent) -> np.ndarray:
    """高新技术企业 per (enterprise, period): a certificate valid at the month's end, but for the two disagreements."""
    hightech_flag = np.zeros((len(ents), len(ROSTER_PERIODS)), dtype=bool)
    for e in ents:
        for p, (y, m) in enumerate(ROSTER_PERIODS):
            hightech_flag[e.idx, p] = _cert_valid(e.certs, _month_end(y, m))
    hightech_flag[flag_only.idx, :] = True
    hightech_flag[list_only.idx, :] = False
    return hightech_flag


def build() -> Demo:
    """The whole story, drawn from `SEED` in one fixed order (every part below takes its turn at `rng`)."""
    rng = np.random.default_rng(SEED)
    ents, flag_only, list_only = _baseline_roster(rng)
    _enter_and_leave(rng, ents, {flag_only.idx, list_only.idx})
    out, rev = _calibrate(rng, ents, _raw_output(rng, ents))
    employees = _employees(ents, out)
    annual = {y: out[:, (y - 2023) * 12 : (y - 2023) * 12 + 12].sum(axis=1) for y in (2023, 2024, 2025)}
    top50 = _top50(ents, annual)
    _list_and_certify_srdi(rng, ents, annual[2023])
    _name_ents(rng, ents, flag_only, list_only)
    companies, holders = _issue_certificates(rng, ents, flag_only, list_only)
    cert_rows = _number_certificates(rng, holders)
    hightech_flag = _hightech_flags(ents, flag_only, list_only)
    return Demo(ents, out, rev, employees, top50, hightech_flag, companies, cert_rows)


def _company_name(rng: np.random.Generator, word: str, used: set[str], listed: bool = False) -> str:
    while True:
        a, b = rng.choice(len(_ZIHAO), size=2, replace=False)
        zh = _ZIHAO[int(a)] + _ZIHAO[int(b)]
        r = rng.random()
        if listed:
            name = f"江苏{zh}{word}股份有限公司"
        elif r < 0.55:
            name = f"淮安{zh}{word}有限公司"
        elif r < 0.67:
            name = f"淮安市{zh}{word}有限公司"
        elif r < 0.79:
            name = f"江苏{zh}{word}有限公司"
        elif r < 0.91:
            name = f"江苏{zh}（淮安）{word}有限公司"
        else:
            name = f"{zh}{word}（淮安）有限公司"
        if name not in used:
            used.add(name)
            return name


def _credit_code(rng: np.random.Generator, used: set[str]) -> str:
    regions, weights = zip(*_REGIONS, strict=True)
    while True:
        region = regions[_pick(rng, regions, weights)]
        if rng.random() < 0.7:
            org8 = "MA" + "".join(CREDIT_ALPHABET[int(i)] for i in rng.integers(0, 31, size=6))
        else:
            org8 = str(int(rng.integers(1, 8))) + "".join(str(int(i)) for i in rng.integers(0, 10, size=7))
        code = make_credit_code(region, org8)
        if code not in used:
            used.add(code)
            return code


def _month_end(y: int, m: int) -> dt.date:
    return dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)


def _cert_valid(certs: list[tuple[dt.date, str]], day: dt.date) -> bool:
    """Valid from the issue date for three years; a renewal continues the previous certificate."""
    ordered = sorted(certs)
    for i, (d, _) in enumerate(ordered):
        end = d.replace(year=d.year + 3)
        if i + 1 < len(ordered) and ordered[i + 1][1] == "重新认定":
            end = max(end, ordered[i + 1][0])
        if d <= day < end:
            return True
    return False


_NON_INDUSTRIAL_WORDS = ("软件", "信息技术", "网络科技", "检测技术", "环境科技", "农业科技", "数字科技", "智能科技",
                         "工程技术", "信息科技", "建筑设计", "节能科技", "生态科技", "数据服务")  # fmt: skip
_NON_INDUSTRIAL_TOWNS = ("320803001", "320803002", "320803004", "320803401", "320803401", "320803101")


def _issue_certificates(
    rng: np.random.Generator, ents: list[Ent], flag_only: Ent, list_only: Ent
) -> tuple[list[Company], list[Ent | Company]]:
    """高新技术企业 certificates 2016–2025: first-time ones and renewals three years later.

    Returns the non-industrial holders and every holder, in the order they were first certified."""
    companies: list[Company] = []
    used_names = {e.name for e in ents}
    holders: list[Ent | Company] = []

    def latest(h) -> dt.date | None:
        return max(h.certs)[0] if h.certs else None

    for year in range(2016, 2026):
        batch = (dt.date(year, 11, int(rng.integers(6, 25))), dt.date(year, 12, int(rng.integers(2, 21))))
        due = [
            h for h in holders
            if h is not flag_only and latest(h) is not None and latest(h).year == year - 3
            and (not isinstance(h, Ent) or h.last_t >= month_index(year, 1) or year < 2023)
        ]  # fmt: skip
        n_renew = int(round(0.35 * len(due)))
        for i in sorted(rng.choice(len(due), size=n_renew, replace=False)):
            due[int(i)].certs.append((batch[int(rng.random() < 0.4)], "重新认定"))
        n_first = int(rng.integers(*((18, 24) if year < 2019 else (26, 31)))) - n_renew - (year == 2024)
        n_ind = int(round(n_first * 0.62))
        cand = [
            e for e in ents
            if not e.certs and e is not flag_only and e is not list_only
            and (e.first_p == 0 or e.start_t <= month_index(year, 6))
            and (e.end_p == len(ROSTER_PERIODS) or e.last_t >= month_index(year, 11) or year < 2023)
        ]  # fmt: skip
        w = np.array([_HIGHTECH_WEIGHT[e.chain] * (0.5 if e.small else e.weight**0.3) for e in cand])
        for i in rng.choice(len(cand), size=n_ind, replace=False, p=w / w.sum()):
            e = cand[int(i)]
            e.certs.append((batch[int(rng.random() < 0.4)], "首次认定"))
            holders.append(e)
        if year == 2024:
            list_only.certs.append((batch[1], "首次认定"))
            holders.append(list_only)
        for _ in range(n_first - n_ind):
            word = _NON_INDUSTRIAL_WORDS[int(rng.integers(len(_NON_INDUSTRIAL_WORDS)))]
            c = Company(_company_name(rng, word, used_names), _NON_INDUSTRIAL_TOWNS[int(rng.integers(6))])
            c.certs.append((batch[int(rng.random() < 0.4)], "首次认定"))
            companies.append(c)
            holders.append(c)
    return companies, holders


def _number_certificates(
    rng: np.random.Generator, holders: list[Ent | Company]
) -> dict[int, list[tuple[dt.date, str, str, str, str]]]:
    """Each year's certificates as the 认定名单 lists them: (date, 证书编号, name, township, type),
    ordered by date and township, the serials drawn and handed out in that order."""
    cert_rows: dict[int, list[tuple[dt.date, str, str, str, str]]] = {}
    town_name = dict(DEMO_TOWNSHIPS)
    order = {c: i for i, (c, _) in enumerate(DEMO_TOWNSHIPS)}
    for year in range(2016, 2026):
        rows = []
        for h in holders:
            for d, kind in h.certs:
                if d.year == year:
                    rows.append((d, order[h.town], h.name, h.town, kind))
        rows.sort()
        serials = np.sort(rng.choice(np.arange(100, 16000), size=len(rows), replace=False))
        cert_rows[year] = [
            (d, f"GR{year}32{int(s):06d}", name, town_name[town], kind)
            for (d, _, name, town, kind), s in zip(rows, serials, strict=True)
        ]
    return cert_rows

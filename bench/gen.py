"""Synthetic monthly rosters shaped like the demo's (etl/demo/roster.py `write_roster`), at any size.

Title row (merged), `填报单位：` + `单位：万元` row, two-row merged header, 合计 row, the enterprises,
a blank row and a `注：` footer — the 17 columns of the sample roster. Written with xlsxwriter's
`constant_memory` mode (rows streamed in order, strings written inline rather than shared), so a
1M-row file takes about a minute to write. `shared=True` writes the same sheet with a shared-string
table, as Excel and WPS save a workbook (slower to write: every cell is held until the end). Files are cached under `bench/.cache/` by size, month
and generator version: delete the folder to regenerate.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import xlsxwriter

from etl.base.codes import make_credit_code
from etl.demo import CHAIN_INDUSTRY_CODES, CHAINS, DEMO_TOWNSHIPS

GEN_VERSION = 1
SEED = 20240601
CACHE = Path(__file__).resolve().parent / ".cache"

_ZIHAO = "恒华瑞鑫盛泰宏德嘉丰源汇诚信达润创力博金天宇振永安康明远联正通海美佳富利隆兴旺晟昌凯腾辉锦鸿卓铭立捷晨弘毅睿欣豪峰威泽荣"
_REGIONS = ("320803", "320800", "320891", "320812", "320802", "320804", "320000", "320100")
_REGION_W = (0.55, 0.15, 0.12, 0.06, 0.04, 0.03, 0.03, 0.02)
_CHAIN_W = (0.20, 0.10, 0.08, 0.15, 0.07, 0.40)
_ALNUM = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the credit-code alphabet (no I O Z S V)
SINGLE_HEADERS = {0: "序号", 1: "统一社会信用代码", 2: "企业名称", 3: "所在镇（街道）", 4: "行业代码", 5: "所属产业链",
                  10: "从业人员（人）", 11: "是否规上", 12: "专精特新", 13: "高新技术企业", 14: "上市企业", 15: "50强",
                  16: "入库类型"}  # fmt: skip
GROUP_HEADERS = ((6, 7, "工业总产值（万元）"), (8, 9, "营业收入（万元）"))
SUB_HEADERS = ((6, "本月"), (7, "本年累计"), (8, "本月"), (9, "本年累计"))
FIRST_DATA_ROW = 5  # 0-based: title, unit row, two header rows, 合计


def month_of(index: int, start: tuple[int, int] = (2023, 1)) -> tuple[int, int]:
    """(year, month) of the `index`-th month (0-based) from `start`."""
    y, m = start
    k = y * 12 + m - 1 + index
    return k // 12, k % 12 + 1


def roster_path(rows: int, year: int, month: int, cache: Path = CACHE, *, shared: bool = False) -> Path:
    folder = f"{rows}-shared" if shared else f"{rows}"
    return cache / f"v{GEN_VERSION}" / folder / f"规上工业企业主要指标_{year}年1-{month}月.xlsx"


class _Enterprises:
    """The fixed attributes of `n` enterprises (the same ones every month)."""

    def __init__(self, n: int):
        rng = np.random.default_rng(SEED)
        self.n = n
        region = rng.choice(len(_REGIONS), size=n, p=_REGION_W)
        ma = rng.random(n) < 0.7
        self.codes = []
        for i in range(n):
            if ma[i]:  # MA + 6 characters of the alphabet, unique by i
                k, s = i, []
                for _ in range(6):
                    k, d = divmod(k, 31)
                    s.append(_ALNUM[d])
                org8 = "MA" + "".join(reversed(s))
            else:
                org8 = str(10_000_000 + i)
            self.codes.append(make_credit_code(_REGIONS[region[i]], org8))
        chain = rng.choice(len(CHAINS), size=n, p=_CHAIN_W)
        pick = rng.random(n)
        self.chain = [CHAINS[c] for c in chain]
        self.industry, words = [], []
        for c, u in zip(chain, pick, strict=True):
            opts = CHAIN_INDUSTRY_CODES[CHAINS[c]]
            code, word = opts[int(u * len(opts))]
            self.industry.append(code)
            words.append(word)
        zh = rng.integers(0, len(_ZIHAO), size=(n, 3))
        tmpl = rng.integers(0, 4, size=n)
        forms = (
            "淮安{z}{w}有限公司",
            "淮安市{z}{w}有限公司",
            "江苏{z}{w}有限公司",
            "江苏{z}（淮安）{w}有限公司",
        )
        self.names = [
            forms[t].format(z=_ZIHAO[a] + _ZIHAO[b] + _ZIHAO[c], w=w)
            for t, (a, b, c), w in zip(tmpl, zh, words, strict=True)
        ]
        towns = [name for _, name in DEMO_TOWNSHIPS]
        self.town = [towns[t] for t in rng.integers(0, len(towns), size=n)]
        self.base = np.round(rng.lognormal(mean=5.5, sigma=1.2, size=n), 2)  # 万元 a month
        self.employees = rng.integers(8, 2500, size=n)
        self.above = rng.random(n) < 0.6
        self.srdi = rng.random(n) < 0.08
        self.hightech = rng.random(n) < 0.15
        self.listed = rng.random(n) < 0.01
        self.top50 = np.zeros(n, dtype=bool)
        self.top50[np.argsort(-self.base)[:50]] = True


def write_roster(path: Path, ents: _Enterprises, year: int, month: int, *, shared: bool = False) -> Path:
    """One month's roster of every enterprise of `ents` (`shared`: strings in a shared-string
    table, as Excel saves them; else inline)."""
    rng = np.random.default_rng([SEED, year, month])
    n = ents.n
    season = 0.8 + 0.4 * rng.random(n)
    out_m = np.round(ents.base * season, 2)
    out_y = np.round(ents.base * month * (0.9 + 0.2 * rng.random(n)), 2)
    out_y = np.maximum(out_y, out_m)
    rev_m = np.round(out_m * (0.85 + 0.2 * rng.random(n)), 2)
    rev_y = np.maximum(np.round(out_y * (0.85 + 0.2 * rng.random(n)), 2), rev_m)
    entry = rng.random(n)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.xlsx")
    wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": not shared, "strings_to_numbers": False})
    wb.set_properties({"created": dt.datetime(year, month, 12, 9, 30), "author": "淮安区"})
    f = wb.add_format
    title = f({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
    head = f({"bold": True, "align": "center", "valign": "vcenter", "border": 1, "text_wrap": True})
    text, center = f({"border": 1}), f({"border": 1, "align": "center"})
    money, integer, right = (
        f({"border": 1, "num_format": "0.00"}),
        f({"border": 1, "num_format": "0"}),
        f({"align": "right"}),
    )
    ws = wb.add_worksheet("Sheet1")
    ws.set_column(1, 1, 22)
    ws.set_column(2, 2, 34)
    ws.set_column(6, 10, 12)
    ws.merge_range(0, 0, 0, 16, f"淮安区工业企业主要经济指标（{year}年1-{month}月）", title)
    ws.write_string(1, 0, "填报单位：淮安区工业和信息化局")
    ws.write_string(1, 16, "单位：万元", right)
    # constant_memory writes rows strictly in order: header row 2, then row 3, then the vertical
    # merges of the single-row headings are registered (what merge_range does, minus the writes)
    for c in range(17):
        if c in SINGLE_HEADERS:
            ws.write_string(2, c, SINGLE_HEADERS[c], head)
    for c0, c1, t in GROUP_HEADERS:
        ws.merge_range(2, c0, 2, c1, t, head)
    for c in range(17):
        if c in SINGLE_HEADERS:
            ws.write_blank(3, c, None, head)
    for c, t in SUB_HEADERS:
        ws.write_string(3, c, t, head)
    ws.merge.extend([2, c, 3, c] for c in SINGLE_HEADERS)
    ws.write_string(4, 0, "合计", center)
    for c, col in enumerate((out_m, out_y, rev_m, rev_y)):
        ws.write_number(4, 6 + c, round(float(col.sum()), 2), money)
    ws.write_number(4, 10, int(ents.employees.sum()), integer)
    ws_num, ws_str = ws.write_number, ws.write_string
    flags = (ents.above, ents.srdi, ents.hightech, ents.listed, ents.top50)
    om, oy, rm, ry, emp = (
        out_m.tolist(),
        out_y.tolist(),
        rev_m.tolist(),
        rev_y.tolist(),
        ents.employees.tolist(),
    )
    flag_l = [x.tolist() for x in flags]
    for i in range(n):
        r = FIRST_DATA_ROW + i
        ws_num(r, 0, i + 1, center)
        ws_str(r, 1, ents.codes[i], text)
        ws_str(r, 2, ents.names[i], text)
        ws_str(r, 3, ents.town[i], text)
        ws_str(r, 4, ents.industry[i], center)
        ws_str(r, 5, ents.chain[i], text)
        ws_num(r, 6, om[i], money)
        ws_num(r, 7, oy[i], money)
        ws_num(r, 8, rm[i], money)
        ws_num(r, 9, ry[i], money)
        ws_num(r, 10, emp[i], integer)
        for k in range(5):
            ws_str(r, 11 + k, "是" if flag_l[k][i] else "否", center)
        e = entry[i]
        if e < 0.015:
            ws_str(r, 16, "小升规" if e < 0.01 else "新建投产", center)
        else:
            ws.write_blank(r, 16, None, center)
    r = FIRST_DATA_ROW + n + 1
    ws_str(r, 0, "注：1. 本表统计范围为辖区内工业企业。")
    ws_str(r + 1, 0, "\u30002. 工业总产值为当年价格。")
    ws_str(r + 2, 0, "数据来源：淮安区统计局")
    wb.close()
    tmp.replace(path)
    return path


def rosters(
    rows: int,
    months: int = 1,
    start: tuple[int, int] | None = None,
    cache: Path = CACHE,
    *,
    shared: bool = False,
) -> list[Path]:
    """`months` consecutive monthly rosters of `rows` enterprises (cached). One month: June 2025."""
    start = start or ((2025, 6) if months == 1 else (2023, 1))
    wanted = [month_of(k, start) for k in range(months)]
    paths = [roster_path(rows, y, m, cache, shared=shared) for y, m in wanted]
    if all(p.exists() for p in paths):
        return paths
    ents = _Enterprises(rows)
    for (y, m), p in zip(wanted, paths, strict=True):
        if not p.exists():
            write_roster(p, ents, y, m, shared=shared)
    return paths

"""Sample departmental spreadsheets for 淮安区 (320803): what `statwh demo` writes into the inbox.

Everything is generated from one seed (`SEED`, `numpy.random.default_rng`): two runs write the
same files, byte for byte (xlsxwriter with fixed document dates, zip entries dated 1980-01-01).
`write_demo(inbox)` writes `inbox/<source>/<file>` and returns the paths, sorted.

The figures are invented but tell a coherent story, so that every indicator of
the shared `seed/INDICATORS.md` gets a distinct status on the dashboard. Layouts below are exact
(rows are 1-based, as a spreadsheet user names them).

enterprises/ — 工信局 monthly roster, 23 .xlsx files
=====================================================
Periods: 2023-12 (baseline, the full year 2023), then 2024-02 … 2024-12 and 2025-02 … 2025-12 (no
separate January: the 1–2月 file is the first of a year). File name
`规上工业企业主要指标_{Y}年1-{M}月.xlsx` (2023-12 → `…_2023年1-12月.xlsx`, 2024-02 → `…_2024年1-2月.xlsx`).
One sheet, named `Sheet1`, except 2024-06, 2024-10 and 2025-04, named `2024年6月`, `2024年10月`,
`2025年4月` (`ROSTER_SHEET_NAMES`). 17 columns A–Q:

- row 1: A1:Q1 merged, `淮安区工业企业主要经济指标（{Y}年1-{M}月）`
- row 2: A2 `填报单位：淮安区工业和信息化局`; Q2 `单位：万元`
- rows 3–4, two-row header; A–F and K–Q are merged vertically over rows 3–4:
  A 序号 | B 统一社会信用代码 | C 企业名称 | D 所在镇（街道） | E 行业代码 | F 所属产业链 |
  G3:H3 `工业总产值（万元）` over G4 `本月`, H4 `本年累计` | I3:J3 `营业收入（万元）` over I4 `本月`,
  J4 `本年累计` | K 从业人员（人） | L 是否规上 | M 专精特新 | N 高新技术企业 | O 上市企业 | P 50强 | Q 入库类型
- row 5: the total row: `合计` in A (序号) in the 2023 and 2024 files, in C (企业名称) in the 2025 files;
  G–K hold the exact sums of the data rows (G–J rounded to 2 decimals, K an integer).
- rows 6…: one row per enterprise (461 in 2023-12, growing to about 525), sorted by township, then
  by first appearance.
  B is text (18 chars, valid check digits; the registration region varies: 320803, 320800, 320891,
  320812 …, i.e. where the firm registered). E is a 4-digit GB/T 4754-2017 code as text, consistent
  with F (`CHAIN_INDUSTRY_CODES`). D is the official township name, or its short form (`平桥`, `淮城`)
  for about 8% of the enterprises, always the same for one enterprise. G–J are numbers with 2
  decimals; in the 1–2月 file 本月 = January + February and equals 本年累计. 本年累计 is the sum of the
  year's 本月 figures (an enterprise that starts mid-year counts from its first month). 营业收入 is
  0.88–1.07 × output. K is an integer.
  Flags L–P are `是`/`否`, except in 2024-08 and 2024-09 where they are `√` / blank
  (`TICK_PERIODS`). Q is `小升规` or `新建投产` in the period an enterprise enters, blank otherwise.
- after the data: one blank row, then in column A: `注：1. 本表统计范围为辖区内工业企业。`,
  `　2. 工业总产值为当年价格。` (starts with U+3000), `数据来源：淮安区统计局`.

Roster dynamics: the baseline holds 461 enterprises, 67 of them 规下 (是否规上 = 否, about 15%). In
each later period 2–5 enterprises enter: about 60% 小升规 (a 规下 enterprise already in the roster
turns 是; its 本年累计 includes its months as 规下) and 40% 新建投产 (a new credit code, output from
its first month). New 规下 firms join without an entry type, keeping the 规下 share near 15%, and
0–2 firms leave (they just disappear). 50强 marks exactly 50 enterprises in every file: the 50
largest by previous-year output among those present all year (2023: by 2023 output).
专精特新 about 5% (more from 2024-08 and 2025-08), 上市 4 firms, 5 from 2025-07.
高新技术企业 (8–12%) follows the certificates of hightech/: valid from the 发证日期 for three years,
continuous when renewed. Two disagreements are deliberate: `HIGHTECH_FLAG_ONLY` is flagged in every
file but holds no certificate; `HIGHTECH_LIST_ONLY` is certified (首次认定, 2024-12) but never flagged.
The flags of 2023–2024 also rest on certificates of 2020–2021, for which no list is sent.

Story (亿元, `CHAIN_OUTPUT_YI`): the sums of 本年累计 over the 规上 rows (是否规上 = 是) of the December
files, exact to 0.01 万元 (all rows, 规下 included, are about 2% more):
高端装备制造 70.4 → 79.5 → 89.6 (+13%/yr: on track for 100 by 2028); 盐化工 61.8 → 63.7 → 65.8 (+3%: off
track); 生物医药 42.3 → 48.2 → 54.9 (+14%: at risk); 绿色食品 88.1 → 96.3 → 104.3 (achieved in 2025);
电子信息 35.2 → 40.1 → 45.8; 其他 the rest; all 420.4 → 460.7 → 500.5.

hightech/ — 科技局, 4 .xlsx files, sheet `Sheet1`
=================================================
`{Y}年高新技术企业认定名单.xlsx` for Y = 2022, 2023, 2024:
- row 1: A1:F1 merged, `淮安区{Y}年度高新技术企业认定名单`
- row 2: header 序号 | 企业名称 | 证书编号 | 发证日期 | 所在镇街 | 认定类型
- rows 3…: one certificate a row (about 25–40), ordered by date and certificate number.
  证书编号 is `GR{year}32{serial:06d}` (14 chars: GR + 4-digit year + 32 for 江苏 + 6-digit serial).
  发证日期 is an Excel date in November or December of Y (two batches a year). 认定类型 is `首次认定`
  (about 60%) or `重新认定` (renewal of a company certified in Y−3). 所在镇街 is the official name.
  Companies are mostly roster enterprises (same name as the roster; the 2023 list writes full-width
  brackets as half-width: `江苏某某(淮安)…`), plus non-industrial ones (software, testing, services)
  that are in no roster.
`2025年高新技术企业认定情况统计表.xlsx`:
- row 1: A1:D1 merged, `淮安区2025年度高新技术企业认定情况统计表`
- row 2: header 镇（街道） | 首次认定（家） | 重新认定（家） | 合计（家）
- rows 3–21: the 19 townships of `DEMO_TOWNSHIPS` in code order (0 where none); row 22: `合计`.

land_use/ — 自然资源局, 2 .xlsx files, sheet `Sheet1`
=====================================================
`增减挂钩项目验收台账.xlsx`:
- row 1: A1:F1 merged, `淮安区城乡建设用地增减挂钩项目验收台账`; row 2: A2 `面积单位：亩`
- row 3: header 序号 | 项目名称 | 所在镇 | 复垦面积 | 其中：耕地 | 验收日期
- rows 4…: 39 projects ordered by acceptance, 60–400 亩 each (2 decimals); 5 accepted in 2023
  (before the baseline: they must not count), 34 in 2024–2025 totalling 5,320.00 亩 (target 10,000
  亩 over 2024–2026: behind the pace). 验收日期 is an Excel date, except three text cells:
  `2024.6`, `2024-09-15`, `2025年3月`. 其中：耕地 is part of 复垦面积 (never add them).
- last row: `合计` in A, sums of 复垦面积 and 其中：耕地 over all projects (2023 included).
`占补平衡项目台账.xlsx`:
- row 1: header 项目名称 | 乡镇（街道） | 新增耕地面积（公顷） | 验收时间 (the unit is only in the header)
- rows 2…: 20 projects accepted 2024–2025, 2–30 公顷 each (4 decimals), 验收时间 Excel dates. No total.

indicators/ — 统计局, 4 GBK CSV files (CRLF, no BOM) and 1 .xlsx
===============================================================
国家统计局 export layout: `数据库：淮安市县区年度数据`, `指标：{name}({unit})`, `时间：最近6年`, then the
header `地区,2025年,2024年,2023年,2022年,2021年,2020年`, one row per region, then `注：…` and
`数据来源：淮安市统计局`. An empty field is a figure not yet published.
- `主要经济指标_地区生产总值.csv` — 地区生产总值(亿元); rows 淮安区, 清江浦区, 淮阴区 (2025 empty),
  淮安市. 淮安区 780.53 / 831.27 / 880.64 for 2023–2025; 清江浦区 901.76 / 936.42 / 969.85: the gap
  (ours − peer) is negative but shrinking (−121.2 → −105.2 → −89.2).
- `主要经济指标_地区生产总值增长率.csv` — 地区生产总值增长率(%) (比上年增长, as reported; never
  recompute), same rows; 淮安区 6.1 / 5.8 / 6.3 for 2023–2025; 2024 淮阴区 is faster (6.0), so the
  gap to the higher peer is +0.2, −0.2, +0.9; 清江浦区 −0.6 in 2020. Two 注 lines (the second
  starts with U+3000).
- `主要经济指标_规模以上工业总产值.csv` — 规模以上工业总产值(亿元), row 淮安区 only; 2023–2025 are the
  sums of the 规上 rows of the December rosters (420.40 / 460.70 / 500.50); 2020–2022 lower.
- `地区生产总值_季度.csv` — `数据库：淮安市县区季度数据`, `时间：2025年各季度`, header
  `地区,2025年1-3月,2025年1-6月,2025年1-9月` (year to date), rows 淮安区, 清江浦区.
- `其他指标_长表.xlsx` — sheet `Sheet1`, row 1 header 指标名称 | 地区 | 时期 | 数值 | 单位 | 口径, then one
  row per value (地区 淮安区, 时期 `2024年`): 新增公共停车位 (个, 本年新增: 1200, 1500 in 2024–2025),
  新增民宿客房 (间, 本年新增), 省级以上农业龙头企业 (家, 年末数: 28, 31, 34), 个转企 (家, 本年新增, 2023 is
  before the baseline), 开发区综合考核排名 (位次, 全省位次: 42, 36, 31), 全国综合实力百强区排名 (位次,
  全国位次: 118, 109, 101: not yet in the top 100).

targets/ — 1 .xlsx file
=======================
`工作报告目标任务表.xlsx`, sheet `Sheet1`, row 1 header 指标名称 | 目标值 | 单位 | 完成时限 | 基期 | 备注,
then one row per target of the work report (`TARGET_ROWS`). A masked target has an empty 目标值 and
备注 `目标值待定（报告中未公开）`. 完成时限 is text (`2028年`, `每年`), 基期 `2023年`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xlsxwriter

from etl.base.codes import CREDIT_ALPHABET, make_credit_code

SEED = 20231231

DEMO_TOWNSHIPS: tuple[tuple[str, str], ...] = (
    ("320803001", "淮城街道"),
    ("320803002", "河下街道"),
    ("320803004", "山阳街道"),
    ("320803101", "平桥镇"),
    ("320803104", "朱桥镇"),
    ("320803106", "施河镇"),
    ("320803107", "车桥镇"),
    ("320803109", "流均镇"),
    ("320803110", "博里镇"),
    ("320803112", "复兴镇"),
    ("320803113", "苏嘴镇"),
    ("320803114", "钦工镇"),
    ("320803115", "顺河镇"),
    ("320803121", "漕运镇"),
    ("320803122", "石塘镇"),
    ("320803123", "范集镇"),
    ("320803400", "白马湖农场"),
    ("320803401", "经济开发区"),
    ("320803402", "淮安新材料产业园"),
)
"""The township-level units of 淮安区 (2023 统计用区划代码, `streets.csv` rows starting 320803)."""

SOURCES = ("enterprises", "hightech", "land_use", "indicators", "targets")
FILE_COUNTS = {"enterprises": 23, "hightech": 4, "land_use": 2, "indicators": 5, "targets": 1}

CHAINS = ("高端装备制造", "盐化工", "生物医药", "绿色食品", "电子信息", "其他")

CHAIN_OUTPUT_YI: dict[str, dict[int, float]] = {
    "高端装备制造": {2023: 70.4, 2024: 79.5, 2025: 89.6},
    "盐化工": {2023: 61.8, 2024: 63.7, 2025: 65.8},
    "生物医药": {2023: 42.3, 2024: 48.2, 2025: 54.9},
    "绿色食品": {2023: 88.1, 2024: 96.3, 2025: 104.3},
    "电子信息": {2023: 35.2, 2024: 40.1, 2025: 45.8},
    "其他": {2023: 122.6, 2024: 132.9, 2025: 140.1},
}
"""Annual output by chain (亿元): the sum of 本年累计 over the 规上 rows of each December roster."""

CHAIN_INDUSTRY_CODES: dict[str, tuple[tuple[str, str], ...]] = {
    # (GB/T 4754-2017 code, word used in company names)
    "高端装备制造": (
        ("3411", "锅炉"), ("3412", "动力机械"), ("3421", "数控机床"), ("3431", "起重机械"), ("3441", "泵业"),
        ("3442", "压缩机"), ("3443", "阀门"), ("3444", "液压"), ("3451", "轴承"), ("3453", "传动机械"),
        ("3462", "风机"), ("3463", "环保设备"), ("3464", "制冷设备"), ("3481", "密封件"), ("3482", "紧固件"),
        ("3484", "精密机械"), ("3491", "智能装备"), ("3499", "机械"), ("3514", "工程机械"), ("3521", "化工装备"),
        ("3531", "食品机械"), ("3562", "半导体设备"), ("3572", "农业机械"), ("3591", "环保科技"),
        ("3599", "机械设备"), ("3811", "发电设备"), ("3812", "电机"), ("3821", "电气"), ("3823", "电气设备"),
        ("3824", "电力电子"), ("3831", "电缆"), ("3841", "新能源"), ("3899", "电器"),
    ),
    "盐化工": (
        ("2611", "化工"), ("2612", "碱业"), ("2613", "盐化"), ("2614", "化工"), ("2619", "化学"),
        ("2621", "化肥"), ("2641", "涂料"), ("2651", "新材料"), ("2661", "化学"), ("2662", "化工科技"),
        ("2669", "精细化工"),
    ),
    "生物医药": (
        ("2710", "药业"), ("2720", "制药"), ("2730", "中药饮片"), ("2740", "中药"), ("2750", "动物药业"),
        ("2761", "生物科技"), ("2762", "生物制药"), ("2770", "医疗用品"),
    ),
    "绿色食品": (
        ("1311", "米业"), ("1312", "面粉"), ("1329", "饲料"), ("1331", "粮油"), ("1351", "肉类"),
        ("1352", "禽业"), ("1353", "食品"), ("1361", "水产"), ("1371", "蔬菜"), ("1391", "淀粉"),
        ("1392", "豆制品"), ("1399", "农产品"), ("1411", "食品"), ("1431", "米面"), ("1432", "速冻食品"),
        ("1462", "酿造"), ("1469", "调味品"), ("1491", "营养食品"), ("1495", "生物科技"), ("1499", "食品"),
        ("1511", "酒精"), ("1512", "酒业"), ("1513", "啤酒"), ("1522", "饮用水"), ("1524", "乳业"),
        ("1529", "饮料"),
    ),
    "电子信息": (
        ("3911", "计算机"), ("3912", "电子"), ("3921", "通信"), ("3922", "通讯"), ("3972", "半导体"),
        ("3973", "微电子"), ("3974", "显示"), ("3975", "照明"), ("3976", "光电"), ("3981", "电子元件"),
        ("3982", "电路"), ("3983", "传感"), ("3984", "电声"), ("3985", "电子材料"), ("3989", "电子"),
        ("3990", "电子科技"),
    ),
    "其他": (
        ("2911", "轮胎"), ("2913", "橡胶"), ("3011", "水泥"), ("3021", "建材"), ("3041", "玻璃"),
        ("3061", "玻纤"), ("2231", "包装"), ("1711", "纺织"), ("1810", "服饰"), ("2110", "家具"),
        ("2021", "木业"), ("3130", "钢铁"), ("3311", "钢结构"), ("3360", "表面处理"), ("2922", "塑业"),
        ("2927", "塑料制品"), ("2319", "印务"),
    ),
}  # fmt: skip

ROSTER_PERIODS: tuple[tuple[int, int], ...] = (
    ((2023, 12),) + tuple((2024, m) for m in range(2, 13)) + tuple((2025, m) for m in range(2, 13))
)
"""(year, month) of each roster file: the month its figures run to."""
ROSTER_SHEET_NAMES = {(2024, 6): "2024年6月", (2024, 10): "2024年10月", (2025, 4): "2025年4月"}
TICK_PERIODS = ((2024, 8), (2024, 9))
"""Periods whose flags are written √ / blank instead of 是 / 否."""

HIGHTECH_FLAG_ONLY = "淮安恒泰精密机械有限公司"
"""Flagged 高新技术企业 = 是 in every roster, but in no 认定名单 (its certificate was never renewed)."""
HIGHTECH_LIST_ONLY = "江苏康瑞（淮安）生物科技有限公司"
"""首次认定 in the 2024 list (December 2024), but 高新技术企业 = 否 in every roster."""

MASKED_NOTE = "目标值待定（报告中未公开）"
TARGET_ROWS: tuple[tuple[str, float | None, str, str, str, str], ...] = (
    # 指标名称, 目标值 (None: masked), 单位, 完成时限, 基期, 备注
    ("地区生产总值", None, "亿元", "2028年", "2023年", MASKED_NOTE),
    ("工业总产值", None, "亿元", "2028年", "2023年", MASKED_NOTE),
    ("经济总量超过清江浦区", 0, "亿元", "2028年", "2023年", "本区地区生产总值减清江浦区，大于0即完成"),
    ("主要经济指标增速高于两地", 0, "百分点", "每年", "", "本区增速减两地中较高者，大于0即完成"),
    ("经济开发区全省排名", None, "位次", "2028年", "2023年", MASKED_NOTE),
    ("迈入全国百强区行列", 100, "位次", "2028年", "2023年", "全国综合实力百强区排名进入前100位"),
    ("国家高新技术企业新增累计数", None, "家", "2025年", "2023年", MASKED_NOTE),
    ("省级以上农业龙头企业", None, "家", "2025年", "2023年", MASKED_NOTE),
    ("高端装备制造产业规模", 100, "亿元", "2028年", "2023年", "超百亿元"),
    ("盐化工产业规模", 100, "亿元", "2028年", "2023年", "超百亿元"),
    ("生物医药产业规模", 100, "亿元", "2028年", "2023年", "超百亿元"),
    ("绿色食品产业规模", 100, "亿元", "2028年", "2023年", "超百亿元"),
    ("电子信息产业规模", None, "亿元", "2028年", "2023年", MASKED_NOTE),
    ("三年新增挂钩", 10000, "亩", "2026年", "2023年", "2024—2026年累计"),
    ("三年新增占补", None, "亩", "2026年", "2023年", MASKED_NOTE),
    ("三年新增公共停车位", None, "个", "2026年", "2023年", MASKED_NOTE),
    ("三年新增民宿", None, "间", "2026年", "2023年", MASKED_NOTE),
)

# ----------------------------------------------------------------------------------------------
# The enterprise model
# ----------------------------------------------------------------------------------------------

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


def _t(year: int, month: int) -> int:
    return (year - 2023) * 12 + month - 1


def _period_months(p: int) -> list[int]:
    y, m = ROSTER_PERIODS[p]
    return [_t(y, 1), _t(y, 2)] if m == 2 else [_t(y, m)]


def _short_town(name: str) -> str:
    for suffix in ("街道", "镇"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


@dataclass
class _Ent:
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
        return _period_months(self.end_p - 1)[-1]


@dataclass
class _Company:
    """A non-industrial holder of a 高新技术企业 certificate (not in the roster)."""

    name: str
    town: str
    certs: list[tuple[dt.date, str]] = field(default_factory=list)


@dataclass
class _Demo:
    ents: list[_Ent]
    out: np.ndarray  # (enterprise, month) output in 0.01 万元, int64
    rev: np.ndarray
    employees: np.ndarray  # (enterprise, year 0..2)
    top50: dict[int, list[int]]
    hightech_flag: np.ndarray  # (enterprise, period) bool
    companies: list[_Company]
    cert_rows: dict[int, list[tuple[dt.date, str, str, str, str]]]  # year → (date, no, name, town, type)


def _pick(rng: np.random.Generator, items, weights) -> int:
    w = np.asarray(weights, dtype=float)
    return int(rng.choice(len(items), p=w / w.sum()))


_TOWN_CODES = [c[-3:] for c, _ in DEMO_TOWNSHIPS]
_TOWN_CODE_WEIGHTS = np.array([_TOWN_WEIGHTS[c] for c in _TOWN_CODES], dtype=float)


def _new_ent(
    rng: np.random.Generator, ents: list[_Ent], chain: str, small: bool, p: int, start_t: int
) -> _Ent:
    """A new enterprise of `chain`, appended to `ents`: its size, industry, township and ratios drawn."""
    e = _Ent(idx=len(ents), chain=chain, small=small, first_p=p, start_t=start_t)
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


def _baseline_roster(rng: np.random.Generator) -> tuple[list[_Ent], _Ent, _Ent]:
    """The enterprises of the 2023-12 file (active all of 2023), and the flag-only and list-only ones."""
    ents: list[_Ent] = []
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


def _enter_and_leave(rng: np.random.Generator, ents: list[_Ent], protected: set[int]) -> None:
    """Entries and exits, period by period: 小升规, 新建投产, new 规下 firms, 0–2 leavers (never `protected`)."""
    chains_new, w_new = zip(*_NEW_PLANT_CHAINS, strict=True)
    small_mix = [_BASE_COUNTS[c][1] for c in CHAINS]
    for p in range(1, len(ROSTER_PERIODS)):
        start = _period_months(p)[0]
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


def _raw_output(rng: np.random.Generator, ents: list[_Ent]) -> np.ndarray:
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
                lv[_period_months(e.above_from_p)[0] :] *= float(rng.uniform(1.35, 1.9))
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


def _counted(ents: list[_Ent], dec_p: int) -> np.ndarray:
    """The 规上 rows of the roster of period `dec_p` (a December): what the story's sums run over."""
    return np.array(
        [e.present(dec_p) and e.above_from_p is not None and e.above_from_p <= dec_p for e in ents]
    )


def _calibrate(rng: np.random.Generator, ents: list[_Ent], raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def _employees(ents: list[_Ent], out: np.ndarray) -> np.ndarray:
    """Employees per year (enterprise, year 0..2): annualised output / productivity, at least 6."""
    employees = np.zeros((len(ents), 3), dtype=np.int64)
    for e in ents:
        for yi in range(3):
            months = [t for t in range(yi * 12, yi * 12 + 12) if e.start_t <= t <= e.last_t]
            if months:
                annual = out[e.idx, months].sum() / 100 / len(months) * 12
                employees[e.idx, yi] = max(6, int(round(annual / e.productivity)))
    return employees


def _top50(ents: list[_Ent], annual: dict[int, np.ndarray]) -> dict[int, list[int]]:
    """50强: the 50 largest by previous-year output among firms present all year (2023: by 2023)."""
    top50: dict[int, list[int]] = {}
    for year in (2023, 2024, 2025):
        ps = [p for p, (y, _) in enumerate(ROSTER_PERIODS) if y == year]
        eligible = [e.idx for e in ents if all(e.present(p) for p in ps)]
        basis = annual[max(2023, year - 1)]
        top50[year] = sorted(eligible, key=lambda i: (-int(basis[i]), i))[:50]
    return top50


def _list_and_certify_srdi(rng: np.random.Generator, ents: list[_Ent], annual_2023: np.ndarray) -> None:
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


def _name_ents(rng: np.random.Generator, ents: list[_Ent], flag_only: _Ent, list_only: _Ent) -> None:
    """Names and credit codes (the fixed names first, so generated ones never collide)."""
    used_names = {HIGHTECH_FLAG_ONLY, HIGHTECH_LIST_ONLY}
    used_codes: set[str] = set()
    flag_only.name, list_only.name = HIGHTECH_FLAG_ONLY, HIGHTECH_LIST_ONLY
    for e in ents:
        if not e.name:
            listed = e.listed_from_p is not None
            e.name = _company_name(rng, e.word, used_names, listed)
        e.code = _credit_code(rng, used_codes)


def _hightech_flags(ents: list[_Ent], flag_only: _Ent, list_only: _Ent) -> np.ndarray:
    """高新技术企业 per (enterprise, period): a certificate valid at the month's end, but for the two disagreements."""
    hightech_flag = np.zeros((len(ents), len(ROSTER_PERIODS)), dtype=bool)
    for e in ents:
        for p, (y, m) in enumerate(ROSTER_PERIODS):
            hightech_flag[e.idx, p] = _cert_valid(e.certs, _month_end(y, m))
    hightech_flag[flag_only.idx, :] = True
    hightech_flag[list_only.idx, :] = False
    return hightech_flag


def _build() -> _Demo:
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
    return _Demo(ents, out, rev, employees, top50, hightech_flag, companies, cert_rows)


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
    rng: np.random.Generator, ents: list[_Ent], flag_only: _Ent, list_only: _Ent
) -> tuple[list[_Company], list[_Ent | _Company]]:
    """高新技术企业 certificates 2016–2025: first-time ones and renewals three years later.

    Returns the non-industrial holders and every holder, in the order they were first certified."""
    companies: list[_Company] = []
    used_names = {e.name for e in ents}
    holders: list[_Ent | _Company] = []

    def latest(h) -> dt.date | None:
        return max(h.certs)[0] if h.certs else None

    for year in range(2016, 2026):
        batch = (dt.date(year, 11, int(rng.integers(6, 25))), dt.date(year, 12, int(rng.integers(2, 21))))
        due = [
            h for h in holders
            if h is not flag_only and latest(h) is not None and latest(h).year == year - 3
            and (not isinstance(h, _Ent) or h.last_t >= _t(year, 1) or year < 2023)
        ]  # fmt: skip
        n_renew = int(round(0.35 * len(due)))
        for i in sorted(rng.choice(len(due), size=n_renew, replace=False)):
            due[int(i)].certs.append((batch[int(rng.random() < 0.4)], "重新认定"))
        n_first = int(rng.integers(*((18, 24) if year < 2019 else (26, 31)))) - n_renew - (year == 2024)
        n_ind = int(round(n_first * 0.62))
        cand = [
            e for e in ents
            if not e.certs and e is not flag_only and e is not list_only
            and (e.first_p == 0 or e.start_t <= _t(year, 6))
            and (e.end_p == len(ROSTER_PERIODS) or e.last_t >= _t(year, 11) or year < 2023)
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
            c = _Company(_company_name(rng, word, used_names), _NON_INDUSTRIAL_TOWNS[int(rng.integers(6))])
            c.certs.append((batch[int(rng.random() < 0.4)], "首次认定"))
            companies.append(c)
            holders.append(c)
    return companies, holders


def _number_certificates(
    rng: np.random.Generator, holders: list[_Ent | _Company]
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


# ----------------------------------------------------------------------------------------------
# Writers
# ----------------------------------------------------------------------------------------------


class _Book:
    """An xlsxwriter workbook with fixed document dates (same bytes every run) and a few formats."""

    def __init__(self, path: Path, created: dt.datetime):
        self.wb = xlsxwriter.Workbook(str(path), {"in_memory": True, "strings_to_numbers": False})
        self.wb.set_properties({"created": created, "author": "淮安区", "company": ""})
        f = self.wb.add_format
        self.title = f({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
        self.head = f({"bold": True, "align": "center", "valign": "vcenter", "border": 1, "text_wrap": True})
        self.text = f({"border": 1})
        self.center = f({"border": 1, "align": "center"})
        self.money = f({"border": 1, "num_format": "0.00"})
        self.area4 = f({"border": 1, "num_format": "0.0000"})
        self.int = f({"border": 1, "num_format": "0"})
        self.date = f({"border": 1, "num_format": "yyyy-mm-dd", "align": "center"})
        self.date_slash = f({"border": 1, "num_format": "yyyy/m/d", "align": "center"})
        self.right = f({"align": "right"})
        self.plain = f({})

    def sheet(self, name: str = "Sheet1"):
        return self.wb.add_worksheet(name)

    def close(self) -> None:
        self.wb.close()


def _write_roster_header(ws, b: _Book, y: int, m: int) -> None:
    """Rows 1–4 of a roster: the merged title, 填报单位 and 单位, the two-row header; the column widths."""
    ws.merge_range(0, 0, 0, 16, f"淮安区工业企业主要经济指标（{y}年1-{m}月）", b.title)
    ws.write_string(1, 0, "填报单位：淮安区工业和信息化局")
    ws.write_string(1, 16, "单位：万元", b.right)
    single = {0: "序号", 1: "统一社会信用代码", 2: "企业名称", 3: "所在镇（街道）", 4: "行业代码", 5: "所属产业链",
              10: "从业人员（人）", 11: "是否规上", 12: "专精特新", 13: "高新技术企业", 14: "上市企业", 15: "50强",
              16: "入库类型"}  # fmt: skip
    for col, text in single.items():
        ws.merge_range(2, col, 3, col, text, b.head)
    ws.merge_range(2, 6, 2, 7, "工业总产值（万元）", b.head)
    ws.merge_range(2, 8, 2, 9, "营业收入（万元）", b.head)
    for col, text in ((6, "本月"), (7, "本年累计"), (8, "本月"), (9, "本年累计")):
        ws.write_string(3, col, text, b.head)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 2, 34)
    ws.set_column(3, 3, 14)
    ws.set_column(6, 10, 12)


def _roster_flags(demo: _Demo, e: _Ent, p: int, top50: set[int]) -> tuple[bool, ...]:
    """Columns L–P of `e` in period `p`: 是否规上, 专精特新, 高新技术企业, 上市企业, 50强."""
    return (
        e.above_from_p is not None and p >= e.above_from_p,
        e.srdi_from_p is not None and p >= e.srdi_from_p,
        bool(demo.hightech_flag[e.idx, p]),
        e.listed_from_p is not None and p >= e.listed_from_p,
        e.idx in top50,
    )


def _write_roster_rows(ws, b: _Book, demo: _Demo, p: int) -> tuple[list[int], int]:
    """Rows 6…: one per enterprise present in period `p`, by township then first appearance.

    Returns the sums of G–K (0.01 万元, then people) for the 合计 row, and the number of rows."""
    y, m = ROSTER_PERIODS[p]
    months = _period_months(p)
    ytd = list(range(_t(y, 1), _t(y, m) + 1))
    yi = y - 2023
    town_order = {c: i for i, (c, _) in enumerate(DEMO_TOWNSHIPS)}
    town_name = dict(DEMO_TOWNSHIPS)
    ents = sorted((e for e in demo.ents if e.present(p)), key=lambda e: (town_order[e.town], e.idx))
    tick = (y, m) in TICK_PERIODS
    yes, no = ("√", "") if tick else ("是", "否")
    top50 = set(demo.top50[y])
    sums = [0, 0, 0, 0, 0]
    for i, e in enumerate(ents):
        r = 5 + i
        vals = [
            int(demo.out[e.idx, months].sum()), int(demo.out[e.idx, ytd].sum()),
            int(demo.rev[e.idx, months].sum()), int(demo.rev[e.idx, ytd].sum()),
        ]  # fmt: skip
        emp = int(demo.employees[e.idx, yi])
        sums = [s + v for s, v in zip(sums, [*vals, emp], strict=True)]
        town = town_name[e.town]
        ws.write_number(r, 0, i + 1, b.center)
        ws.write_string(r, 1, e.code, b.text)
        ws.write_string(r, 2, e.name, b.text)
        ws.write_string(r, 3, _short_town(town) if e.short_town else town, b.text)
        ws.write_string(r, 4, e.industry, b.center)
        ws.write_string(r, 5, e.chain, b.text)
        for c, v in enumerate(vals):
            ws.write_number(r, 6 + c, v / 100, b.money)
        ws.write_number(r, 10, emp, b.int)
        for c, flag in enumerate(_roster_flags(demo, e, p, top50)):
            ws.write_string(r, 11 + c, yes if flag else no, b.center)
        ws.write_string(r, 16, e.entry_type if e.entry_p == p else "", b.center)
    return sums, len(ents)


def _write_roster(demo: _Demo, p: int, path: Path) -> None:
    """The roster of period `p`: header, one row per enterprise, then the 合计 row (row 5) and the notes."""
    y, m = ROSTER_PERIODS[p]
    b = _Book(path, dt.datetime(y + (m == 12), m % 12 + 1, 12, 9, 30))
    ws = b.sheet(ROSTER_SHEET_NAMES.get((y, m), "Sheet1"))
    _write_roster_header(ws, b, y, m)
    sums, n_rows = _write_roster_rows(ws, b, demo, p)
    ws.write_string(4, 2 if y == 2025 else 0, "合计", b.center)
    for c, s in enumerate(sums[:4]):
        ws.write_number(4, 6 + c, s / 100, b.money)
    ws.write_number(4, 10, sums[4], b.int)
    r = 5 + n_rows + 1
    ws.write_string(r, 0, "注：1. 本表统计范围为辖区内工业企业。")
    ws.write_string(r + 1, 0, "\u30002. 工业总产值为当年价格。")
    ws.write_string(r + 2, 0, "数据来源：淮安区统计局")
    b.close()


def _write_hightech(demo: _Demo, folder: Path) -> list[Path]:
    paths = []
    for year in (2022, 2023, 2024):
        path = folder / f"{year}年高新技术企业认定名单.xlsx"
        b = _Book(path, dt.datetime(year + 1, 1, 8, 10, 0))
        ws = b.sheet()
        ws.merge_range(0, 0, 0, 5, f"淮安区{year}年度高新技术企业认定名单", b.title)
        for c, h in enumerate(("序号", "企业名称", "证书编号", "发证日期", "所在镇街", "认定类型")):
            ws.write_string(1, c, h, b.head)
        ws.set_column(1, 1, 34)
        ws.set_column(2, 3, 16)
        for i, (d, no, name, town, kind) in enumerate(demo.cert_rows[year]):
            if year == 2023:
                name = name.replace("（", "(").replace("）", ")")
            ws.write_number(2 + i, 0, i + 1, b.center)
            ws.write_string(2 + i, 1, name, b.text)
            ws.write_string(2 + i, 2, no, b.text)
            ws.write_datetime(
                2 + i, 3, dt.datetime(d.year, d.month, d.day), b.date_slash if year == 2022 else b.date
            )
            ws.write_string(2 + i, 4, town, b.text)
            ws.write_string(2 + i, 5, kind, b.center)
        b.close()
        paths.append(path)

    path = folder / "2025年高新技术企业认定情况统计表.xlsx"
    b = _Book(path, dt.datetime(2026, 1, 9, 10, 0))
    ws = b.sheet()
    ws.merge_range(0, 0, 0, 3, "淮安区2025年度高新技术企业认定情况统计表", b.title)
    for c, h in enumerate(("镇（街道）", "首次认定（家）", "重新认定（家）", "合计（家）")):
        ws.write_string(1, c, h, b.head)
    ws.set_column(0, 3, 16)
    counts = {name: [0, 0] for _, name in DEMO_TOWNSHIPS}
    for _, _, _, town, kind in demo.cert_rows[2025]:
        counts[town][0 if kind == "首次认定" else 1] += 1
    total = [0, 0]
    for i, (_, name) in enumerate(DEMO_TOWNSHIPS):
        first, renew = counts[name]
        total = [total[0] + first, total[1] + renew]
        ws.write_string(2 + i, 0, name, b.text)
        for c, v in enumerate((first, renew, first + renew)):
            ws.write_number(2 + i, 1 + c, v, b.int)
    r = 2 + len(DEMO_TOWNSHIPS)
    ws.write_string(r, 0, "合计", b.center)
    for c, v in enumerate((total[0], total[1], total[0] + total[1])):
        ws.write_number(r, 1 + c, v, b.int)
    b.close()
    paths.append(path)
    return paths


_VILLAGES = ("新河", "双庙", "三堡", "仁和", "马甸", "蔡桥", "季桥", "周庄", "徐杨", "林集", "宋集", "茭陵", "南闸",
             "翔宇", "建淮", "高堰", "东岳", "大兴", "许桥", "凤谷", "朱圩", "王营", "金湖", "唐集", "永济", "黄码",
             "夏桥", "顺阳", "三官", "席桥", "石港", "泾口", "洪湖", "刘庄", "葛庄", "沟北", "杨庙", "张码", "菱塘",
             "桃园", "官渡", "新集", "东风", "曹甸", "南马", "丁集", "陈集", "五里")  # fmt: skip
_RURAL_TOWNS = tuple(c for c, _ in DEMO_TOWNSHIPS if c[6] in "14")  # towns and the farm


_TOWN_NAME = dict(DEMO_TOWNSHIPS)
_TEXT_DATES = {  # the three 验收日期 written as text, not as Excel dates
    dt.date(2024, 6, 18): "2024.6",
    dt.date(2024, 9, 15): "2024-09-15",
    dt.date(2025, 3, 21): "2025年3月",
}


def _rand_day(rng: np.random.Generator, start: dt.date, end: dt.date) -> dt.date:
    """A day from `start` to `end`, both included."""
    return start + dt.timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def _project_name(rng: np.random.Generator, used: set[str], town: str, kind: str) -> str:
    """`{镇}{村}村{kind}`, a name not in `used` (a repeat becomes its （二期）), added to `used`."""
    while True:
        v = _VILLAGES[int(rng.integers(len(_VILLAGES)))]
        name = f"{_TOWN_NAME[town]}{v}村{kind}"
        if name in used:
            name = f"{_TOWN_NAME[town]}{v}村{kind}（二期）"
        if name not in used:
            used.add(name)
            return name


def _linkage_projects(rng: np.random.Generator) -> list[tuple[dt.date, int]]:
    """增减挂钩 acceptances (date, 复垦面积 in 0.01 亩), by date: 5 projects in 2023 (before the
    baseline), 34 in 2024–2025 totalling 5,320 亩, three of them on the `_TEXT_DATES`."""
    pre = [
        (_rand_day(rng, dt.date(2023, 3, 1), dt.date(2023, 12, 20)), float(rng.uniform(80, 300)))
        for _ in range(5)
    ]
    n = 34
    days = [_rand_day(rng, dt.date(2024, 1, 10), dt.date(2024, 12, 28)) for _ in range(15)]
    days += [_rand_day(rng, dt.date(2025, 1, 10), dt.date(2025, 12, 26)) for _ in range(n - 15)]
    days[2], days[6], days[20] = dt.date(2024, 6, 18), dt.date(2024, 9, 15), dt.date(2025, 3, 21)
    areas = 60 + 340 * rng.beta(1.3, 3.2, size=n)
    areas = 60 + (areas - 60) * (5320 - 60 * n) / (areas.sum() - 60 * n)
    cents = np.rint(np.clip(areas, 60, 400) * 100).astype(np.int64)
    cents[int(np.argmax(cents))] += 532000 - int(cents.sum())
    rows = [(d, int(round(a * 100))) for d, a in pre] + list(zip(days, (int(c) for c in cents), strict=True))
    rows.sort()
    return rows


def _write_linkage(
    rng: np.random.Generator, used: set[str], rows: list[tuple[dt.date, int]], path: Path
) -> None:
    """增减挂钩项目验收台账: title, unit and header, one row per project (township and 耕地 drawn), 合计."""
    b = _Book(path, dt.datetime(2026, 1, 6, 16, 20))
    ws = b.sheet()
    ws.merge_range(0, 0, 0, 5, "淮安区城乡建设用地增减挂钩项目验收台账", b.title)
    ws.write_string(1, 0, "面积单位：亩")
    for c, h in enumerate(("序号", "项目名称", "所在镇", "复垦面积", "其中：耕地", "验收日期")):
        ws.write_string(2, c, h, b.head)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 5, 13)
    tot = [0, 0]
    for i, (d, area) in enumerate(rows):
        town = _RURAL_TOWNS[int(rng.integers(len(_RURAL_TOWNS)))]
        crop = int(round(area * float(rng.uniform(0.72, 0.95))))
        tot = [tot[0] + area, tot[1] + crop]
        town_text = _TOWN_NAME[town]
        if i in (7, 23):
            town_text = _short_town(town_text)
        ws.write_number(3 + i, 0, i + 1, b.center)
        ws.write_string(3 + i, 1, _project_name(rng, used, town, "增减挂钩拆旧复垦项目"), b.text)
        ws.write_string(3 + i, 2, town_text, b.text)
        ws.write_number(3 + i, 3, area / 100, b.money)
        ws.write_number(3 + i, 4, crop / 100, b.money)
        if d in _TEXT_DATES:
            ws.write_string(3 + i, 5, _TEXT_DATES[d], b.center)
        else:
            ws.write_datetime(3 + i, 5, dt.datetime(d.year, d.month, d.day), b.date)
    r = 3 + len(rows)
    ws.write_string(r, 0, "合计", b.center)
    ws.write_number(r, 3, tot[0] / 100, b.money)
    ws.write_number(r, 4, tot[1] / 100, b.money)
    b.close()


def _write_balance(rng: np.random.Generator, used: set[str], path: Path) -> None:
    """占补平衡项目台账: header, then 20 projects accepted 2024–2025, 2–30 公顷 each; no total."""
    b = _Book(path, dt.datetime(2026, 1, 7, 11, 5))
    ws = b.sheet()
    for c, h in enumerate(("项目名称", "乡镇（街道）", "新增耕地面积（公顷）", "验收时间")):
        ws.write_string(0, c, h, b.head)
    ws.set_column(0, 0, 40)
    ws.set_column(1, 3, 18)
    kinds = ("土地开发项目", "高标准农田建设新增耕地项目", "工矿废弃地复垦项目", "土地整理项目")
    items = sorted(
        (_rand_day(rng, dt.date(2024, 2, 1), dt.date(2025, 12, 25)), float(rng.uniform(2, 30)))
        for _ in range(20)
    )
    for i, (d, ha) in enumerate(items):
        town = _RURAL_TOWNS[int(rng.integers(len(_RURAL_TOWNS)))]
        ws.write_string(
            1 + i, 0, _project_name(rng, used, town, kinds[int(rng.integers(len(kinds)))]), b.text
        )
        ws.write_string(1 + i, 1, _TOWN_NAME[town], b.text)
        ws.write_number(1 + i, 2, round(ha, 4), b.area4)
        ws.write_datetime(1 + i, 3, dt.datetime(d.year, d.month, d.day), b.date)
    b.close()


def _write_land(rng: np.random.Generator, folder: Path) -> list[Path]:
    """The two 自然资源局 ledgers, drawn from `rng` in this order; no project name is used twice."""
    used: set[str] = set()
    path1 = folder / "增减挂钩项目验收台账.xlsx"
    _write_linkage(rng, used, _linkage_projects(rng), path1)
    path2 = folder / "占补平衡项目台账.xlsx"
    _write_balance(rng, used, path2)
    return [path1, path2]


_YEARS6 = (2025, 2024, 2023, 2022, 2021, 2020)
_GDP = {
    "淮安区": (880.64, 831.27, 780.53, 742.86, 716.45, 660.12),
    "清江浦区": (969.85, 936.42, 901.76, 868.30, 842.15, 778.40),
    "淮阴区": (None, 815.66, 772.41, 735.90, 702.60, 640.30),
    "淮安市": (5622.18, 5311.47, 5015.06, 4742.42, 4550.13, 4025.37),
}
_GDP_GROWTH = {
    "淮安区": (6.3, 5.8, 6.1, 3.8, 9.1, 3.4),
    "清江浦区": (5.4, 5.5, 5.7, 3.2, 8.7, -0.6),
    "淮阴区": (None, 6.0, 5.9, 4.0, 9.5, 2.1),
    "淮安市": (5.8, 5.9, 5.8, 3.9, 10.0, 3.0),
}
_INDUSTRY_EARLY = {2022: 395.24, 2021: 368.91, 2020: 331.57}
_GDP_QUARTERLY = {"淮安区": (201.36, 421.85, 640.72), "清江浦区": (223.14, 464.37, 708.93)}
_LONG_ROWS = (
    ("新增公共停车位", {2024: 1200, 2025: 1500}, "个", "本年新增"),
    ("新增民宿客房", {2024: 180, 2025: 235}, "间", "本年新增"),
    ("省级以上农业龙头企业", {2023: 28, 2024: 31, 2025: 34}, "家", "年末数"),
    ("个转企", {2023: 118, 2024: 126, 2025: 143}, "家", "本年新增"),
    ("开发区综合考核排名", {2023: 42, 2024: 36, 2025: 31}, "位次", "全省位次"),
    ("全国综合实力百强区排名", {2023: 118, 2024: 109, 2025: 101}, "位次", "全国位次"),
)


def _fmt(v: float | None, decimals: int) -> str:
    return "" if v is None else f"{v:.{decimals}f}"


def _nbs_csv(path: Path, database: str, indicator: str, time: str, columns, rows, notes) -> None:
    lines = [f"数据库：{database}", f"指标：{indicator}", f"时间：{time}", ",".join(["地区", *columns])]
    lines += [",".join([region, *values]) for region, values in rows]
    lines += [*notes, "数据来源：淮安市统计局"]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))


def _write_indicators(demo: _Demo, folder: Path) -> list[Path]:
    years = [f"{y}年" for y in _YEARS6]
    db = "淮安市县区年度数据"
    p1 = folder / "主要经济指标_地区生产总值.csv"
    _nbs_csv(p1, db, "地区生产总值(亿元)", "最近6年", years,
             [(r, [_fmt(v, 2) for v in vs]) for r, vs in _GDP.items()],
             ["注：2023年及以前数据已根据第五次全国经济普查结果修订。"])  # fmt: skip
    p2 = folder / "主要经济指标_地区生产总值增长率.csv"
    _nbs_csv(p2, db, "地区生产总值增长率(%)", "最近6年", years,
             [(r, [_fmt(v, 1) for v in vs]) for r, vs in _GDP_GROWTH.items()],
             ["注：1. 增长速度为比上年增长，按可比价格计算。", "\u30002. 淮阴区2025年数据尚未发布。"])  # fmt: skip
    industry = dict(_INDUSTRY_EARLY)
    for year in (2023, 2024, 2025):
        dec_p = ROSTER_PERIODS.index((year, 12))
        cols = slice((year - 2023) * 12, (year - 2023) * 12 + 12)
        rows = [
            e.idx
            for e in demo.ents
            if e.present(dec_p) and e.above_from_p is not None and dec_p >= e.above_from_p
        ]
        industry[year] = int(demo.out[rows, cols].sum()) / 1e6
    p3 = folder / "主要经济指标_规模以上工业总产值.csv"
    _nbs_csv(p3, db, "规模以上工业总产值(亿元)", "最近6年", years,
             [("淮安区", [_fmt(industry[y], 2) for y in _YEARS6])],
             ["注：规模以上工业统计范围为年主营业务收入2000万元及以上的工业法人单位。"])  # fmt: skip
    p4 = folder / "地区生产总值_季度.csv"
    _nbs_csv(p4, "淮安市县区季度数据", "地区生产总值(亿元)", "2025年各季度",
             ["2025年1-3月", "2025年1-6月", "2025年1-9月"],
             [(r, [_fmt(v, 2) for v in vs]) for r, vs in _GDP_QUARTERLY.items()],
             ["注：季度数据为累计值。"])  # fmt: skip

    p5 = folder / "其他指标_长表.xlsx"
    b = _Book(p5, dt.datetime(2026, 1, 20, 15, 0))
    ws = b.sheet()
    for c, h in enumerate(("指标名称", "地区", "时期", "数值", "单位", "口径")):
        ws.write_string(0, c, h, b.head)
    ws.set_column(0, 0, 24)
    r = 1
    for name, values, unit, basis in _LONG_ROWS:
        for year, v in values.items():
            ws.write_string(r, 0, name, b.text)
            ws.write_string(r, 1, "淮安区", b.text)
            ws.write_string(r, 2, f"{year}年", b.center)
            ws.write_number(r, 3, v, b.int)
            ws.write_string(r, 4, unit, b.center)
            ws.write_string(r, 5, basis, b.center)
            r += 1
    b.close()
    return [p1, p2, p3, p4, p5]


def _write_targets(folder: Path) -> list[Path]:
    path = folder / "工作报告目标任务表.xlsx"
    b = _Book(path, dt.datetime(2024, 1, 15, 9, 0))
    ws = b.sheet()
    for c, h in enumerate(("指标名称", "目标值", "单位", "完成时限", "基期", "备注")):
        ws.write_string(0, c, h, b.head)
    ws.set_column(0, 0, 28)
    ws.set_column(5, 5, 40)
    for i, (name, target, unit, deadline, base, note) in enumerate(TARGET_ROWS):
        r = 1 + i
        ws.write_string(r, 0, name, b.text)
        if target is None:
            ws.write_blank(r, 1, None, b.text)
        else:
            ws.write_number(r, 1, target, b.int)
        ws.write_string(r, 2, unit, b.center)
        ws.write_string(r, 3, deadline, b.center)
        ws.write_string(r, 4, base, b.center)
        ws.write_string(r, 5, note, b.text)
    b.close()
    return [path]


def roster_file_name(year: int, month: int) -> str:
    return f"规上工业企业主要指标_{year}年1-{month}月.xlsx"


def write_demo(inbox: Path) -> list[Path]:
    """Write the sample departmental spreadsheets into `inbox/<source>/`; return their paths, sorted."""
    inbox = Path(inbox)
    folders = {s: inbox / s for s in SOURCES}
    for f in folders.values():
        f.mkdir(parents=True, exist_ok=True)
    demo = _build()
    paths: list[Path] = []
    for p, (y, m) in enumerate(ROSTER_PERIODS):
        path = folders["enterprises"] / roster_file_name(y, m)
        _write_roster(demo, p, path)
        paths.append(path)
    paths += _write_hightech(demo, folders["hightech"])
    paths += _write_land(np.random.default_rng(SEED + 1), folders["land_use"])
    paths += _write_indicators(demo, folders["indicators"])
    paths += _write_targets(folders["targets"])
    return sorted(paths)


if __name__ == "__main__":  # pragma: no cover
    import sys

    for written in write_demo(Path(sys.argv[1] if len(sys.argv) > 1 else "data/inbox")):
        print(written)

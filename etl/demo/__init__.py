"""Sample departmental spreadsheets for 淮安区 (320803): what `statwh demo` writes into the inbox.

Everything is generated from one seed (`SEED`, `numpy.random.default_rng`): two runs write the
same files, byte for byte (xlsxwriter with fixed document dates, zip entries dated 1980-01-01).
`write_demo(inbox)` writes `inbox/<source>/<file>` and returns the paths, sorted.

The figures are invented but tell a coherent story, so that every indicator of
the shared `seed/INDICATORS.md` gets a distinct status on the dashboard. Layouts below are exact
(rows are 1-based, as a spreadsheet user names them).

The modules, from the facts up: `story` (the constants below, public, and the month arithmetic),
`model` (the enterprises and their certificates: `build()`), `book` (the workbook with fixed
dates), one writer per source (`roster`, `hightech`, `land`, `indicators`, `targets`), and
`inbox` (`write_demo`).

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

from etl.demo.inbox import write_demo
from etl.demo.roster import roster_file_name
from etl.demo.story import (
    CHAIN_INDUSTRY_CODES,
    CHAIN_OUTPUT_YI,
    CHAINS,
    DEMO_TOWNSHIPS,
    FILE_COUNTS,
    HIGHTECH_FLAG_ONLY,
    HIGHTECH_LIST_ONLY,
    MASKED_NOTE,
    ROSTER_PERIODS,
    ROSTER_SHEET_NAMES,
    SEED,
    SOURCES,
    TARGET_ROWS,
    TICK_PERIODS,
)

__all__ = [
    "CHAINS",
    "CHAIN_INDUSTRY_CODES",
    "CHAIN_OUTPUT_YI",
    "DEMO_TOWNSHIPS",
    "FILE_COUNTS",
    "HIGHTECH_FLAG_ONLY",
    "HIGHTECH_LIST_ONLY",
    "MASKED_NOTE",
    "ROSTER_PERIODS",
    "ROSTER_SHEET_NAMES",
    "SEED",
    "SOURCES",
    "TARGET_ROWS",
    "TICK_PERIODS",
    "roster_file_name",
    "write_demo",
]

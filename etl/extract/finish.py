"""Per-dataset finishing steps: DataFrame in → DataFrame out (plus issues), no I/O.

Extraction gives each field parsed from its cells; these steps derive what the dataset needs
(keys, resolved ids, periods in the dataset's grain, units of the catalog).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable

import pandas as pd

from etl.base import cells
from etl.base.issues import Issue
from etl.base.names import normalize_names
from etl.base.strings import map_unique
from etl.extract.deadlines import parse_deadline
from etl.extract.header import label_text
from etl.extract.meta import unit_conflict
from etl.extract.totals import catalog_district
from etl.extract.wide import without_footnote
from etl.reference import catalog
from etl.reference.industry import chain_of
from etl.reference.regions import RegionResolver
from etl.spec.model import SourceSpec

Step = Callable[[pd.DataFrame, str], tuple[pd.DataFrame, list[Issue]]]

# the name tests/test_cells.py imports the column name key by (it lives in etl.base.names now)


def _year_of(df: pd.DataFrame) -> pd.Series:
    return df["period"].map(lambda p: int(str(p)[:4]) if isinstance(p, str) and p[:4].isdigit() else None)


FLAGS = ("is_above_scale", "is_srdi", "is_hightech", "is_listed", "is_top50")


def enterprise_periods(df: pd.DataFrame, file_name: str) -> tuple[pd.DataFrame, list[Issue]]:
    """Roster rows: monthly period (a yearly title means December), name key, chain from the
    industry code where the file gives none (or a word outside the chain vocabulary), flags as
    booleans (a missing flag column is not known — its count indicators get no value from the
    roster, never 0; 规上 comes from the sheet's coverage), and a warning for each period and
    chain or count indicator the roster can give no value."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="statwh-names") as pool:
        # the names key is Arrow's kernels alone (no GIL held): made beside the steps below
        names_key = pool.submit(normalize_names, df["name"])
        missing = [f for f in FLAGS if f not in df and f != "is_above_scale"]  # 规上: the sheet's coverage
        typed = "entry_type" in df
        out = _enterprise_columns(df.copy())
        out["name_key"] = names_key.result()
    warnings = _gap_warnings(out, file_name) + _missing_flag_warnings(out, missing)
    return out, warnings + ([] if typed else _missing_entry_warning(out))


FLAG_WORDS = {"is_top50": "50强", "is_srdi": "专精特新", "is_listed": "上市", "is_hightech": "高新技术企业"}


def _missing_flag_warnings(out: pd.DataFrame, missing: list[str]) -> list[Issue]:
    """A warning for each flag a roster has no column for whose count is an indicator: that
    count gets no value from this roster (not known), where it had been published as 0."""
    counted = {i.params.get("flag"): i.id for i in catalog.indicators() if i.derivation == "roster_count"}
    if out.empty:
        return []
    where = (out["_sheet"].iloc[0], int(out["_row"].iloc[0]))
    return [
        Issue(
            "warning",
            "flag_column_missing",
            f"名录没有“{FLAG_WORDS.get(flag, flag)}”列：{counted[flag]} 本期无值（不按 0 计） / the roster has no"
            f" {FLAG_WORDS.get(flag, flag)} column: {counted[flag]} has no value from it (not 0)",
            *where,
            flag,
        )
        for flag in missing
        if flag in counted
    ]


def _missing_entry_warning(out: pd.DataFrame) -> list[Issue]:
    """A roster without a 入库类型 column: its new 规上 enterprises are counted as 小升规 by first
    appearance against the baseline roster (INDICATORS.md), 新建投产 among them; said once."""
    ids = [i.id for i in catalog.indicators() if i.derivation == "roster_new"]
    if out.empty or not ids:
        return []
    return [
        Issue(
            "warning",
            "entry_type_column_missing",
            f"名录没有“入库类型”列：{'、'.join(ids)} 按基期名录后首次规上计（新建投产无法区分；未载入基期名录则无值）"
            f" / the roster has no 入库类型 column: {', '.join(ids)} counts enterprises first 规上 after the"
            " baseline roster (新建投产 cannot be told apart; no value without the baseline roster)",
            out["_sheet"].iloc[0],
            int(out["_row"].iloc[0]),
            "entry_type",
        )
    ]


def _enterprise_columns(out: pd.DataFrame) -> pd.DataFrame:
    """The roster's columns other than the names key (see enterprise_periods)."""

    year_only = map_unique(
        out["period"], lambda p: isinstance(p, str) and re.fullmatch(r"\d{4}", p) is not None
    )
    year_only = year_only.astype(bool)
    out.loc[year_only, "period"] = out.loc[year_only, "period"] + "-12"
    if "chain" not in out:
        out["chain"] = None
    if "industry_code" in out:
        missing_chain = out["chain"].isna() & out["industry_code"].notna()
        out.loc[missing_chain, "chain"] = map_unique(out.loc[missing_chain, "industry_code"], chain_of)
    for flag in FLAGS:  # null: a word outside the flag vocabulary, or 规上 status unknown (warned)
        if flag in out:
            out[flag] = pd.array(out[flag].astype(object).where(out[flag].notna(), None), dtype="boolean")
        else:
            out[flag] = pd.array([None] * len(out), dtype="boolean")  # no column: not known, never 否
    if "employees" in out:
        out["employees"] = pd.array(out["employees"], dtype="Int64")
    return out


def _gap_warnings(out: pd.DataFrame, file_name: str) -> list[Issue]:
    """A warning for each period of the roster that gives no 规上 enterprise (every 规上 count and
    chain output of that period would be empty) or no 工业总产值 本年累计, and for each chain
    indicator without a 规上 enterprise."""
    chains = {i.params["chain"]: i.id for i in catalog.indicators() if i.derivation == "chain_output"}
    above = out["is_above_scale"].fillna(False).astype(bool)
    issues: list[Issue] = []
    for period, rows in out.groupby("period", sort=True):
        where = (rows["_sheet"].iloc[0], int(rows["_row"].iloc[0]))
        in_scale = rows[above[rows.index]]
        for why, column in _period_gaps(rows, in_scale):
            issues.append(
                Issue(
                    "warning",
                    "no_indicator_value",
                    f"{period}：{why}；产业链产值（{', '.join(chains.values())}）本期无值"
                    f" / {period}: no chain output for this period",
                    *where,
                    column,
                )
            )
        if in_scale.empty or "output_ytd" not in in_scale or in_scale["output_ytd"].isna().all():
            continue
        for chain, iid in chains.items():
            if not (in_scale["chain"] == chain).any():
                issues.append(
                    Issue(
                        "warning",
                        "no_indicator_value",
                        f"{iid} {period}：名录中没有“{chain}”产业链的规上企业 / roster has no 规上 {chain} enterprises",
                        *where,
                        "chain",
                    )
                )
        issues += _unsummed_outputs(in_scale, chains, str(period))
    return issues


def _unsummed_outputs(in_scale: pd.DataFrame, chains: dict[str, str], period: str) -> list[Issue]:
    """A warning when 规上 enterprises leave their 工业总产值 本年累计 blank while others give
    theirs: each township's output and each chain's output of the period is the sum of those that
    do, so it leaves these out — said (how many, where, which chain outputs), not summed quietly."""
    blank = in_scale[in_scale["output_ytd"].isna()]
    if blank.empty:
        return []
    at = ", ".join(str(int(r)) for r in blank["_row"].head(5)) + ("…" if len(blank) > 5 else "")
    hit = [chains[c] for c in chains if (blank["chain"] == c).any()]
    also = f"及 {', '.join(hit)}" if hit else ""
    return [
        Issue(
            "warning",
            "output_not_summed",
            f"{period}：{len(blank)} 家规上企业的工业总产值本年累计未填写（第 {at} 行），各镇（街道）产值{also}"
            f"不含这些企业，请补填后重新报送 / {len(blank)} 规上 enterprise(s) give no 工业总产值 本年累计"
            f" (rows {at}): the townships' output{' and ' + ', '.join(hit) if hit else ''} leave them out",
            blank["_sheet"].iloc[0],
            int(blank["_row"].iloc[0]),
            "output_ytd",
        )
    ]


def _period_gaps(rows: pd.DataFrame, in_scale: pd.DataFrame) -> list[tuple[str, str]]:
    """Why a roster period gives no chain output at all (reason, column), if it gives none."""
    if in_scale.empty:
        if rows["is_above_scale"].isna().all():
            return [("规上状态未知，规上企业数无值 / the 规上 status is unknown", "is_above_scale")]
        return [("名录中没有规上企业，规上企业数为 0 / the roster has no 规上 enterprises", "is_above_scale")]
    if "output_ytd" not in in_scale or in_scale["output_ytd"].isna().all():
        return [("名录没有工业总产值本年累计 / the roster gives no 工业总产值 本年累计", "output_ytd")]
    return []


def hightech_certs(df: pd.DataFrame, file_name: str) -> tuple[pd.DataFrame, list[Issue]]:
    """Certificates: the year from the list's period, else the certificate date; 认定类型 as
    extraction mapped it through its vocabulary (首次认定 / 重新认定, else empty)."""
    out = df.copy()
    year = _year_of(out) if "period" in out else pd.Series([None] * len(out), index=out.index)
    if "cert_date" in out:
        year = year.fillna(out["cert_date"].map(lambda d: d.year if isinstance(d, dt.date) else None))
    out["year"] = pd.array(year, dtype="Int64")
    out["name_key"] = normalize_names(out["name"])
    if "cert_no" in out:  # `gr2023…` and `GR2023…` are one certificate
        out["cert_no"] = out["cert_no"].map(lambda v: "".join(v.split()).upper() if isinstance(v, str) else v)
    return out, _untyped_certificates(out) + _certificates_of_another_year(out) + _revoked_certificates(out)


REVOKED = re.compile(r"^否$|撤销|撤消|取消|注销|吊销|失效|无效|不予|暂停")
"""What a list's 资格状态 writes for a certificate that no longer counts (`已撤销`, `取消资格`, `失效`,
`否` under 是否有效); an expiry (`到期`) is not one: a certificate counts for its three years."""

REVOCATION_NOTICE = re.compile(
    r"(撤销|撤消|取消|注销|吊销)[^，。,.]{0,12}(资格|认定|高新|名单|证书)|(资格|认定)[^，。,.]{0,4}(撤销|撤消|取消|注销)"
)
"""A title, sheet or file name of a notice of certificates withdrawn (`关于撤销…高新技术企业资格的公告`)."""


def revocation_notice(file_name: str, sheets: list) -> Issue | None:
    """A critical issue when a 高企 file is a list of certificates withdrawn, not issued: its file
    name, a sheet's name or a line above a sheet's header says so (`取消高新技术企业资格名单`). Read
    as a list it had counted every withdrawn certificate as one issued (the valid count too high)."""
    places = [("file_name", file_name, None)] + [("sheet", g.name, g.name) for g in sheets]
    for g in sheets:  # title lines: a line of one cell above the table (a status cell is no title)
        lines = ([v for v in row if v not in (None, "")] for row in g.rows[:6])
        places += [
            ("title", line[0], g.name) for line in lines if len(line) == 1 and isinstance(line[0], str)
        ]
    for _place, text, sheet in places:
        if m := REVOCATION_NOTICE.search(label_text(text).replace(" ", "")):
            return Issue(
                "critical",
                "revocation_list",
                f"“{m.group(0)}”：这是撤销（取消）资格的名单，不是认定名单，不能作为新发证书计入；"
                "请在认定名单的资格状态列注明“已撤销” / a list of certificates withdrawn, not issued:"
                " not loaded as certificates",
                sheet,
            )
    return None


def _revoked_certificates(out: pd.DataFrame) -> list[Issue]:
    """A refused row for each certificate whose 资格状态 says it no longer counts (`已撤销`, `失效`):
    the valid count is certificates issued less those revoked; it had counted as valid."""
    if "status_text" not in out:
        return []
    issues = []
    for status, sheet, row in zip(out["status_text"], out["_sheet"], out["_row"], strict=True):
        said = label_text(status).replace(" ", "") if status is not None else ""
        if said and REVOKED.search(said):
            issues.append(
                Issue(
                    "row",
                    "certificate_revoked",
                    f"资格状态为“{said}”：该证书已不再有效，不计入高新技术企业数 /"
                    f" status {said!r}: the certificate no longer counts",
                    sheet,
                    int(row),
                    "资格状态",
                    said,
                )
            )
    return issues


_CERT_YEAR = re.compile(r"^GR(\d{4})", re.IGNORECASE)
"""A certificate number's year, in any case (`gr2023…` is a 2023 certificate too)."""


def _certificates_of_another_year(out: pd.DataFrame) -> list[Issue]:
    """A certificate whose date or number (`GR2023…`) says another year than the list's: a
    rejected row, never counted in the list's year (a 2023 certificate in a 2024 list)."""
    issues = []
    for r in out.to_dict("records"):
        listed = r.get("year")
        if listed is None or pd.isna(listed):
            continue
        said = []
        if isinstance(d := r.get("cert_date"), dt.date) and d.year != listed:
            said.append(f"发证日期 {d.isoformat()}")
        if (
            isinstance(no := r.get("cert_no"), str)
            and (m := _CERT_YEAR.match(no.strip()))
            and int(m.group(1)) != listed
        ):
            said.append(f"证书编号 {no.strip()}")
        if said:
            issues.append(
                Issue(
                    "row",
                    "cert_year_mismatch",
                    f"{'、'.join(said)}与名单年份 {listed} 年不一致，请核对该证书属于哪一年的名单"
                    f" / the certificate's date or number is not of the list's year {listed}",
                    r["_sheet"],
                    int(r["_row"]),
                    "cert_date" if said[0].startswith("发证") else "cert_no",
                )
            )
    return issues


def _untyped_certificates(out: pd.DataFrame) -> list[Issue]:
    """A warning for each year of the list none of whose certificates says 首次 or 重新认定: its
    first-time count (hightech_new_cumulative) cannot be told from it."""
    types = out["cert_type"] if "cert_type" in out else pd.Series([None] * len(out), index=out.index)
    issues = []
    for year, rows in out.assign(_type=types).groupby("year", dropna=False):
        if rows["_type"].isna().all():
            issues.append(
                Issue(
                    "warning",
                    "no_indicator_value",
                    f"hightech_new_cumulative {year}：名单未写明首次认定或重新认定，无法计算首次认定数"
                    " / the list does not say 首次 or 重新认定: no first-time count",
                    rows["_sheet"].iloc[0],
                    int(rows["_row"].iloc[0]),
                    "cert_type",
                )
            )
    return issues


def hightech_counts(df: pd.DataFrame, file_name: str) -> tuple[pd.DataFrame, list[Issue]]:
    """Counts by township. A row naming the district itself (`淮安区`, its code) is the district's
    total written under its name, not a place: summed with the townships it had doubled every count;
    it is refused, saying so (`合计` / `全区` rows are totals, checked against the places)."""
    out = df.copy()
    out["year"] = pd.array(_year_of(out), dtype="Int64")
    for c in ("new_first", "renewed", "valid_total"):
        if c in out:
            out[c] = pd.array(out[c], dtype="Int64")
    district = catalog_district()
    issues = [
        Issue(
            "row",
            "district_as_place",
            f"“{label_text(name)}”是全区，不是镇（街道）：全区的数应写在“合计”行（会与各镇核对），"
            f"不能与各镇相加，本行不入库 / {label_text(name)!r} is the whole district, not a township:"
            " its total belongs in a 合计 row",
            sheet,
            int(row),
            "township",
            label_text(name),
        )
        for code, name, sheet, row in zip(
            out["township_code"],
            out.get("township", out["township_code"]),
            out["_sheet"],
            out["_row"],
            strict=True,
        )
        if code == district
    ]
    return out, issues


ACCEPTED = frozenset(
    {"已验收", "验收", "已通过验收", "通过验收", "验收通过", "已完成验收", "完成验收", "是", "已验"}
)
"""What a ledger's 验收情况 writes for a project accepted (compared whole, without spaces)."""


def land_projects(df: pd.DataFrame, file_name: str) -> tuple[pd.DataFrame, list[Issue]]:
    """Land projects: the ledger year is the year of acceptance (a resent ledger replaces those years).
    A row whose 验收情况 says anything but accepted (`未验收`, `在建（计划验收）`) is refused: its date
    is a plan, and its area had counted as accepted."""
    out = df.copy()
    out["ledger_year"] = pd.array(
        out["accepted_on"].map(lambda d: d.year if isinstance(d, dt.date) else None), dtype="Int64"
    )
    issues = []
    if "status_text" in out:
        for status, sheet, row in zip(out["status_text"], out["_sheet"], out["_row"], strict=True):
            said = label_text(status).replace(" ", "") if status is not None else ""
            if said and said not in ACCEPTED:
                issues.append(
                    Issue(
                        "row",
                        "not_accepted",
                        f"验收情况为“{said}”：不是已验收的项目，其日期不是验收日期，本行不计入已验收面积；"
                        f"验收后再报送 / status {said!r}: not an accepted project, not counted",
                        sheet,
                        int(row),
                        "验收情况",
                        said,
                    )
                )
    return out, issues + _areas_missing(out)


def _areas_missing(out: pd.DataFrame) -> list[Issue]:
    """A refused row for each project without its area (blank, `—`, `/`, `无`): an accepted project
    whose 复垦面积 / 新增耕地面积 is not given had loaded with no area, the ledger's total short of it
    without a word."""
    if "area_mu" not in out:
        return []
    return [
        Issue(
            "row",
            "area_missing",
            "项目面积未填（空白或缺失标记），本项目不能计入面积，请补填后重新报送 /"
            " the project's area is not given: not counted",
            sheet,
            int(row),
            "area_mu",
        )
        for area, sheet, row in zip(out["area_mu"], out["_sheet"], out["_row"], strict=True)
        if area is None or (isinstance(area, float) and math.isnan(area))
    ]


_BASIS_WORDS = (
    ("本年累计", "ytd"),
    ("累计", "cumulative"),
    ("本年新增", "period"),
    ("新增", "period"),
    ("当年", "period"),
    ("年末", "stock"),
    ("期末", "stock"),
    ("位次", "stock"),
    ("增长", "rate"),
    ("增速", "rate"),
)


_NAME_BASIS_WORDS = (("累计", "ytd"), ("当季", "period"), ("当月", "period"), ("本月", "period"))
"""How the 统计局 names a flow's two readings in one table (`国内生产总值当季值` / `…累计值`,
`规模以上工业总产值（累计）` / `（当月）`, `…本年累计`)."""
_NAME_TO_DATE = re.compile(r"(?<!\d)1\s*[-—~～至到]\s*\d{1,2}\s*月")
_NAME_YTD = re.compile(r"\s*[(（]?\s*(?:本年)?累计(?:值|数)?\s*[)）]?\s*$")


def _indicator_id(name: object) -> str | None:
    """The catalog id of a row's indicator, or of its name without a year-to-date suffix
    (`规模以上工业总产值本年累计` is industrial_output read year to date, not ext.…本年累计)."""
    iid = catalog.indicator_id_for(name)
    if iid is None and isinstance(name, str) and (bare := _NAME_YTD.sub("", name)) != name:
        iid = catalog.indicator_id_for(bare)
        iid = iid if iid is not None and catalog.by_id()[iid].kind == "flow" else None
    return iid


def _row_basis(row: dict, kind: str, name: object) -> str:
    """`_basis` of an indicator row; a flow's 1-12月 本年累计 is the year's figure (`period`): kept as
    `ytd` beside the year's, a later one had not replaced it."""
    basis = _basis(row.get("basis_text"), row.get("_period_basis"), kind, name)
    return "period" if basis == "ytd" and kind == "flow" and len(str(row.get("period") or "")) == 4 else basis


def _basis(text: object, period_basis: object, kind: str, name: object = None) -> str:
    """The basis a row's 口径 column says, else its flow's name (`…累计值`, `（累计）`, `（1-9月）` are
    本年累计, `…当季值`, `（当月）` the quarter or month alone), else what its kind and period say."""
    if isinstance(text, str):
        for word, basis in _BASIS_WORDS:
            if word in text:  # a flow's 累计 (`1-9月累计`) is its year to date, never a running total
                return "ytd" if basis == "cumulative" and kind == "flow" else basis
    if isinstance(name, str) and kind == "flow":
        for word, basis in _NAME_BASIS_WORDS:
            if word in name:
                return basis
        if _NAME_TO_DATE.search(name):  # 规模以上工业总产值（1-9月）
            return "ytd"
    if kind in {"stock", "rank"}:
        return "stock"
    if kind == "rate":
        return "rate"
    return str(period_basis or "period")


def row_unit(
    row: dict, field: str, unit_column: str | None, name: str | None
) -> tuple[str | None, str, str | None]:
    """The unit a row's figure of `field` is written in, where it says so, and a problem when two
    places disagree: the row's own 单位 column (`unit_column`), a unit in its indicator's name
    (`地区生产总值（亿元）`), else the column's (extraction's `_unit_<field>`: header, unit row,
    指标 line, title, file name, spec)."""
    found: list[tuple[str, str]] = []
    text = row.get(unit_column) if unit_column else None
    if isinstance(text, str) and text.strip():
        u = text.strip()
        u = u if u in cells.KNOWN_UNITS else (cells.unit_in_text(f"({u})") or u)
        found.append((u, "unit column"))
    if u := cells.unit_in_text(name):
        found.append((u, "indicator name"))
    col = row.get(f"_unit_{field}")
    if found and isinstance(col, str):  # `1600亿` beside 单位 亿元: 亿元, no second unit
        col = cells.in_column_unit(col, found[0][0])
    if isinstance(col, str) and col:
        found.append((col, str(row.get(f"_unit_from_{field}") or "column")))
    if not found:
        return None, "none", None
    return found[0][0], found[0][1], unit_conflict(found)


def in_unit(value: object, unit: str | None, where: str, target: str) -> tuple[object, str | None, str]:
    """`value` (in `unit`, from `where`) in the `target` unit: (value, problem, what was applied
    as `万元 (header) → 亿元 ×0.0001`). No unit given: the figure is taken as in `target`; a
    cell's bare scale (`1600亿`) is that scale of what `target` counts (`cells.in_column_unit`)."""
    unit = cells.in_column_unit(unit, target)
    if unit is None or unit == target:
        return value, None, f"{target} ({where if unit else 'assumed'})"
    note = f"{unit} ({where}) → {target}"
    if not isinstance(value, float | int) or pd.isna(value):
        try:
            return value, None, f"{note} ×{cells.unit_factor(unit, target):g}"
        except ValueError as e:
            return value, str(e), note
    parsed = cells.convert(float(value), unit, target)
    return (
        parsed.value,
        parsed.problem,
        f"{note} ×{cells.unit_factor(unit, target):g}" if not parsed.problem else note,
    )


COMPUTED = {
    "roster_count": "规上工业企业名录",
    "roster_new": "规上工业企业名录",
    "chain_output": "规上工业企业名录",
    "hightech_valid": "科技局高企名单",
    "hightech_first": "科技局高企名单",
    "land_accepted": "自然资源局项目台账",
}
"""Derivations that compute an indicator from another source's rows, and that source."""


def _computed_elsewhere(out: pd.DataFrame, cat: dict) -> list[Issue]:
    """A warning for each indicator of a sheet that the warehouse computes from another source (a
    分乡镇 table's 规上工业企业数: counted from the rosters): its figures are kept as loaded but are
    not that indicator's values — they had been passed over without a word."""
    issues = []
    seen: set[tuple[str, str]] = set()
    for iid, sheet, row in zip(out["indicator_id"], out["_sheet"], out["_row"], strict=True):
        spec = cat.get(iid)
        if spec is None or spec.derivation not in COMPUTED or (sheet, iid) in seen:
            continue
        seen.add((sheet, iid))
        issues.append(
            Issue(
                "warning",
                "computed_elsewhere",
                f"“{spec.name_zh}”由{COMPUTED[spec.derivation]}计算，本表中的数值已入库存档，但不作为该指标的数值 /"
                f" {iid} is computed from another source: this table's figures are kept, not used as its values",
                sheet,
                int(row),
            )
        )
    return issues


def indicator_obs(df: pd.DataFrame, file_name: str) -> tuple[pd.DataFrame, list[Issue]]:
    """Indicator rows: catalog id (or `ext.<name>` with a warning), the value in the catalog's
    unit (`row_unit` → `in_unit`; what was applied in `_unit_note`), basis, and a quarterly
    indicator's year-to-date months as quarters."""

    issues: list[Issue] = []
    cat = catalog.by_id()
    district = catalog.plan()["district"]["code"]
    out = df.copy()
    if "value" in out:
        out = out[out["value"].notna()].copy()
    ids, units, values, bases, notes, reads = [], [], [], [], [], []
    warned: set[str] = set()
    ext_units: dict[str, str | None] = {}  # an ext. indicator's first unit in the file
    for row in out.to_dict("records"):
        name = _with_basis_words(without_footnote(row.get("indicator_name")), row.get("basis_text"))
        iid = _indicator_id(name)
        raw_unit, where, conflict = row_unit(row, "value", "unit_text", name)
        conflict = conflict or _cell_unit_conflict(row, raw_unit, where)
        if iid is None:
            iid = catalog.ext_id(name or "unnamed")
            if iid not in warned:
                warned.add(iid)
                issues.append(_unknown_indicator(name, iid, row))
            ind_unit, kind = raw_unit, "rate" if raw_unit == "%" else "flow"
            first = ext_units.setdefault(iid, raw_unit)
            if raw_unit and first and not _one_kind(raw_unit, first):  # 一般公共预算收入 in 亿元, and in %
                conflict = conflict or (
                    f"同名指标单位不同（“{first}”与“{raw_unit}”），请把增速、比重等另列为“{clean_name(name)}增速”等"
                    f" / the same name in {first} and in {raw_unit}"
                )
        else:
            ind_unit, kind = cat[iid].unit, cat[iid].kind
        value, problem, note = (
            in_unit(row["value"], raw_unit, where, ind_unit) if ind_unit else (row["value"], None, "?")
        )
        if problem := conflict or problem:  # quarantined as written (value and unit)
            issues.append(
                Issue(
                    "row",
                    "unit_mismatch",
                    f"指标“{name}”：{problem}",
                    row["_sheet"],
                    row["_row"],
                    "单位",
                    raw_unit,
                )
            )
            value, ind_unit = row["value"], raw_unit
        ids.append(iid)
        units.append(ind_unit)
        values.append(value)
        reads.append(as_read(row["value"], raw_unit, ind_unit))
        notes.append(f"{clean_name(name)}: {note}")
        bases.append(_row_basis(row, kind, name))
        if bases[-1] == "cumulative" and iid in cat and cat[iid].derivation == "reported_cumulative":
            issues.append(_running_total_not_summed(name, row))
    out["value_read"], out["unit_read"], out["unit_factor"] = _columns_of(reads, len(out))
    out["indicator_id"] = ids
    out["unit"] = units
    out["value"] = values
    out["basis"] = bases
    out["_unit_note"] = notes
    _quarterly_periods(out, cat)
    _district_default(out, district)
    issues.extend(_computed_elsewhere(out, cat))
    if "missing" not in out:
        out["missing"] = None
    return out, issues


def _running_total_not_summed(name: object, row: dict) -> Issue:
    """A running total (口径 `累计`) of an indicator the marts sum from each year's 本年新增: kept
    in the warehouse as sent, not in the marts' figure (since when it runs is not said) — said."""
    return Issue(
        "warning",
        "running_total_not_used",
        f"“{name}”口径为“{row.get('basis_text')}”（累计数）：本指标按各年“本年新增”自基期起累加，"
        "累计数已入库但不计入指标值，请报送本年新增数 / a running total: this indicator sums each"
        " year's new ones since the baseline; kept, not used in its figure",
        row["_sheet"],
        row["_row"],
        "口径",
        str(row.get("basis_text")),
    )


def _with_basis_words(name: object, basis_text: object) -> object:
    """The indicator's name with its row's 口径 when the 口径 names another figure (`比上年同期增长%`,
    `上年同期`, `本年新增` of a stock): `地区生产总值` with 口径 `比上年同期增长%` is `gdp_growth`, never
    GDP (5.2 had loaded as GDP in 亿元); a 口径 that leaves the figure as it is (`本期`, `1-9月累计`)
    leaves the name. As a bracket after the name is read (`cells.header_key`)."""
    if not isinstance(name, str) or not isinstance(basis_text, str) or not basis_text.strip():
        return name
    with_basis = f"{name}（{basis_text.strip()}）"
    if cells.header_key(with_basis) == cells.header_key(name):
        return name
    own = catalog.by_id().get(iid) if (iid := _indicator_id(name)) else None
    if own is not None and own.kind in FLOW_KINDS and not _other_than_new(basis_text):
        return name  # `个转企` 本年新增: a flow of new ones is its year's new ones
    return with_basis


FLOW_KINDS = frozenset({"flow", "cumulative_new"})
_NEW_WORDS = ("新增", "净增", "增量")


def _other_than_new(basis_text: str) -> bool:
    """Whether a 口径 names another figure than the new ones (`上年同期`, `增长%`), a flow's own."""
    rest = basis_text
    for w in _NEW_WORDS:
        rest = rest.replace(w, "")
    return cells.header_key(f"x（{rest}）") != "x"


def _cell_unit_conflict(row: dict, unit: str | None, where: str) -> str | None:
    """A figure's cell that writes a unit of another kind than its row's (`5.2%` beside a 单位
    of 亿元): the row is refused, never read in the row's unit. Units of one kind are
    `row_unit`'s to compare."""
    cell = row.get("_unit_value") if row.get("_unit_from_value") == "cell" else None
    if not isinstance(cell, str) or not cell or not unit or cell == unit or _one_kind(cell, unit):
        return None
    place = {"unit column": "单位列", "indicator name": "指标名称"}.get(where, "本列")
    return f"单元格写“{cell}”，与{place}的“{unit}”不同，请统一后重新报送 / the cell says {cell}, the {where} {unit}"


def _one_kind(u1: str, u2: str) -> bool:
    """Whether two units measure one kind of thing (万元 and 亿元; not 亿元 and %)."""
    try:
        return u1 == u2 or cells.same_dimension(u1, u2)
    except ValueError:
        return False


def as_read(value: object, unit: str | None, target: str | None) -> tuple[object, str | None, float | None]:
    """Lineage of one figure (`core.value_inputs`): as the file wrote it, the unit it was written
    in (None: none given, taken as the warehouse's) and the factor that made it the warehouse's."""
    if unit is None or target is None or unit == target:
        return value, unit, 1.0
    try:
        return value, unit, cells.unit_factor(unit, target)
    except ValueError:
        return value, unit, None  # not converted: the row is quarantined (unit_mismatch)


def _columns_of(reads: list[tuple], n: int) -> tuple[list, list, list]:
    if not reads:
        return [None] * n, [None] * n, [None] * n
    value, unit, factor = (list(c) for c in zip(*reads, strict=True))
    return value, unit, factor


def _quarterly_periods(out: pd.DataFrame, cat: dict[str, catalog.Indicator]) -> None:
    """A quarterly indicator's year-to-date month at a quarter's end is its quarter (the catalog's
    `frequency`): GDP 2025年1-3月 is `2025Q1` (basis ytd), not the month `2025-03`."""
    if "period" not in out or "_period_basis" not in out:
        return
    quarterly = [i for i, ind in cat.items() if ind.frequency == "quarter"]
    for idx in out.index[out["indicator_id"].isin(quarterly)]:
        if q := cells.ytd_quarter(out.at[idx, "period"], out.at[idx, "_period_basis"]):
            out.at[idx, "period"] = q


def clean_name(name: object) -> str:
    return str(name) if name is not None else "?"


def _unknown_indicator(name: object, iid: str, row: dict) -> Issue:
    return Issue(
        "warning",
        "unknown_indicator",
        f"指标“{name}”不在指标目录中，已按 {iid} 入库 / not in the catalog, loaded as {iid}",
        row["_sheet"],
        row["_row"],
        "指标",
        name,
    )


def _district_default(out: pd.DataFrame, district: str) -> None:
    """Rows without a region are the district's."""
    if "region_code" not in out:
        out["region_code"] = None
    if "region" not in out:
        out["region"] = None
    no_region = out["region"].isna()
    out.loc[no_region, "region_code"] = district
    out.loc[no_region, "region"] = RegionResolver.default().name_of(district)


_DEADLINE = re.compile(r"(\d{4})")


_BOUND_OF = {"up": "lower", "down": "upper"}
"""The bound a target may be written as: at least (≥1600) for an indicator that rises, at most
(前10, ≤5.5%) for one that falls (a rank)."""


def _bound_against_direction(row: dict, name: str, direction: str) -> list[Issue]:
    """A target written as a bound its indicator cannot be met by (`≤900` for GDP, `≥50` for a
    rank): the row refused, saying so."""
    bound = row.get("_bound_target")
    if bound not in ("lower", "upper") or bound == _BOUND_OF[direction]:
        return []
    return [
        Issue(
            "row",
            "bound_direction",
            f"目标“{name}”写作{'下限' if bound == 'lower' else '上限'}，但该指标"
            f"{'越大越好' if direction == 'up' else '越小越好'}：请核对 / a {bound} bound for an"
            f" indicator whose direction is {direction}",
            row["_sheet"],
            row["_row"],
            "目标值",
        )
    ]


def targets(df: pd.DataFrame, file_name: str) -> tuple[pd.DataFrame, list[Issue]]:
    """Targets: indicator id by name, deadline from the 完成时限 (`etl.extract.deadlines`; the window's end for
    `每年`; a deadline it cannot read quarantines the row), the target in the catalog's unit (`row_unit` → `in_unit`, as indicator values: a
    unit in the name, `三年新增挂钩（公顷）`, is the row's own)."""
    issues: list[Issue] = []
    cat = catalog.by_id()
    out = df.copy()
    ids, deadlines, units, values, notes = [], [], [], [], []
    for row in out.to_dict("records"):
        name = row["indicator_id"]
        iid = catalog.indicator_id_for(name)
        if iid is None:
            issues.append(
                Issue(
                    "row",
                    "unknown_indicator",
                    f"目标表中的指标“{name}”不在指标目录中，请使用目录中的名称 / unknown indicator",
                    row["_sheet"],
                    row["_row"],
                    "指标名称",
                    name,
                )
            )
            for col, v in ((ids, None), (deadlines, None), (units, row.get("unit")), (values, row["target"])):
                col.append(v)
            notes.append("?")
            continue
        deadline, why = parse_deadline(row.get("deadline_text"))
        if why is not None:
            issues.append(
                Issue("row", "deadline_unreadable", f"目标“{name}”：{why}", row["_sheet"], row["_row"],
                      "完成时限", str(row.get("deadline_text")))
            )  # fmt: skip
        elif deadline is None:
            window = catalog.window(cat[iid].window)
            deadline = window[1] if window else None
        ids.append(iid)
        deadlines.append(deadline)
        issues += _bound_against_direction(row, name, cat[iid].direction)
        issues += _target_said(row, name, cat[iid].method)
        unit, where, conflict = row_unit(row, "target", "unit", name)
        value, problem, note = in_unit(row["target"], unit, where, cat[iid].unit)
        if problem := conflict or problem:  # quarantined as written
            issues.append(
                Issue(
                    "row",
                    "unit_mismatch",
                    f"目标“{name}”：{problem}",
                    row["_sheet"],
                    row["_row"],
                    "单位",
                    unit,
                )
            )
            value = row["target"]
        units.append(cat[iid].unit if problem is None else unit)
        values.append(value)
        notes.append(f"{name}: {note}")
    out["indicator_id"] = ids
    out["deadline"] = deadlines
    out["unit"] = units
    out["target"] = values
    out["_unit_note"] = notes
    if "baseline_period" in out:
        out["baseline_period"] = out["baseline_period"].map(
            lambda v: (m.group(1) if (m := _DEADLINE.search(str(v))) else None) if v is not None else None
        )
    return out[out["indicator_id"].notna()].copy(), issues


def _target_said(row: dict, name: object, method: str) -> list[Issue]:
    """A warning for a target of an indicator the work report sets none for (method `none`): it is
    shown beside the figures, never judged (its status stays `no_target`) — it had loaded without a
    word, its status contradicting the target shown."""
    target = row.get("target")
    if method != "none" or target is None or (isinstance(target, float) and math.isnan(target)):
        return []
    why = (
        "工作报告未对该指标设定目标，本目标仅作显示，不据以判断完成情况 /"
        " the work report sets no target for this indicator: shown, not judged"
    )
    return [
        Issue("warning", "target_not_judged", f"目标“{name}”：{why}", row["_sheet"], row["_row"], "目标值")
    ]


STEPS: dict[str, Step] = {
    "enterprise_periods": enterprise_periods,
    "hightech_certs": hightech_certs,
    "hightech_counts": hightech_counts,
    "land_projects": land_projects,
    "indicator_obs": indicator_obs,
    "targets": targets,
}


def finish(spec: SourceSpec, df: pd.DataFrame, file_name: str) -> tuple[pd.DataFrame, list[Issue]]:
    return STEPS[spec.dataset](df, file_name)

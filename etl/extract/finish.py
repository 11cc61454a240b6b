"""Per-dataset finishing steps: DataFrame in → DataFrame out (plus issues), no I/O.

Extraction gives each field parsed from its cells; these steps derive what the dataset needs
(keys, resolved ids, periods in the dataset's grain, units of the catalog).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pandas as pd

from etl.base import cells
from etl.base.issues import Issue
from etl.base.names import normalize_names
from etl.base.strings import map_unique
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
    booleans (a missing flag column is not flagged; 规上 comes from the sheet's coverage), and a
    warning for each period and chain indicator the roster can give no value."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="statwh-names") as pool:
        # the names key is Arrow's kernels alone (no GIL held): made beside the steps below
        names_key = pool.submit(normalize_names, df["name"])
        out = _enterprise_columns(df.copy())
        out["name_key"] = names_key.result()
    return out, _gap_warnings(out, file_name)


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
            out[flag] = pd.array([None if flag == "is_above_scale" else False] * len(out), dtype="boolean")
    if "employees" in out:
        out["employees"] = pd.array(out["employees"], dtype="Int64")
    return out


def _gap_warnings(out: pd.DataFrame, file_name: str) -> list[Issue]:
    """A warning for each period of the roster that gives no 规上 enterprise (every 规上 count and
    chain output of that period would be empty), and for each chain indicator without one."""
    issues: list[Issue] = []
    chains = {i.params["chain"]: i.id for i in catalog.indicators() if i.derivation == "chain_output"}
    above = out["is_above_scale"].fillna(False).astype(bool)
    for period, rows in out.groupby("period", sort=True):
        first = rows.iloc[0]
        sheet, row = first.get("_sheet"), int(first["_row"])
        in_scale = rows[above[rows.index]]
        if in_scale.empty:
            why = (
                "规上状态未知 / the 规上 status is unknown"
                if rows["is_above_scale"].isna().all()
                else "名录中没有规上企业 / the roster has no 规上 enterprises"
            )
            issues.append(
                Issue(
                    "warning",
                    "no_indicator_value",
                    f"{period}：{why}；规上企业数与产业链产值（{', '.join(chains.values())}）本期无值"
                    f" / {period}: no 规上 count nor chain output for this period",
                    sheet,
                    row,
                    "is_above_scale",
                )
            )
            continue
        for chain, iid in chains.items():
            if not (in_scale["chain"] == chain).any():
                issues.append(
                    Issue(
                        "warning",
                        "no_indicator_value",
                        f"{iid} {period}：名录中没有“{chain}”产业链的规上企业 / roster has no 规上 {chain} enterprises",
                        sheet,
                        row,
                        "chain",
                    )
                )
    return issues


def hightech_certs(df: pd.DataFrame, file_name: str) -> tuple[pd.DataFrame, list[Issue]]:
    """Certificates: the year from the list's period, else the certificate date; 认定类型 as
    extraction mapped it through its vocabulary (首次认定 / 重新认定, else empty)."""
    out = df.copy()
    year = _year_of(out) if "period" in out else pd.Series([None] * len(out), index=out.index)
    if "cert_date" in out:
        year = year.fillna(out["cert_date"].map(lambda d: d.year if isinstance(d, dt.date) else None))
    out["year"] = pd.array(year, dtype="Int64")
    out["name_key"] = normalize_names(out["name"])
    return out, []


def hightech_counts(df: pd.DataFrame, file_name: str) -> tuple[pd.DataFrame, list[Issue]]:
    out = df.copy()
    out["year"] = pd.array(_year_of(out), dtype="Int64")
    for c in ("new_first", "renewed", "valid_total"):
        if c in out:
            out[c] = pd.array(out[c], dtype="Int64")
    return out, []


def land_projects(df: pd.DataFrame, file_name: str) -> tuple[pd.DataFrame, list[Issue]]:
    """Land projects: the ledger year is the year of acceptance (a resent ledger replaces those years)."""
    out = df.copy()
    out["ledger_year"] = pd.array(
        out["accepted_on"].map(lambda d: d.year if isinstance(d, dt.date) else None), dtype="Int64"
    )
    return out, []


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


def _basis(text: object, period_basis: object, kind: str) -> str:
    if isinstance(text, str):
        for word, basis in _BASIS_WORDS:
            if word in text:
                return basis
    if kind in {"stock", "rank"}:
        return "stock"
    if kind == "rate":
        return "rate"
    return str(period_basis or "period")


def indicator_obs(df: pd.DataFrame, file_name: str) -> tuple[pd.DataFrame, list[Issue]]:
    """Indicator rows: catalog id (or `ext.<name>` with a warning), warehouse unit, basis."""

    issues: list[Issue] = []
    cat = catalog.by_id()
    district = catalog.plan()["district"]["code"]
    out = df.copy()
    if "value" in out:
        out = out[out["value"].notna()].copy()
    ids, units, values, bases = [], [], [], []
    warned: set[str] = set()
    for row in out.to_dict("records"):
        name = row.get("indicator_name")
        iid = catalog.indicator_id_for(name)
        raw_unit = row.get("unit_text") or cells.unit_in_text(name)
        raw_unit = raw_unit if isinstance(raw_unit, str) and raw_unit else None
        if raw_unit and raw_unit not in cells.KNOWN_UNITS:
            raw_unit = cells.unit_in_text(f"({raw_unit})") or raw_unit
        value = row["value"]
        if iid is None:
            iid = catalog.ext_id(name or "unnamed")
            if iid not in warned:
                warned.add(iid)
                issues.append(
                    Issue(
                        "warning",
                        "unknown_indicator",
                        f"指标“{name}”不在指标目录中，已按 {iid} 入库 / not in the catalog, loaded as {iid}",
                        row["_sheet"],
                        row["_row"],
                        "指标",
                        name,
                    )
                )
            unit = raw_unit
            kind = "rate" if raw_unit == "%" else "flow"
        else:
            ind = cat[iid]
            unit = ind.unit
            kind = ind.kind
            if raw_unit and raw_unit != ind.unit:
                try:
                    value = value * cells.unit_factor(raw_unit, ind.unit)
                except ValueError:
                    issues.append(
                        Issue(
                            "row",
                            "unit_mismatch",
                            f"指标“{name}”单位为“{raw_unit}”，应为“{ind.unit}” / unit {raw_unit} not convertible to {ind.unit}",
                            row["_sheet"],
                            row["_row"],
                            "单位",
                            raw_unit,
                        )
                    )
        ids.append(iid)
        units.append(unit)
        values.append(value)
        bases.append(_basis(row.get("basis_text"), row.get("_period_basis"), kind))
    out["indicator_id"] = ids
    out["unit"] = units
    out["value"] = values
    out["basis"] = bases
    if "region_code" not in out:
        out["region_code"] = None
    if "region" not in out:
        out["region"] = None
    no_region = out["region"].isna()
    out.loc[no_region, "region_code"] = district
    out.loc[no_region, "region"] = RegionResolver.default().name_of(district)
    if "missing" not in out:
        out["missing"] = None
    return out, issues


_DEADLINE = re.compile(r"(\d{4})")


def targets(df: pd.DataFrame, file_name: str) -> tuple[pd.DataFrame, list[Issue]]:
    """Targets: indicator id by name, deadline from `2028年` (or the window's end for `每年`)."""
    issues: list[Issue] = []
    cat = catalog.by_id()
    out = df.copy()
    names = out["indicator_id"]
    ids, deadlines, units = [], [], []
    for name, dl, unit, sheet, row in zip(
        names,
        out["deadline_text"],
        out.get("unit", pd.Series([None] * len(out))),
        out["_sheet"],
        out["_row"],
        strict=True,
    ):
        iid = catalog.indicator_id_for(name)
        if iid is None:
            issues.append(
                Issue(
                    "row",
                    "unknown_indicator",
                    f"目标表中的指标“{name}”不在指标目录中，请使用目录中的名称 / unknown indicator",
                    sheet,
                    row,
                    "指标名称",
                    name,
                )
            )
            ids.append(None)
            deadlines.append(None)
            units.append(unit)
            continue
        ids.append(iid)
        m = _DEADLINE.search(str(dl or ""))
        if m:
            deadlines.append(dt.date(int(m.group(1)), 12, 31))
        else:
            w = catalog.window(cat[iid].window)
            deadlines.append(w[1] if w else None)
        units.append(unit if isinstance(unit, str) and unit else cat[iid].unit)
    out["indicator_id"] = ids
    out["deadline"] = deadlines
    out["unit"] = units
    if "baseline_period" in out:
        out["baseline_period"] = out["baseline_period"].map(
            lambda v: (m.group(1) if (m := _DEADLINE.search(str(v))) else None) if v is not None else None
        )
    return out[out["indicator_id"].notna()].copy(), issues


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

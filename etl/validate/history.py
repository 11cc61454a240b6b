"""Checks of a file against what the warehouse already holds, run by the writer at load time.

Builds a frame aligned with the file's rows — each figure beside the same enterprise's or
indicator's previous period, the roster's 高新技术企业 flag beside the 科技局 lists — and validates
it with the `history` expectation suite, so these checks show in the same results as every other.
All of them are warnings: they never stop a file from loading.

What the warehouse holds is read from its staging models (`stg.stg_enterprises__periods`, …, in
warehouse/models/staging/: the current rows of each raw table), as the marts read it. Those
views exist before a new warehouse's first build: `connect` creates them.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from etl.base.frames import scannable
from etl.base.issues import Issue
from etl.reference import catalog
from etl.validate.suites import validate_frame


def _validity_years() -> int:
    """Years a 高新技术企业 certificate counts for (plan.yaml, as the models read it from ref.plan)."""
    return int(catalog.plan()["hightech_validity_years"])


def _enterprise_history(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> pd.DataFrame:
    f = frame[["credit_code", "period", "period_end", "output_month", "name_key", "is_hightech"]].copy()
    f["idx"] = range(len(f))
    con.register("_f", scannable(f))
    try:
        out = con.execute(
            """
            with cur as (select * from stg.stg_enterprises__periods),
            f as (  -- typed: a column no row filled (every 统计期 unreadable) arrives as NULL-typed
                select idx, credit_code::varchar as credit_code, period::varchar as period,
                    period_end::date as period_end, output_month::double as output_month,
                    name_key::varchar as name_key, is_hightech::boolean as is_hightech
                from _f
            ),
            prev as (
                select f.idx, arg_max(c.output_month, c.period) as previous
                from f inner join cur as c on c.credit_code = f.credit_code and c.period < f.period
                group by f.idx
            ),
            cert_years as (select distinct year from raw.hightech_certs),
            certs as (select * from stg.stg_hightech__certs),
            listed as (
                select f.idx,
                    case
                        when (select count(*) from cert_years
                              where year between year(f.period_end) - $validity + 1 and year(f.period_end))
                              = $validity
                        then exists (
                            select 1 from certs as c
                            where c.name_key = f.name_key
                            and c.year between year(f.period_end) - $validity + 1 and year(f.period_end)
                        )
                    end as listed_hightech
                from f
            )
            select f.idx, f.output_month as value, p.previous, f.is_hightech as roster_hightech, l.listed_hightech
            from f left join prev as p using (idx) left join listed as l using (idx)
            order by f.idx
            """,
            {"validity": _validity_years()},
        ).df()
    finally:
        con.unregister("_f")
    return out


def _indicator_history(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> pd.DataFrame:
    f = frame[["indicator_id", "region_code", "period", "period_end", "basis", "value", "unit"]].copy()
    f["idx"] = range(len(f))
    con.register("_f", scannable(f))
    try:
        out = con.execute("""
            with cur as (select * from stg.stg_indicators__obs),
            f as (
                select idx, indicator_id::varchar as indicator_id, region_code::varchar as region_code,
                    period::varchar as period, period_end::date as period_end, basis::varchar as basis,
                    value::double as value, unit::varchar as unit
                from _f
            ),
            known as (
                select idx, indicator_id, region_code, period, period_end, basis, value from f
                union all
                select null, c.indicator_id, c.region_code, c.period, c.period_end, c.basis, c.value
                from cur as c
                where not exists (
                    select 1 from f where f.indicator_id = c.indicator_id and f.region_code = c.region_code
                    and f.period = c.period and f.basis = c.basis
                )
            ),
            ordered as (
                select *, lag(value) over (
                    partition by indicator_id, region_code, basis, length(period) order by period_end
                ) as previous
                from known
            )
            select f.idx, o.value, case when f.basis in ('rate') or f.unit = '%' then null else o.previous end
                as previous
            from f left join ordered as o using (idx)
            order by f.idx
        """).df()
    finally:
        con.unregister("_f")
    return out


def _certs_history(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> pd.DataFrame:
    """A certificate holder that the roster lists while the certificate is valid should carry the
    roster's 高新技术企业 flag (compared on the enterprises both sources hold)."""
    f = frame[["name_key", "year"]].copy()
    f["idx"] = range(len(f))
    con.register("_f", scannable(f))
    try:
        out = con.execute(
            """
            with roster as (select * from stg.stg_enterprises__periods),
            f as (select * from _f)
            select f.idx, true as listed_hightech,
                (select arg_max(r.is_hightech, r.period) from roster as r
                 where r.name_key = f.name_key
                 and year(r.period_end) between f.year and f.year + $validity - 1) as roster_hightech
            from f order by f.idx
            """,
            {"validity": _validity_years()},
        ).df()
    finally:
        con.unregister("_f")
    return out


def _names_at(frame: pd.DataFrame, where: set[tuple[str | None, int | None]]) -> dict:
    """{(sheet, row): name} for the file's rows at `where` only (200k names are not looked at)."""
    if not where or "name" not in frame:
        return {}
    sub = frame[frame["_row"].isin([r for _, r in where])]
    return dict(zip(zip(sub["_sheet"], sub["_row"], strict=True), sub["name"], strict=True))


def history_frame(con: duckdb.DuckDBPyConnection, prep) -> pd.DataFrame | None:
    """The file's rows beside what the warehouse holds (a DuckDB query; None: no checks for this
    dataset). Aligned with `prep.frame`, lineage columns included."""
    frame = prep.frame
    if frame is None or len(frame) == 0:
        return None
    if prep.dataset == "enterprise_periods":
        hist = _enterprise_history(con, frame)
    elif prep.dataset == "indicator_obs":
        hist = _indicator_history(con, frame)
    elif prep.dataset == "hightech_certs":
        hist = _certs_history(con, frame)
    else:
        return None
    hist.index = frame.index
    for c in ("_sheet", "_row", "_col"):
        hist[c] = frame[c]
    return hist


def history_check(prep, hist: pd.DataFrame | None) -> tuple[list[Issue], pd.DataFrame | None]:
    """Validate a `history_frame` with the `history` suite (no warehouse access); (issues, results)."""

    if hist is None:
        return [], None
    frame = prep.frame
    field = {"enterprise_periods": "output_month", "indicator_obs": "value"}.get(prep.dataset, "name")
    issues, results = validate_frame("history", hist.drop(columns=["idx"]), prep.column_map)
    names = _names_at(
        frame, {(i.sheet, i.row) for i in issues if i.column and i.column.startswith("roster_hightech")}
    )
    for i in issues:  # name the file's column (and the enterprise), not the helper frame's
        if i.column and i.column.startswith("roster_hightech"):
            name = names.get((i.sheet, i.row))
            i.message = f"{name}：{i.message}" if name else i.message
            i.value = (
                f"名录 {'是' if 'True' in str(i.value).split(',')[0] else '否'} / 名单 是"
                if prep.dataset == "hightech_certs"
                else i.value
            )
        if i.column and i.column.startswith(("value", "roster_hightech")):
            field = "name" if i.column.startswith("roster") else field
            i.column = next(
                (
                    f"{c['header_text']} ({c['column_letter']})"
                    for c in prep.column_map
                    if c["sheet"] == i.sheet and c["field"] == field
                ),
                field,
            )
    return issues, results

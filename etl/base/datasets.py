"""The tidy datasets that extraction produces and validation and loading consume.

Each dataset is a pandas DataFrame with the columns below, plus the lineage columns every row
carries. A source (`enterprises`, `hightech`, `land_use`, `indicators`, `targets`) yields one or
more datasets. Column order here is the order of the warehouse's raw tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LINEAGE = {
    "_sheet": "VARCHAR",  # sheet name as the workbook shows it (CSV: the file stem)
    "_row": "INTEGER",  # 1-based row number as a spreadsheet user would name it
    "_col": "VARCHAR",  # column letter of the value, for rows reshaped from wide tables (else null:
    # the column of each field is recorded once per sheet in meta.load_columns)
}


@dataclass(frozen=True)
class Dataset:
    """One tidy dataset: its columns with DuckDB types, and what identifies a row."""

    name: str
    columns: dict[str, str]
    key: tuple[str, ...]
    """Columns that identify a row within one period (validation checks them unique)."""
    slice_by: tuple[str, ...]
    """Columns whose values form a slice: a newer load of the same slice supersedes the older."""
    description: str = ""
    numeric_nonneg: tuple[str, ...] = field(default_factory=tuple)


ENTERPRISE_PERIODS = Dataset(
    name="enterprise_periods",
    description="工信局/统计局 monthly roster: one row per enterprise and period, figures in 万元.",
    columns={
        "period": "VARCHAR",  # YYYY-MM, the month the figures run to
        "period_end": "DATE",
        "credit_code": "VARCHAR",
        "name": "VARCHAR",
        "name_key": "VARCHAR",
        "township": "VARCHAR",  # as written in the file
        "township_code": "VARCHAR",  # 9-digit 统计用区划代码, resolved
        "industry_code": "VARCHAR",  # GB/T 4754-2017, 4 digits as written (e.g. 3311)
        "chain": "VARCHAR",
        "output_month": "DOUBLE",
        "output_ytd": "DOUBLE",
        "revenue_month": "DOUBLE",
        "revenue_ytd": "DOUBLE",
        "employees": "BIGINT",
        "is_above_scale": "BOOLEAN",
        "is_srdi": "BOOLEAN",
        "is_hightech": "BOOLEAN",
        "is_listed": "BOOLEAN",
        "is_top50": "BOOLEAN",
        "entry_type": "VARCHAR",  # 小升规 / 新建投产 / null
    },
    key=("credit_code", "period"),
    slice_by=("period",),
    numeric_nonneg=("output_month", "output_ytd", "revenue_month", "revenue_ytd", "employees"),
)

HIGHTECH_CERTS = Dataset(
    name="hightech_certs",
    description="科技局 list of 高新技术企业 certificates issued in a year.",
    columns={
        "year": "INTEGER",
        "name": "VARCHAR",
        "name_key": "VARCHAR",
        "cert_no": "VARCHAR",
        "cert_date": "DATE",
        "township": "VARCHAR",
        "township_code": "VARCHAR",
        "cert_type": "VARCHAR",  # 首次认定 / 重新认定 / null
        "credit_code": "VARCHAR",  # when the list carries it
    },
    key=("cert_no",),
    slice_by=("year",),
)

HIGHTECH_COUNTS = Dataset(
    name="hightech_counts",
    description="科技局 counts of certificates issued in a year, by township (when no list is sent).",
    columns={
        "year": "INTEGER",
        "township": "VARCHAR",
        "township_code": "VARCHAR",
        "new_first": "BIGINT",  # 首次认定 count
        "renewed": "BIGINT",  # 重新认定 count
        "valid_total": "BIGINT",  # 有效期内 total at year end, when given
    },
    key=("township_code", "year"),
    slice_by=("year",),
    numeric_nonneg=("new_first", "renewed", "valid_total"),
)

LAND_PROJECTS = Dataset(
    name="land_projects",
    description="自然资源局 增减挂钩 (linkage) and 占补平衡 (balance) project ledgers, areas in 亩.",
    columns={
        "kind": "VARCHAR",  # linkage / balance
        "ledger_year": "INTEGER",
        "project": "VARCHAR",
        "township": "VARCHAR",
        "township_code": "VARCHAR",
        "area_mu": "DOUBLE",  # 复垦面积 (linkage) or 新增耕地面积 (balance)
        "accepted_on": "DATE",
    },
    key=("project", "township_code", "accepted_on"),
    slice_by=("kind", "ledger_year"),
    numeric_nonneg=("area_mu",),
)

INDICATOR_OBS = Dataset(
    name="indicator_obs",
    description="统计局 and other indicator tables, long: one value per indicator, region and period.",
    columns={
        "indicator_id": "VARCHAR",
        "indicator_name": "VARCHAR",  # as written in the file
        "region": "VARCHAR",  # as written in the file
        "region_code": "VARCHAR",
        "period": "VARCHAR",  # 2024, 2024Q2, 2024-06
        "period_end": "DATE",
        "basis": "VARCHAR",  # period / ytd / stock / cumulative / rate
        "value": "DOUBLE",
        "unit": "VARCHAR",  # warehouse unit after conversion
        "missing": "VARCHAR",  # the marker of a missing value (—, …, blank) when value is null
        "value_read": "DOUBLE",  # the figure as the file wrote it, before conversion (lineage)
        "unit_read": "VARCHAR",  # the unit it was written in (null: none given, taken as unit)
        "unit_factor": "DOUBLE",  # value = value_read × unit_factor
    },
    key=("indicator_id", "region_code", "period", "basis"),
    slice_by=("indicator_id", "region_code", "period", "basis"),
)

TARGETS = Dataset(
    name="targets",
    description="发改委/督查室 targets of the work report; a blank target is 'not yet set'.",
    columns={
        "indicator_id": "VARCHAR",
        "target": "DOUBLE",
        "unit": "VARCHAR",
        "deadline": "DATE",
        "baseline_period": "VARCHAR",
        "note": "VARCHAR",
    },
    key=("indicator_id",),
    slice_by=("indicator_id",),
)

DATASETS = {
    d.name: d
    for d in (ENTERPRISE_PERIODS, HIGHTECH_CERTS, HIGHTECH_COUNTS, LAND_PROJECTS, INDICATOR_OBS, TARGETS)
}

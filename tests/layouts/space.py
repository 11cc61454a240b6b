"""The named space of layouts: every dimension a department's file varies in, as hypothesis
strategies. A `Layout` is one draw; the dataset generators (roster, hightech, land) turn it into
a file and the values it must yield. README ("Layouts that are read") lists this space."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from tests.layouts.writers import FORMATS

# the dimensions, by name, with their values
DIMENSIONS: dict[str, tuple] = {
    "format": FORMATS,  # .xlsx, .xls, CSV in UTF-8 with and without BOM, GBK; an HTML table named .xls
    "header_depth": (1, 2, 3),  # header rows
    "merges": (True, False),  # parents merged over their children (else written once, or repeated)
    "parent_repeated": (False, True),  # without merges: the parent's text over every child
    "single_label_at": ("top", "bottom"),  # a column without children: top row, or lowest (no parent)
    "extra_columns": (0, 1, 2, 3),  # unmapped columns (法定代表人, 主要产品, 上年同期, 同比 …)
    "serial": ("int", "text", "absent"),  # 序号 as integers, as text, or no 序号 column
    "total": ("above", "below", "absent"),  # a 合计 row
    "parts": (False, True),  # 其中 rows under the 合计
    "unit_place": ("header", "unit_row", "title", "file_name", "spec"),
    "money_unit": ("元", "万元", "亿元"),
    "area_unit": ("亩", "公顷", "平方米"),
    "period_place": ("title", "sheet", "file_name", "column"),
    "period_form": (
        "ytd",
        "dot",
        "iso",
        "month_only",
    ),  # 2025年1-9月, 2025.9, 2025-09, 1—9月 (year elsewhere)
    "township_form": ("full", "short", "code"),  # 车桥镇, 车桥, 320803107车桥镇
    "flag_form": ("是/否", "√/×", "Y/N", "1/0", "是/blank"),
    "origin_row": (0, 1, 2, 4),  # rows above the table (title, unit row, blank)
    "origin_col": (0, 1, 3),  # the table starts in column A, B or D
    "notes": (False, True),  # a 注： block below the table
    "side_table": (False, True),  # a second small table beside the main one
    "hidden_rows": (False, True),
    "hidden_cols": (False, True),
    "repeated_header": (False, True),  # the header repeated every few rows (a long printout)
    "date_form": ("date", "iso", "cn", "dot"),  # a date cell, 2025-03-15, 2025年3月15日, 2025.3.15
}


@dataclass(frozen=True)
class Layout:
    format: str
    header_depth: int
    merges: bool
    parent_repeated: bool
    single_label_at: str
    extra_columns: int
    serial: str
    total: str
    parts: bool
    unit_place: str
    money_unit: str
    area_unit: str
    period_place: str
    period_form: str
    township_form: str
    flag_form: str
    origin_row: int
    origin_col: int
    notes: bool
    side_table: bool
    hidden_rows: bool
    hidden_cols: bool
    repeated_header: bool
    date_form: str
    seed: int  # orders columns, picks records

    @property
    def is_csv(self) -> bool:
        return self.format.startswith(("csv", "html"))  # text cells; the one sheet is named after the file


def layouts(**fixed) -> st.SearchStrategy[Layout]:
    """Layouts drawn from the whole space; `fixed` pins dimensions (a dataset's own values)."""
    dims = {k: st.just(fixed[k]) if k in fixed else st.sampled_from(v) for k, v in DIMENSIONS.items()}
    return st.builds(Layout, **dims, seed=st.integers(0, 2**32 - 1))

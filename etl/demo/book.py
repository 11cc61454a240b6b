"""The workbook every sample .xlsx file is written with."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter


class Book:
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

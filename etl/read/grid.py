"""What the readers return: a sheet as a grid of cells, a workbook as its sheets, and `ReadError`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class ReadError(Exception):
    """The file cannot be read as a table; the message says why, in Chinese and English."""


@dataclass
class Grid:
    """One sheet as rows of cell values (None for empty), with what is known of its merged cells."""

    name: str
    rows: list[list[Any]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    """Merged ranges as ((first_row, first_col), (last_row, last_col)), 0-based."""
    hidden: bool = False
    """A sheet hidden in the workbook (a template's helper, last month's copy): read like any other."""


@dataclass
class Workbook:
    path: Path
    format: str  # xlsx / xls / csv
    encoding: str | None
    sheets: list[Grid]


def sniff_format(head: bytes) -> str:
    """`xlsx`, `xls`, `csv` or `encrypted` from a file's first bytes."""
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE2_MAGIC):
        return "ole2"  # .xls (BIFF) or an encrypted OOXML package; decided when opened
    return "csv"

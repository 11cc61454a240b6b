"""What a draft reports: the columns it read and the YAML it wrote (`DraftColumn`, `DraftResult`)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field


@dataclass
class DraftColumn:
    """One column of the file and what the draft made of it."""

    letter: str
    header: str
    kind: str  # content: credit_code, region, date, period, flag, integer, number, text, names, code, rownum, empty
    field: str | None = None
    how: str = ""  # alias / content / guess / none / skipped
    note: str = ""
    unit: str | None = None
    unit_from: str | None = None
    candidates: list[str] = dc_field(default_factory=list)


@dataclass
class DraftResult:
    """What `draft_spec` found: the YAML to review, and the list of what a person must decide."""

    yaml_text: str
    undecided: list[str]
    source: str
    dataset: str
    layout: str
    shape: str  # rows / wide
    sheet: str
    header_rows: str  # "3-4" (1-based, as a spreadsheet user names them)
    closest: str | None = None  # "source/layout" of the nearest existing spec
    columns: list[DraftColumn] = dc_field(default_factory=list)
    periods_across: list[str] = dc_field(default_factory=list)  # wide tables
    trial_rows: int | None = None  # rows the trial extraction with the draft produced
    trial_problems: list[str] = dc_field(default_factory=list)  # its critical issues

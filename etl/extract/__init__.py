"""Extraction: a departmental workbook → tidy rows that know their file, sheet, row and column.

`extract(path, source)` picks the layout (spec) of `source` whose fields best match the file's
header, finds the header by scanning (never a fixed number of skipped rows), joins two-row merged
headers, reads units and periods from where departments write them, drops totals / notes / blank
rows (keeping totals as evidence), parses every cell, and returns an `Extraction`.

Nothing here touches the warehouse. Problems are `Issue`s: `critical` ones reject the file,
`row` ones quarantine a row, `warning` ones are recorded.

The modules, in the order a sheet goes through them: `workbook` (choose the layout, run the
sheets), `header` (find the header rows), `meta` (title, unit rows, period, units), `classify`
(data / total / part / note rows), `parse` (cells → typed values), `rows` and `wide` (the two
table shapes), `totals` (合计 reconciled, places resolved), `finish` (dataset columns derived).
"""

from etl.extract.classify import classify_row, classify_rows
from etl.extract.header import find_header, header_names, match_header
from etl.extract.meta import (
    period_of_sheet,
    sheet_meta,
    unit_in_file_name,
    unit_source,
)
from etl.extract.model import Extraction, HeaderMatch, RowCounts, SheetInfo, row_counts
from etl.extract.parse import parse_series
from etl.extract.wide import clean_indicator_name, indicator_from_file_name
from etl.extract.workbook import choose_spec, extract

__all__ = [
    "Extraction",
    "HeaderMatch",
    "SheetInfo",
    "choose_spec",
    "classify_row",
    "classify_rows",
    "clean_indicator_name",
    "extract",
    "find_header",
    "header_names",
    "indicator_from_file_name",
    "match_header",
    "parse_series",
    "RowCounts",
    "row_counts",
    "period_of_sheet",
    "sheet_meta",
    "unit_in_file_name",
    "unit_source",
]

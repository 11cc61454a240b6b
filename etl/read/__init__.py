"""Reading: a file's bytes → grids of cells. The one place that opens departmental files.

`read_workbook` reads any workbook or CSV whole; for big .xlsx sheets, `xlsx_heads` streams the
first rows (all header finding needs) and `load_columns` reads only the mapped columns below the
header, in parts on every core where that pays (`sheetparts`, behind `load_columns`).
"""

from etl.read.fastsheet import load_columns, xlsx_heads
from etl.read.grid import OLE2_MAGIC, ZIP_MAGIC, Grid, ReadError, Workbook, sniff_format
from etl.read.workbook import check_zip, decode_text, read_workbook, sniff_delimiter

__all__ = [
    "OLE2_MAGIC",
    "ZIP_MAGIC",
    "Grid",
    "ReadError",
    "Workbook",
    "check_zip",
    "decode_text",
    "load_columns",
    "read_workbook",
    "sniff_delimiter",
    "sniff_format",
    "xlsx_heads",
]

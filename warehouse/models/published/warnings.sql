/*
name: published.warnings
kind: view
grain: one row per issue found in a file
description: >
  meta.warnings as published (the snapshot's meta.warnings): what was flagged and why, without
  the cell values (they may name respondents).
columns:
  load_id: the load (meta.loads)
  file_name: the file as the department named it
  sheet: the sheet
  row_number: spreadsheet row
  column_name: the column as the file heads it
  rule: the check that failed
  severity: warning (the row was loaded)
  message: what is wrong (中文 / English)
*/
select
    load_id,
    file_name,
    sheet,
    row_number,
    column_name,
    rule,
    severity,
    message
from meta.warnings

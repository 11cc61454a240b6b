/*
name: published.rejections
kind: view
grain: one row per issue found in a file
description: >
  meta.rejections as published (the snapshot's meta.rejections): what was refused and why, without
  the cell values (they may name respondents).
columns:
  load_id: the load (meta.loads)
  file_name: the file as the department named it
  sheet: the sheet
  row_number: spreadsheet row
  column_name: the column as the file heads it
  rule: the check that failed
  severity: critical (the whole file) / row (the row, quarantined)
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
from meta.rejections

/*
name: marts.indicator_values
kind: vintaged
vintaged:
  key: [indicator_id, region_code, period, basis]  # a value; one row per key and vintage
grain: one row per indicator, region, period, basis and vintage
description: >
  Every value of every vintage (ALFRED-style). The build evaluates core.int_indicator_values as
  of each new load's time and appends the values that are new or differ from what was known;
  `is_latest` marks the current one. `statwh indicators --as-of` reads the vintages known then.
  value is the indicator as the catalog (warehouse/catalog/indicators.yaml) defines it (basis says how to read it).
columns:
  indicator_id: catalog id (or ext.<name> for 统计局 indicators not in the catalog)
  region_code: 统计用区划代码 of the region
  period: 2024, 2024Q2 or 2024-06
  period_end: last day of the period
  value: the value, in unit
  unit: 亿元, 亩, 家, …
  basis: period (the period alone) / ytd (本年累计) / stock (level at period_end) / cumulative (since the baseline) / rate
  vintage: when the warehouse learnt this value (the time of the load that brought it)
  is_latest: true for the current vintage of the value
  superseded_at: the vintage that replaced it (null while current)
  load_id: the load that brought it (meta.loads)
  source_file: the file as the department named it
  source_sheet: the sheet
  source_cell: the cell (Sheet1!F17) or range (Sheet1!H6:H505) it came from
*/
select * from core.int_indicator_values

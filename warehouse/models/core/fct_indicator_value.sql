/*
name: core.fct_indicator_value
kind: view
grain: one row per reported indicator value (indicator, region, period, basis), current version
description: >
  Indicator values as departments reported them (统计局 tables, long forms), in the catalog's unit,
  with the cell each came from. marts.indicator_values adds the derived indicators and every vintage.
columns:
  indicator_id: catalog id, or ext.<name>
  indicator_name: the name as written in the file
  region_code: 统计用区划代码
  period: 2024, 2024Q2 or 2024-06
  period_end: last day of the period
  basis: period / ytd / stock / cumulative / rate
  value: the value, in unit
  unit: the warehouse unit
  load_id: the load that brought it
  source_file: file name as sent
  source_sheet: sheet
  source_row: spreadsheet row
  source_column: spreadsheet column (wide tables)
*/
with obs as (
    select * from stg.stg_indicators__obs
),

final as (
    select
        indicator_id,
        indicator_name,
        region_code,
        period,
        period_end,
        basis,
        value,
        unit,
        load_id,
        source_file,
        _sheet as source_sheet,
        _row as source_row,
        _col as source_column
    from obs
)

select * from final

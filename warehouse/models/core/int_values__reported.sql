/*
name: core.int_values__reported
kind: view
grain: one row per indicator, region, period and basis, as reported
description: >
  Indicators a department reports directly (derivation `reported` in the catalog), and every
  indicator of a 统计局 table that is not in the catalog (ids `ext.<name>`).
columns:
  indicator_id: catalog id, or ext.<name>
  region_code: 统计用区划代码 of the region the value is for
  period: 2024, 2024Q2 or 2024-06
  period_end: last day of the period
  value: the value in the catalog unit
  unit: the unit of value
  basis: period / ytd / stock / cumulative / rate
  vintage: when the value became known (the load's time)
  load_id: the load that brought it
  source_file: file name as sent
  source_sheet: sheet name
  source_cell: the cell, as in Sheet1!F17
  _as_of_no: which time of a build's `as_of_list` the value is as of (core.int_current_slices)
*/
with obs as (
    select * from stg.stg_indicators__obs
),

indicators as (
    select indicator_id from ref.indicators
    where derivation = 'reported'
),

final as (
    select
        o.indicator_id,
        o.region_code,
        o.period,
        o.period_end,
        o.value,
        o.unit,
        o.basis,
        o.vintage,
        o.load_id,
        o.source_file,
        o._sheet as source_sheet,
        o._sheet || '!' || coalesce(o._col, lc.column_letter, '') || o._row::varchar as source_cell,
        o._as_of_no
    from obs as o
    left join meta.load_columns as lc
        on o.load_id = lc.load_id and o._sheet = lc.sheet and lc.field = 'value'
    where o.indicator_id in (select indicator_id from indicators) or o.indicator_id like 'ext.%'
)

select * from final

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
  The query also gives `_as_of_no` (core.int_current_slices): the build evaluates all of its new
  loads' times in one query and keeps, for each, what changed; the table does not store it.
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
  superseded_at: >
    the vintage that replaced it, or, for a value withdrawn (a later load made the warehouse stop
    giving it: no newer row of the key follows), that load's time; null while current
  load_id: the load that brought it (meta.loads)
  source_file: the file as the department named it
  source_sheet: the sheet
  source_cell: >
    the cell it came from, from its lineage (core.value_inputs): `Sheet1!F17` for a value read from
    one cell; `Sheet1!H43 (+39)` for a value made from 40 cells (the first input cell in file, sheet,
    row and column order, then how many more; `statwh explain` lists them all); null for a value made
    from other values of the warehouse (a gap: core.value_inputs names the values it compares) or from
    no cell (a count of 0)
*/
-- source_cell names the first of the value's cells as known at the same `as_of`: first in the
-- order of core.value_inputs' input_no (the same order by, written out: this query evaluates the
-- inputs as of every new load, and numbering them all with a window cost a quarter of the build;
-- tests/integration/test_explain.py compares the two), of those with a sheet and a row (as
-- arg_min skipped a null)
with cells as (
    select
        indicator_id,
        region_code,
        period,
        basis,
        first(
            sheet || '!' || coalesce(column_letter, '') || row_number::varchar
            order by
                sign desc, ref_region_code asc, load_id asc, sheet asc, row_number asc,
                column_letter asc, field asc
        ) filter (where sheet is not null and row_number is not null) as first_cell,
        count(*) as n_cells,
        _as_of_no
    from core.value_inputs
    where input_kind = 'cell'
    group by indicator_id, region_code, period, basis, _as_of_no
),

final as (
    select
        v.* replace (
            case
                when c.n_cells = 1 then c.first_cell
                when c.n_cells > 1 then c.first_cell || ' (+' || (c.n_cells - 1)::varchar || ')'
            end as source_cell
        )
    from core.int_indicator_values as v
    left join cells as c
        on
            v.indicator_id = c.indicator_id and v.region_code = c.region_code
            and v.period = c.period and v.basis = c.basis and v._as_of_no = c._as_of_no
)

select * from final

/*
name: core.int_values__chain_output
kind: view
grain: one row per chain indicator and roster period (ytd), plus one per full year (from December)
description: >
  Output of an industrial chain (derivation `chain_output`): the roster's 工业总产值 本年累计
  summed over the chain's enterprises above scale (规上, as the statistics system
  measures an industry's size), 万元 → 亿元. December's year-to-date is also the year's
  figure (period `2024`, basis period).
columns:
  "*": as core.int_values__reported; basis ytd (months) or period (years)
*/
with roster as (
    select * from stg.stg_enterprises__periods
),

indicators as (
    select
        indicator_id,
        chain,
        unit
    from ref.indicators
    where derivation = 'chain_output'
),

plan as (
    select district_code from ref.plan
),

summed as (
    select
        i.indicator_id,
        i.unit,
        r.period,
        any_value(r.period_end) as period_end,
        sum(r.output_ytd) / 10000.0 as value,
        max(r.vintage) as vintage,
        arg_max(r.load_id, r.vintage) as load_id,
        arg_max(r.source_file, r.vintage) as source_file,
        arg_max(r._sheet, r.vintage) as source_sheet,
        min(r._row) as first_row,
        max(r._row) as last_row,
        r._as_of_no
    from roster as r
    inner join indicators as i on r.chain = i.chain
    where r.is_above_scale
    group by i.indicator_id, i.unit, r.period, r._as_of_no
),

with_cells as (
    select
        s.*,
        s.source_sheet || '!' || coalesce(lc.column_letter, '') || s.first_row::varchar
        || ':' || coalesce(lc.column_letter, '') || s.last_row::varchar as source_cell
    from summed as s
    left join meta.load_columns as lc
        on s.load_id = lc.load_id and s.source_sheet = lc.sheet and lc.field = 'output_ytd'
),

final as (
    select
        indicator_id,
        p.district_code as region_code,
        period,
        period_end,
        value,
        unit,
        'ytd' as basis,
        vintage,
        load_id,
        source_file,
        source_sheet,
        source_cell,
        _as_of_no
    from with_cells cross join plan as p
    union all
    select
        indicator_id,
        p.district_code,
        left(period, 4),
        period_end,
        value,
        unit,
        'period',
        vintage,
        load_id,
        source_file,
        source_sheet,
        source_cell,
        _as_of_no
    from with_cells cross join plan as p
    where right(period, 2) = '12'
)

select * from final

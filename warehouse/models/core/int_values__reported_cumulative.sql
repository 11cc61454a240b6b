/*
name: core.int_values__reported_cumulative
kind: view
grain: one row per indicator, region and year after the baseline
description: >
  Cumulative-new indicators reported per year as 本年新增 (derivation `reported_cumulative`):
  the total since the baseline at each year's end.
columns:
  "*": as core.int_values__reported; basis is cumulative, source_cell the latest year's cell
*/
with obs as (
    select
        o.*,
        lc.column_letter as value_col
    from stg.stg_indicators__obs as o
    inner join ref.indicators as i on o.indicator_id = i.indicator_id
    left join meta.load_columns as lc
        on o.load_id = lc.load_id and o._sheet = lc.sheet and lc.field = 'value'
    where i.derivation = 'reported_cumulative' and o.basis = 'period'
),

plan as (
    select baseline_end from ref.plan
),

yearly as (
    select
        o.*,
        sum(o.value) over (
            partition by o.indicator_id, o.region_code, o._as_of_no order by o.period_end
            rows between unbounded preceding and current row
        ) as total,
        max(o.vintage) over (
            partition by o.indicator_id, o.region_code, o._as_of_no order by o.period_end
            rows between unbounded preceding and current row
        ) as total_vintage
    from obs as o, plan as p
    where o.period_end > p.baseline_end
),

final as (
    select
        indicator_id,
        region_code,
        period,
        period_end,
        total as value,
        unit,
        'cumulative' as basis,
        total_vintage as vintage,
        load_id,
        source_file,
        _sheet as source_sheet,
        _sheet || '!' || coalesce(_col, value_col, '') || _row::varchar as source_cell,
        _as_of_no
    from yearly
)

select * from final

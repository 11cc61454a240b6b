/*
name: core.int_values__roster_count
kind: view
grain: one row per indicator and roster period, for the district
description: >
  Counts of roster enterprises carrying a flag at the period's end (derivation `roster_count`:
  规上, 50强, 专精特新, 上市). source_cell names the flag column's range in the roster. A period
  whose rosters have no column for the flag (and no sheet saying it) gives no row: not known,
  never 0.
columns:
  "*": as core.int_values__reported; basis is stock
*/
with roster as (
    select * from stg.stg_enterprises__periods
),

indicators as (
    select
        indicator_id,
        flag,
        unit
    from ref.indicators
    where derivation = 'roster_count'
),

plan as (
    select district_code from ref.plan
),

flagged as (
    select
        i.indicator_id,
        i.flag,
        i.unit,
        r.period,
        r.period_end,
        r.vintage,
        r.load_id,
        r.source_file,
        r._sheet,
        r._row,
        r._as_of_no,
        case i.flag
            when 'is_above_scale' then r.is_above_scale
            when 'is_top50' then r.is_top50
            when 'is_srdi' then r.is_srdi
            when 'is_listed' then r.is_listed
            when 'is_hightech' then r.is_hightech
        end as is_flagged,
        lf.column_letter is not null as column_read
    from roster as r
    cross join indicators as i
    left join meta.load_columns as lf
        on r.load_id = lf.load_id and r._sheet = lf.sheet and i.flag = lf.field
),

counted as (
    select
        indicator_id,
        flag,
        any_value(unit) as unit,
        period,
        any_value(period_end) as period_end,
        max(vintage) as vintage,
        arg_max(load_id, vintage) as load_id,
        arg_max(source_file, vintage) as source_file,
        arg_max(_sheet, vintage) as source_sheet,
        count(*) filter (where is_flagged) as n,
        -- rows whose flag is known: read from a column (blank there: not flagged) or said by the
        -- sheet (规上 from the title); a roster without the column gives no count, never 0
        count(*) filter (where column_read or is_flagged is not null) as known,
        min(_row) as first_row,
        max(_row) as last_row,
        _as_of_no
    from flagged
    group by indicator_id, flag, period, _as_of_no
),

final as (
    select
        c.indicator_id,
        p.district_code as region_code,
        c.period,
        c.period_end,
        c.n::double as value,
        c.unit,
        'stock' as basis,
        c.vintage,
        c.load_id,
        c.source_file,
        c.source_sheet,
        c.source_sheet || '!' || coalesce(lc.column_letter, '') || c.first_row::varchar
        || ':' || coalesce(lc.column_letter, '') || c.last_row::varchar as source_cell,
        c._as_of_no
    from counted as c
    cross join plan as p
    left join meta.load_columns as lc
        on c.load_id = lc.load_id and c.source_sheet = lc.sheet and c.flag = lc.field
    where c.known > 0
)

select * from final

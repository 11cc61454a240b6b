/*
name: core.int_values__roster_new
kind: view
grain: one row per indicator and roster period after the baseline, for the district
description: >
  Cumulative count of enterprises that entered the roster as `entry_type` (小升规) since the
  baseline (derivation `roster_new`); 新建投产 entries do not count. The value at a period counts
  every entry in the rosters of the periods after the baseline up to and including it.
columns:
  "*": as core.int_values__reported; basis is cumulative
*/
with roster as (
    select * from stg.stg_enterprises__periods
),

indicators as (
    select
        indicator_id,
        entry_type,
        unit
    from ref.indicators
    where derivation = 'roster_new'
),

plan as (
    select
        district_code,
        baseline_end
    from ref.plan
),

entries as (
    select
        i.indicator_id,
        r.credit_code,
        min(r.period_end) as entered_on,
        r._as_of_no
    from roster as r
    cross join plan as p
    inner join indicators as i on r.entry_type = i.entry_type
    where r.period_end > p.baseline_end
    group by i.indicator_id, r.credit_code, r._as_of_no
),

periods as (
    select
        r.period,
        any_value(r.period_end) as period_end,
        max(r.vintage) as vintage,
        arg_max(r.load_id, r.vintage) as load_id,
        arg_max(r.source_file, r.vintage) as source_file,
        arg_max(r._sheet, r.vintage) as source_sheet,
        r._as_of_no
    from roster as r
    cross join plan as p
    where r.period_end > p.baseline_end
    group by r.period, r._as_of_no
),

counted as (
    select
        i.indicator_id,
        i.unit,
        pe.*,
        (
            select count(*) from entries as e
            where
                e.indicator_id = i.indicator_id and e.entered_on <= pe.period_end
                and e._as_of_no = pe._as_of_no
        ) as n,
        max(pe.vintage) over (
            partition by i.indicator_id, pe._as_of_no order by pe.period_end
        ) as vintage_to_date
    from periods as pe
    cross join indicators as i
),

final as (
    select
        c.indicator_id,
        p.district_code as region_code,
        c.period,
        c.period_end,
        c.n::double as value,
        c.unit,
        'cumulative' as basis,
        c.vintage_to_date as vintage,
        c.load_id,
        c.source_file,
        c.source_sheet,
        c.source_sheet || '!' || coalesce(lc.column_letter, '') as source_cell,
        c._as_of_no
    from counted as c
    cross join plan as p
    left join meta.load_columns as lc
        on c.load_id = lc.load_id and c.source_sheet = lc.sheet and lc.field = 'entry_type'
)

select * from final

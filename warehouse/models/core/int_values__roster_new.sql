/*
name: core.int_values__roster_new
kind: view
grain: one row per indicator and roster period after the baseline, for the district
description: >
  Cumulative count of enterprises that entered the roster as `entry_type` (小升规) since the
  baseline (derivation `roster_new`; who entered when: core.int_roster_entries); 新建投产 entries
  do not count. The value at a period counts every entry in the rosters of the periods after the
  baseline up to and including it. A period gets no value (not known, never 0) when a roster up
  to it has no 入库类型 column and the baseline roster that would tell first appearances (with
  规上 known) is not loaded, or when such a roster does not say which rows are 规上.
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
    select * from core.int_roster_entries
),

baseline_known as (
    select distinct r._as_of_no
    from roster as r
    cross join plan as p
    where r.period_end = p.baseline_end and r.is_above_scale is not null
),

typed_sheets as (
    select distinct load_id, sheet from meta.load_columns where field = 'entry_type'
),

periods as (
    select
        r.period,
        any_value(r.period_end) as period_end,
        max(r.vintage) as vintage,
        arg_max(r.load_id, r.vintage) as load_id,
        arg_max(r.source_file, r.vintage) as source_file,
        arg_max(r._sheet, r.vintage) as source_sheet,
        -- each row's entry is told: by its 入库类型 column (or sheet), or by first appearance
        -- against a loaded baseline roster, its 规上 known
        bool_and(
            t.load_id is not null or r.entry_type is not null
            or (b._as_of_no is not null and r.is_above_scale is not null)
        ) as told,
        r._as_of_no
    from roster as r
    cross join plan as p
    left join typed_sheets as t on r.load_id = t.load_id and r._sheet = t.sheet
    left join baseline_known as b on r._as_of_no = b._as_of_no
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
        ) as vintage_to_date,
        bool_and(pe.told) over (
            partition by i.indicator_id, pe._as_of_no order by pe.period_end
        ) as told_to_date
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
    where c.told_to_date
)

select * from final

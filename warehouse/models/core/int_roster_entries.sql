/*
name: core.int_roster_entries
kind: view
grain: one row per roster_new indicator (小升规) and enterprise that entered after the baseline
description: >
  When each enterprise entered as the indicator's `entry_type` (小升规) after the baseline, and
  the row that says so (INDICATORS.md: "entry type 小升规 where given; else first appearance after
  the baseline roster"). Where the roster's sheet has a 入库类型 column (or its sheet says the
  type), that cell decides: 新建投产 does not count. Where it has none, the enterprise's first
  row as 规上 after the baseline counts, when the baseline roster (the period ending at the plan's
  baseline) is loaded with 规上 known and did not hold the enterprise as 规上, and no 入库类型 cell
  of a later roster states another entry for it. Without that baseline roster first appearances
  cannot be told: core.int_values__roster_new gives such periods no value (not 0).
columns:
  indicator_id: the roster_new indicator
  entry_type: the entry type it counts (小升规)
  credit_code: the enterprise
  entered_on: the period end of its first such row
  load_id: the load of that row
  sheet: its sheet
  row_number: its spreadsheet row
  counted_by: entry_type (the 入库类型 cell says so) or first_appearance (no such column; first 规上 row after the baseline roster)
  _as_of_no: which time of `as_of_list` the row is as of (0 outside a build)
*/
with roster as (
    select
        r.*,
        lc.load_id is not null as typed
    from stg.stg_enterprises__periods as r
    left join (select distinct load_id, sheet from meta.load_columns where field = 'entry_type') as lc
        on r.load_id = lc.load_id and r._sheet = lc.sheet
),

indicators as (
    select
        indicator_id,
        entry_type
    from ref.indicators
    where derivation = 'roster_new'
),

plan as (
    select baseline_end from ref.plan
),

-- the baseline roster's 规上 enterprises, where that roster is loaded with 规上 known
baseline as (
    select
        r.credit_code,
        r.is_above_scale,
        r._as_of_no
    from roster as r
    cross join plan as p
    where r.period_end = p.baseline_end and r.is_above_scale is not null
),

stated as (
    -- enterprises a 入库类型 cell after the baseline gives an entry type (小升规, 新建投产)
    select distinct
        r.credit_code,
        r.entry_type,
        r._as_of_no
    from roster as r
    cross join plan as p
    where r.period_end > p.baseline_end and r.entry_type is not null
),

candidates as (
    -- a row saying the entry type, or (no such column) a first 规上 row the baseline did not hold
    select
        i.indicator_id,
        i.entry_type,
        r.credit_code,
        r.period_end,
        r.load_id,
        r._sheet,
        r._row,
        case when r.entry_type = i.entry_type then 'entry_type' else 'first_appearance' end as counted_by,
        r._as_of_no
    from roster as r
    cross join plan as p
    cross join indicators as i
    where
        r.period_end > p.baseline_end
        and (
            r.entry_type = i.entry_type
            or (
                not r.typed and r.entry_type is null and r.is_above_scale
                and exists (select 1 from baseline as b where b._as_of_no = r._as_of_no)
                and not exists (
                    select 1 from baseline as b
                    where b.credit_code = r.credit_code and b._as_of_no = r._as_of_no and b.is_above_scale
                )
                and not exists (
                    select 1 from stated as s
                    where
                        s.credit_code = r.credit_code and s._as_of_no = r._as_of_no
                        and s.entry_type <> i.entry_type
                )
            )
        )
),

final as (
    select
        indicator_id,
        any_value(entry_type) as entry_type,
        credit_code,
        min(period_end) as entered_on,
        -- the first row: by period, a stated entry before a first appearance, then load and row
        arg_min(load_id, (period_end, counted_by, load_id, _sheet, _row)) as load_id,
        arg_min(_sheet, (period_end, counted_by, load_id, _sheet, _row)) as sheet,
        arg_min(_row, (period_end, counted_by, load_id, _sheet, _row)) as row_number,
        arg_min(counted_by, (period_end, counted_by, load_id, _sheet, _row)) as counted_by,
        _as_of_no
    from candidates
    group by indicator_id, credit_code, _as_of_no
)

select * from final

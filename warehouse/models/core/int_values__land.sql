/*
name: core.int_values__land
kind: view
grain: one row per land indicator and quarter after the baseline, for the district
description: >
  Area (亩) of 增减挂钩 (linkage) or 占补平衡 (balance) projects accepted (验收) since the
  baseline, at each quarter's end up to the latest acceptance (derivation `land_accepted`).
  Projects accepted before the baseline do not count.
columns:
  "*": as core.int_values__reported; basis cumulative
*/
with projects as (
    select * from stg.stg_land_use__projects
),

indicators as (
    select
        indicator_id,
        land_kind,
        unit
    from ref.indicators
    where derivation = 'land_accepted'
),

plan as (
    select
        district_code,
        baseline_end
    from ref.plan
),

counted_projects as (
    select
        i.indicator_id,
        i.unit,
        pr.*
    from projects as pr
    inner join indicators as i on pr.kind = i.land_kind
    cross join plan as p
    where pr.accepted_on > p.baseline_end
),

quarters as (
    select
        c.indicator_id,
        any_value(c.unit) as unit,
        max(c.vintage) as vintage,
        arg_max(c.load_id, c.vintage) as load_id,
        arg_max(c.source_file, c.vintage) as source_file,
        arg_max(c._sheet, c.vintage) as source_sheet,
        unnest(generate_series(
            (any_value(p.baseline_end) + interval 1 day)::date,
            max(c.accepted_on),
            interval 3 month
        ))::date as quarter_start,
        c._as_of_no
    from counted_projects as c
    cross join plan as p
    group by c.indicator_id, c._as_of_no
),

final as (
    select
        q.indicator_id,
        p.district_code as region_code,
        year(q.quarter_start)::varchar || 'Q' || quarter(q.quarter_start)::varchar as period,
        (q.quarter_start + interval 3 month - interval 1 day)::date as period_end,
        -- compensated and rounded to 1e-6 亩: the same figure whatever order the rows come in
        -- (a restore or a reprocess reproduces it to the last bit)
        coalesce(round(fsum(c.area_mu), 6), 0)::double as value,
        q.unit,
        'cumulative' as basis,
        -- a quarter with nothing accepted yet is a true zero, known from the ledgers that list
        -- later projects: it takes their vintage and lineage (a zero is a value, never dropped)
        coalesce(max(c.vintage), any_value(q.vintage)) as vintage,
        coalesce(arg_max(c.load_id, c.vintage), any_value(q.load_id)) as load_id,
        coalesce(arg_max(c.source_file, c.vintage), any_value(q.source_file)) as source_file,
        coalesce(arg_max(c._sheet, c.vintage), any_value(q.source_sheet)) as source_sheet,
        coalesce(arg_max(c._sheet, c.vintage), any_value(q.source_sheet)) || '!' as source_cell,
        q._as_of_no
    from quarters as q
    cross join plan as p
    left join counted_projects as c
        on
            q.indicator_id = c.indicator_id
            and c.accepted_on < q.quarter_start + interval 3 month
            and q._as_of_no = c._as_of_no
    group by q.indicator_id, q.unit, q.quarter_start, p.district_code, q._as_of_no
)

select * from final

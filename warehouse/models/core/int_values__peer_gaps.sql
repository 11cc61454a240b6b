/*
name: core.int_values__peer_gaps
kind: view
grain: one row per gap indicator, period and basis where all the regions it needs reported
description: >
  `peer_gap`: our value of `of` (gdp) minus the peer district's (plan.yaml peers.gdp_gap).
  `growth_gap`: our growth rate (`of`: gdp_growth, as reported, never recomputed) minus the
  higher of the two growth peers' (plan.yaml peers.growth), in 百分点.
columns:
  "*": as core.int_values__reported
*/
with reported as (
    select * from core.int_values__reported
),

indicators as (
    select
        indicator_id,
        derivation,
        of_id,
        unit
    from ref.indicators
    where derivation in ('peer_gap', 'growth_gap')
),

plan as (
    select
        district_code,
        peer_gap_code,
        growth_peer_codes
    from ref.plan
),

ours as (
    select
        i.indicator_id,
        i.derivation,
        i.unit,
        r.*
    from reported as r
    inner join indicators as i on r.indicator_id = i.of_id
    cross join plan as p
    where r.region_code = p.district_code
),

peers as (
    select
        i.indicator_id,
        r.period,
        r.basis,
        max(r.value) as peer_value,
        count(*) as n_peers,
        max(r.vintage) as peer_vintage,
        r._as_of_no
    from reported as r
    inner join indicators as i on r.indicator_id = i.of_id
    cross join plan as p
    where
        (i.derivation = 'peer_gap' and r.region_code = p.peer_gap_code)
        or (i.derivation = 'growth_gap' and list_contains(p.growth_peer_codes, r.region_code))
    group by i.indicator_id, r.period, r.basis, r._as_of_no
),

final as (
    select
        o.indicator_id,
        o.region_code,
        o.period,
        o.period_end,
        o.value - pe.peer_value as value,
        o.unit,
        o.basis,
        greatest(o.vintage, pe.peer_vintage) as vintage,
        o.load_id,
        o.source_file,
        o.source_sheet,
        o.source_cell,
        o._as_of_no
    from ours as o
    inner join peers as pe
        on
            o.indicator_id = pe.indicator_id and o.period = pe.period and o.basis = pe.basis
            and o._as_of_no = pe._as_of_no
    cross join plan as p
    where pe.n_peers = case when o.derivation = 'growth_gap' then len(p.growth_peer_codes) else 1 end
)

select * from final

/*
name: published_small_cells_suppressed
severity: warning
description: >
  统计法: every published cell built from 1 to `min_cell_enterprises - 1` enterprises (ref.plan,
  from plan.yaml `disclosure`) is withheld — in published.township_scorecard and
  published.chain_output (figures null, `is_suppressed`), and in the chain's indicator in
  published.indicator_values and published.indicator_progress (the period, and the year of a
  December). The small cells are found from the marts here, not from the published models, so
  that an edit of those models that lets a cell through is caught. A bad row: the published
  view, the cell (township, chain or indicator), its period and its enterprises.
*/
with plan as (
    select min_cell_enterprises from ref.plan
),

small_chains as (
    select
        c.indicator_id,
        c.period,
        c.n_enterprises
    from marts.chain_output as c
    cross join plan as p
    where c.indicator_id is not null and c.n_enterprises between 1 and p.min_cell_enterprises - 1
),

small_chain_cells as (
    select
        indicator_id,
        period,
        n_enterprises
    from small_chains
    union all
    select
        indicator_id,
        left(period, 4),
        n_enterprises
    from small_chains
    where right(period, 2) = '12'
),

final as (
    select
        'published.township_scorecard' as published_view,
        t.township_code as cell,
        t.period,
        t.n_enterprises
    from published.township_scorecard as t
    cross join plan as p
    where
        t.n_enterprises between 1 and p.min_cell_enterprises - 1
        and (t.is_suppressed is not true or t.output_ytd is not null or t.above_scale_enterprises is not null)
    union all
    select
        'published.chain_output',
        c.chain,
        c.period,
        c.n_enterprises
    from published.chain_output as c
    cross join plan as p
    where
        c.n_enterprises between 1 and p.min_cell_enterprises - 1
        and (c.is_suppressed is not true or c.output_ytd is not null or c.progress_pct is not null)
    union all
    select
        'published.indicator_values',
        v.indicator_id,
        v.period,
        s.n_enterprises
    from published.indicator_values as v
    inner join small_chain_cells as s on v.indicator_id = s.indicator_id and v.period = s.period
    where v.is_suppressed is not true or v.value is not null
    union all
    select
        'published.indicator_progress',
        g.indicator_id,
        g.period,
        s.n_enterprises
    from published.indicator_progress as g
    inner join small_chain_cells as s on g.indicator_id = s.indicator_id and g.period = s.period
    where
        g.is_suppressed is not true
        or g.actual is not null
        or g.progress_pct is not null
        or g.projected_at_deadline is not null
        or g.pace_ratio is not null
)

select * from final

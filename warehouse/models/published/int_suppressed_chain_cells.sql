/*
name: published.int_suppressed_chain_cells
kind: view
grain: one row per chain indicator and period whose cell is built from too few enterprises
description: >
  The chain cells (indicator, period) that publishing withholds: the periods of marts.chain_output
  where a chain with an indicator is built from 1 to `min_cell_enterprises - 1` enterprises
  (ref.plan, from plan.yaml `disclosure`), and the year of such a December (a December 本年累计 is
  also the year's figure). A chain's output is also an indicator: published.indicator_values and
  published.indicator_progress withhold these cells too.
columns:
  indicator_id: the chain's indicator
  period: roster period (YYYY-MM), or the year (YYYY) of a December
*/
with plan as (
    select min_cell_enterprises from ref.plan
),

small as (
    select
        c.indicator_id,
        c.period
    from marts.chain_output as c
    cross join plan as p
    where
        c.indicator_id is not null
        and c.n_enterprises between 1 and p.min_cell_enterprises - 1
),

final as (
    select
        indicator_id,
        period
    from small
    union
    select
        indicator_id,
        left(period, 4)
    from small
    where right(period, 2) = '12'
)

select * from final

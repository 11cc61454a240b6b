/*
name: published.int_suppressed_chain_cells
kind: view
grain: one row per chain indicator and period whose cell publishing withholds
description: >
  The chain cells (indicator, period) that publishing withholds: the periods of marts.chain_output
  where published.int_disclosure_cells withholds a chain with an indicator (too few enterprises,
  dominance, or secondary suppression), and the year of such a December (a December 本年累计 is
  also the year's figure). A chain's output is also an indicator: published.indicator_values and
  published.indicator_progress withhold these cells too.
columns:
  indicator_id: the chain's indicator
  period: roster period (YYYY-MM), or the year (YYYY) of a December
*/
with withheld as (
    select
        c.indicator_id,
        c.period
    from marts.chain_output as c
    inner join published.int_disclosure_cells as d
        on d.cell_table = 'chain' and c.chain is not distinct from d.cell and c.period = d.period
    where c.indicator_id is not null and d.is_suppressed
),

final as (
    select
        indicator_id,
        period
    from withheld
    union
    select
        indicator_id,
        left(period, 4)
    from withheld
    where right(period, 2) = '12'
)

select * from final

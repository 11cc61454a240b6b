/*
name: published.chain_output
kind: view
grain: one row per industrial chain and roster period
description: >
  marts.chain_output as published (the snapshot's marts.chain_output, chain_output.parquet): a cell
  built from 1 to `min_cell_enterprises - 1` enterprises (ref.plan, from plan.yaml `disclosure`)
  has its output and progress withheld (null) and `is_suppressed` set (统计法). A cell of 0
  enterprises shows its 0: there is nobody to protect.
columns:
  "*": as marts.chain_output; output_ytd and progress_pct null where suppressed
  is_suppressed: built from too few enterprises to be published
*/
with plan as (
    select min_cell_enterprises from ref.plan
),

cells as (
    select
        c.*,
        c.n_enterprises between 1 and p.min_cell_enterprises - 1 as is_suppressed
    from marts.chain_output as c
    cross join plan as p
),

final as (
    select
        * replace (
            case when is_suppressed then null else round(output_ytd, 6) end as output_ytd,
            case when is_suppressed then null else round(progress_pct, 2) end as progress_pct
        )
    from cells
)

select * from final
order by period, chain

/*
name: published.township_scorecard
kind: view
grain: one row per township of the district and roster period
description: >
  marts.township_scorecard as published (the snapshot's marts.township_scorecard,
  township_scorecard.parquet): a cell built from 1 to `min_cell_enterprises - 1` enterprises
  (ref.plan, from plan.yaml `disclosure`) has its output and its count of enterprises above scale
  withheld (null) and `is_suppressed` set (统计法). A cell of 0 enterprises shows its 0.
columns:
  "*": as marts.township_scorecard; output_ytd and above_scale_enterprises null where suppressed
  is_suppressed: built from too few enterprises to be published
*/
with plan as (
    select min_cell_enterprises from ref.plan
),

cells as (
    select
        t.*,
        t.n_enterprises between 1 and p.min_cell_enterprises - 1 as is_suppressed
    from marts.township_scorecard as t
    cross join plan as p
),

final as (
    select
        * replace (
            case when is_suppressed then null else round(output_ytd, 6) end as output_ytd,
            round(land_linkage_mu, 4) as land_linkage_mu,
            round(land_balance_mu, 4) as land_balance_mu,
            case when is_suppressed then null else above_scale_enterprises end as above_scale_enterprises,
            hightech_enterprises::bigint as hightech_enterprises
        )
    from cells
)

select * from final
order by period, township_code

/*
name: published.township_scorecard
kind: view
grain: one row per township of the district and roster period
description: >
  marts.township_scorecard as published (the snapshot's marts.township_scorecard,
  township_scorecard.parquet): a cell that published.int_disclosure_cells withholds (too few
  enterprises, one or two dominant enterprises, or secondary suppression against the district's
  total) has its output and its count of enterprises above scale withheld (null), `is_suppressed`
  set and `suppression_rule` saying why (统计法). A cell of 0 enterprises shows its 0.
columns:
  "*": as marts.township_scorecard; output_ytd and above_scale_enterprises null where suppressed
  is_suppressed: withheld by a disclosure rule
  suppression_rule: min_frequency, dominance or secondary (null when published)
*/
with rules as (
    select
        cell,
        period,
        is_suppressed,
        suppression_rule
    from published.int_disclosure_cells
    where cell_table = 'township'
),

cells as (
    select
        t.*,
        coalesce(r.is_suppressed, false) as is_suppressed,
        r.suppression_rule
    from marts.township_scorecard as t
    left join rules as r on t.township_code = r.cell and t.period = r.period
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

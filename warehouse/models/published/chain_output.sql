/*
name: published.chain_output
kind: view
grain: one row per industrial chain and roster period
description: >
  marts.chain_output as published (the snapshot's marts.chain_output, chain_output.parquet): a
  cell that published.int_disclosure_cells withholds (too few enterprises, one or two dominant
  enterprises, or secondary suppression against the district's total) has its output and
  progress withheld (null), `is_suppressed` set and `suppression_rule` saying why (统计法). A cell
  of 0 enterprises shows its 0: there is nobody to protect.
columns:
  "*": as marts.chain_output; output_ytd and progress_pct null where suppressed
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
    where cell_table = 'chain'
),

cells as (
    select
        c.*,
        coalesce(r.is_suppressed, false) as is_suppressed,
        r.suppression_rule
    from marts.chain_output as c
    left join rules as r on c.chain is not distinct from r.cell and c.period = r.period
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

/*
name: published_cells_protected
severity: warning
description: >
  统计法, beyond the minimum frequency: no published cell of output is dominated (its `dominance_n`
  largest enterprises more than `dominance_k_pct` % of it, ref.plan), and no period of a published
  table with a total (the townships, the chains: each adds up to the district) has exactly one
  withheld cell, which the total minus the published cells would give away. The dominant cells are
  found from the roster here, not from published.int_disclosure_cells, so that an edit of the
  rules that lets one through is caught. A bad row: the published view, the cell (or `*` for a
  period), its period and what is wrong.
*/
with plan as (
    select
        dominance_n,
        dominance_k_pct
    from ref.plan
),

roster as (
    select
        township_code,
        chain,
        period,
        coalesce(output_ytd, 0) as output_ytd
    from stg.stg_enterprises__periods
    where is_above_scale
),

shares as (
    select
        'published.township_scorecard' as published_view,
        township_code as cell,
        period,
        output_ytd,
        row_number() over (partition by township_code, period order by output_ytd desc) as output_rank,
        sum(output_ytd) over (partition by township_code, period) as total
    from roster
    union all
    select
        'published.chain_output',
        chain,
        period,
        output_ytd,
        row_number() over (partition by chain, period order by output_ytd desc),
        sum(output_ytd) over (partition by chain, period)
    from roster
),

dominated as (
    select
        s.published_view,
        s.cell,
        s.period
    from shares as s
    cross join plan as p
    where s.total > 0
    group by s.published_view, s.cell, s.period, s.total, p.dominance_n, p.dominance_k_pct
    having sum(s.output_ytd) filter (where s.output_rank <= p.dominance_n) > p.dominance_k_pct / 100.0 * s.total
),

published_cells as (
    select
        'published.township_scorecard' as published_view,
        township_code as cell,
        period,
        is_suppressed,
        output_ytd
    from published.township_scorecard
    union all
    select
        'published.chain_output',
        chain,
        period,
        is_suppressed,
        output_ytd
    from published.chain_output
),

final as (
    select
        c.published_view,
        c.cell,
        c.period,
        'dominated cell published' as problem
    from published_cells as c
    inner join dominated as d
        on c.published_view = d.published_view and c.cell is not distinct from d.cell and c.period = d.period
    where c.is_suppressed is not true or c.output_ytd is not null
    union all
    select
        published_view,
        '*',
        period,
        'exactly one withheld cell in a period with a total'
    from published_cells
    group by published_view, period
    having count(*) filter (where is_suppressed) = 1
)

select * from final

/*
name: published.int_disclosure_cells
kind: view
grain: one row per published cell of enterprise output (township and period, chain and period)
description: >
  Which cells of enterprise output publishing withholds, and why (统计法; README "What is
  published, and what is withheld"). Primary suppression: a cell built from 1 to
  `min_cell_enterprises - 1` enterprises (the township's enterprises in the roster, or the
  enterprises above scale whose output it adds up) is `min_frequency`; a cell whose
  `dominance_n` largest enterprises make more than `dominance_k_pct` % of its output is
  `dominance` (the (n, k) rule; ref.plan, from plan.yaml `disclosure`). Secondary suppression:
  the townships of a period add up to the district's output, and so do the chains; where such a
  column holds exactly one withheld cell, it could be recovered by subtracting the published
  cells from the total, so the smallest other cell with output (ties: by code) is withheld too
  (`secondary`). One pass is enough: each table has one total per period. A column that has no
  other cell to withhold keeps its single withheld cell (audit published_cells_protected).
columns:
  cell_table: township (published.township_scorecard) or chain (published.chain_output)
  cell: the township code or the chain
  period: roster period (YYYY-MM)
  output_ytd: the cell's output, 亿元 (as the mart holds it)
  n_contributors: enterprises above scale whose output the cell adds up
  top_n_share_pct: share of the cell's output held by its `dominance_n` largest enterprises, %
  suppression_rule: why it is withheld (min_frequency, dominance, secondary); null when published
  is_suppressed: withheld
*/
with plan as (
    select
        min_cell_enterprises,
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

contributions as (
    select
        'township' as cell_table,
        township_code as cell,
        period,
        output_ytd
    from roster
    union all
    select
        'chain',
        chain,
        period,
        output_ytd
    from roster
),

ranked as (
    select
        *,
        row_number() over (partition by cell_table, cell, period order by output_ytd desc) as output_rank
    from contributions
),

stats as (
    select
        r.cell_table,
        r.cell,
        r.period,
        count(*) as n_contributors,
        sum(r.output_ytd) as total,
        sum(r.output_ytd) filter (where r.output_rank <= p.dominance_n) as top_n
    from ranked as r
    cross join plan as p
    group by r.cell_table, r.cell, r.period
),

mart_cells as (
    select
        'township' as cell_table,
        township_code as cell,
        period,
        n_enterprises,
        output_ytd
    from marts.township_scorecard
    union all
    select
        'chain',
        chain,
        period,
        n_enterprises,
        output_ytd
    from marts.chain_output
),

primary_cells as (
    select
        m.cell_table,
        m.cell,
        m.period,
        m.output_ytd,
        coalesce(s.n_contributors, 0) as n_contributors,
        round(100.0 * s.top_n / nullif(s.total, 0), 2) as top_n_share_pct,
        case
            when
                m.n_enterprises between 1 and p.min_cell_enterprises - 1
                or s.n_contributors between 1 and p.min_cell_enterprises - 1
                then 'min_frequency'
            when s.total > 0 and s.top_n > p.dominance_k_pct / 100.0 * s.total then 'dominance'
        end as primary_rule
    from mart_cells as m
    cross join plan as p
    left join stats as s
        on m.cell_table = s.cell_table and m.cell is not distinct from s.cell and m.period = s.period
),

columns_with_one as (
    select
        cell_table,
        period
    from primary_cells
    group by cell_table, period
    having count(*) filter (where primary_rule is not null) = 1
),

secondary as (
    select
        c.cell_table,
        c.cell,
        c.period
    from primary_cells as c
    inner join columns_with_one as o on c.cell_table = o.cell_table and c.period = o.period
    where c.primary_rule is null and c.n_contributors > 0
    qualify row_number() over (partition by c.cell_table, c.period order by c.output_ytd, c.cell) = 1
),

final as (
    select
        c.cell_table,
        c.cell,
        c.period,
        c.output_ytd,
        c.n_contributors,
        c.top_n_share_pct,
        coalesce(c.primary_rule, case when s.cell_table is not null then 'secondary' end) as suppression_rule,
        coalesce(c.primary_rule, case when s.cell_table is not null then 'secondary' end) is not null
            as is_suppressed
    from primary_cells as c
    left join secondary as s
        on c.cell_table = s.cell_table and c.cell is not distinct from s.cell and c.period = s.period
)

select * from final

/*
name: marts.chain_output
kind: table
grain: one row per industrial chain and roster period
description: >
  Output of the district's industrial chains (高端装备制造, 盐化工, 生物医药, 绿色食品, 电子信息, 其他)
  per period, 本年累计 in 亿元 over enterprises above scale (规上), against the chain's target (100 亿元 by 2028 for four of them; null
  while not set). `n_enterprises` lets published copies suppress cells built from fewer than 3.
columns:
  chain: industrial chain
  indicator_id: the chain's indicator (null for 其他)
  period: roster period (YYYY-MM)
  period_end: last day of the period
  output_ytd: 规上工业总产值 本年累计 of the chain's enterprises above scale, 亿元
  output_coverage: 规上 (the enterprises output_ytd covers)
  n_enterprises: enterprises of the chain above scale (规上) in the roster
  n_without_output: >
    of them, those whose 工业总产值 本年累计 the roster leaves blank: output_ytd leaves them out (the
    load warned, output_not_summed); 0 when the sum is whole
  target: the chain's target, 亿元 (null while not set)
  target_period_end: the target's deadline
  progress_pct: output_ytd as a percentage of the target
*/
with roster as (
    select * from stg.stg_enterprises__periods
),

chains as (
    select
        chain,
        indicator_id
    from ref.indicators
    where derivation = 'chain_output'
),

targets as (
    select
        indicator_id,
        target,
        deadline
    from stg.stg_targets__targets
),

summed as (
    select
        chain,
        period,
        any_value(period_end) as period_end,
        sum(output_ytd) / 10000.0 as output_ytd,
        count(*) as n_enterprises,
        count(*) filter (where output_ytd is null) as n_without_output
    from roster
    where is_above_scale
    group by chain, period
),

final as (
    select
        s.chain,
        c.indicator_id,
        s.period,
        s.period_end,
        s.output_ytd,
        '规上' as output_coverage,
        s.n_enterprises,
        s.n_without_output,
        t.target,
        t.deadline as target_period_end,
        100.0 * s.output_ytd / nullif(t.target, 0) as progress_pct
    from summed as s
    left join chains as c on s.chain = c.chain
    left join targets as t on c.indicator_id = t.indicator_id
)

select * from final
order by chain, period

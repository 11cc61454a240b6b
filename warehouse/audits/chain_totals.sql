/*
name: chain_totals
severity: warning
description: >
  The chain mart adds up, where both sides are published: per roster period, the enterprises of
  every chain (其他 included) sum to the district's above-scale enterprises (indicator
  above_scale_enterprises); and each chain's output equals its indicator's value (the period's
  本年累计, and for December the year's). Both come from the same roster rows: a difference
  means one side was built from other rows. A bad row: the figure, the period, the mart's
  value and the indicator's.
*/
with plan as (
    select district_code from ref.plan
),

district as (
    select
        v.indicator_id,
        v.period,
        v.basis,
        v.value
    from published.indicator_values as v
    cross join plan as p
    where v.is_latest and not v.is_suppressed and v.region_code = p.district_code
),

enterprises as (
    select
        period,
        sum(n_enterprises) as chains_sum
    from published.chain_output
    group by period
),

chain_values as (
    select
        indicator_id,
        period,
        'ytd' as basis,
        output_ytd
    from published.chain_output
    where indicator_id is not null and not is_suppressed
    union all
    select
        indicator_id,
        left(period, 4),
        'period',
        output_ytd
    from published.chain_output
    where indicator_id is not null and not is_suppressed and right(period, 2) = '12'
),

final as (
    select
        'above_scale_enterprises' as figure,
        e.period,
        e.chains_sum::double as in_mart,
        d.value as in_indicator
    from enterprises as e
    inner join district as d on d.indicator_id = 'above_scale_enterprises' and e.period = d.period
    where e.chains_sum is distinct from d.value
    union all
    select
        c.indicator_id,
        c.period,
        c.output_ytd,
        d.value
    from chain_values as c
    inner join district as d on c.indicator_id = d.indicator_id and c.period = d.period and c.basis = d.basis
    where abs(c.output_ytd - d.value) > 1e-9 * greatest(1, abs(d.value))
)

select * from final

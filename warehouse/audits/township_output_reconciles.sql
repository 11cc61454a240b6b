/*
name: township_output_reconciles
severity: warning
description: >
  The township scorecard's output (规上, 本年累计) adds up to the 统计局's 规上工业总产值 of the
  district (industrial_output) for the same period: a roster period is compared with the bureau's
  figure ending the same day (the year for a December, the year to date for another month).
  A difference of more than 0.5 % of the bureau's figure is a bad row: the period, the townships'
  sum, the bureau's figure and the difference (亿元). Mixing in 规下 enterprises, a township outside
  the district or a roster that misses enterprises all show here.
*/
with plan as (
    select district_code from ref.plan
),

bureau as (
    select
        v.period as bureau_period,
        v.period_end,
        v.value as bureau_output
    from marts.indicator_values as v
    cross join plan as p
    where
        v.is_latest
        and v.indicator_id = 'industrial_output'
        and v.region_code = p.district_code
        and v.basis in ('period', 'ytd')
        and (v.basis = 'ytd' or length(v.period) = 4)
),

townships as (
    select
        period,
        period_end,
        sum(output_ytd) as townships_output
    from marts.township_scorecard
    group by period, period_end
),

final as (
    select
        t.period,
        b.bureau_period,
        t.townships_output,
        b.bureau_output,
        t.townships_output - b.bureau_output as difference
    from townships as t
    inner join bureau as b on t.period_end = b.period_end
    where abs(t.townships_output - b.bureau_output) > 0.005 * abs(b.bureau_output)
)

select * from final

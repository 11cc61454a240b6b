/*
name: township_totals
severity: warning
description: >
  The township mart adds up: per roster period, the district's townships (marts.township_scorecard,
  as the warehouse holds it: the published copy withholds some cells) sum to the district's
  published indicator of the same period end — enterprises above scale (above_scale_enterprises),
  high-tech enterprises (hightech_enterprises), and land linkage and balance accepted since the
  baseline (land_linkage_new_mu, land_balance_new_mu). A difference means rows of the district
  that no township of it holds (a township code outside the district, or none). A bad row: the
  indicator, the township period, the townships' sum and the district's value.
*/
with plan as (
    select district_code from ref.plan
),

district as (
    select
        v.indicator_id,
        v.period_end,
        v.value
    from published.indicator_values as v
    cross join plan as p
    where v.is_latest and not v.is_suppressed and v.region_code = p.district_code
),

townships as (
    select
        period,
        period_end,
        sum(above_scale_enterprises) as above_scale_enterprises,
        sum(hightech_enterprises) as hightech_enterprises,
        sum(land_linkage_mu) as land_linkage_mu,
        sum(land_balance_mu) as land_balance_mu
    from marts.township_scorecard
    group by period, period_end
),

sums as (
    select
        'above_scale_enterprises' as indicator_id,
        period,
        period_end,
        above_scale_enterprises::double as townships_sum
    from townships
    union all
    select
        'hightech_enterprises',
        period,
        period_end,
        hightech_enterprises::double
    from townships
    union all
    select
        'land_linkage_new_mu',
        period,
        period_end,
        land_linkage_mu
    from townships
    union all
    select
        'land_balance_new_mu',
        period,
        period_end,
        land_balance_mu
    from townships
),

final as (
    select
        s.indicator_id,
        s.period,
        s.townships_sum,
        d.value as district_value
    from sums as s
    inner join district as d on s.indicator_id = d.indicator_id and s.period_end = d.period_end
    where abs(s.townships_sum - d.value) > 1e-9 * greatest(1, abs(d.value))
)

select * from final

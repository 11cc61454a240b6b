/*
name: marts.township_scorecard
kind: table
grain: one row per township of the district and roster period
description: >
  Per township and period: enterprises in the roster and above scale, the output of those above
  scale (规上 本年累计, 亿元: the coverage of the 统计局's 规上工业总产值, which the townships add up
  to; audit township_output_reconciles), high-tech enterprises with a valid certificate (科技局, by the period's year), and land
  linkage and balance accepted since the baseline (亩). `n_enterprises` tells readers how many
  enterprises a figure is built from: published copies suppress cells built from fewer than 3.
columns:
  township_code: 9-digit township code
  township_name: official name
  period: roster period (YYYY-MM)
  period_end: last day of the period
  n_enterprises: enterprises of the township in the roster
  above_scale_enterprises: of which 规上
  output_ytd: 规上工业总产值 本年累计 of the township's enterprises above scale, 亿元
  output_coverage: 规上 (the enterprises output_ytd covers)
  above_scale_without_output: >
    规上 enterprises whose 工业总产值 本年累计 the roster leaves blank: output_ytd leaves them out (the
    load warned, output_not_summed); 0 when the sum is whole
  hightech_enterprises: 高新技术企业 certificates valid at the period's year end (科技局)
  land_linkage_mu: 增减挂钩 area accepted since the baseline, 亩
  land_balance_mu: 占补平衡 new cultivated land accepted since the baseline, 亩
*/
with roster as (
    select * from stg.stg_enterprises__periods
),

plan as (
    select * from ref.plan
),

townships as (
    select
        r.region_code as township_code,
        r.name as township_name
    from ref.regions as r
    cross join plan as p
    where r.county_code = p.district_code and r.level = 'township'
),

periods as (
    select distinct
        period,
        period_end
    from roster
),

by_township as (
    select
        township_code,
        period,
        count(*) as n_enterprises,
        count(*) filter (where is_above_scale) as above_scale_enterprises,
        coalesce(sum(output_ytd) filter (where is_above_scale), 0) / 10000.0 as output_ytd,
        count(*) filter (where is_above_scale and output_ytd is null) as above_scale_without_output
    from roster
    group by township_code, period
),

certs as (
    select
        township_code,
        year,
        count(distinct name_key) as n
    from stg.stg_hightech__certs
    group by all
    union all
    select
        township_code,
        year,
        sum(coalesce(new_first, 0) + coalesce(renewed, 0))
    from stg.stg_hightech__counts
    where year not in (select year from stg.stg_hightech__certs)
    group by all
),

land as (
    select
        pr.township_code,
        pr.kind,
        pr.accepted_on,
        pr.area_mu
    from stg.stg_land_use__projects as pr
    cross join plan as p
    where pr.accepted_on > p.baseline_end
),

final as (
    select
        t.township_code,
        t.township_name,
        pe.period,
        pe.period_end,
        coalesce(b.n_enterprises, 0) as n_enterprises,
        coalesce(b.above_scale_enterprises, 0) as above_scale_enterprises,
        coalesce(b.output_ytd, 0) as output_ytd,
        '规上' as output_coverage,
        coalesce(b.above_scale_without_output, 0) as above_scale_without_output,
        (
            select sum(c.n) from certs as c
            where
                c.township_code = t.township_code
                and c.year between year(pe.period_end) - p.hightech_validity_years + 1 and year(pe.period_end)
        ) as hightech_enterprises,
        coalesce((
            select sum(l.area_mu) from land as l
            where l.township_code = t.township_code and l.kind = 'linkage' and l.accepted_on <= pe.period_end
        ), 0) as land_linkage_mu,
        coalesce((
            select sum(l.area_mu) from land as l
            where l.township_code = t.township_code and l.kind = 'balance' and l.accepted_on <= pe.period_end
        ), 0) as land_balance_mu
    from townships as t
    cross join periods as pe
    cross join plan as p
    left join by_township as b on t.township_code = b.township_code and pe.period = b.period
)

select * from final
order by period, township_code

/*
name: marts.indicator_progress
kind: table
grain: one row per tracked indicator and period after the baseline (latest vintage), or one no_data row
description: >
  Progress of every target of the work report, period by period, with a stated method (README,
  "How progress is judged"). Full years are judged on their figures; a year not yet complete shows
  its year-to-date figure against last year's share at the same month. Rebuilt from
  marts.indicator_values and the targets known as of `getvariable('as_of')` (now when unset).
columns:
  indicator_id: catalog id
  name_zh: the name a leader reads
  period: 2024, 2024Q2 or 2024-06 (null when there is no data)
  period_end: last day of the period
  actual: the value (basis as in marts.indicator_values)
  unit: unit of actual and target
  target: the target (null while not set)
  target_period_end: the target's deadline
  progress_pct: actual as a percentage of the target (for ranks, target ÷ actual)
  expected_pct: where the actual should be by now on the required path, as a percentage of the target
  projected_at_deadline: the value the current pace reaches by the deadline
  status: achieved / on_track / at_risk / off_track / missed / no_target / no_data
  as_of: when the figures (value or target) were last revised
  basis: how actual is to be read (period / ytd / stock / cumulative)
  method: level / cumulative / gap / rank / none
  pace_ratio: observed ÷ required growth (level), actual ÷ expected share (cumulative)
*/
with values_known as (
    select * from marts.indicator_values
    where vintage <= coalesce(getvariable('as_of')::timestamp, 'infinity'::timestamp)
),

latest as (
    select * from values_known
    qualify row_number() over (
        partition by indicator_id, region_code, period, basis order by vintage desc
    ) = 1
),

plan as (
    select * from ref.plan
),

indicators as (
    select * from ref.indicators
    where track
),

targets as (
    select
        indicator_id,
        target,
        deadline,
        vintage as target_vintage
    from stg.stg_targets__targets
),

series as (
    select l.*
    from latest as l
    inner join indicators as i on l.indicator_id = i.indicator_id
    cross join plan as p
    where l.region_code = p.district_code
),

full_years as (
    select distinct
        indicator_id,
        period as year_text
    from series
    where length(period) = 4 and basis <> 'ytd'
),

base as (
    select
        s.indicator_id,
        coalesce(
            max(s.value) filter (where s.period = p.baseline_period),
            arg_min(s.value, s.period_end) filter (where length(s.period) = 4)
        ) as base_value,
        coalesce(
            max(year(s.period_end)) filter (where s.period = p.baseline_period),
            min(year(s.period_end)) filter (where length(s.period) = 4)
        ) as base_year
    from series as s
    cross join plan as p
    group by s.indicator_id
),

shown as (
    select s.*
    from series as s
    cross join plan as p
    where
        s.period_end > p.baseline_end
        and not (
            s.basis = 'ytd'
            and exists (
                select 1 from full_years as f
                where f.indicator_id = s.indicator_id and f.year_text = left(s.period, 4)
            )
        )
),

with_share as (
    -- last year's share of its full-year figure at the same month (year-to-date rows)
    select
        s.*,
        case
            when s.basis = 'ytd' then coalesce(
                prev_ytd.value / nullif(prev_year.value, 0),
                month(s.period_end) / 12.0
            )
        end as share_last_year
    from shown as s
    left join series as prev_ytd
        on
            s.indicator_id = prev_ytd.indicator_id
            and prev_ytd.basis = 'ytd'
            and prev_ytd.period = (year(s.period_end) - 1)::varchar || substr(s.period, 5)
    left join series as prev_year
        on
            s.indicator_id = prev_year.indicator_id
            and prev_year.period = (year(s.period_end) - 1)::varchar
            and prev_year.basis <> 'ytd'
),

trend as (
    -- linear trend per year, for gaps and ranks: slope of the yearly values up to each year (two at least)
    select
        indicator_id,
        period,
        case
            when
                count(*) over (
                    partition by indicator_id order by period_end rows between unbounded preceding and current row
                ) >= 2
                then regr_slope(value, year(period_end)) over (
                    partition by indicator_id order by period_end
                    rows between unbounded preceding and current row
                )
        end as slope
    from series
    where length(period) = 4
),

calc as (
    select
        s.indicator_id,
        i.name_zh,
        s.period,
        s.period_end,
        s.value as actual,
        s.unit,
        t.target,
        coalesce(t.deadline, i.window_end) as deadline,
        s.basis,
        i.method,
        i.judged,
        i.window_start,
        greatest(s.vintage, coalesce(t.target_vintage, s.vintage)) as as_of,
        b.base_value,
        year(s.period_end) - b.base_year as n_obs,
        year(coalesce(t.deadline, i.window_end)) - b.base_year as n_req,
        coalesce(s.value / nullif(s.share_last_year, 0), s.value) as full_year_estimate,
        coalesce(s.share_last_year, 1.0) as share,
        tr.slope
    from with_share as s
    inner join indicators as i on s.indicator_id = i.indicator_id
    left join targets as t on s.indicator_id = t.indicator_id
    left join base as b on s.indicator_id = b.indicator_id
    left join trend as tr on s.indicator_id = tr.indicator_id and s.period = tr.period
),

rates as (
    select
        *,
        case
            when method = 'level' and base_value > 0 and target > 0 and n_req > 0
                then power(target / base_value, 1.0 / n_req) - 1
        end as r_required,
        case
            when method = 'level' and base_value > 0 and full_year_estimate > 0 and n_obs > 0
                then power(full_year_estimate / base_value, 1.0 / n_obs) - 1
        end as r_observed,
        case
            when method = 'cumulative'
                then least(
                    1.0,
                    (period_end - window_start + 1)::double / nullif((deadline - window_start + 1)::double, 0)
                )
        end as elapsed_share
    from calc
),

measured as (
    select
        *,
        case
            when target is null then null
            when method = 'level' then 100.0 * actual / nullif(target, 0)
            when method = 'cumulative' then 100.0 * actual / nullif(target, 0)
            when method = 'rank' then 100.0 * target / nullif(actual, 0)
        end as progress_pct,
        case
            when target is null then null
            when method = 'level' and r_required is not null
                then 100.0 * base_value * power(1 + r_required, n_obs) * share / target
            when method = 'cumulative' then 100.0 * elapsed_share
        end as expected_pct,
        case
            when method = 'level' and r_observed is not null and n_req > 0
                then base_value * power(1 + r_observed, n_req)
            when method = 'cumulative' and elapsed_share > 0 then actual / elapsed_share
            when method in ('gap', 'rank') and slope is not null
                then actual + slope * (year(deadline) - year(period_end))
        end as projected_at_deadline,
        case
            when method = 'level' and r_required > 0 then r_observed / r_required
            when method = 'cumulative' and elapsed_share > 0 and target > 0 then (actual / target) / elapsed_share
        end as pace_ratio
    from rates
),

judged as (
    select
        m.*,
        case
            when m.method = 'none' or m.target is null then 'no_target'
            when m.method = 'gap' and m.judged = 'each_year'
                then case
                    when m.basis = 'ytd' then case when m.actual > m.target then 'on_track' else 'at_risk' end
                    when m.actual > m.target then 'achieved' else 'missed'
                end
            when m.method = 'gap'
                then
                    case
                        when m.period_end >= m.deadline then case when m.actual > m.target then 'achieved' else 'missed' end
                        when m.actual > m.target and coalesce(m.projected_at_deadline, m.actual) > m.target then 'on_track'
                        when m.actual > m.target or m.projected_at_deadline > m.target then 'at_risk'
                        else 'off_track'
                    end
            when m.method = 'rank'
                then
                    case
                        when m.actual <= m.target then 'achieved'
                        when m.period_end >= m.deadline then 'missed'
                        when m.projected_at_deadline <= m.target then 'on_track'
                        else 'off_track'
                    end
            when m.actual >= m.target and m.basis <> 'ytd' then 'achieved'
            when m.actual >= m.target and m.method = 'cumulative' then 'achieved'
            when m.period_end >= m.deadline then 'missed'
            when m.pace_ratio is null
                then
                    case
                        when m.actual >= m.target then 'achieved' else 'at_risk'
                    end
            when m.pace_ratio >= p.on_track then 'on_track'
            when m.pace_ratio >= p.at_risk then 'at_risk'
            else 'off_track'
        end as status
    from measured as m
    cross join plan as p
),

no_data as (
    select
        i.indicator_id,
        i.name_zh,
        null::varchar as period,
        null::date as period_end,
        null::double as actual,
        i.unit,
        t.target,
        coalesce(t.deadline, i.window_end) as target_period_end,
        null::double as progress_pct,
        null::double as expected_pct,
        null::double as projected_at_deadline,
        'no_data' as status,
        t.target_vintage as as_of,
        null::varchar as basis,
        i.method,
        null::double as pace_ratio
    from indicators as i
    left join targets as t on i.indicator_id = t.indicator_id
    where i.indicator_id not in (select indicator_id from shown)
),

final as (
    select
        indicator_id,
        name_zh,
        period,
        period_end,
        actual,
        unit,
        target,
        deadline as target_period_end,
        progress_pct,
        expected_pct,
        projected_at_deadline,
        status,
        as_of,
        basis,
        method,
        pace_ratio
    from judged
    union all
    select * from no_data
)

select * from final
order by indicator_id, period_end

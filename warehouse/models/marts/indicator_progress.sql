/*
name: marts.indicator_progress
kind: table
grain: one row per tracked indicator and period after the baseline (latest vintage), or one no_data row
description: >
  Progress of every target of the work report, period by period, with a stated method (README,
  "How progress is judged"). Full years are judged on their figures; a year not yet complete shows
  its year-to-date figure against last year's share at the same month. Each indicator's latest
  period is judged at `judged_on`: the date of `getvariable('on_date')` (`statwh indicators --on`;
  the build's day when unset), so figures a year old are held against a year more of the plan;
  earlier periods are judged at their own end, and periods ending after that date are left out.
  Rebuilt from marts.indicator_values and the targets known as of `getvariable('as_of')` (now when unset).
columns:
  indicator_id: catalog id
  name_zh: the name a leader reads
  period: 2024, 2024Q2 or 2024-06 (null when there is no data)
  period_end: last day of the period
  actual: the value (basis as in marts.indicator_values)
  unit: unit of actual and target
  target: the target (null while not set)
  target_period_end: the target's deadline, as the targets say it (null when the report sets none)
  progress_pct: actual as a percentage of the target (null for ranks and gaps, which have none)
  expected_pct: where the actual should be by judged_on on the required path, as a percentage of the target
  projected_at_deadline: the value the current pace reaches by the deadline (null without a deadline)
  status: achieved / on_track / at_risk / off_track / missed / no_target / no_data
  as_of: when the figures (value or target) were last revised
  basis: how actual is to be read (period / ytd / stock / cumulative)
  method: level / cumulative / gap / rank / none
  pace_ratio: observed ÷ required growth (level), actual ÷ expected share (cumulative)
  judged_on: the date the row's pace is judged at (its period's end, or the date of --on for the latest period)
  comparison: how the actual meets the target, as the report words it (gt 超/突破/高于, ge 达, le 进入前N)
  status_reason: >
    why the status is what it is, where a number alone does not say it (中文 / English); for a chain's
    output, also how many 规上 enterprises its sum leaves out for a blank 本年累计 (as the current
    roster of the period has it: marts.chain_output.n_without_output)
*/
with values_known as (
    -- the vintages known then, less those superseded or withdrawn by then (a value a corrected
    -- file no longer gives has superseded_at and no newer row: it is not the latest)
    select * from marts.indicator_values
    where vintage <= coalesce(getvariable('as_of')::timestamp, 'infinity'::timestamp)
        and coalesce(superseded_at > coalesce(getvariable('as_of')::timestamp, 'infinity'::timestamp), true)
),

latest as (
    select * from values_known
    qualify row_number() over (
        partition by indicator_id, region_code, period, basis order by vintage desc
    ) = 1
),

plan as (
    select
        *,
        coalesce(getvariable('on_date')::date, current_date) as on_date
    from ref.plan
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
    -- the years complete by the judging date (a year ending after it does not hide its 本年累计)
    select distinct
        s.indicator_id,
        s.period as year_text
    from series as s
    cross join plan as p
    where length(s.period) = 4 and s.basis <> 'ytd' and s.period_end <= p.on_date
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
    inner join indicators as i on s.indicator_id = i.indicator_id
    where
        s.period_end > p.baseline_end
        and s.period_end <= p.on_date
        -- a flow's month or quarter alone (`2025年7-9月`, 当月) is no reading against a year's
        -- target: judged so, a third quarter's GDP had been 21.9 % of the year's, off track
        and not (i.kind = 'flow' and s.basis = 'period' and length(s.period) > 4)
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
        end as share_last_year,
        -- no figure of last year's same months and whole year: the calendar's share, said in the reason
        s.basis = 'ytd' and (prev_ytd.value is null or coalesce(prev_year.value, 0) = 0) as share_from_calendar
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
    -- linear trend per year, for gaps and ranks: slope of the yearly values from the baseline year
    -- up to each year (two at least); years before the baseline do not count
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
    where length(period) = 4 and basis <> 'ytd' and period_end >= (select baseline_end from plan)
),

latest_shown as (
    select
        indicator_id,
        max(period_end) as last_period_end
    from shown
    group by indicator_id
),

failed_years as (
    -- targets judged every year: each full year after the baseline, and whether it met the target
    select
        s.indicator_id,
        s.period_end,
        year(s.period_end) as year,
        case i.comparison
            -- compared at 9 decimals: 1 万亩 is 10000.000000000002 亩 in binary (a target met
            -- exactly had not been `achieved`; an actual of 10000 had passed 超 10000)
            when 'gt' then round(s.value, 9) > round(t.target, 9)
            when 'ge' then round(s.value, 9) >= round(t.target, 9)
            when 'le' then round(s.value, 9) <= round(t.target, 9)
        end as met
    from shown as s
    inner join indicators as i on s.indicator_id = i.indicator_id
    inner join targets as t on s.indicator_id = t.indicator_id
    where i.judged = 'each_year' and length(s.period) = 4 and s.basis <> 'ytd'
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
        t.deadline,
        s.basis,
        i.method,
        i.judged,
        i.comparison,
        i.window_start,
        case when s.period_end = ls.last_period_end then p.on_date else s.period_end end as judged_on,
        greatest(s.vintage, coalesce(t.target_vintage, s.vintage)) as as_of,
        b.base_value,
        b.base_year,
        year(p.baseline_end) as baseline_year,
        -- years from the base year's end to the judging date (whole years at a period's own end)
        -- (never past the deadline: after it, the pace is the pace it had then)
        year(s.period_end) - b.base_year
        + (
            case
                when s.period_end = ls.last_period_end
                    then greatest(0, least(p.on_date, coalesce(t.deadline, p.on_date)) - s.period_end)
                else 0
            end
        ) / 365.25 as n_obs,
        year(t.deadline) - b.base_year as n_req,
        coalesce(s.value / nullif(s.share_last_year, 0), s.value) as full_year_estimate,
        coalesce(s.share_last_year, 1.0) as share,
        s.share_from_calendar,
        tr.slope
    from with_share as s
    inner join indicators as i on s.indicator_id = i.indicator_id
    inner join latest_shown as ls on s.indicator_id = ls.indicator_id
    cross join plan as p
    left join targets as t on s.indicator_id = t.indicator_id
    left join base as b on s.indicator_id = b.indicator_id
    left join trend as tr on s.indicator_id = tr.indicator_id and s.period = tr.period
),

rates as (
    select
        *,
        case comparison
            when 'gt' then round(actual, 9) > round(target, 9)  -- at 9 decimals, as `met`
            when 'ge' then round(actual, 9) >= round(target, 9)
            when 'le' then round(actual, 9) <= round(target, 9)
        end as meets,
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
                    (judged_on - window_start + 1)::double / nullif((deadline - window_start + 1)::double, 0)
                )
        end as elapsed_share
    from calc
),

measured as (
    select
        *,
        case
            when method in ('level', 'cumulative') then 100.0 * actual / nullif(target, 0)
        end as progress_pct,
        case
            when target is null then null
            when method = 'level' and r_required is not null
                then 100.0 * base_value * power(1 + r_required, n_obs) * share / target
            when method = 'cumulative' then 100.0 * elapsed_share
        end as expected_pct,
        case
            when deadline is null then null
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

with_years as (
    select
        m.*,
        case m.comparison
            when 'gt' then m.projected_at_deadline > m.target
            when 'ge' then m.projected_at_deadline >= m.target
            when 'le' then m.projected_at_deadline <= m.target
        end as projection_meets,
        (
            select string_agg(f.year::varchar, '、' order by f.year) from failed_years as f
            where f.indicator_id = m.indicator_id and f.period_end <= m.period_end and not f.met
        ) as failed_years
    from measured as m
),

with_deadline as (
    -- whether the target was met by its deadline, once the deadline's figure is in: a period after
    -- it that meets the target is late, not `achieved` (a target due by 2024 missed there had turned
    -- `achieved` with the 2025 figure)
    select
        *,
        bool_or(meets and period_end <= deadline) over by_indicator as met_by_deadline,
        bool_or(period_end = deadline) over by_indicator as deadline_seen
    from with_years
    window by_indicator as (partition by indicator_id)
),

judged as (
    select
        m.*,
        case
            when m.method = 'none' or m.target is null then 'no_target'
            when
                m.judged is distinct from 'each_year' and m.period_end > m.deadline and m.deadline_seen
                and not coalesce(m.met_by_deadline, false)
                then 'missed'
            when m.judged = 'each_year'
                then case
                    when m.failed_years is not null then 'missed'
                    when m.basis = 'ytd' then case when m.meets then 'on_track' else 'at_risk' end
                    when m.deadline is not null and m.period_end >= m.deadline then 'achieved'
                    else 'on_track'
                end
            when m.method = 'rank'
                then case
                    when m.meets then 'achieved'
                    when m.period_end >= m.deadline then 'missed'
                    when m.projection_meets then 'at_risk'
                    else 'off_track'
                end
            when m.method = 'gap'
                then case
                    when m.period_end >= m.deadline then case when m.meets then 'achieved' else 'missed' end
                    when m.meets and coalesce(m.projection_meets, true) then 'on_track'
                    when m.meets or m.projection_meets then 'at_risk'
                    else 'off_track'
                end
            when m.meets and (m.basis <> 'ytd' or m.method = 'cumulative') then 'achieved'
            when m.period_end >= m.deadline then 'missed'
            when m.pace_ratio is null then 'at_risk'
            when m.pace_ratio >= p.on_track then 'on_track'
            when m.pace_ratio >= p.at_risk then 'at_risk'
            else 'off_track'
        end as status
    from with_deadline as m
    cross join plan as p
),

explained as (
    select
        *,
        case
            when method = 'none' then '报告未设目标 / no target in the report'
            when target is null then '目标未设定 / target not set'
            when method = 'rank'
                then
                    '第' || actual::bigint::varchar || '位，' || case when meets then '已' else '未' end
                    || '进入前' || target::bigint::varchar || ' / rank ' || actual::bigint::varchar || ', '
                    || case when meets then 'within' else 'not within' end || ' the top ' || target::bigint::varchar
            when judged = 'each_year'
                then
                    left(period, 4) || '年' || case when meets then '' else '未' end || '高于两地'
                    || case
                        when failed_years is not null and meets then '；' || failed_years || '年未高于两地'
                        else ''
                    end
                    || ' / ' || left(period, 4) || case when meets then ' above' else ' not above' end || ' both peers'
                    || case
                        when failed_years is not null and meets then '; not in ' || replace(failed_years, '、', ', ')
                        else ''
                    end
            when
                status not in ('achieved', 'missed') and deadline is not null and judged_on >= deadline
                then '期限已过，期末数据未到 / deadline passed; the figure for the deadline is not loaded'
            when share_from_calendar and status not in ('achieved', 'missed', 'no_target')
                then
                    '上年同期及全年数缺，按时间进度 ' || month(period_end)::varchar || '/12 估计全年 /'
                    || ' last year''s same months or whole year missing: the year estimated by the calendar ('
                    || month(period_end)::varchar || '/12)'
            when method = 'level' and status = 'at_risk' and pace_ratio is null
                then
                    '无法计算进度（基期值为 0、缺失或为负），按 at_risk 显示 / no pace (the base is 0, missing or'
                    || ' negative): shown at risk'
            when method = 'level' and base_value is not null and base_year <> baseline_year
                then
                    '基期（' || baseline_year::varchar || '年）无数据，进度按 ' || base_year::varchar || ' 年起算 /'
                    || ' no figure for the baseline year ' || baseline_year::varchar || ': pace measured from '
                    || base_year::varchar
            when status = 'missed' and period_end > deadline
                then
                    '期限（' || deadline::varchar || '）前未达到目标，其后达到不计为完成 / not met by the deadline '
                    || deadline::varchar || ': met later is not achieved'
        end as status_reason
    from judged
),

unsummed as (
    -- 规上 enterprises of a chain whose 本年累计 the roster leaves blank: its output leaves them out
    -- (marts.chain_output: the current roster's, also in the published snapshot)
    select
        indicator_id,
        period,
        n_without_output as n
    from marts.chain_output
    where indicator_id is not null and n_without_output > 0
),

flagged as (
    select
        e.* replace (
            case
                when u.n is null then e.status_reason
                else
                    coalesce(e.status_reason || '；', '') || u.n::varchar
                    || ' 家规上企业未填报工业总产值本年累计，未计入 / ' || u.n::varchar
                    || ' 规上 enterprise(s) gave no 工业总产值 本年累计: not summed'
            end as status_reason
        )
    from explained as e
    left join unsummed as u
        on
            e.indicator_id = u.indicator_id
            and u.period = case when length(e.period) = 4 then e.period || '-12' else e.period end
),

sources as (
    -- the source each derivation reads, and whether any file of it loaded
    select
        i.indicator_id,
        case
            when i.derivation in ('roster_count', 'roster_new', 'chain_output') then 'enterprises'
            when i.derivation in ('hightech_valid', 'hightech_first') then 'hightech'
            when i.derivation = 'land_accepted' then 'land_use'
            else 'indicators'
        end as source,
        i.derivation
    from indicators as i
),

no_data_reason as (
    select
        s.indicator_id,
        case
            when not exists (
                select 1 from meta.loads as l
                where
                    l.source = s.source
                    and l.status in ('loaded', 'partial')
                    and l.loaded_at <= coalesce(getvariable('as_of')::timestamp, 'infinity'::timestamp)
            ) then '未收到' || s.source || '数据文件 / no ' || s.source || ' file loaded'
            when s.derivation = 'chain_output'
                then '名录中该产业链无规上企业 / the roster has no 规上 enterprise of this chain'
            when s.derivation = 'hightech_valid'
                then '高企名单不足有效期年数 / the certificate lists cover fewer years than a certificate is valid'
            when s.derivation = 'hightech_first'
                then '基期后有年份未收到高企名单或计数表，或名单未写明首次/重新认定：首次认定累计数不能确定（不按 0 计）'
                || ' / a year since the baseline was not sent, or does not tell first-time from renewed'
                || ' certificates: no cumulative first-time count (not 0)'
            when
                exists (
                    select 1 from series as x
                    where x.indicator_id = s.indicator_id and x.basis = 'period' and length(x.period) > 4
                )
                and not exists (
                    select 1 from series as x
                    where x.indicator_id = s.indicator_id and not (x.basis = 'period' and length(x.period) > 4)
                )
                then '只有单月或单季的数（非本年累计），不能与全年目标比较 / only a month''s or a quarter''s'
                || ' figure alone (no year to date): not comparable with the year''s target'
            when
                exists (
                    select 1 from series as x
                    where x.indicator_id = s.indicator_id
                )
                then '无基期后至判断日的数据 / no figure for a period after the baseline and by ' || p.on_date::varchar
            when s.derivation = 'roster_count'
                then '已入库的名录都没有该标志列（不按 0 计） / no roster loaded has a column for this flag (not 0)'
            when s.derivation = 'roster_new'
                then '名录无入库类型列，且未载入基期名录，不能判断谁是新入规（不按 0 计） / the rosters have no 入库类型'
                || ' column and the baseline roster is not loaded to tell first appearances (not 0)'
            else '已收到的文件中无该指标 / no file loaded holds this indicator'
        end as reason
    from sources as s
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
        t.deadline as target_period_end,
        null::double as progress_pct,
        null::double as expected_pct,
        null::double as projected_at_deadline,
        'no_data' as status,
        t.target_vintage as as_of,
        null::varchar as basis,
        i.method,
        null::double as pace_ratio,
        p.on_date as judged_on,
        i.comparison,
        r.reason as status_reason
    from indicators as i
    cross join plan as p
    left join targets as t on i.indicator_id = t.indicator_id
    left join no_data_reason as r on i.indicator_id = r.indicator_id
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
        pace_ratio,
        judged_on,
        comparison,
        status_reason
    from flagged
    union all
    select * from no_data
)

select * from final
order by indicator_id, period_end

/*
name: marts.source_freshness
kind: table
grain: one row per source
description: >
  Per source: the latest period its current rows describe, when its newest file arrived, how its
  files fared, and whether it is stale. Periods are compared as periods, by their last day (a year
  2025 is later than its 2025-09), never as text. A source is stale (数据滞后) when its latest
  period ended more than its usual lag before the day it is judged (`getvariable('on_date')`, the
  build's day when unset); the lag of each source is plan.yaml `freshness.max_lag_months`.
columns:
  source: source id
  latest_period: the latest period of any current row of the source (2025, 2025Q3, 2025-09; null for targets)
  latest_period_end: the last day of that period
  period_freq: year / quarter / month / day (a ledger's latest acceptance date is a day)
  max_lag_months: months after latest_period_end the source is expected to have sent newer data (null when it has none)
  is_stale: latest_period_end is more than max_lag_months before the day judged
  judged_on: the day staleness is judged at
  last_received_at: when the newest file of the source arrived
  last_loaded_at: when the newest file was loaded (its vintage)
  files_loaded: files loaded in full or in part
  files_rejected: files rejected whole
  rows_rejected: rows quarantined or rejected, all files
  last_status: status of the newest file
*/
with loads as (
    select * from meta.loads
    where status <> 'duplicate'
),

judged as (
    select coalesce(getvariable('on_date')::date, current_date) as on_date
),

periods as (
    select
        'enterprises' as source,
        period,
        period_end
    from stg.stg_enterprises__periods
    union all
    select
        'hightech',
        year::varchar,
        make_date(year, 12, 31)
    from (
        select year from stg.stg_hightech__certs
        union all
        select year from stg.stg_hightech__counts
    ) as hightech_years
    union all
    select
        'land_use',
        strftime(accepted_on, '%Y-%m-%d'),
        accepted_on
    from stg.stg_land_use__projects
    union all
    select
        'indicators',
        period,
        period_end
    from stg.stg_indicators__obs
),

latest as (
    -- the period that ends last; of two ending the same day, the longer one (the year before its December)
    select
        source,
        arg_max(period, (period_end, length(period) = 4, period like '%Q%')) as latest_period,
        max(period_end) as latest_period_end
    from periods
    group by source
),

final as (
    select
        l.source,
        any_value(p.latest_period) as latest_period,
        any_value(p.latest_period_end) as latest_period_end,
        case
            when any_value(p.latest_period) similar to '[0-9]{4}' then 'year'
            when any_value(p.latest_period) similar to '[0-9]{4}Q[1-4]' then 'quarter'
            when any_value(p.latest_period) similar to '[0-9]{4}-[0-9]{2}' then 'month'
            when any_value(p.latest_period) similar to '[0-9]{4}-[0-9]{2}-[0-9]{2}' then 'day'
        end as period_freq,
        any_value(g.max_lag_months) as max_lag_months,
        coalesce(
            any_value(p.latest_period_end) + to_months(any_value(g.max_lag_months)) < any_value(j.on_date),
            false
        ) as is_stale,
        any_value(j.on_date) as judged_on,
        max(l.received_at) as last_received_at,
        max(l.loaded_at) as last_loaded_at,
        count(*) filter (where l.status in ('loaded', 'partial')) as files_loaded,
        count(*) filter (where l.status = 'rejected') as files_rejected,
        sum(l.rows_rejected) as rows_rejected,
        arg_max(l.status, l.loaded_at) as last_status
    from loads as l
    cross join judged as j
    left join latest as p on l.source = p.source
    left join ref.source_lags as g on l.source = g.source
    group by l.source
)

select * from final
order by source

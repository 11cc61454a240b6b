/*
name: marts.source_freshness
kind: table
grain: one row per source
description: >
  Per source: the latest period loaded, when its newest file arrived, and how its files fared.
columns:
  source: source id
  latest_period: the latest period of any current row of the source
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

periods as (
    select
        'enterprises' as source,
        max(period) as latest_period
    from stg.stg_enterprises__periods
    union all
    select
        'hightech',
        max(year)::varchar
    from (
        select year from stg.stg_hightech__certs
        union all
        select year from stg.stg_hightech__counts
    ) as hightech_years
    union all
    select
        'land_use',
        strftime(max(accepted_on), '%Y-%m')
    from stg.stg_land_use__projects
    union all
    select
        'indicators',
        max(period)
    from stg.stg_indicators__obs
    union all
    select
        'targets',
        strftime(max(vintage), '%Y-%m-%d')
    from stg.stg_targets__targets
),

final as (
    select
        l.source,
        any_value(p.latest_period) as latest_period,
        max(l.received_at) as last_received_at,
        max(l.loaded_at) as last_loaded_at,
        count(*) filter (where l.status in ('loaded', 'partial')) as files_loaded,
        count(*) filter (where l.status = 'rejected') as files_rejected,
        sum(l.rows_rejected) as rows_rejected,
        arg_max(l.status, l.loaded_at) as last_status
    from loads as l
    left join periods as p on l.source = p.source
    group by l.source
)

select * from final
order by source

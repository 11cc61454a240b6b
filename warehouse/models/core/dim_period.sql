/*
name: core.dim_period
kind: table
grain: one row per month, quarter and year from 2015 to 2035
description: >
  Reporting periods: their text form (2024, 2024Q2, 2024-06), first and last day, and frequency.
  A figure's basis (period, ytd, stock, cumulative) says how to read it for its period.
columns:
  period: 2024, 2024Q2 or 2024-06
  freq: year / quarter / month
  period_start: first day
  period_end: last day
  year: the calendar year
*/
with months as (
    select unnest(generate_series(date '2015-01-01', date '2035-12-01', interval 1 month))::date as d
),

final as (
    select
        strftime(d, '%Y-%m') as period,
        'month' as freq,
        d as period_start,
        (d + interval 1 month - interval 1 day)::date as period_end,
        year(d) as year
    from months
    union all
    select
        year(d)::varchar || 'Q' || quarter(d)::varchar,
        'quarter',
        d,
        (d + interval 3 month - interval 1 day)::date,
        year(d)
    from months
    where month(d) in (1, 4, 7, 10)
    union all
    select
        year(d)::varchar,
        'year',
        d,
        make_date(year(d), 12, 31),
        year(d)
    from months
    where month(d) = 1
)

select * from final

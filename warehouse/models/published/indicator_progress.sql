/*
name: published.indicator_progress
kind: view
grain: one row per tracked indicator and period after the baseline (latest vintage), or one no_data row
description: >
  marts.indicator_progress as published (the snapshot's marts.indicator_progress,
  indicator_progress.parquet): the figures of a chain indicator (actual, progress, projection,
  pace) are withheld (null, `is_suppressed`) where its chain cell is
  (published.int_suppressed_chain_cells).
columns:
  "*": as marts.indicator_progress; actual, progress_pct, projected_at_deadline and pace_ratio null where suppressed
  is_suppressed: a chain cell built from too few enterprises to be published
*/
with suppressed as (
    select * from published.int_suppressed_chain_cells
),

final as (
    select
        p.* replace (
            case when s.indicator_id is null then round(p.actual, 6) end as actual,
            round(p.target, 6) as target,
            case when s.indicator_id is null then round(p.progress_pct, 2) end as progress_pct,
            round(p.expected_pct, 2) as expected_pct,
            case when s.indicator_id is null then round(p.projected_at_deadline, 6) end as projected_at_deadline,
            case when s.indicator_id is null then round(p.pace_ratio, 4) end as pace_ratio
        ),
        s.indicator_id is not null as is_suppressed
    from marts.indicator_progress as p
    left join suppressed as s on p.indicator_id = s.indicator_id and p.period = s.period
)

select * from final
order by indicator_id, period_end

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
            case when s.indicator_id is null then p.actual end as actual,
            case when s.indicator_id is null then p.progress_pct end as progress_pct,
            case when s.indicator_id is null then p.projected_at_deadline end as projected_at_deadline,
            case when s.indicator_id is null then p.pace_ratio end as pace_ratio
        ),
        s.indicator_id is not null as is_suppressed
    from marts.indicator_progress as p
    left join suppressed as s on p.indicator_id = s.indicator_id and p.period = s.period
)

select * from final
order by indicator_id, period_end

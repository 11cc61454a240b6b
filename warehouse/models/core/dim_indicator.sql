/*
name: core.dim_indicator
kind: table
grain: one row per indicator of the catalog (warehouse/catalog/indicators.yaml)
description: >
  The indicator catalog: how each indicator is computed, its unit, how progress is judged, and
  the plan window its target falls in.
columns:
  indicator_id: public id
  name_zh: the name a leader reads
  unit: warehouse unit
  kind: flow / stock / cumulative_new / gap / rank / rate
  derivation: how the value is obtained (see the catalog file)
  method: how progress is judged (level, cumulative, gap, rank or none)
  direction: up (more is better) or down (ranks)
  window_start: first day of the plan window
  window_end: last day of the plan window (the default deadline)
  track: false for supporting series
*/
with final as (
    select
        indicator_id,
        name_zh,
        unit,
        kind,
        derivation,
        method,
        direction,
        window_start,
        window_end,
        track
    from ref.indicators
)

select * from final

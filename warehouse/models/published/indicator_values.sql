/*
name: published.indicator_values
kind: view
grain: one row per indicator, region, period, basis and vintage
description: >
  marts.indicator_values as published (the snapshot's marts.indicator_values,
  indicator_values.parquet): the value of a chain indicator is withheld (null, `is_suppressed`)
  where its chain cell is (published.int_suppressed_chain_cells).
columns:
  "*": as marts.indicator_values; value null where suppressed
  is_suppressed: a chain cell built from too few enterprises to be published
*/
with suppressed as (
    select * from published.int_suppressed_chain_cells
),

final as (
    select
        v.* replace (case when s.indicator_id is null then round(v.value, 6) end as value),
        s.indicator_id is not null as is_suppressed
    from marts.indicator_values as v
    left join suppressed as s on v.indicator_id = s.indicator_id and v.period = s.period
)

select * from final
order by indicator_id, region_code, period_end, basis, vintage

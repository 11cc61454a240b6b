/*
name: core.int_indicator_values
kind: view
grain: one row per indicator, region, period and basis, as known at `as_of`
description: >
  Every indicator value the warehouse can state as of `getvariable('as_of')`: the union of the
  derivations. marts.indicator_values records how this changes from vintage to vintage.
columns:
  "*": as core.int_values__reported
*/
with final as (
    select * from core.int_values__reported
    union all by name
    select * from core.int_values__reported_cumulative
    union all by name
    select * from core.int_values__roster_count
    union all by name
    select * from core.int_values__roster_new
    union all by name
    select * from core.int_values__chain_output
    union all by name
    select * from core.int_values__hightech
    union all by name
    select * from core.int_values__land
    union all by name
    select * from core.int_values__peer_gaps
)

select * from final
where value is not null

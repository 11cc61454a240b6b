/*
name: indicator_values_one_current
severity: warning
description: >
  marts.indicator_values holds one current value (`is_latest`) per indicator, region and period:
  a new vintage supersedes the value it revises, and no two derivations state the same figure.
  A bad row: the key, how many current values it has, and their bases.
*/
with current_values as (
    select * from marts.indicator_values
    where is_latest
),

final as (
    select
        indicator_id,
        region_code,
        period,
        count(*) as current_values,
        list(basis order by basis) as bases
    from current_values
    group by indicator_id, region_code, period
    having count(*) > 1
)

select * from final

/*
name: published.value_recipes
kind: view
grain: one row per current indicator value (indicator, region, period, basis)
description: >
  marts.value_recipes as published (the snapshot's marts.value_recipes): where
  published.indicator_values withholds a value (`is_suppressed`), its recipe and its counts of
  inputs and files are withheld too, since they would tell how many enterprises made it.
columns:
  "*": as marts.value_recipes; inputs, files and recipe null where the value is withheld
  is_suppressed: the value is withheld (published.indicator_values)
*/
with withheld as (
    select distinct
        indicator_id,
        region_code,
        period,
        basis
    from published.indicator_values
    where is_latest and is_suppressed
),

final as (
    select
        r.* replace (
            case when w.indicator_id is null then r.inputs end as inputs,
            case when w.indicator_id is null then r.files end as files,
            case when w.indicator_id is null then r.recipe end as recipe
        ),
        w.indicator_id is not null as is_suppressed
    from marts.value_recipes as r
    left join withheld as w
        on
            r.indicator_id = w.indicator_id and r.region_code = w.region_code
            and r.period = w.period and r.basis = w.basis
)

select * from final
order by indicator_id, region_code, period, basis

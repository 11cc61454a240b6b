/*
name: indicator_values_known_indicator
severity: warning
description: >
  Every value of marts.indicator_values is of a catalog indicator (core.dim_indicator) and in its
  unit: extraction maps each figure to its indicator and converts it to the warehouse unit, and
  the derivations take the unit from the catalog. `ext.<name>` values (统计局 indicators not in
  the catalog, loaded with a warning) have no catalog unit and are left out. A bad row: the
  value's key, its unit, and the catalog's (null when the indicator is not in the catalog).
*/
with indicators as (
    select
        indicator_id,
        unit
    from core.dim_indicator
),

final as (
    select
        v.indicator_id,
        v.region_code,
        v.period,
        v.basis,
        v.vintage,
        v.unit,
        i.unit as catalog_unit
    from marts.indicator_values as v
    left join indicators as i on v.indicator_id = i.indicator_id
    where
        v.indicator_id not like 'ext.%'
        and (i.indicator_id is null or v.unit is distinct from i.unit)
)

select * from final

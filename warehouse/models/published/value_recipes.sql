/*
name: published.value_recipes
kind: view
grain: one row per current indicator value (indicator, region, period, basis)
description: >
  marts.value_recipes as published (the snapshot's marts.value_recipes): where
  published.indicator_values withholds a value (`is_suppressed`), its recipe and its counts of
  inputs and files are withheld too, since they would tell how many enterprises made it. A
  recipe names its source file: an enterprise's name or credit code in it is replaced (某企业,
  某信用代码; published.int_identifiers), as in published.indicator_values.
columns:
  "*": as marts.value_recipes; inputs, files and recipe null where the value is withheld; no enterprise name or credit code in recipe
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

recipes as (
    select distinct recipe
    from marts.value_recipes
    where recipe is not null
),

coded as (
    select
        recipe,
        regexp_replace(recipe, '(^|[^0-9A-Z])' || repeat('[0-9A-Z]', 18) || '([^0-9A-Z]|$)', '\1某信用代码\2', 'g')
            as recipe_coded
    from recipes
),

named as (
    select
        c.*,
        (
            select string_agg(regexp_escape(i.identifier), '|' order by length(i.identifier) desc, i.identifier)
            from published.int_identifiers as i
            where contains(c.recipe_coded, i.identifier)
        ) as pattern
    from coded as c
),

redacted as (
    select
        recipe,
        case when pattern is null then recipe_coded else regexp_replace(recipe_coded, pattern, '某企业', 'g') end
            as recipe_shown
    from named
),

final as (
    select
        r.* replace (
            case when w.indicator_id is null then r.inputs end as inputs,
            case when w.indicator_id is null then r.files end as files,
            case when w.indicator_id is null then d.recipe_shown end as recipe
        ),
        w.indicator_id is not null as is_suppressed
    from marts.value_recipes as r
    left join redacted as d on r.recipe = d.recipe
    left join withheld as w
        on
            r.indicator_id = w.indicator_id and r.region_code = w.region_code
            and r.period = w.period and r.basis = w.basis
)

select * from final
order by indicator_id, region_code, period, basis

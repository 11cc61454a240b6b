/*
name: core.dim_region
kind: table
grain: one row per region (province, city, county, township) of the 2023 统计用区划代码
description: >
  Regions with their official names, short forms and parents (etl/reference/divisions, shipped
  with the project). Provinces and cities use 6-digit codes (320000, 320800), townships 9 digits.
columns:
  region_code: 统计用区划代码
  name: official name
  short_name: the name without its suffix (淮城街道 → 淮城)
  level: province / city / county / township
  county_code: the county a township belongs to
  city_code: the city (6 digits)
  province_code: the province (6 digits)
  is_in_district: true for the configured district and its townships
*/
with regions as (
    select * from ref.regions
),

plan as (
    select district_code from ref.plan
),

final as (
    select
        r.region_code,
        r.name,
        r.short_name,
        r.level,
        r.county_code,
        r.city_code,
        r.province_code,
        (r.region_code = p.district_code or r.county_code = p.district_code) as is_in_district
    from regions as r
    cross join plan as p
)

select * from final

/*
name: published.int_identifiers
kind: view
grain: one row per enterprise name or credit code the warehouse holds
description: >
  Every enterprise name (as written and as its name key) and credit code the warehouse holds: the
  rosters, the 高新技术企业 lists and the quarantined rows of either. Nothing published may carry
  one (统计法): the published meta views (loads, rejections, warnings) replace each in their text
  with 某企业, and any 18-character credit code with 某信用代码. Never published itself.
columns:
  identifier: a name, name key or credit code (4 characters or more)
*/
with found as (
    select name as identifier from raw.enterprise_periods
    union
    select name_key from raw.enterprise_periods
    union
    select credit_code from raw.enterprise_periods
    union
    select name from raw.hightech_certs
    union
    select name_key from raw.hightech_certs
    union
    select credit_code from raw.hightech_certs
    union
    select try(json_extract_string(row_json, '$.name')) from meta.quarantine
    union
    select try(json_extract_string(row_json, '$.credit_code')) from meta.quarantine
),

final as (
    select distinct trim(identifier) as identifier
    from found
    where length(trim(identifier)) >= 4
)

select * from final

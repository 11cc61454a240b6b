/*
name: core.fct_hightech_certificate
kind: view
grain: one row per 高新技术企业 certificate (current version of each year's list)
description: >
  Certificates the 科技局 listed, with the enterprise's township and whether it was a first-time
  certification (首次认定) or a renewal (重新认定); valid for three years from the year issued.
columns:
  cert_no: 证书编号
  year: the year of the list
  name: enterprise name as listed
  name_key: normalised name, to match the roster
  credit_code: 统一社会信用代码 when the list carries it
  township_code: 9-digit township code
  cert_date: 发证日期
  cert_type: 首次认定 / 重新认定 (null when the list does not say)
  valid_until: the last year-end the certificate counts for
  load_id: the load that brought the row
  source_file: file name as sent
  source_sheet: sheet
  source_row: spreadsheet row
*/
with certs as (
    select * from stg.stg_hightech__certs
),

plan as (
    select hightech_validity_years from ref.plan
),

final as (
    select
        c.cert_no,
        c.year,
        c.name,
        c.name_key,
        c.credit_code,
        c.township_code,
        c.cert_date,
        c.cert_type,
        make_date(c.year + p.hightech_validity_years - 1, 12, 31) as valid_until,
        c.load_id,
        c.source_file,
        c._sheet as source_sheet,
        c._row as source_row
    from certs as c
    cross join plan as p
)

select * from final

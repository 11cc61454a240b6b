/*
name: core.fct_enterprise_period
kind: view
grain: one row per enterprise and period (current version of each roster period)
description: >
  Roster figures per enterprise and period, in 万元, with where each row came from.
  Enterprise-level data: stays in the warehouse, never published.
columns:
  credit_code: 统一社会信用代码
  period: YYYY-MM
  period_end: last day of the month
  township_code: 9-digit township code
  chain: industrial chain
  output_month: 工业总产值, the month (1–2月 together in February), 万元
  output_ytd: 工业总产值, 本年累计, 万元
  revenue_month: 营业收入, the month, 万元
  revenue_ytd: 营业收入, 本年累计, 万元
  employees: persons employed
  is_above_scale: 规上 flag
  is_srdi: 专精特新 flag
  is_hightech: 高新技术企业 flag as the roster says
  is_listed: 上市 flag
  is_top50: 50强 flag
  entry_type: 小升规 / 新建投产 in the period of entry
  load_id: the load that brought the row
  source_file: file name as sent
  source_sheet: sheet
  source_row: spreadsheet row
*/
with final as (
    select
        credit_code,
        period,
        period_end,
        township_code,
        chain,
        output_month,
        output_ytd,
        revenue_month,
        revenue_ytd,
        employees,
        is_above_scale,
        is_srdi,
        is_hightech,
        is_listed,
        is_top50,
        entry_type,
        load_id,
        source_file,
        _sheet as source_sheet,
        _row as source_row
    from stg.stg_enterprises__periods
)

select * from final

/*
name: core.fct_land_project
kind: view
grain: one row per land project accepted (current version of each ledger year)
description: >
  增减挂钩 (linkage: reclaimed area) and 占补平衡 (balance: new cultivated land) projects of the
  自然资源局 ledgers, areas in 亩 whatever unit the ledger used.
columns:
  kind: linkage or balance
  project: 项目名称
  township_code: 9-digit township code
  area_mu: area, 亩
  accepted_on: 验收日期
  is_after_baseline: accepted after the plan's baseline (counts towards the targets)
  load_id: the load that brought the row
  source_file: file name as sent
  source_sheet: sheet
  source_row: spreadsheet row
*/
with projects as (
    select * from stg.stg_land_use__projects
),

plan as (
    select baseline_end from ref.plan
),

final as (
    select
        pr.kind,
        pr.project,
        pr.township_code,
        pr.area_mu,
        pr.accepted_on,
        pr.accepted_on > p.baseline_end as is_after_baseline,
        pr.load_id,
        pr.source_file,
        pr._sheet as source_sheet,
        pr._row as source_row
    from projects as pr
    cross join plan as p
)

select * from final

/*
name: marts.value_recipes
kind: table
grain: one row per current indicator value (indicator, region, period, basis)
description: >
  How each current value was made, in one short line for the dashboard (the short form of
  `statwh explain`): the operation and how many inputs, the file, sheet and first and last cell
  (or how many files), and the unit conversion, e.g. `合计 40 个单元格 · 来源 规上工业企业主要指标_2024年1-12月.xlsx
  Sheet1 H43…H490 · 万元→亿元 ×0.0001`. Built from core.value_inputs; names no enterprise and
  no figure of one.
columns:
  indicator_id: the value's indicator
  region_code: the value's region
  period: the value's period
  basis: the value's basis
  operation: as core.value_inputs (none for a count of nothing)
  inputs: how many inputs the value has
  files: how many archived files its cells are in
  recipe: the short recipe, in Chinese
*/
with inputs as (
    select * from core.value_inputs
),

values_now as (
    select
        indicator_id,
        region_code,
        period,
        basis,
        unit
    from core.int_indicator_values
),

conversions as (
    -- each distinct conversion of the value's cells (none when a factor of 1 keeps the unit)
    select
        i.indicator_id,
        i.region_code,
        i.period,
        i.basis,
        string_agg(
            distinct coalesce(i.unit_as_read, '?') || '→' || v.unit || ' ×' || format('{:g}', i.factor), '，'
        ) as unit_note
    from inputs as i
    inner join values_now as v
        on
            i.indicator_id = v.indicator_id and i.region_code = v.region_code
            and i.period = v.period and i.basis = v.basis
    where
        i.input_kind = 'cell' and i.count_if is null and i.factor is not null
        and not (i.factor = 1 and coalesce(i.unit_as_read, v.unit) = v.unit)
    group by all
),

summed as (
    select
        indicator_id,
        region_code,
        period,
        basis,
        any_value(operation) as operation,
        count(*) as inputs,
        count(distinct sha256) as files,
        count(distinct sha256 || '|' || sheet) as sheets,
        arg_min(source_file, input_no) as first_file,
        arg_min(sheet, input_no) as first_sheet,
        arg_min(cell, input_no) as first_cell,
        arg_max(cell, input_no) as last_cell,
        string_agg(
            case when sign < 0 then '−' else '+' end || ref_indicator_id || ' ' || ref_region_code, ' '
            order by input_no
        ) as refs
    from inputs
    group by indicator_id, region_code, period, basis
),

described as (
    select
        v.indicator_id,
        v.region_code,
        v.period,
        v.basis,
        coalesce(s.operation, 'none') as operation,
        coalesce(s.inputs, 0) as inputs,
        coalesce(s.files, 0) as files,
        case coalesce(s.operation, 'none')
            when 'cell' then '取单元格'
            when 'sum' then '合计 ' || s.inputs || ' 个单元格'
            when 'count_flags' then '计数 ' || s.inputs || ' 个标“是”的单元格'
            when 'count_first_time' then '首次入库计数 ' || s.inputs || ' 家'
            when 'count_distinct' then '名单与汇总计数 ' || s.inputs || ' 项'
            when 'difference' then '差值 ' || s.refs
            when 'difference_from_max' then '差值 本区 − 两地较高者（' || s.refs || '）'
            else '无符合条件的记录，值为 0'
        end as what,
        case
            when s.files = 1 and s.sheets = 1
                then
                    '来源 ' || s.first_file || ' ' || s.first_sheet || ' ' || s.first_cell
                    || case when s.inputs > 1 then '…' || s.last_cell else '' end
            when s.files = 1 then '来源 ' || s.first_file || '（' || s.sheets || ' 个工作表）'
            when s.files > 1 then '来源 ' || s.files || ' 个文件（' || s.first_file || ' 等）'
        end as source,
        c.unit_note
    from values_now as v
    left join summed as s
        on
            v.indicator_id = s.indicator_id and v.region_code = s.region_code
            and v.period = s.period and v.basis = s.basis
    left join conversions as c
        on
            v.indicator_id = c.indicator_id and v.region_code = c.region_code
            and v.period = c.period and v.basis = c.basis
),

final as (
    select
        indicator_id,
        region_code,
        period,
        basis,
        operation,
        inputs,
        files,
        concat_ws(' · ', what, source, unit_note) as recipe
    from described
)

select * from final

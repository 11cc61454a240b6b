/*
name: published.rejections
kind: view
grain: one row per issue found in a file
description: >
  meta.rejections as published (the snapshot's meta.rejections): what was refused and why, without
  the cell values (they may name respondents).
  Every enterprise name and credit code in its text is replaced (某企业, 某信用代码;
  published.int_identifiers): nothing published names a respondent (统计法).
columns:
  load_id: the load (meta.loads)
  file_name: the file as the department named it
  sheet: the sheet
  row_number: spreadsheet row
  column_name: the column as the file heads it
  rule: the check that failed
  severity: critical (the whole file) / row (the row, quarantined)
  message: what is wrong (中文 / English)
*/
with coded as (
    select
        x.load_id,
        x.row_number,
        x.rule,
        x.severity,
        -- a company's name in the file's name, whether or not the warehouse holds it (a refused
        -- file named after an enterprise it never held had been published as named)
        regexp_replace(
            regexp_replace(x.file_name, '(^|[^0-9A-Z])' || repeat('[0-9A-Z]', 18) || '([^0-9A-Z]|$)', '\1某信用代码\2', 'g'),
            '[\x{4e00}-\x{9fff}]{2,30}?(有限责任公司|股份有限公司|有限公司|公司|合作社)', '某企业', 'g'
        ) as file_name,
        regexp_replace(x.sheet, '(^|[^0-9A-Z])' || repeat('[0-9A-Z]', 18) || '([^0-9A-Z]|$)', '\1某信用代码\2', 'g') as sheet,
        regexp_replace(x.column_name, '(^|[^0-9A-Z])' || repeat('[0-9A-Z]', 18) || '([^0-9A-Z]|$)', '\1某信用代码\2', 'g') as column_name,
        -- and without the figures a message quotes (a 合计 and the sum of its rows, a 其中 beside its
        -- whole, a cell's text: `数值“约12026”`): they give back a withheld enterprise's output
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    regexp_replace(x.message, '(^|[^0-9A-Z])' || repeat('[0-9A-Z]', 18) || '([^0-9A-Z]|$)', '\1某信用代码\2', 'g'),
                    '数值\s*“[^”]*”', '数值“…”', 'g'
                ),
                '数值 [-+0-9.eE]+', '数值 …', 'g'
            ),
            '[-+]?([0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?|[0-9]+\.[0-9]+)', '…', 'g'
        ) as message
    from meta.rejections as x
),

named as (
    select
        t.*,
        (
            select string_agg(regexp_escape(i.identifier), '|' order by length(i.identifier) desc, i.identifier)
            from published.int_identifiers as i
            where contains(concat_ws(' ', t.file_name, t.sheet, t.column_name, t.message), i.identifier)
        ) as pattern
    from coded as t
),

final as (
    select
        n.load_id,
        case when n.pattern is null then n.file_name else regexp_replace(n.file_name, n.pattern, '某企业', 'g') end as file_name,
        case when n.pattern is null then n.sheet else regexp_replace(n.sheet, n.pattern, '某企业', 'g') end as sheet,
        n.row_number,
        case when n.pattern is null then n.column_name else regexp_replace(n.column_name, n.pattern, '某企业', 'g') end as column_name,
        n.rule,
        n.severity,
        case when n.pattern is null then n.message else regexp_replace(n.message, n.pattern, '某企业', 'g') end as message
    from named as n
)

select * from final

/*
name: published.loads
kind: view
grain: one row per file received
description: >
  meta.loads as published (the snapshot's meta.loads): what was received, when, and how it
  fared, without the warehouse's own paths (archive, encoding, reporter).
  Every enterprise name and credit code in its text is replaced (某企业, 某信用代码;
  published.int_identifiers): nothing published names a respondent (统计法).
columns:
  load_id: the load
  source: source id
  layout: the file's layout (spec)
  file_name: the file as the department named it
  sha256: the file's digest
  status: loaded / partial / rejected / duplicate
  rows_read: data rows found in the file
  rows_loaded: rows loaded
  rows_rejected: rows quarantined or rejected
  received_at: when the file arrived
  loaded_at: the vintage, when the warehouse learnt these figures
  message: why the file was rejected, or the load it duplicates
*/
with coded as (
    select
        x.load_id,
        x.source,
        x.layout,
        x.sha256,
        x.status,
        x.rows_read,
        x.rows_loaded,
        x.rows_rejected,
        x.received_at,
        x.loaded_at,
        -- a company's name in the file's name, whether or not the warehouse holds it (a refused
        -- file named after an enterprise it never held had been published as named)
        regexp_replace(
            regexp_replace(x.file_name, '(^|[^0-9A-Z])' || repeat('[0-9A-Z]', 18) || '([^0-9A-Z]|$)', '\1某信用代码\2', 'g'),
            '[\x{4e00}-\x{9fff}]{2,30}?(有限责任公司|股份有限公司|有限公司|公司|合作社)', '某企业', 'g'
        ) as file_name,
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
    from meta.loads as x
),

named as (
    select
        t.*,
        (
            select string_agg(regexp_escape(i.identifier), '|' order by length(i.identifier) desc, i.identifier)
            from published.int_identifiers as i
            where contains(concat_ws(' ', t.file_name, t.message), i.identifier)
        ) as pattern
    from coded as t
),

final as (
    select
        n.load_id,
        n.source,
        n.layout,
        case when n.pattern is null then n.file_name else regexp_replace(n.file_name, n.pattern, '某企业', 'g') end as file_name,
        n.sha256,
        n.status,
        n.rows_read,
        n.rows_loaded,
        n.rows_rejected,
        n.received_at,
        n.loaded_at,
        case when n.pattern is null then n.message else regexp_replace(n.message, n.pattern, '某企业', 'g') end as message
    from named as n
)

select * from final

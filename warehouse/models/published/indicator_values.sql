/*
name: published.indicator_values
kind: view
grain: one row per indicator, region, period, basis and vintage
description: >
  marts.indicator_values as published (the snapshot's marts.indicator_values,
  indicator_values.parquet): the value of a chain indicator is withheld (null, `is_suppressed`)
  where its chain cell is (published.int_suppressed_chain_cells), a township's value where that
  township's cell of enterprise output is withheld for the period (published.int_disclosure_cells:
  a department's 分乡镇 table must not give back what the scorecard withholds) or where a 分乡镇
  table counts 1 or 2 enterprises above scale in it, every superseded
  vintage of a chain's output or of a township's figure (two vintages' difference is often one
  enterprise's own output), and an enterprise's name or
  credit code in a source file's or sheet's name is replaced (某企业, 某信用代码;
  published.int_identifiers).
columns:
  "*": as marts.indicator_values; value null where suppressed; source_file, source_sheet and source_cell without enterprise names
  is_suppressed: a chain or township cell withheld by a disclosure rule, or a superseded vintage of a chain's or a township's figure
*/
with suppressed as (
    select * from published.int_suppressed_chain_cells
),

township_cells as (
    select
        cell as region_code,
        period
    from published.int_disclosure_cells
    where cell_table = 'township' and is_suppressed
    union
    -- a department's 分乡镇 table states each township's 规上企业数 (this period's and 上年同期's): a
    -- township of 1 or 2 is withheld for that period from the table's own count, roster or not (with
    -- no roster of the period loaded, one enterprise's output had been published)
    select
        o.region_code,
        o.period
    from stg.stg_indicators__obs as o
    cross join ref.plan as p
    where
        o.indicator_id = 'above_scale_enterprises'
        and o.value between 1 and p.min_cell_enterprises - 1
        and o.region_code <> p.district_code
),

townships_withheld as (
    select
        region_code,
        period
    from township_cells
    union
    select
        region_code,
        left(period, 4) as period
    from township_cells
    where right(period, 2) = '12'
),

plan as (
    select district_code from ref.plan
),

-- source_cell starts with its sheet's name (`Sheet1!F17`): redacted as source_sheet is
sources as (
    select distinct
        source_file,
        source_sheet,
        regexp_extract(source_cell, '^(.*)!', 1) as cell_sheet
    from marts.indicator_values
),

coded as (
    select
        source_file,
        source_sheet,
        cell_sheet,
        regexp_replace(cell_sheet, '(^|[^0-9A-Z])' || repeat('[0-9A-Z]', 18) || '([^0-9A-Z]|$)', '\1某信用代码\2', 'g') as cell_sheet_coded,
        regexp_replace(source_file, '(^|[^0-9A-Z])' || repeat('[0-9A-Z]', 18) || '([^0-9A-Z]|$)', '\1某信用代码\2', 'g') as file_coded,
        regexp_replace(source_sheet, '(^|[^0-9A-Z])' || repeat('[0-9A-Z]', 18) || '([^0-9A-Z]|$)', '\1某信用代码\2', 'g') as sheet_coded
    from sources
),

named as (
    select
        c.*,
        (
            select string_agg(regexp_escape(i.identifier), '|' order by length(i.identifier) desc, i.identifier)
            from published.int_identifiers as i
            where contains(concat_ws(' ', c.file_coded, c.sheet_coded, c.cell_sheet_coded), i.identifier)
        ) as pattern
    from coded as c
),

redacted as (
    select
        source_file,
        source_sheet,
        cell_sheet,
        case when pattern is null then cell_sheet_coded else regexp_replace(cell_sheet_coded, pattern, '某企业', 'g') end
            as cell_sheet_shown,
        case when pattern is null then file_coded else regexp_replace(file_coded, pattern, '某企业', 'g') end
            as file_shown,
        case when pattern is null then sheet_coded else regexp_replace(sheet_coded, pattern, '某企业', 'g') end
            as sheet_shown
    from named
),

marked as (
    -- a superseded vintage of a figure summed from enterprises (a chain's output) or of a township's
    -- figure: two vintages' difference is what changed between them, often one enterprise's own
    -- output (one moved to another chain, a blank 产值 filled in on resending, a missed enterprise
    -- added); only the latest vintage of these is published (the writer's warehouse keeps them all)
    select
        v.*,
        coalesce(not v.is_latest and (i.derivation = 'chain_output' or v.region_code <> p.district_code), false)
            as is_superseded_cell
    from marts.indicator_values as v
    left join ref.indicators as i on v.indicator_id = i.indicator_id
    cross join plan as p
),

final as (
    select
        v.* exclude (is_superseded_cell) replace (
            case when s.indicator_id is null and w.region_code is null and not v.is_superseded_cell then round(v.value, 6) end
                as value,
            r.file_shown as source_file,
            r.sheet_shown as source_sheet,
            r.cell_sheet_shown || substr(v.source_cell, length(r.cell_sheet) + 1) as source_cell
        ),
        s.indicator_id is not null or w.region_code is not null or v.is_superseded_cell as is_suppressed
    from marked as v
    left join suppressed as s on v.indicator_id = s.indicator_id and v.period = s.period
    left join townships_withheld as w on v.region_code = w.region_code and v.period = w.period
    left join redacted as r
        on
            v.source_file is not distinct from r.source_file and v.source_sheet is not distinct from r.source_sheet
            and regexp_extract(v.source_cell, '^(.*)!', 1) is not distinct from r.cell_sheet
)

select * from final
order by indicator_id, region_code, period_end, basis, vintage

/*
name: core.int_values__hightech
kind: view
grain: one row per high-tech indicator and year, for the district
description: >
  高新技术企业 from the 科技局's lists (or counts by township where a year came as counts).
  `hightech_valid`: certificates issued in the last `hightech_validity_years` years (3) at the
  year's end, each enterprise once; only years whose whole validity window has data.
  `hightech_first`: first-time certificates (首次认定) issued since the baseline; 重新认定 does not count.
  Only years after which every year since the baseline is known as first-time or renewed: a year
  not sent, or a list that does not say 首次/重新 for each certificate, leaves no value (not 0).
  A year sent as a list and as a counts table is read from the one that arrived last.
  A counts table's year is known only when the table has a 重新认定 column: without it the year's
  certificates are not known, and no valid total is summed over it (it had counted none).
columns:
  "*": as core.int_values__reported; basis stock (valid) or cumulative (first)
*/
with certs as (
    select * from stg.stg_hightech__certs
),

counts as (
    select * from stg.stg_hightech__counts
),

plan as (
    select
        district_code,
        baseline_end,
        hightech_validity_years as validity
    from ref.plan
),

indicators as (
    select
        indicator_id,
        derivation,
        unit
    from ref.indicators
    where derivation in ('hightech_valid', 'hightech_first')
),

per_year_either as (
    -- one row per year and kind of file: enterprises listed, first-time ones, and counts
    select
        year,
        count(distinct name_key) as listed,
        -- a list that does not tell every certificate first-time or renewed does not tell the
        -- year's first-time ones (they had counted as none: a target judged missed)
        case
            when count(*) filter (where cert_type is null) = 0
                then count(distinct name_key) filter (where cert_type = '首次认定')
        end as first_time,
        max(vintage) as vintage,
        arg_max(load_id, vintage) as load_id,
        arg_max(source_file, vintage) as source_file,
        arg_max(_sheet, vintage) as source_sheet,
        _as_of_no,
        false as from_counts
    from certs
    group by year, _as_of_no
    union all
    select
        n.year,
        -- a year's certificates are known only when its table has a 重新认定 column (a blank
        -- there is none); a table without it had counted them as none: the valid total fell short
        case
            when count(lc.field) = count(*) then sum(coalesce(n.new_first, 0) + coalesce(n.renewed, 0))
        end as listed,
        case when count(n.new_first) > 0 then sum(coalesce(n.new_first, 0)) end as first_time,
        max(n.vintage),
        arg_max(n.load_id, n.vintage),
        arg_max(n.source_file, n.vintage),
        arg_max(n._sheet, n.vintage),
        n._as_of_no,
        true
    from counts as n
    left join meta.load_columns as lc
        on n.load_id = lc.load_id and n._sheet = lc.sheet and lc.field = 'renewed'
    group by n.year, n._as_of_no
),

per_year as (
    -- one row per year with data, from the list or the counts table that arrived last (a year's
    -- first list, a batch, had hidden the year's whole counts table sent after it)
    select * exclude (from_counts)
    from per_year_either
    qualify row_number() over (partition by year, _as_of_no order by vintage desc, from_counts asc) = 1
),

years as (
    select
        y.*,
        (
            select count(w.listed) from per_year as w
            where w.year between y.year - p.validity + 1 and y.year and w._as_of_no = y._as_of_no
        ) as years_in_window,
        (
            select sum(w.listed) from per_year as w
            where w.year between y.year - p.validity + 1 and y.year and w._as_of_no = y._as_of_no
        ) as valid_total,
        (
            select sum(w.first_time) from per_year as w
            where w.year > year(p.baseline_end) and w.year <= y.year and w._as_of_no = y._as_of_no
        ) as first_since_baseline,
        (
            -- the years since the baseline whose first-time certificates are known: every one,
            -- or no cumulative count (a year never sent had counted as none)
            select count(w.first_time) from per_year as w
            where w.year > year(p.baseline_end) and w.year <= y.year and w._as_of_no = y._as_of_no
        ) as first_years_known,
        (
            select max(w.vintage) from per_year as w
            where w.year between y.year - p.validity + 1 and y.year and w._as_of_no = y._as_of_no
        ) as window_vintage,
        (
            select max(w.vintage) from per_year as w
            where w.year > year(p.baseline_end) and w.year <= y.year and w._as_of_no = y._as_of_no
        ) as since_baseline_vintage,
        p.validity,
        p.baseline_end,
        p.district_code
    from per_year as y
    cross join plan as p
),

final as (
    select
        i.indicator_id,
        y.district_code as region_code,
        y.year::varchar as period,
        make_date(y.year, 12, 31) as period_end,
        case when i.derivation = 'hightech_valid' then y.valid_total else y.first_since_baseline end::double
            as value,
        i.unit,
        case when i.derivation = 'hightech_valid' then 'stock' else 'cumulative' end as basis,
        case when i.derivation = 'hightech_valid' then y.window_vintage else y.since_baseline_vintage end
            as vintage,
        y.load_id,
        y.source_file,
        y.source_sheet,
        y.source_sheet || '!' as source_cell,
        y._as_of_no
    from years as y
    cross join indicators as i
    where
        (i.derivation = 'hightech_valid' and y.years_in_window = y.validity)
        or (
            i.derivation = 'hightech_first'
            and y.year > year(y.baseline_end)
            and y.first_years_known = y.year - year(y.baseline_end)
        )
)

select * from final

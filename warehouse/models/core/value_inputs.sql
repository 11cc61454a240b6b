/*
name: core.value_inputs
kind: view
grain: one row per input of each current indicator value (indicator, region, period, basis), as known at `as_of`
description: >
  Lineage as data: for every value of core.int_indicator_values, each input it was made from and
  the operation that combines them, so that `statwh explain` can read the same cells again from the
  archived files and recompute the figure. An input is a cell (input_kind `cell`: the archived
  file's sha256, sheet, cell, the value as read, its unit and the factor to the value's unit) or
  another value of the warehouse (input_kind `value`: the gaps, which point at the values they
  compare). The value is `sum(sign × contribution)` over its inputs, where a cell's contribution is
  value_as_read × factor, or 1 when `count_if` names what the cell must read as (a flag, an entry
  type, a name); `difference_from_max` takes the largest of the peers (sign −1) instead of their sum.
  A count of 0 (nothing flagged, nothing accepted yet) has no input.
columns:
  indicator_id: the value's indicator
  region_code: the value's region
  period: the value's period
  basis: the value's basis
  operation: >
    how the inputs make the value: cell (one cell), sum (reported 本年新增 since the baseline, a
    chain's 规上 output, land areas), count_flags (roster enterprises flagged), count_first_time
    (小升规 entries since the baseline), count_distinct (高新 enterprises listed, or counted by
    township), difference (peer gap), difference_from_max (growth gap: ours minus the higher peer)
  input_no: 1, 2, … in file, sheet, row and column order
  input_kind: cell, or value (another value of the warehouse)
  sign: 1, or -1 for what a gap subtracts
  count_if: null for a figure, else what the cell must read as to count 1 (flag, name, present, or a word such as 小升规)
  load_id: the load whose file holds the cell
  sha256: the archived file's sha256
  archive_path: the archived file, relative to STATWH_HOME
  source_file: the file as the department named it
  sheet: the sheet
  cell: the cell, as in D7
  field: the dataset column the cell was read into (value, output_ytd, is_srdi, …)
  row_number: the spreadsheet row
  column_letter: the spreadsheet column
  value_as_read: the figure as written in the file (1 for a counted cell)
  unit_as_read: the unit it was written in (null when none was given)
  factor: the value's unit = value_as_read × factor (万元 → 亿元 is 0.0001)
  ref_indicator_id: for a value input, the indicator it points at
  ref_region_code: for a value input, its region
  ref_period: for a value input, its period
  ref_basis: for a value input, its basis
  _as_of_no: which time of a build's `as_of_list` the input is as of (core.int_current_slices)
*/
-- each derivation's inputs join its own int_values__* view: the values of
-- core.int_indicator_values (each view's values are never null)
with loads as (
    select
        load_id,
        sha256,
        archive_path,
        file_name
    from meta.loads
),

load_cols as (
    select
        load_id,
        sheet,
        field,
        any_value(column_letter) as column_letter,
        any_value(unit_read) as unit_read,
        any_value(unit_factor) as unit_factor
    from meta.load_columns
    group by load_id, sheet, field
),

plan as (
    select
        district_code,
        baseline_end,
        peer_gap_code,
        growth_peer_codes,
        hightech_validity_years as validity
    from ref.plan
),

indicators as (
    select * from ref.indicators
),

obs as (
    select
        o.*,
        coalesce(o._col, lc.column_letter) as value_col
    from stg.stg_indicators__obs as o
    left join load_cols as lc
        on o.load_id = lc.load_id and o._sheet = lc.sheet and lc.field = 'value'
    where o.value is not null
),

roster as (
    select * from stg.stg_enterprises__periods
),

-- a figure of the indicator tables: one cell
reported as (
    select
        v.indicator_id,
        v.region_code,
        v.period,
        v.basis,
        v._as_of_no,
        'cell' as operation,
        'value' as field,
        1 as sign,
        null as count_if,
        o.load_id,
        o._sheet as sheet,
        o._row as row_number,
        o.value_col as column_letter,
        o.value_read as value_as_read,
        o.unit_read as unit_as_read,
        o.unit_factor as factor
    from core.int_values__reported as v
    inner join obs as o
        on
            v.indicator_id = o.indicator_id and v.region_code = o.region_code
            and v.period = o.period and v.basis = o.basis and v._as_of_no = o._as_of_no
),

-- 本年新增 of each year after the baseline, summed up to the value's year
reported_cumulative as (
    select
        v.indicator_id,
        v.region_code,
        v.period,
        v.basis,
        v._as_of_no,
        'sum' as operation,
        'value' as field,
        1 as sign,
        null as count_if,
        o.load_id,
        o._sheet as sheet,
        o._row as row_number,
        o.value_col as column_letter,
        o.value_read as value_as_read,
        o.unit_read as unit_as_read,
        o.unit_factor as factor
    from core.int_values__reported_cumulative as v
    inner join obs as o
        on
            v.indicator_id = o.indicator_id and v.region_code = o.region_code
            and o.basis = 'period' and v.period_end >= o.period_end and v._as_of_no = o._as_of_no
    cross join plan as p
    where o.period_end > p.baseline_end
),

-- the flag cell of each roster enterprise counted; no flag column (规上 from the sheet's
-- coverage): the row's credit code, counted as present
roster_count as (
    select
        v.indicator_id,
        v.region_code,
        v.period,
        v.basis,
        v._as_of_no,
        'count_flags' as operation,
        case when lf.column_letter is null then 'credit_code' else i.flag end as field,
        1 as sign,
        case when lf.column_letter is null then 'present' else 'flag' end as count_if,
        r.load_id,
        r._sheet as sheet,
        r._row as row_number,
        coalesce(lf.column_letter, lcc.column_letter) as column_letter,
        1.0 as value_as_read,
        null as unit_as_read,
        1.0 as factor
    from core.int_values__roster_count as v
    inner join indicators as i on v.indicator_id = i.indicator_id
    inner join roster as r on v.period = r.period and v._as_of_no = r._as_of_no
    left join load_cols as lf on r.load_id = lf.load_id and r._sheet = lf.sheet and i.flag = lf.field
    left join load_cols as lcc on r.load_id = lcc.load_id and r._sheet = lcc.sheet and lcc.field = 'credit_code'
    where case i.flag
        when 'is_above_scale' then r.is_above_scale
        when 'is_top50' then r.is_top50
        when 'is_srdi' then r.is_srdi
        when 'is_listed' then r.is_listed
        when 'is_hightech' then r.is_hightech
    end
),

-- each enterprise's entry after the baseline: its 入库类型 cell, or its first row as 规上
-- (core.int_roster_entries)
first_entries as (
    select * from core.int_roster_entries
),

roster_new as (
    select
        v.indicator_id,
        v.region_code,
        v.period,
        v.basis,
        v._as_of_no,
        'count_first_time' as operation,
        case e.counted_by when 'entry_type' then 'entry_type' else 'is_above_scale' end as field,
        1 as sign,
        -- a first appearance: its 规上 cell, which reads as 是
        case e.counted_by when 'entry_type' then e.entry_type else 'flag' end as count_if,
        e.load_id,
        e.sheet,
        e.row_number,
        lc.column_letter,
        1.0 as value_as_read,
        null as unit_as_read,
        1.0 as factor
    from core.int_values__roster_new as v
    inner join first_entries as e
        on v.indicator_id = e.indicator_id and v.period_end >= e.entered_on and v._as_of_no = e._as_of_no
    left join load_cols as lc
        on
            e.load_id = lc.load_id and e.sheet = lc.sheet
            and lc.field = case e.counted_by when 'entry_type' then 'entry_type' else 'is_above_scale' end
),

-- 工业总产值 本年累计 of each 规上 enterprise of the chain, 万元 → 亿元
chain_output as (
    select
        v.indicator_id,
        v.region_code,
        v.period,
        v.basis,
        v._as_of_no,
        'sum' as operation,
        'output_ytd' as field,
        1 as sign,
        null as count_if,
        r.load_id,
        r._sheet as sheet,
        r._row as row_number,
        lc.column_letter,
        r.output_ytd / coalesce(lc.unit_factor, 1.0) as value_as_read,
        coalesce(lc.unit_read, '万元') as unit_as_read,
        coalesce(lc.unit_factor, 1.0) / 10000.0 as factor
    from core.int_values__chain_output as v
    inner join indicators as i on v.indicator_id = i.indicator_id
    inner join roster as r
        on
            i.chain = r.chain and r.is_above_scale and r.output_ytd is not null
            and r.period = case when v.basis = 'period' then v.period || '-12' else v.period end
            and v._as_of_no = r._as_of_no
    left join load_cols as lc on r.load_id = lc.load_id and r._sheet = lc.sheet and lc.field = 'output_ytd'
),

-- 高新: the list's inputs for hightech_valid (first_only false: every name) and hightech_first
-- (first_only true: the 首次认定 cells); the counts' for each
cert_kinds as (
    select unnest([false, true]) as first_only
),

count_fields as (
    select
        unnest([false, false, true]) as first_only,
        unnest(['new_first', 'renewed', 'new_first']) as field
),


-- one name (or 首次认定 cell) per enterprise and year of the lists
cert_inputs as (
    select
        c.year,
        t.first_only,
        case when t.first_only then 'cert_type' else 'name' end as field,
        case when t.first_only then '首次认定' else 'name' end as count_if,
        arg_min(c.load_id, c._row) as load_id,
        arg_min(c._sheet, c._row) as sheet,
        min(c._row) as row_number,
        1.0 as value_as_read,
        c._as_of_no
    from stg.stg_hightech__certs as c
    cross join cert_kinds as t
    where not t.first_only or c.cert_type = '首次认定'
    group by c.year, t.first_only, c.name_key, c._as_of_no
),

cert_years as (
    select distinct
        year,
        _as_of_no
    from stg.stg_hightech__certs
),

-- the township counts of the years that came as counts, not as a list
count_inputs as (
    select
        n.year,
        t.first_only,
        t.field,
        null as count_if,
        n.load_id,
        n._sheet as sheet,
        n._row as row_number,
        case t.field when 'new_first' then n.new_first else n.renewed end::double as value_as_read,
        n._as_of_no
    from stg.stg_hightech__counts as n
    cross join count_fields as t
    where
        not exists (
            select 1 from cert_years as cy
            where cy.year = n.year and cy._as_of_no = n._as_of_no
        )
        and (case t.field when 'new_first' then n.new_first else n.renewed end) is not null
),

hightech_inputs as (
    select * from cert_inputs
    union all by name
    select * from count_inputs
),

hightech as (
    select
        v.indicator_id,
        v.region_code,
        v.period,
        v.basis,
        v._as_of_no,
        'count_distinct' as operation,
        h.field,
        1 as sign,
        h.count_if,
        h.load_id,
        h.sheet,
        h.row_number,
        lc.column_letter,
        h.value_as_read,
        null as unit_as_read,
        1.0 as factor
    from core.int_values__hightech as v
    inner join indicators as i on v.indicator_id = i.indicator_id
    cross join plan as p
    inner join hightech_inputs as h
        on
            h.first_only = (i.derivation = 'hightech_first')
            and h.year <= v.period::integer and v._as_of_no = h._as_of_no
            and (
                (i.derivation = 'hightech_valid' and h.year > v.period::integer - p.validity)
                or (i.derivation = 'hightech_first' and h.year > year(p.baseline_end))
            )
    left join load_cols as lc on h.load_id = lc.load_id and h.sheet = lc.sheet and h.field = lc.field
),

-- the area of each project of the kind accepted after the baseline, up to the quarter's end
land as (
    select
        v.indicator_id,
        v.region_code,
        v.period,
        v.basis,
        v._as_of_no,
        'sum' as operation,
        'area_mu' as field,
        1 as sign,
        null as count_if,
        pr.load_id,
        pr._sheet as sheet,
        pr._row as row_number,
        lc.column_letter,
        pr.area_mu / coalesce(lc.unit_factor, 1.0) as value_as_read,
        coalesce(lc.unit_read, '亩') as unit_as_read,
        coalesce(lc.unit_factor, 1.0) as factor
    from core.int_values__land as v
    inner join indicators as i on v.indicator_id = i.indicator_id
    cross join plan as p
    inner join stg.stg_land_use__projects as pr
        on
            i.land_kind = pr.kind and p.baseline_end < pr.accepted_on and v.period_end >= pr.accepted_on
            and v._as_of_no = pr._as_of_no
    left join load_cols as lc on pr.load_id = lc.load_id and pr._sheet = lc.sheet and lc.field = 'area_mu'
    where pr.area_mu is not null
),

cells as (
    select * from reported
    union all by name
    select * from reported_cumulative
    union all by name
    select * from roster_count
    union all by name
    select * from roster_new
    union all by name
    select * from chain_output
    union all by name
    select * from hightech
    union all by name
    select * from land
),

gaps as (
    select
        v.indicator_id,
        v.region_code,
        v.period,
        v.basis,
        v._as_of_no,
        case when i.derivation = 'growth_gap' then 'difference_from_max' else 'difference' end as operation,
        case when r.region_code = v.region_code then 1 else -1 end as sign,
        r.indicator_id as ref_indicator_id,
        r.region_code as ref_region_code,
        r.period as ref_period,
        r.basis as ref_basis
    from core.int_values__peer_gaps as v
    inner join indicators as i on v.indicator_id = i.indicator_id
    cross join plan as p
    inner join core.int_values__reported as r
        on
            i.of_id = r.indicator_id and v.period = r.period and v.basis = r.basis
            and v._as_of_no = r._as_of_no
    where
        r.region_code = v.region_code
        or (i.derivation = 'peer_gap' and r.region_code = p.peer_gap_code)
        or (i.derivation = 'growth_gap' and list_contains(p.growth_peer_codes, r.region_code))
),

all_inputs as (
    select
        c.*,
        'cell' as input_kind,
        l.sha256,
        l.archive_path,
        l.file_name as source_file,
        c.column_letter || c.row_number::varchar as cell
    from cells as c
    left join loads as l on c.load_id = l.load_id
    union all by name
    select
        *,
        'value' as input_kind
    from gaps
),

final as (
    select
        a.indicator_id,
        a.region_code,
        a.period,
        a.basis,
        a.operation,
        -- the indicator values mart takes the first cell in this same order (keep the two alike)
        row_number() over (
            partition by a.indicator_id, a.region_code, a.period, a.basis, a._as_of_no
            order by
                a.sign desc, a.ref_region_code asc, a.load_id asc, a.sheet asc, a.row_number asc,
                a.column_letter asc, a.field asc
        ) as input_no,
        a.input_kind,
        a.sign::double as sign,
        a.count_if,
        a.load_id,
        a.sha256,
        a.archive_path,
        a.source_file,
        a.sheet,
        a.cell,
        a.field,
        a.row_number,
        a.column_letter,
        a.value_as_read,
        a.unit_as_read,
        a.factor,
        a.ref_indicator_id,
        a.ref_region_code,
        a.ref_period,
        a.ref_basis,
        a._as_of_no
    from all_inputs as a
)

select * from final

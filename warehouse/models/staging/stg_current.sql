/*
for_each:
  enterprise_periods: stg_enterprises__periods
  hightech_certs: stg_hightech__certs
  hightech_counts: stg_hightech__counts
  land_projects: stg_land_use__projects
  indicator_obs: stg_indicators__obs
  targets: stg_targets__targets
name: stg.{name}
kind: view
grain: one row per row of raw.{dataset} that is current as of `as_of` (see core.int_current_slices)
description: >
  The current rows of raw.{dataset}, with the vintage and source file of the load that brought them.
  (One template for every dataset: `for_each` names the staging view of each raw table.)
columns:
  "*": the columns of raw.{dataset} (etl/base/datasets.py)
  vintage: when the load was made
  source_file: the file name as the department sent it
  _as_of_no: as in core.int_current_slices (which time of a build's `as_of_list`)
*/
with current_slices as (
    select * from core.int_current_slices
    where dataset = '{dataset}'
),

loads as (
    select
        load_id,
        file_name
    from meta.loads
),

final as (
    select
        r.*,
        s.vintage,
        l.file_name as source_file,
        s._as_of_no
    from raw.{dataset} as r
    inner join current_slices as s on r.load_id = s.load_id and r.slice_key = s.slice_key
    inner join loads as l on r.load_id = l.load_id
)

select * from final

/*
name: core.int_current_slices
kind: view
grain: one row per dataset and slice (a roster period, a ledger year, an indicator value)
description: >
  Which load holds the current version of each slice, as of `getvariable('as_of')` (now when
  unset). A newer load of the same slice supersedes the older one; nothing is ever deleted, so
  any past state is reproduced by setting `as_of`.
columns:
  dataset: the tidy dataset (etl/base/datasets.py)
  slice_key: the slice's values joined with '|'
  load_id: the load whose rows are current for that slice
  vintage: when that load was made (meta.loads.loaded_at)
*/
with slices as (
    select * from meta.slices
    where loaded_at <= coalesce(getvariable('as_of')::timestamp, 'infinity'::timestamp)
),

final as (
    select
        dataset,
        slice_key,
        arg_max(load_id, loaded_at) as load_id,
        max(loaded_at) as vintage
    from slices
    group by dataset, slice_key
)

select * from final

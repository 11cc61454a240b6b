/*
name: core.int_current_slices
kind: view
grain: one row per dataset and slice (a roster period, a ledger year, an indicator value)
description: >
  Which load holds the current version of each slice, as of `getvariable('as_of')` (now when
  unset). A newer load of the same slice supersedes the older one; nothing is ever deleted, so
  any past state is reproduced by setting `as_of`. A build evaluates several times at once:
  `getvariable('as_of_list')` (a list of timestamps) gives one set of slices per time, numbered
  by `_as_of_no`, and every model over these carries that number through its joins.
columns:
  dataset: the tidy dataset (etl/base/datasets.py)
  slice_key: the slice's values joined with '|'
  load_id: the load whose rows are current for that slice
  vintage: when that load was made (meta.loads.loaded_at)
  _as_of_no: which time of `as_of_list` the row is as of (1, 2, …); 0 outside such a build
*/
with times as (
    select
        unnest(getvariable('as_of_list')) as as_of,
        generate_subscripts(getvariable('as_of_list'), 1) as as_of_no
    where getvariable('as_of_list') is not null
    union all
    select
        coalesce(getvariable('as_of')::timestamp, 'infinity'::timestamp) as as_of,
        0 as as_of_no
    where getvariable('as_of_list') is null
),

slices as (
    select
        s.*,
        t.as_of_no
    from meta.slices as s
    inner join times as t on s.loaded_at <= t.as_of
),

final as (
    select
        dataset,
        slice_key,
        arg_max(load_id, loaded_at) as load_id,
        max(loaded_at) as vintage,
        as_of_no as _as_of_no
    from slices
    group by dataset, slice_key, as_of_no
)

select * from final

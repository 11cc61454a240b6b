/*
name: stg.stg_hightech__counts
kind: view
grain: one row per row of raw.hightech_counts that is current as of `as_of` (see core.int_current_slices)
description: >
  The current rows of raw.hightech_counts, with the vintage and source file of the load that brought them.
columns:
  "*": the columns of raw.hightech_counts (etl/schemas.py)
  vintage: when the load was made
  source_file: the file name as the department sent it
*/
with current_slices as (
    select * from core.int_current_slices
    where dataset = 'hightech_counts'
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
        l.file_name as source_file
    from raw.hightech_counts as r
    inner join current_slices as s on r.load_id = s.load_id and r.slice_key = s.slice_key
    inner join loads as l on r.load_id = l.load_id
)

select * from final

/*
name: published.loads
kind: view
grain: one row per file received
description: >
  meta.loads as published (the snapshot's meta.loads): what was received, when, and how it
  fared, without the warehouse's own paths (archive, encoding, reporter).
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
select
    load_id,
    source,
    layout,
    file_name,
    sha256,
    status,
    rows_read,
    rows_loaded,
    rows_rejected,
    received_at,
    loaded_at,
    message
from meta.loads

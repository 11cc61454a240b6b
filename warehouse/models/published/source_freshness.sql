/*
name: published.source_freshness
kind: view
grain: one row per source
description: >
  marts.source_freshness as published (the snapshot's marts.source_freshness,
  source_freshness.parquet): as it is, it holds no figure of an enterprise.
columns:
  "*": as marts.source_freshness
*/
select * replace (rows_rejected::bigint as rows_rejected) from marts.source_freshness

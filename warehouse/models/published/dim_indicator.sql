/*
name: published.dim_indicator
kind: view
grain: one row per catalog indicator
description: >
  core.dim_indicator as published (the snapshot's marts.dim_indicator, dim_indicator.parquet):
  what each indicator is, for readers of the marts.
columns:
  "*": as core.dim_indicator
*/
select * from core.dim_indicator

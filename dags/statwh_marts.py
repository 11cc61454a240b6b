"""`statwh_marts`: rebuild the marts and publish whenever any source's ingestion loaded something."""

from __future__ import annotations

import datetime as dt
import functools
import operator

from airflow.sdk import DAG, Asset, task

from etl import airflow_tasks as sw
from etl.base.settings import Home
from etl.spec.model import source_ids

ASSETS = [Asset(sw.asset_uri(s)) for s in source_ids()]

with DAG(
    dag_id="statwh_marts",
    description="Build the marts and publish the snapshot, Parquet and report after any load",
    doc_md="""
### statwh: marts

Scheduled on the assets of every source (any one of them): each `statwh_ingest_<source>` run that
loaded a file, and `statwh_reprocess`, trigger it. **build_and_publish** (pool `statwh_duckdb`,
warehouse write lock) builds every mart (`warehouse/models`), writes `published/statwh.duckdb` and
`published/parquet/*.parquet` (each replaced atomically) and the HTML report `published/report/`.
""",
    schedule=functools.reduce(operator.or_, ASSETS),
    start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    default_args=sw.default_args(),
    tags=["statwh", "marts"],
) as statwh_marts:

    @task(pool=sw.DUCKDB_POOL)
    def build_and_publish() -> dict[str, str]:
        return sw.build_and_publish(Home.from_env())

    build_and_publish()

"""`statwh_pipeline`: the whole pipeline in one DAG — every source's waiting files → marts → published.

What `statwh run` does, as separate tasks: claim_files → prepare_file (extract & validate, one mapped
task per file) → load_files (commit) → build → publish (snapshot, Parquet and report).
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG, get_current_context, task

from etl import airflow_tasks as sw
from etl.base.settings import Home
from etl.inbox import stable_files
from etl.schedule import NextPointCron

with DAG(
    dag_id="statwh_pipeline",
    description="inbox → extract & validate → load → build → publish, for every source",
    doc_md="""
### statwh: pipeline (end to end)

Daily at 00:00 UTC (or triggered by hand; unpausing it starts nothing before the next 00:00; `airflow dags test statwh_pipeline` runs it once in-process):
**claim_files** takes every file waiting in `$STATWH_HOME/inbox/<source>/` whose size is stable;
**prepare_file** (mapped, one per file, any worker) archives, extracts and validates it;
**load_files** (pool `statwh_duckdb`, write lock) commits each file in its own transaction and
fails — after loading all the others — when a file was rejected or had rows quarantined;
**build** and **publish** (pool `statwh_duckdb`, write lock) run even then, on what was loaded;
**finish** (teardown) returns unloaded claimed files to the inbox and removes the staging area.

The per-source DAGs `statwh_ingest_<source>` and `statwh_marts` do the same continuously.
""",
    schedule=NextPointCron("0 0 * * *"),
    start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    default_args=sw.default_args(),
    tags=["statwh", "pipeline"],
) as statwh_pipeline:

    @task
    def claim_files() -> list[dict]:
        home = Home.from_env()
        return sw.claim_files(home, sw.staging_for(get_current_context()), stable_files(home))

    @task(map_index_template="{{ statwh_file }}")
    def prepare_file(claim: dict) -> dict:
        return sw.prepare_file_task(claim)

    @task(pool=sw.DUCKDB_POOL, trigger_rule="none_skipped")
    def load_files() -> list[str]:
        return sw.load_files_task()

    @task(pool=sw.DUCKDB_POOL, trigger_rule="all_done")
    def build() -> dict[str, float]:
        return sw.build_marts(Home.from_env())

    @task(pool=sw.DUCKDB_POOL)
    def publish() -> dict[str, str]:
        return sw.publish_snapshot(Home.from_env())

    @task
    def finish() -> list[str]:
        return [o.line() for o in sw.finish_run(Home.from_env(), sw.staging_for(get_current_context()))]

    claims = claim_files()
    prepared = prepare_file.expand(claim=claims)
    loaded = load_files()
    prepared >> loaded
    loaded >> build() >> publish()
    loaded >> finish().as_teardown(setups=claims)

"""Ingestion DAGs, one per source (`statwh_ingest_<source>`), generated from the specs; and `statwh_reprocess`.

Wiring only: the logic is in `etl.airflow_tasks` (and `etl.warehouse.load` / `etl.ingest`). Nothing heavy is
imported here: pandas, duckdb and great_expectations are imported inside the task bodies.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG, Asset, Param, PokeReturnValue, get_current_context, task

from etl import airflow_tasks as sw
from etl.base.settings import Home
from etl.inbox import stable_files
from etl.schedule import NextPointCron
from etl.spec.model import builtin_specs, source_ids

START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)

INGEST_DOC = """
### statwh: ingest `{source}`

{description}

Every 5 minutes: **wait_for_files** (sensor, reschedule mode) looks at `$STATWH_HOME/inbox/{source}/` and
goes on only when files wait whose size did not change across two looks a few seconds apart
(`.part`, `.tmp`, dotfiles and `~$` lock files are never taken). **claim_files** moves them
atomically into `$STATWH_HOME/processing/`; **prepare_file** (one mapped task per file, any worker,
in parallel) archives, extracts and validates each with great_expectations into
`$STATWH_HOME/staging/<run>/<n>/`; **load_files** (pool `statwh_duckdb`, holds the warehouse
write lock) commits them one transaction each. A rejected file, or one with quarantined rows, makes
**load_files** fail (red, not retried) with the file and the reason in its log — after every other
file of the run was loaded. **finish** (teardown) returns any claimed file that was not loaded to
the inbox, removes the staging directory and, when something was loaded, updates the asset
`{asset}`, which schedules `statwh_marts`.

Rejections: table `meta.rejections` (and `meta.loads.message`), rows set aside in `meta.quarantine`
and `$STATWH_HOME/quarantine/load<id>.csv`.
"""


def _source_description(source: str) -> str:
    layouts = [s for s in builtin_specs() if s.source == source]
    return "\n".join(
        f"- layout `{s.layout}` ({s.path.name}): {s.description.strip() or s.dataset}" for s in layouts
    )


def make_ingest_dag(source: str) -> DAG:
    asset = Asset(sw.asset_uri(source))
    with DAG(
        dag_id=f"statwh_ingest_{source}",
        description=f"inbox/{source}/ → extract & validate → warehouse",
        doc_md=INGEST_DOC.format(source=source, description=_source_description(source), asset=asset.uri),
        schedule=NextPointCron("*/5 * * * *"),
        start_date=START,
        catchup=False,
        max_active_runs=1,
        default_args=sw.default_args(),
        tags=["statwh", "ingest", source],
    ) as dag:

        @task.sensor(poke_interval=30, timeout=240, mode="reschedule", soft_fail=True)
        def wait_for_files() -> PokeReturnValue:
            """Done when files wait whose size is stable; skipped (not failed) after 4 minutes of nothing."""
            files = stable_files(Home.from_env(), source)
            return PokeReturnValue(is_done=bool(files), xcom_value=[p.name for _, p in files])

        @task
        def claim_files(names: list[str]) -> list[dict]:
            return sw.claims_by_name(Home.from_env(), sw.staging_for(get_current_context()), source, names)

        @task(map_index_template="{{ statwh_file }}")
        def prepare_file(claim: dict) -> dict:
            return sw.prepare_file_task(claim)

        @task(pool=sw.DUCKDB_POOL, trigger_rule="none_skipped")
        def load_files() -> list[str]:
            return sw.load_files_task()

        @task(outlets=[asset])
        def finish() -> list[str]:
            from airflow.sdk.exceptions import AirflowSkipException

            context = get_current_context()
            outcomes = sw.finish_run(Home.from_env(), sw.staging_for(context))
            loaded = [o for o in outcomes if o.changed_warehouse]
            if not loaded:
                raise AirflowSkipException("nothing new in the warehouse: the asset is not updated")
            context["outlet_events"][asset].extra = {
                "files": [o.file_name for o in loaded],
                "rows_loaded": sum(o.rows_loaded for o in loaded),
            }
            return [o.line() for o in outcomes]

        names = wait_for_files()
        claims = claim_files(names)
        prepared = prepare_file.expand(claim=claims)
        loaded = load_files()
        prepared >> loaded
        loaded >> finish().as_teardown(setups=claims)
    return dag


for _source in source_ids():
    globals()[f"statwh_ingest_{_source}"] = make_ingest_dag(_source)


with DAG(
    dag_id="statwh_reprocess",
    description="Re-read archived files of a source and/or period after a spec or rule changed",
    doc_md="""
### statwh: reprocess

Reads the archived files of `source` (empty: every source) whose loads cover `period`
(`2025-06`, `2025`; empty: every period) again with today's specs and rules; each becomes a new load
(a new vintage, `meta.loads.reprocess_of` says which load it re-reads). Runs in pool `statwh_duckdb`
under the warehouse write lock, then updates every source's asset so `statwh_marts` rebuilds.

Trigger it with *Trigger DAG w/ config* or
`airflow dags trigger statwh_reprocess --conf '{"source": "enterprises", "period": "2025-06"}'`.
""",
    schedule=None,
    start_date=START,
    catchup=False,
    max_active_runs=1,
    default_args=sw.default_args(),
    tags=["statwh", "reprocess"],
    params={
        "source": Param(
            None,
            type=["null", "string"],
            enum=[None, *source_ids()],
            description="source id; empty for every source",
        ),
        "period": Param(
            None,
            type=["null", "string"],
            description="period the files cover, e.g. 2025-06 or 2025; empty for every period",
        ),
    },
) as statwh_reprocess:

    @task(pool=sw.DUCKDB_POOL, outlets=[Asset(sw.asset_uri(s)) for s in source_ids()])
    def reprocess() -> list[str]:
        params = get_current_context()["params"]
        outcomes = sw.run_reprocess(Home.from_env(), params.get("source"), params.get("period"))
        return [o.line() for o in outcomes]

    reprocess()

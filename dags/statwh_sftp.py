"""`statwh_sftp`: departments' files pulled from their SFTP drop point into the inbox, and answered there.

Wiring only: the logic is in `etl.pull` (and `etl.receipt`), imported inside the task bodies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from airflow.sdk import DAG, task

from etl import airflow_tasks as sw
from etl.base import settings
from etl.base.settings import Home
from etl.schedule import NextPointCron
from etl.spec.model import source_ids

CONN_ID = "statwh_sftp"


@contextmanager
def sftp_client() -> Iterator[tuple[object, str]]:
    """(SFTP client, root folder): the Airflow connection `statwh_sftp` when there is one (its extra
    `remote_dir` is the root), else the `STATWH_SFTP_*` settings; skipped when neither is set."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException, AirflowSkipException

    try:
        conn = BaseHook.get_connection(CONN_ID)
    except AirflowNotFoundException:
        conn = None
    if conn is not None:
        from airflow.providers.sftp.hooks.sftp import SFTPHook

        with SFTPHook(ssh_conn_id=CONN_ID).get_managed_conn() as client:
            yield client, conn.extra_dejson.get("remote_dir") or "."
        return
    cfg = settings.sftp()
    if cfg is None:
        raise AirflowSkipException(f"no SFTP drop point: define the connection {CONN_ID} or STATWH_SFTP_HOST")
    from etl.pull import session

    with session(cfg) as client:
        yield client, cfg.root


with DAG(
    dag_id="statwh_sftp",
    description="SFTP drop point → inbox; answers each loaded file with done/ or rejected/ and a receipt",
    doc_md="""
### statwh: SFTP pull

Every 5 minutes, from the SFTP server of connection `statwh_sftp` (extra `remote_dir`: the folder
holding one folder per source) or the `STATWH_SFTP_*` settings:

**settle** (pool `statwh_duckdb`): each file pulled earlier whose load is done (found in `meta.loads`
by its sha256, whichever DAG or command loaded it) is moved on the server to `<source>/done/`
(loaded, or already loaded before) or `<source>/rejected/` (rejected, or rows quarantined), with its
receipt `<name>.回执.xlsx` beside it: the department's workbook with every refused cell red and
commented in Chinese, and a first sheet 回执 with rows read, loaded and refused.

**pull**: lists `<source>/` twice, `STATWH_STABLE_SECONDS` apart, takes only files whose size and
time did not change (still uploading: next run), downloads each to a hidden `.part` name in
`$STATWH_HOME/inbox/<source>/` and renames it into place. The ingest DAGs load it from there.
""",
    schedule=NextPointCron("*/5 * * * *"),
    start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    default_args=sw.default_args(),
    tags=["statwh", "sftp"],
) as statwh_sftp:

    @task(pool=sw.DUCKDB_POOL)
    def settle() -> list[str]:
        from etl.pull import pending, settle

        home = Home.from_env()
        if not pending(home):
            return []
        with sftp_client() as (client, _root):
            return settle(home, client)

    @task
    def pull() -> list[str]:
        from etl.pull import pull

        with sftp_client() as (client, root):
            taken = pull(Home.from_env(), client, root, source_ids(), wait=settings.stable_seconds())
        return [f"{p.source}/{p.name} ({p.size} bytes) → inbox/{p.source}/{p.local}" for p in taken]

    settle() >> pull()

"""What the Airflow DAGs in `dags/` call: the logic stays here (unit-tested), the DAG files only wire it.

Light at import time on purpose: a DAG file imports this module while the scheduler parses it, so
only the standard library, `etl.base.settings` and `etl.spec.model` (pyyaml) are imported at module level;
pandas, duckdb and great_expectations are imported inside the functions a task body calls.

The staging area of one DAG run is `$STATWH_HOME/staging/<dag_id>__<run_id>/`:

    claims.json        the files this run claimed (appended as each is claimed: a retried claim
                       task never loses a file it already moved)
    <n>/prepared.json  file n extracted and validated (`Prepared.save`), written by the mapped task n
    <n>/result.json    file n committed (what `commit` returned); a retried load skips it

The run's teardown returns every claimed file that was never committed to the inbox and removes the
staging directory.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import re
import shutil
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.base.settings import Home, retry_delay
from etl.inbox import claim, claim_record, release, waiting_files

log = logging.getLogger("statwh.airflow")

OWNER = "statwh"
DUCKDB_POOL = "statwh_duckdb"
"""The Airflow pool (1 slot) every task that writes the DuckDB warehouse runs in."""
NOTIFIER_KEY = "statwh_notifier"
"""Name of the optional Airflow Variable or Connection saying where failures are sent."""
ASSET_SCHEME = "statwh"
BAD_STATUSES = {"rejected", "partial"}
"""A file in one of these states makes the load task fail (after every other file was loaded)."""


def asset_uri(source: str) -> str:
    """The Airflow Asset a source's ingestion updates: the marts DAG is scheduled on all of them."""
    return f"{ASSET_SCHEME}://warehouse/{source}"


def default_args(**overrides: Any) -> dict[str, Any]:
    """What every statwh task gets: an owner, 2 retries with exponential backoff, the failure callback."""
    args: dict[str, Any] = {
        "owner": OWNER,
        "retries": 2,
        "retry_delay": dt.timedelta(seconds=retry_delay()),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": dt.timedelta(minutes=10),
        "on_failure_callback": notify_failure,
    }
    args.update(overrides)
    return args


# ---------------------------------------------------------------- noticing and claiming files


def run_key(dag_id: str, run_id: str) -> str:
    """A directory name for one DAG run (run ids hold `:` and `+`)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", f"{dag_id}__{run_id}")


def staging_dir(home: Home, dag_id: str, run_id: str) -> Path:
    return home.root / "staging" / run_key(dag_id, run_id)


def staging_for(context) -> Path:
    """The staging directory of the DAG run a task of `context` belongs to."""
    return staging_dir(Home.from_env(), context["dag"].dag_id, context["run_id"])


def read_claims(run_dir: Path) -> list[dict]:
    f = run_dir / "claims.json"
    return json.loads(f.read_text(encoding="utf-8")) if f.exists() else []


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    os.replace(tmp, path)


def claim_files(home: Home, run_dir: Path, files: list[tuple[str, Path]]) -> list[dict]:
    """Claim `files` atomically (`etl.ingest.claim`) for this run; returns every claim of the run.

    Each claim is recorded in `claims.json` right after its rename, so a retry keeps the earlier
    ones; a file another run took first is skipped."""
    home.ensure()
    claims = read_claims(run_dir)
    for source, path in files:
        claimed = claim(home, path)
        if claimed is None:
            log.info("%s/%s: claimed by another run", source, path.name)
            continue
        received = dt.datetime.fromtimestamp(claimed.stat().st_mtime)
        claims.append(
            {
                "source": source,
                "name": path.name,
                "claimed": str(claimed),
                "received_at": received.isoformat(),
            }
        )
        _write_json(run_dir / "claims.json", claims)
        log.info("claimed %s/%s", source, path.name)
    if not claims:
        run_dir.mkdir(parents=True, exist_ok=True)
        _write_json(run_dir / "claims.json", claims)
    return claims


def claims_by_name(home: Home, run_dir: Path, source: str | None, names: list[str]) -> list[dict]:
    """Claim the files a sensor saw (by name, in `inbox/<source>/`) that are still waiting."""
    wanted = set(names)
    return claim_files(home, run_dir, [(s, p) for s, p in waiting_files(home, source) if p.name in wanted])


# ---------------------------------------------------------------- prepare (any worker) and commit (one writer)


def prepare_claim(home: Home, run_dir: Path, index: int, claim: dict) -> dict:
    """Archive, extract and validate claimed file `index`; stage it in `<run_dir>/<index>/`."""
    from etl.warehouse.load import prepare

    out = run_dir / str(index)
    if (out / "result.json").exists():  # committed by an earlier try of the load: nothing to do
        return {**claim, "index": index, "staged": str(out)}
    prep = prepare(
        home,
        Path(claim["claimed"]),
        claim["source"],
        file_name=claim["name"],
        received_at=dt.datetime.fromisoformat(claim["received_at"]),
    )
    prep.save(out)
    n_bad = sum(1 for i in prep.issues if i.severity in {"critical", "row"})
    log.info(
        "prepared %s/%s: layout %s, %d rows read, %d issues",
        claim["source"],
        claim["name"],
        prep.layout,
        prep.rows_read,
        n_bad,
    )
    return {**claim, "index": index, "staged": str(out), "rows_read": prep.rows_read, "issues": n_bad}


def prepare_file_task(claim: dict) -> dict:
    """The body of every DAG's mapped `prepare_file` task: file `map_index` of the run's claims, named
    in the Airflow UI by its file name (`map_index_template="{{ statwh_file }}"`)."""
    from airflow.sdk import get_current_context

    context = get_current_context()
    context["statwh_file"] = claim["name"]
    return prepare_claim(Home.from_env(), staging_for(context), context["ti"].map_index, claim)


def load_files_task() -> list[str]:
    """The body of every DAG's `load_files` task: commit the run's staged files, then fail (no retry)
    naming each refused file, after every other file was loaded."""
    from airflow.sdk import get_current_context

    outcomes = commit_staged(Home.from_env(), staging_for(get_current_context()))
    raise_for_bad(outcomes)
    return [o.line() for o in outcomes]


@dataclass
class FileOutcome:
    source: str
    file_name: str
    status: str  # loaded / partial / rejected / duplicate / not_prepared
    rows_loaded: int = 0
    rows_rejected: int = 0
    load_id: int | None = None
    reason: str = ""

    @property
    def bad(self) -> bool:
        return self.status in BAD_STATUSES or self.status == "not_prepared"

    @property
    def changed_warehouse(self) -> bool:
        return self.status in {"loaded", "partial"}

    def line(self) -> str:
        text = f"{self.source}/{self.file_name}: {self.status}"
        if self.changed_warehouse:
            text += f", {self.rows_loaded} rows loaded"
        if self.rows_rejected:
            text += f", {self.rows_rejected} rows rejected"
        if self.load_id is not None:
            text += f" (load {self.load_id})"
        if self.reason:
            text += f": {self.reason}"
        return text


def _reason(result) -> str:
    """One line saying why a file (or some of its rows) was refused."""
    if result.status == "rejected":
        return result.message or (result.rejections[0].message if result.rejections else "rejected")
    if result.status == "partial":
        first = result.rejections[0] if result.rejections else None
        msg = f"{result.rows_rejected} rows quarantined"
        if first is not None:
            msg += f", e.g. {first.where + ': ' if first.where else ''}{first.message}"
        return msg
    return result.message or ""


class FilesRejected(Exception):
    """Files of a run were rejected or had rows quarantined; every other file was loaded."""

    def __init__(self, outcomes: list[FileOutcome]):
        self.outcomes = outcomes
        super().__init__("; ".join(f"{o.file_name}: {o.reason or o.status}" for o in outcomes))

    @property
    def file_names(self) -> str:
        return ", ".join(o.file_name for o in self.outcomes)


def _fail_exception(outcomes: list[FileOutcome]) -> Exception:
    """A failure that is not retried (the file will not get better): AirflowFailException."""
    try:
        from airflow.sdk.exceptions import AirflowFailException
    except ImportError:  # pragma: no cover - etl used without Airflow
        return FilesRejected(outcomes)

    class FilesRejectedFail(FilesRejected, AirflowFailException):
        pass

    return FilesRejectedFail(outcomes)


def commit_staged(home: Home, run_dir: Path, *, lock_timeout: float | None = None) -> list[FileOutcome]:
    """Commit every staged file of the run, in claim order, under the write lock; one transaction each.

    A file already committed by an earlier try is not committed again; a claim with nothing staged
    (its prepare task failed) is reported as `not_prepared` and left for the teardown."""
    from etl.ingest import writer
    from etl.warehouse.load import Prepared, commit

    outcomes: list[FileOutcome] = []
    claims = read_claims(run_dir)
    if not claims:
        return outcomes
    with writer(
        home, lock_timeout=lock_timeout, on_wait=lambda: log.info("waiting for another writer…")
    ) as con:
        for n, c in enumerate(claims):
            d = run_dir / str(n)
            if (d / "result.json").exists():
                o = FileOutcome(**json.loads((d / "result.json").read_text(encoding="utf-8")))
            elif (d / "prepared.json").exists():
                prep = Prepared.read(d)
                r = commit(con, home, prep)
                o = FileOutcome(
                    c["source"],
                    c["name"],
                    r.status,
                    r.rows_loaded,
                    r.rows_rejected,
                    r.load_id,
                    _reason(r),
                )
                _write_json(d / "result.json", o.__dict__)
                release(Path(c["claimed"]))
            else:
                o = FileOutcome(
                    c["source"],
                    c["name"],
                    "not_prepared",
                    reason="extract/validate did not finish (see the prepare_file task's log)",
                )
            log.info("%s", o.line())
            outcomes.append(o)
    return outcomes


def raise_for_bad(outcomes: list[FileOutcome]) -> None:
    """Fail the task (no retry) naming every refused file and why, after all files were handled."""
    bad = [o for o in outcomes if o.bad]
    if bad:
        for o in bad:
            log.error("statwh: %s", o.line())
        raise _fail_exception(bad)


def finish_run(home: Home, run_dir: Path, *, keep: bool = False) -> list[FileOutcome]:
    """Teardown of a run: return claimed-but-uncommitted files to the inbox, drop the staging dir.

    Returns the outcomes of the files that were committed."""
    outcomes = []
    for n, c in enumerate(read_claims(run_dir)):
        res = run_dir / str(n) / "result.json"
        if res.exists():
            outcomes.append(FileOutcome(**json.loads(res.read_text(encoding="utf-8"))))
            continue
        claimed = Path(c["claimed"])
        if claimed.exists():
            target = home.inbox / c["source"] / Path(c["name"]).name
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():  # a new file of that name arrived meanwhile: keep both
                target = target.with_name(f"{target.stem}.returned-{int(time.time())}{target.suffix}")
            os.replace(claimed, target)
            log.warning("returned %s/%s to the inbox (it was not loaded)", c["source"], target.name)
        claim_record(claimed).unlink(missing_ok=True)
    if not keep and run_dir.exists():
        shutil.rmtree(run_dir, ignore_errors=True)
    return outcomes


# ---------------------------------------------------------------- warehouse writers


def build_marts(home: Home, *, lock_timeout: float | None = None) -> dict[str, float]:
    """The statwh_pipeline DAG's build task: every model rebuilt under the write lock."""
    from etl.ingest import writer
    from etl.warehouse.build import build

    with writer(home, lock_timeout=lock_timeout) as con:
        return build(con)


def build_and_publish(
    home: Home, *, built: bool = False, lock_timeout: float | None = None
) -> dict[str, str]:
    """Build (unless `built`), publish the snapshot and Parquet, render Data Docs and the dashboard:
    `etl.ingest.build_and_publish`, as `statwh run` does it, under the write lock."""
    from etl.ingest import build_and_publish as build_publish
    from etl.ingest import writer

    with writer(home, lock_timeout=lock_timeout) as con:
        summary = build_publish(con, home, built=built)
    out = {k: str(v) for k, v in summary.published.items()}
    if summary.report:
        out["report"] = str(summary.report)
    return out


def publish_snapshot(home: Home, *, lock_timeout: float | None = None) -> dict[str, str]:
    """The statwh_pipeline DAG's publish task, after its build task: `build_and_publish` without the build."""
    return build_and_publish(home, built=True, lock_timeout=lock_timeout)


def run_reprocess(
    home: Home, source: str | None, period: str | None, *, lock_timeout: float | None = None
) -> list[FileOutcome]:
    from etl.ingest import writer
    from etl.warehouse.reprocess import reprocess

    with writer(home, lock_timeout=lock_timeout) as con:
        results = reprocess(con, home, source=source or None, period=period or None)
    outcomes = [
        FileOutcome(r.source, r.file_name, r.status, r.rows_loaded, r.rows_rejected, r.load_id, _reason(r))
        for r in results
    ]
    for o in outcomes:
        log.info("reprocessed %s", o.line())
    return outcomes


# ---------------------------------------------------------------- failures and notifications


def failure_message(context) -> str:
    """`statwh: <dag>/<task> failed: <file>: <reason>` — one line, whatever failed."""
    ti = context.get("ti") or context.get("task_instance")
    dag = context.get("dag")
    dag_id = getattr(dag, "dag_id", None) or getattr(ti, "dag_id", "?")
    task_id = getattr(ti, "task_id", None) or getattr(context.get("task"), "task_id", "?")
    exc = context.get("exception")
    if isinstance(exc, FilesRejected):
        file, reason = exc.file_names, "; ".join(o.reason or o.status for o in exc.outcomes)
    else:
        file = getattr(ti, "rendered_map_index", None) or "-"
        reason = f"{type(exc).__name__}: {exc}" if exc is not None else "unknown error"
    reason = " ".join(str(reason).split())  # one line
    return f"statwh: {dag_id}/{task_id} failed: {file}: {reason}"


def _notifier_config() -> dict | None:
    """The `statwh_notifier` Variable (a webhook URL or JSON) or Connection, when configured."""
    try:
        from airflow.sdk import Variable

        raw = Variable.get(NOTIFIER_KEY, default=None)
    except Exception:  # not inside a task (tests) or the API is unreachable
        raw = None
    if raw:
        raw = raw.strip()
        if raw.startswith("{"):
            return json.loads(raw)
        return {"type": "webhook", "url": raw}
    try:
        from airflow.sdk import Connection

        conn = Connection.get(NOTIFIER_KEY)
    except Exception:
        return None
    if conn is None:
        return None
    extra = conn.extra_dejson or {}
    if conn.conn_type in {"smtp", "email"}:
        return {"type": "smtp", "conn_id": NOTIFIER_KEY, "to": extra.get("to") or conn.login}
    return {"type": "webhook", "url": extra.get("url") or conn.get_uri()}


def make_notifier(config: dict, message: str):
    """An Airflow notifier for `config`: SMTP (the smtp provider Airflow ships) or a JSON webhook."""
    kind = config.get("type", "webhook")
    if kind == "smtp":
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        return SmtpNotifier(
            to=config["to"],
            smtp_conn_id=config.get("conn_id", NOTIFIER_KEY),
            subject=message[:150],
            html_content=f"<pre>{message}</pre>",
        )
    if kind == "webhook":
        return WebhookNotifier(url=config["url"], message=message)
    raise ValueError(f"statwh_notifier: unknown type {kind!r} (webhook or smtp)")


@functools.cache
def _webhook_notifier_class():
    from airflow.sdk import BaseNotifier

    class _WebhookNotifier(BaseNotifier):
        """POST `{"text": message}` as JSON to a URL (Slack/Mattermost/Teams-style incoming webhook)."""

        template_fields = ()

        def __init__(self, url: str, message: str, timeout: float = 10):
            super().__init__()
            self.url, self.message, self.timeout = url, message, timeout

        def notify(self, context) -> None:
            body = json.dumps({"text": self.message}, ensure_ascii=False).encode()
            req = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - the admin's URL
                resp.read()

    return _WebhookNotifier


def WebhookNotifier(url: str, message: str, timeout: float = 10):  # noqa: N802 - a class factory
    return _webhook_notifier_class()(url=url, message=message, timeout=timeout)


def notify_failure(context) -> None:
    """on_failure_callback of every statwh task: one log line, and the notifier when configured."""
    message = failure_message(context)
    log.error("%s", message)
    config = _notifier_config()
    if not config:
        return
    try:
        make_notifier(config, message)(context)
    except Exception as e:  # a broken notifier must not hide the task's own failure
        log.error("statwh: could not send the failure notification: %s", e)


# ---------------------------------------------------------------- Celery workers

WORKER_PRELOAD = (
    "pandas",
    "duckdb",
    "great_expectations",
    "etl.warehouse.load",
    "etl.validate.suites",
    "etl.warehouse.build",
    "etl.warehouse.publish",
)
"""Modules a Celery worker imports once at start: Airflow forks every task from the worker, so a task
no longer spends seconds importing great_expectations and pandas (the DAG files stay light)."""


def warm_worker(**_: Any) -> None:
    """A Celery worker's `worker_init` (connected by `CELERY_CONFIG`): build once, in the worker's
    main process before it forks its pool, what each task would otherwise build on first use and
    throw away — great_expectations' context, the region tables and source specs every extraction
    reads (≈ 0.5 s a task), and each dataset suite's objects (one validation of a one-row frame).
    Airflow forks every task from the pool, so each starts warm. A failure here only leaves the
    tasks to build it themselves."""
    started = time.perf_counter()
    try:
        from etl.validate.suites import warm_up, warm_validations
        from etl.warehouse.sandbox import warm_parent

        warm_parent()
        warm_up()
        warmed = warm_validations()
    except Exception:  # noqa: BLE001 - the tasks build it themselves, and report what fails
        log.warning("warming the Celery worker up failed; each task builds what it needs", exc_info=True)
        return
    log.info(
        "statwh: worker warmed up in %.1f s (suites: %s)", time.perf_counter() - started, ", ".join(warmed)
    )


def __getattr__(name: str):
    """`CELERY_CONFIG`: Airflow's default Celery settings plus `imports` of WORKER_PRELOAD, and
    `warm_worker` connected to the worker's `worker_init`.

    Use with `AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS=etl.airflow_tasks.CELERY_CONFIG`; built on
    first access so that importing this module stays light. (The scheduler builds it too, to send
    tasks: `worker_init` is only sent in a worker.)"""
    if name == "CELERY_CONFIG":
        from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG
        from celery.signals import worker_init

        worker_init.connect(warm_worker, weak=False, dispatch_uid="statwh.warm_worker")
        return {**DEFAULT_CELERY_CONFIG, "imports": WORKER_PRELOAD}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Validation of the tidy datasets with great_expectations, before they are loaded.

The expectation suites are files, ``expectations/<dataset>.json`` (the JSON form GX 1.x serialises
an ``ExpectationSuite`` to). Every expectation carries ``meta``:
``{"severity": "row" | "warning", "message_zh": ..., "message_en": ...}``:

* ``row``: the rows that fail are quarantined (not loaded) until the department corrects them;
* ``warning``: the rows load, the clerk is told.

A third severity, ``critical``, is not written in suites: it marks an expectation that could not be
evaluated at all (it raised — e.g. a column of the wrong type), reported as one whole-dataset issue.

``validate(dataset, df)`` runs the dataset's whole suite in one GX validation (one batch, one metric
graph) and maps each failure back to the row of ``df`` that caused it, by position: the frame is
validated with a fresh RangeIndex, GX's ``unexpected_index_list`` is then a list of positions, and
``df.index[position]`` is the row's label — whatever ``df``'s index is (duplicates, strings, ...).

Lineage columns (``_sheet``, ``_row``, ``_col``, ``_cells``: every column whose name starts with
``_``) are never validated; ``df`` itself is not modified. Expectations naming a column ``df`` lacks
altogether (an optional field the department did not send) are skipped and reported as skipped in
``results``.

great_expectations costs 6–7 s to import: it is imported inside the functions here, once per process,
with the context, the data assets and the loaded suites cached. Where GX spends time on work
nothing uses, `etl.validate.gx_patches` patches it (on the GX version it was checked against).
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import logging
import math
import os
import re
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import numpy as np
import pandas as pd

from etl.base.datasets import DATASETS
from etl.base.issues import Issue
from etl.base.paths import SUITE_DIR
from etl.validate.gx_patches import apply_gx_patches, defer_unused_imports

log = logging.getLogger("statwh.validate")

LOCAL_TZ = "Asia/Shanghai"  # the departments' time zone: dates are compared as their wall dates
SUITE_SEVERITIES = ("row", "warning")
SEVERITIES = ("row", "warning", "critical")
ISSUE_COLUMNS = ["row_index", "column_name", "value", "rule", "severity", "message"]
RESULT_COLUMNS = [
    "suite",
    "expectation",
    "column",
    "success",
    "unexpected_count",
    "unexpected_percent",
    "sample_values",
    "severity",
    "status",
]
"""``status``: passed / failed / skipped (a column is missing) / error (the expectation raised) /
empty (no rows to validate)."""

SAMPLE_SIZE = 5
_DATASOURCE = "statwh"
_REF = "statwh_ref"  # key added to each expectation's meta in memory, to match results to the file
_RESULT_FORMAT = {
    "result_format": "COMPLETE",  # full unexpected_index_list: every failing row, not the first 20
    "partial_unexpected_count": SAMPLE_SIZE,
    "return_unexpected_index_query": False,
    "include_unexpected_rows": False,
}


@dataclass
class ValidationOutcome:
    """What validation found.

    ``issues``: one row per failing cell (or per failing row of a compound-key expectation, or one
    row with ``row_index`` None for a whole-dataset problem); columns ``ISSUE_COLUMNS``.
    ``results``: one row per expectation of the suite; columns ``RESULT_COLUMNS``.
    """

    issues: pd.DataFrame
    results: pd.DataFrame
    dataset: str = ""
    docs_dir: Path | None = field(default=None, repr=False)

    def rows_to_quarantine(self) -> set:
        """Index labels (of the validated df) of the rows failing a ``row``-severity expectation."""
        rows = self.issues.loc[
            (self.issues["severity"] == "row") & self.issues["row_index"].notna(), "row_index"
        ]
        return set(rows.tolist())

    @property
    def has_critical(self) -> bool:
        """True when some expectation could not be evaluated (the dataset's validation is incomplete)."""
        return bool((self.issues["severity"] == "critical").any())


# ---- suites ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    """One expectation of a suite file."""

    ref: str
    type: str
    kwargs: dict
    meta: dict
    columns: tuple[str, ...]

    @property
    def column_label(self) -> str:
        return "+".join(self.columns)

    @property
    def severity(self) -> str:
        return self.meta["severity"]

    @property
    def message_zh(self) -> str:
        return self.meta["message_zh"]

    @property
    def message_en(self) -> str:
        return self.meta["message_en"]


@dataclass
class _LoadedSuite:
    name: str
    path: Path
    raw: dict
    specs: list[_Spec]
    subsets: dict[tuple[str, ...], Any] = field(default_factory=dict)  # refs → gx ExpectationSuite


_lock = threading.RLock()
_suites: dict[Path, tuple[int, _LoadedSuite]] = {}
_ephemeral: dict[str, Any] = {}
_file_contexts: dict[Path, Any] = {}


def _columns_of(kwargs: dict) -> tuple[str, ...]:
    if "column" in kwargs:
        return (kwargs["column"],)
    if "column_list" in kwargs:
        return tuple(kwargs["column_list"])
    if "column_A" in kwargs:
        return (kwargs["column_A"], kwargs["column_B"])
    return ()


def suite_path(dataset: str, suite_dir: Path | None = None) -> Path:
    return Path(suite_dir or SUITE_DIR) / f"{dataset}.json"


def _load(dataset: str, suite_dir: Path | None) -> _LoadedSuite:
    """The suite file of `dataset`, checked (meta complete, no (type, column) twice), cached until
    the file changes. Imports no GX."""
    path = suite_path(dataset, suite_dir).resolve()
    mtime = path.stat().st_mtime_ns
    with _lock:
        cached = _suites.get(path)
        if cached and cached[0] == mtime:
            return cached[1]
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("name") != dataset:
            raise ValueError(f"{path}: suite name {raw.get('name')!r} is not {dataset!r}")
        specs: list[_Spec] = []
        seen: set[tuple[str, str]] = set()
        for i, exp in enumerate(raw.get("expectations", [])):
            meta = exp.get("meta") or {}
            where = f"{path}: expectation {i} ({exp.get('type')})"
            if meta.get("severity") not in SUITE_SEVERITIES:
                raise ValueError(f"{where}: meta.severity must be one of {SUITE_SEVERITIES}")
            for key in ("message_zh", "message_en"):
                if not str(meta.get(key) or "").strip():
                    raise ValueError(f"{where}: meta.{key} is missing")
            columns = _columns_of(exp.get("kwargs", {}))
            ident = (exp["type"], "+".join(columns))
            if ident in seen:
                raise ValueError(f"{where}: {ident} appears twice")
            seen.add(ident)
            specs.append(_Spec(str(i), exp["type"], dict(exp.get("kwargs", {})), meta, columns))
        loaded = _LoadedSuite(dataset, path, raw, specs)
        _suites[path] = (mtime, loaded)
        return loaded


def _gx_suite(loaded: _LoadedSuite, refs: tuple[str, ...], name: str | None = None):
    """A GX ExpectationSuite of the expectations `refs` of a suite file (cached when `name` is None).

    GX logs and *drops* an expectation whose configuration it cannot build (unknown type, bad
    kwargs) instead of raising; that would silently skip a rule, so it is made an error here.
    """
    if name is None and refs in loaded.subsets:
        return loaded.subsets[refs]
    gx = _gx()
    by_ref = {s.ref: s for s in loaded.specs}
    expectations = []
    for ref in refs:
        exp = dict(loaded.raw["expectations"][int(ref)])
        exp.pop("id", None)
        exp["meta"] = {**(exp.get("meta") or {}), _REF: ref}
        expectations.append(exp)
    try:
        suite = gx.ExpectationSuite(
            name=name or loaded.name, expectations=expectations, meta=dict(loaded.raw.get("meta") or {})
        )
    except Exception as e:  # e.g. pydantic: a required kwarg missing
        raise ValueError(f"{loaded.path}: great_expectations could not build the suite: {e}") from e
    if len(suite.expectations) != len(expectations):
        built = {e.meta.get(_REF) for e in suite.expectations}
        bad = [f"{by_ref[r].type}({by_ref[r].column_label})" for r in refs if r not in built]
        raise ValueError(f"{loaded.path}: great_expectations could not build {', '.join(bad)}")
    if name is None:
        with _lock:
            loaded.subsets[refs] = suite
    return suite


# ---- great_expectations ---------------------------------------------------------------------------


def _gx():
    """great_expectations, imported on first use, with statwh's custom expectations registered and
    its speed patches applied (`etl.validate.gx_patches`)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    if "great_expectations" not in sys.modules:
        defer_unused_imports()
    import great_expectations as gx  # noqa: PLC0415 - 2–3 s, so only when validating

    import etl.validate.custom  # noqa: F401, PLC0415 - registers the custom expectations

    apply_gx_patches()
    return gx


def _quiet(ctx) -> None:
    from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: PLC0415

    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)


def _batch_definition(ctx, dataset: str):
    """The whole-dataframe batch definition of `dataset`'s asset in `ctx`, created when missing."""
    try:
        source = ctx.data_sources.get(_DATASOURCE)
    except (KeyError, ValueError, LookupError):
        source = ctx.data_sources.add_pandas(_DATASOURCE)
    try:
        asset = source.get_asset(dataset)
    except LookupError:
        asset = source.add_dataframe_asset(dataset)
    try:
        return asset.get_batch_definition(dataset)
    except (KeyError, LookupError):
        return asset.add_batch_definition_whole_dataframe(dataset)


def _ephemeral_context():
    with _lock:
        if "ctx" not in _ephemeral:
            ctx = _gx().get_context(mode="ephemeral")
            _quiet(ctx)
            _ephemeral["ctx"] = ctx
        return _ephemeral["ctx"]


def warm_up(docs_dir: Path | None = None) -> None:
    """Pay the once-per-process costs of validating: the great_expectations import (~6 s) and
    its contexts (the file context at `docs_dir`, ~0.1 s). `etl.warehouse.load.prepare` runs this on a
    thread while the sheet is read. A failure here is left for the validation itself to report."""
    try:
        _ephemeral_context()
        if docs_dir is not None:
            _file_context(docs_dir)
    except Exception:
        log.debug("warming up great_expectations failed", exc_info=True)


_BLANK_DTYPES = {
    "VARCHAR": "str",
    "DOUBLE": "float64",
    "BIGINT": "Int64",
    "INTEGER": "Int64",
    "BOOLEAN": "boolean",
}
"""The dtypes extraction gives each warehouse type (a DATE column is left as objects, as there)."""


def warm_validations(suite_dir: Path | None = None) -> list[str]:
    """Run each suite of `suite_dir` once on a one-row frame of blanks, nothing stored: what a
    process's first validation of a dataset builds (the suite's GX objects, its metric graph,
    the expectations' classes) is then built. For a process that forks workers to validate
    (a Celery worker's `warm_worker`); returns the suites that ran (a suite that fails here is
    left to fail, and be reported, where a file is validated)."""
    warmed = []
    for path in sorted(Path(suite_dir or SUITE_DIR).glob("*.json")):
        try:
            loaded = _load(path.stem, suite_dir)
            types = DATASETS[path.stem].columns if path.stem in DATASETS else {}
            columns = dict.fromkeys(c for spec in loaded.specs for c in spec.columns)
            blanks = pd.DataFrame(
                {c: pd.Series([None], dtype=_BLANK_DTYPES.get(types.get(c), object)) for c in columns}
            )
            validate(path.stem, blanks, suite_dir=suite_dir)
        except Exception:  # noqa: BLE001 - a warm-up: the file's own validation reports it
            log.debug("warming up the suite %s failed", path.stem, exc_info=True)
            continue
        warmed.append(path.stem)
    return warmed


def _ephemeral_batch_definition(dataset: str):
    with _lock:
        _ephemeral_context()
        key = f"bd:{dataset}"
        if key not in _ephemeral:
            _ephemeral[key] = _batch_definition(_ephemeral["ctx"], dataset)
        return _ephemeral[key]


def _run_ephemeral(dataset: str, suite, work: pd.DataFrame):
    """All of `suite` on `work` in one metric graph, nothing stored.

    This is what ``ValidationDefinition.run`` does minus storing the result (an in-memory store
    would keep every result of the process, unexpected lists included), and what
    ``Batch.validate(suite)`` does minus loading the batch twice (GX hashes the whole frame on
    each load).
    """
    from great_expectations.validator.v1_validator import Validator  # noqa: PLC0415

    validator = Validator(
        batch_definition=_ephemeral_batch_definition(dataset),
        batch_parameters={"dataframe": work},
        result_format=dict(_RESULT_FORMAT),
    )
    return validator.validate_expectation_suite(suite)


def _file_context(docs_dir: Path):
    """A file-backed context rooted at `docs_dir` (``docs_dir/gx/``): it stores suites and
    validation results, and its local Data Docs site renders them."""
    root = Path(docs_dir).resolve()
    with _lock:
        if root not in _file_contexts:
            root.mkdir(parents=True, exist_ok=True)
            ctx = _gx().get_context(mode="file", project_root_dir=str(root))
            _quiet(ctx)
            _file_contexts[root] = ctx
        return _file_contexts[root]


RENDERED = "rendered_results.txt"
"""In a docs root: the validation results already rendered into Data Docs, one key a line."""


def build_data_docs(docs_dir: Path) -> Path:
    """Build the Data Docs of the validations run with this `docs_dir`; the path of index.html.

    Only results not rendered before are rendered (and the index, which lists them all): a data
    area keeps every result ever stored, and re-rendering them all on each run would grow with
    its age. Which ones were rendered is kept in `<docs_dir>/rendered_results.txt`, so this holds
    across processes (Airflow's marts task renders what its prepare tasks stored). Without that
    file, or without the site, everything is rendered again."""
    store_held_results()
    root = Path(docs_dir).resolve()
    ctx = _file_context(docs_dir)
    done_file = root / RENDERED

    def name(key) -> str:
        return "/".join(map(str, key.to_tuple()))

    def index_of(urls: dict) -> Path:
        url = urls.get("local_site") or next(iter(urls.values()))
        return Path(unquote(urlparse(url).path))

    with _lock:
        keys = ctx.validation_results_store.list_keys()
        urls = ctx.build_data_docs(dry_run=True)  # where the site is, building nothing
        done = set()
        if done_file.exists() and index_of(urls).exists():
            done = set(done_file.read_text("utf-8").split("\n"))
        new = [k for k in keys if name(k) not in done]
        if not done:  # first build, or a site that was removed
            urls = ctx.build_data_docs()
        elif new:
            urls = ctx.build_data_docs(resource_identifiers=new)
        tmp = done_file.with_suffix(".tmp")
        tmp.write_text("\n".join(sorted(done | {name(k) for k in keys})), "utf-8")
        tmp.replace(done_file)
    return index_of(urls)


# ---- validation -----------------------------------------------------------------------------------


def _working_frame(df: pd.DataFrame, dataset: str, needed: list[str]) -> pd.DataFrame:
    """The columns to validate, positionally indexed, with types GX 1.24.1 compares correctly.

    * DATE columns (whatever they hold: datetime64[s]/[us] as pandas 3 makes them, `datetime.date`
      objects, ISO text, tz-aware stamps) become naive datetime64[ns]. GX's
      ``column_values.between`` compares vectorised only when ``is_datetime64_ns_dtype``; anything
      else goes through a per-value Python function that raises TypeError for `date` values or
      text against datetime bounds. (Date bounds in a suite are written ``"2024-01-01T00:00:00"``:
      GX's pydantic model turns ``"2024-01-01"`` into a `datetime.date`, which pandas 3 refuses to
      compare with datetime64 at all.)
    * nullable numeric extension dtypes (Int64, Float64) become float64: GX vectorises only when
      ``column.dtype in [int, float]``, else it loops in Python.
    """
    types = DATASETS[dataset].columns if dataset in DATASETS else {}
    work = df[needed].reset_index(drop=True)
    for col in needed:
        s = work[col]
        kind = types.get(col)
        if kind == "DATE" and not pd.api.types.is_datetime64_ns_dtype(s.dtype):
            try:
                if isinstance(s.dtype, pd.DatetimeTZDtype):
                    work[col] = s.dt.tz_convert(LOCAL_TZ).dt.tz_localize(None).astype("datetime64[ns]")
                else:
                    work[col] = pd.to_datetime(s, format="mixed").astype("datetime64[ns]")
            except (ValueError, TypeError, OverflowError):
                pass  # left as it is: GX reports what it makes of it
        elif pd.api.types.is_extension_array_dtype(s.dtype) and pd.api.types.is_numeric_dtype(s.dtype):
            if not pd.api.types.is_bool_dtype(s.dtype):
                work[col] = s.astype("float64")
    return work


def _fmt(value: Any) -> str:
    """A cell value as a clerk would type it."""
    if value is None or value is pd.NaT or value is pd.NA:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, np.generic):
        return _fmt(value.item())
    if isinstance(value, pd.Timestamp | dt.datetime):
        ts = pd.Timestamp(value)
        return ts.date().isoformat() if ts == ts.normalize() else ts.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _empty_issues() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in ISSUE_COLUMNS})


def _result_row(suite: str, spec: _Spec, **values) -> dict:
    row = {
        "suite": suite,
        "expectation": spec.type,
        "column": spec.column_label,
        "success": None,
        "unexpected_count": 0,
        "unexpected_percent": 0.0,
        "sample_values": "[]",
        "severity": spec.severity,
        "status": "skipped",
    }
    row.update(values)
    return row


def _issues_for(spec: _Spec, positions: list[int], df: pd.DataFrame, work: pd.DataFrame) -> pd.DataFrame:
    """One issue per failing position."""
    from etl.validate.custom import COLUMN_EXPLAINERS, PROBLEM_EXPLAINERS  # noqa: PLC0415 - GX imported

    pos = np.asarray(positions, dtype=np.int64)
    labels = df.index.take(pos).tolist()
    if len(spec.columns) == 1:
        raw = work[spec.columns[0]].to_numpy(dtype=object)[pos]
        values = [_fmt(v) for v in raw]
    else:
        cols = [work[c].to_numpy(dtype=object)[pos] for c in spec.columns]
        values = [", ".join(_fmt(v) for v in vs) for vs in zip(*cols, strict=True)]
        raw = values
    message = f"{spec.message_zh} / {spec.message_en}"
    messages: list[str] | str = message
    explain = PROBLEM_EXPLAINERS.get(spec.type)
    if spec.type in COLUMN_EXPLAINERS:
        column = work[spec.columns[0]]
        explain = lambda v: COLUMN_EXPLAINERS[spec.type](v, column)  # noqa: E731
    if explain is not None:
        reasons: dict[Any, str | None] = {}
        messages = []
        for v in raw:
            key = v if isinstance(v, str | int | float) else repr(v)
            if key not in reasons:
                try:
                    reasons[key] = explain(v)
                except Exception:  # noqa: BLE001 - the reason is a nicety, the issue stands
                    reasons[key] = None
            reason = reasons[key]
            messages.append(f"{spec.message_zh}（{reason}） / {spec.message_en}" if reason else message)
    return pd.DataFrame(
        {
            "row_index": pd.Series(labels, dtype=object),
            "column_name": spec.column_label,
            "value": values,
            "rule": spec.type,
            "severity": spec.severity,
            "message": messages,
        },
        columns=ISSUE_COLUMNS,
    )


def _dataset_issue(spec: _Spec, severity: str, message: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "row_index": None,
                "column_name": spec.column_label,
                "value": "",
                "rule": spec.type,
                "severity": severity,
                "message": message,
            }
        ],
        columns=ISSUE_COLUMNS,
    ).astype({"row_index": object})


def _exception_message(info: Any) -> str | None:
    """The error of a result whose expectation raised, else None.

    GX 1.24.1 has two shapes: ``{"raised_exception": True, "exception_message": ...}`` when the
    expectation itself raised, and ``{"MetricConfigurationID(...)": {"raised_exception": True,
    ...}}`` (keyed by metric) when one of its metrics did.
    """
    if not isinstance(info, dict):
        return None
    found = [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    for entry in found:
        if entry.get("raised_exception"):
            lines = str(entry.get("exception_message") or "").strip().splitlines()
            return lines[-1] if lines else "unknown error"
    return None


AGGREGATE_TYPES = frozenset({"expect_column_median_to_be_between"})
"""Expectations on a column as a whole (its median): a column without a value has nothing for
them to check, and they are skipped (a roster without 本年累计 says so itself)."""


def validate(
    dataset: str,
    df: pd.DataFrame,
    *,
    suite_dir: Path | None = None,
    docs_dir: Path | None = None,
    run_label: str | None = None,
) -> ValidationOutcome:
    """Validate `df` (a tidy `dataset` frame, lineage columns included) against its suite.

    With `docs_dir`, the validation also runs in a file-backed context rooted there, which keeps
    the results for `build_data_docs(docs_dir)`; without it, an in-memory context (fast).
    `run_label` (e.g. the file's name) is put in the stored result's run name, which Data Docs show.
    """
    loaded = _load(dataset, suite_dir)
    present = {c for c in df.columns if isinstance(c, str) and not c.startswith("_")}
    run = [
        s
        for s in loaded.specs
        if s.columns
        and all(c in present for c in s.columns)
        and not (len(df) and s.type in AGGREGATE_TYPES and df[s.columns[0]].isna().all())
    ]
    run_refs = {s.ref for s in run}
    skipped = [s for s in loaded.specs if s.ref not in run_refs]

    rows: dict[str, dict] = {s.ref: _result_row(dataset, s, status="skipped") for s in skipped}
    issue_frames: list[pd.DataFrame] = []

    if len(df) == 0 or not run:
        for s in run:
            rows[s.ref] = _result_row(dataset, s, success=True, status="empty")
    else:
        work, suite_result = _run_suite(loaded, run, df, docs_dir, run_label)
        ran, issue_frames = _suite_results(dataset, run, suite_result, df, work)
        rows.update(ran)

    results = pd.DataFrame([rows[s.ref] for s in loaded.specs], columns=RESULT_COLUMNS)
    results["success"] = results["success"].astype(object)
    issues = (pd.concat(issue_frames, ignore_index=True) if issue_frames else _empty_issues()).astype(
        {"row_index": object}
    )
    return ValidationOutcome(issues=issues, results=results, dataset=dataset, docs_dir=docs_dir)


def _run_suite(
    loaded: _LoadedSuite,
    run: list[_Spec],
    df: pd.DataFrame,
    docs_dir: Path | None,
    run_label: str | None = None,
):
    """The expectations `run` on `df`'s working frame in one GX validation: (working frame, GX's result)."""
    needed = list(dict.fromkeys(c for s in run for c in s.columns))
    work = _working_frame(df, loaded.name, needed)
    refs = tuple(s.ref for s in run)
    if docs_dir is None:
        return work, _run_ephemeral(loaded.name, _gx_suite(loaded, refs), work)
    return work, _run_with_docs(loaded, refs, work, Path(docs_dir), run_label)


def _suite_results(
    dataset: str, run: list[_Spec], suite_result, df: pd.DataFrame, work: pd.DataFrame
) -> tuple[dict[str, dict], list[pd.DataFrame]]:
    """GX's result of the expectations `run` read back: their result rows by ref, and the issues."""
    by_ref = {s.ref: s for s in run}
    rows: dict[str, dict] = {}
    issue_frames: list[pd.DataFrame] = []
    for evr in suite_result.results:
        ref = (evr.expectation_config.meta or {}).get(_REF)
        rows[ref], frame = _expectation_result(dataset, by_ref[ref], evr, df, work)
        if frame is not None:
            issue_frames.append(frame)
    for s in run:  # an expectation GX returned no result for would be a bug: say so, loudly
        if s.ref not in rows:
            raise RuntimeError(f"great_expectations returned no result for {s.type}({s.column_label})")
    return rows, issue_frames


def _expectation_result(
    dataset: str, spec: _Spec, evr, df: pd.DataFrame, work: pd.DataFrame
) -> tuple[dict, pd.DataFrame | None]:
    """One expectation's result row, and its issues (None when it passed)."""
    result = evr.result or {}
    error_text = _exception_message(evr.exception_info)
    if error_text is not None:
        return _result_row(dataset, spec, success=False, status="error"), _dataset_issue(
            spec,
            "critical",
            f"该项校验无法执行，请联系数据管理员（{error_text}） / "
            f"This check could not run; tell the data administrator ({error_text}).",
        )
    count = int(result.get("unexpected_count") or 0)
    percent = float(result.get("unexpected_percent") or 0.0)
    sample: list[str] = []
    frame = None
    if not evr.success:
        positions = result.get("unexpected_index_list")
        if positions:
            frame = _issues_for(spec, positions, df, work)
            sample = list(dict.fromkeys(frame["value"]))[:SAMPLE_SIZE]
        else:  # a check of the whole column (its median): the figure it found is the value
            frame = _dataset_issue(spec, spec.severity, f"{spec.message_zh} / {spec.message_en}")
            sample = [_fmt(v) for v in (result.get("partial_unexpected_list") or [])][:SAMPLE_SIZE]
            if (observed := result.get("observed_value")) is not None:
                observed = observed.item() if isinstance(observed, np.generic) else observed
                frame["value"] = _fmt(observed)
                sample = sample or [_fmt(observed)]
    row = _result_row(
        dataset,
        spec,
        success=bool(evr.success),
        unexpected_count=count,
        unexpected_percent=percent,
        sample_values=json.dumps(sample, ensure_ascii=False),
        status="passed" if evr.success else "failed",
    )
    return row, frame


def _run_with_docs(
    loaded: _LoadedSuite,
    refs: tuple[str, ...],
    work: pd.DataFrame,
    docs_dir: Path,
    run_label: str | None = None,
):
    """Run the suite as fast as without docs, then keep the result in the validation results
    store of the file context at `docs_dir`, where Data Docs find it. (Running it as a stored
    ValidationDefinition instead cost about a second more per file.)"""
    import datetime as dt

    from great_expectations.core.run_identifier import RunIdentifier  # noqa: PLC0415
    from great_expectations.data_context.types.resource_identifiers import (  # noqa: PLC0415
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    result = _run_ephemeral(loaded.name, _gx_suite(loaded, refs), work)
    ctx = _file_context(docs_dir)
    now = dt.datetime.now(dt.UTC)
    key = ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=loaded.name),
        run_id=RunIdentifier(
            run_name="-".join(x for x in (loaded.name, _path_safe(run_label), f"{now:%Y%m%dT%H%M%S%f}") if x),
            run_time=now,
        ),
        batch_identifier=loaded.name,
    )
    result.meta["run_id"] = key.run_id  # the page's "Run Name"
    with _lock:
        if _held is not None and len(_held) < HELD_AT_MOST:
            _held.append((ctx, key, result))
        else:  # not held, or enough held already (their unexpected lists take memory)
            ctx.validation_results_store.set(key, result)
    return result


def _path_safe(label: str | None) -> str:
    """A label for a run name (a directory of the docs store): no path separators or dots runs."""
    return re.sub(r"[\\/:*?\"<>|\s]+|\.\.+", "_", label or "").strip("._")


HELD_AT_MOST = 200
_held: list | None = None  # (context, key, result) kept for the docs store while results are held


def hold_results() -> None:
    """From now on keep the validation results for Data Docs in memory instead of writing each
    to the docs store as its file is validated (≈ 30 ms a file): `store_held_results` writes them
    (`build_data_docs` does, off the loads' path), else the process does at its exit."""
    global _held
    with _lock:
        if _held is None:
            _held = []
            atexit.register(store_held_results)


def store_held_results(*, write: bool = True) -> int:
    """Write the held results to their docs stores and stop holding; how many were written.
    With `write=False` they are dropped (a forked worker's copy of its parent's: the parent's to write)."""
    global _held
    with _lock:
        held, _held = (_held or []) if write else [], None
        for ctx, key, result in held:
            ctx.validation_results_store.set(key, result)
    return len(held)


RECONCILIATION_SUITE = "reconciliations"
"""expectations/reconciliations.json: a file's total rows checked against their parts."""


def validate_reconciliations(
    reconciliations: list[dict], docs_dir: Path | None = None, file_name: str | None = None
) -> pd.DataFrame:
    """A file's 合计/小计 checks (extraction's `reconciliations`, one per total row and column, as
    meta.reconciliations holds them) validated against the `reconciliations` suite, so that Data
    Docs show each file's totals check (named by `file_name`) beside its dataset's suite: the suite's result rows (for
    meta.validation_results), none for a file without total rows (nothing run: GX costs ~0.2 s).
    Its failures give no issue here: a total that does not add up is already extraction's
    `total_mismatch` warning, naming the cell; it never rejects the file."""
    if not reconciliations:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    frame = pd.DataFrame(reconciliations)
    frame["passed"] = frame["passed"].astype(bool)
    return validate(RECONCILIATION_SUITE, frame, docs_dir=docs_dir, run_label=file_name).results


def validate_frame(
    suite: str, frame: pd.DataFrame, column_map: list[dict], docs_dir: Path | None = None
) -> tuple[list[Issue], pd.DataFrame]:
    """Validate `frame` against `expectations/<suite>.json`; issues located by sheet, row, column.
    With `docs_dir`, the results are kept there for great_expectations Data Docs."""

    outcome = validate(suite, frame, docs_dir=docs_dir)
    issues = []
    colmap = {(c["sheet"], c["field"]): f"{c['header_text']} ({c['column_letter']})" for c in column_map}
    for rec in outcome.issues.itertuples(index=False):
        if rec.row_index is not None and not pd.isna(rec.row_index) and rec.row_index in frame.index:
            r = frame.loc[rec.row_index]
            sheet, row = r["_sheet"], int(r["_row"])
            col = "、".join(colmap.get((sheet, c), c) for c in rec.column_name.split("+"))
            if r.get("_col") is not None and not pd.isna(r.get("_col")):
                col = f"{rec.column_name} ({r['_col']})"
        else:
            sheet, row, col = None, None, rec.column_name
        issues.append(Issue(rec.severity, rec.rule, rec.message, sheet, row, col, rec.value))
    return issues, outcome.results

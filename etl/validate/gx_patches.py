"""Every change statwh makes to great_expectations' own code, to validate faster.

`apply_gx_patches()` applies them all, once per process (it is idempotent and thread-safe);
`etl.validate.suites` calls it when it first imports GX. They are applied only to the GX version
they were checked against, `CHECKED_GX_VERSION` (the pin in pyproject.toml): another version may
compute differently where a patch cuts in, so there GX runs as it is — slower, never different —
a warning is logged once, and tests/test_gx_patches.py fails, naming each patch to re-check.

The patches, each checked against great_expectations 1.24.1:

``shape_fingerprint`` — ``great_expectations.execution_engine.pandas_execution_engine.hash_pandas_dataframe``

* GX hashes every cell of a pandas batch (≈ 0.1 s per 200k rows, once per suite) for one field of
  the result, the batch marker ``meta.batch_markers.pandas_data_fingerprint``.
* statwh records the frame's shape instead (rows, columns, dtypes: `shape_fingerprint`).
* Safe: nothing reads that marker, neither GX nor statwh (a result is tied to its data by
  ``meta.loads``: load_id, the file's sha256). The marker is the only part of a result that
  differs from GX's.

``configuration_once_per_lookup`` — ``Expectation.configuration``, and the kwarg lookups
``Expectation._get_runtime_kwargs``, ``_get_success_kwargs``, ``_get_domain_kwargs``,
``_get_success_kwarg`` (`KWARG_LOOKUPS`)

* GX's ``configuration`` is a property that rebuilds the whole ExpectationConfiguration from the
  pydantic model on every read, and the kwarg lookups of a validation (``_get_runtime_kwargs``
  and the three it calls) read it once per key: ≈ 65,000 rebuilds in a batch of the 35 sample
  files.
* While a lookup runs, ``configuration`` is built once per expectation and reused; outside the
  lookups it is built afresh on every read, as GX does.
* Safe: the lookups only read the expectation, so within one it does not change; the memo is
  the running thread's own and is dropped when the outermost lookup returns.

``plain_ids`` — ``great_expectations.core.id_dict.IDDict.to_id``

* Every metric GX computes is named by an id made of its kwargs (``MetricConfiguration``: an md5
  of their JSON), and GX builds its metric graph anew for each validation: ≈ 800 ids per roster
  suite, each converted to JSON by ``convert_to_json_serializable``, which tries a long chain of
  type checks (numpy's, pandas', pydantic's) on every value: a quarter of a validation's time.
* When the kwargs are plain JSON already — str keys; str, int, bool, None, finite floats, and
  lists, tuples and dicts of those — the conversion returns them as they are (a tuple becomes a
  list, which JSON writes the same), so statwh hashes them directly. Anything else (a NaN, a
  set, a date, a numpy value, a non-str key) goes through GX's own ``to_id``.
* Safe: the same id, character for character (tests/unit/validate/test_gx_patches.py compares
  every id of a validation of every suite, and edge cases, with GX's own).

``deferred_imports`` — the modules in `DEFERRED_IMPORTS` (``scipy.stats``, ``altair``)

* Importing great_expectations imports ``scipy.stats`` (≈ 0.7–1.3 s of its ≈ 3 s: one expectation,
  ``expect_column_kl_divergence_to_be_less_than``, and two distribution metrics name it at module
  level) and ``altair`` with ``narwhals`` (≈ 0.3–0.45 s: the same expectation's renderers draw a
  chart with it), and no suite of statwh uses either.
* `defer_unused_imports()`, called before GX is imported, puts a deferred module in its place:
  the real module is executed into it on the first read of an attribute it does not have yet.
* Safe: nothing of them is read until an expectation computes a distribution or renders that
  chart, and then the module loads as it would have (tests/unit/validate/test_gx_patches.py reads
  ``scipy.stats.norm`` and ``altair.Chart`` after a validation and Data Docs). Not applied when the
  module is imported already; the first read loads it under a lock. Nothing of statwh reads
  either, so in a statwh process they are never loaded at all.

``graph_once_per_suite`` — ``great_expectations.validator.validator.Validator.
_generate_metric_dependency_subgraphs_for_each_expectation_configuration``

* GX builds each validation's metric graph anew: for every expectation, its metrics and their
  dependencies, each a ``MetricConfiguration`` named by an id hashed from its kwargs — ≈ 40 % of a
  small file's validation, the same graph every time the same suite runs on another file.
* The graph is kept for the expectations it was built for (their whole configurations), the
  batch id (every batch of a dataset has the same: ``statwh-<dataset>``), the runtime
  configuration (result format, exceptions caught) and the execution engine's class, and reused
  when all of them are the same; the metrics are computed on each batch's own data, as GX does.
  At most `GRAPHS_KEPT` graphs are kept (the least recently used dropped first); a graph whose
  building raised for an expectation is not kept (GX builds it again each time).
* Safe: building the graph reads the expectations, the runtime configuration and the engine's
  class only, never the batch's data (GX 1.24.1: the dependencies of the metrics of every
  expectation in ``expectations/`` are fixed by their kwargs); resolving it reads the graph
  without changing it (the configurations, edges and ids are read; the values computed go to a
  dict of their own). tests/unit/validate/test_gx_patches.py validates frames of every suite one
  after the other — failing and passing, with columns missing, with other dtypes — and compares
  each result with GX's own for that frame.

tests/test_gx_patches.py validates a realistic frame against every suite in ``expectations/``
with each patch and with GX's own code, and fails when a result differs.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import logging
import math
import sys
import threading
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

log = logging.getLogger("statwh.validate")

CHECKED_GX_VERSION = "1.24.1"
"""The great_expectations version every patch here was checked against (pyproject.toml pins it)."""

KWARG_LOOKUPS = ("_get_runtime_kwargs", "_get_success_kwargs", "_get_domain_kwargs", "_get_success_kwarg")
"""The methods of GX's `Expectation` within which its configuration is built once."""

_lock = threading.RLock()
_memo = threading.local()  # by_id: id(expectation) → (expectation, configuration), while a lookup runs
_warned: list[str] = []  # the other GX version already warned about


@dataclass
class Patch:
    """One patch: attributes of one GX module or class replaced, GX's own kept to put them back."""

    name: str
    replaces: str
    owner: Callable[[], Any]
    """Imports and returns the GX module or class patched."""
    replacements: Callable[[Any], dict[str, Any]]
    """GX's owner (unpatched) → {attribute: statwh's replacement}."""
    originals: dict[str, Any] = field(default_factory=dict)

    @property
    def applied(self) -> bool:
        return bool(self.originals)

    def apply(self) -> None:
        """Replace GX's attributes; a no-op when they are already replaced. Checks no version:
        `apply_gx_patches` does."""
        with _lock:
            if self.originals:
                return
            owner = self.owner()
            new = self.replacements(owner)
            self.originals = {attribute: getattr(owner, attribute) for attribute in new}
            for attribute, value in new.items():
                setattr(owner, attribute, value)

    def revert(self) -> None:
        """Put GX's own attributes back (tests compare GX's results with the patch's)."""
        with _lock:
            if not self.originals:
                return
            owner = self.owner()
            for attribute, value in self.originals.items():
                setattr(owner, attribute, value)
            self.originals = {}


# ---- shape_fingerprint ----------------------------------------------------------------------------


def shape_fingerprint(df: pd.DataFrame) -> str:
    """The batch marker statwh records instead of GX's hash of every cell: rows, columns, dtypes."""
    shape = f"{len(df)}|" + "|".join(f"{c}:{t}" for c, t in df.dtypes.items())
    return "shape:" + hashlib.md5(shape.encode(), usedforsecurity=False).hexdigest()


def _pandas_execution_engine_module():
    from great_expectations.execution_engine import pandas_execution_engine  # noqa: PLC0415

    return pandas_execution_engine


# ---- configuration_once_per_lookup ----------------------------------------------------------------


def _gx_expectation_class():
    from great_expectations.expectations.expectation import Expectation  # noqa: PLC0415

    return Expectation


def _configuration_built_once_per_lookup(expectation: type) -> dict[str, Any]:
    """The replacements of `Expectation.configuration` (memoised while a lookup runs) and of the
    `KWARG_LOOKUPS` (each opening the memo), made from GX's own."""
    gx_configuration = expectation.configuration.fget

    def configuration(self):
        memo = getattr(_memo, "by_id", None)
        if memo is None:
            return gx_configuration(self)
        found = memo.get(id(self))
        if found is None or found[0] is not self:
            found = memo[id(self)] = (self, gx_configuration(self))
        return found[1]

    replaced = {"configuration": property(configuration, doc=expectation.configuration.__doc__)}
    for name in KWARG_LOOKUPS:
        replaced[name] = _with_configuration_memo(getattr(expectation, name))
    return replaced


def _with_configuration_memo(method: Callable) -> Callable:
    """`method` run with a memo of configurations, opened by the outermost lookup and dropped
    when it returns (GX's own method stays reachable as ``__wrapped__``)."""

    @functools.wraps(method)
    def lookup(self, *args, **kwargs):
        if getattr(_memo, "by_id", None) is not None:  # inside another lookup: its memo
            return method(self, *args, **kwargs)
        _memo.by_id = {}
        try:
            return method(self, *args, **kwargs)
        finally:
            _memo.by_id = None

    return lookup


# ---- plain_ids ------------------------------------------------------------------------------------


def _id_dict_class():
    from great_expectations.core.id_dict import IDDict  # noqa: PLC0415

    return IDDict


def is_plain_json(value: Any) -> bool:
    """True when GX's ``convert_to_json_serializable`` returns `value` as it is (up to tuples,
    which it makes lists): str keys; str, int, bool, None, finite floats, lists, tuples, dicts."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if kind is float:
        return math.isfinite(value)
    if kind is list or kind is tuple:
        return all(is_plain_json(v) for v in value)
    if kind is dict:
        return all(type(k) is str and is_plain_json(v) for k, v in value.items())
    return False


def _plain_ids(id_dict: type) -> dict[str, Any]:
    """The replacement of `IDDict.to_id`: GX's md5 of the kwargs' JSON, made without GX's
    conversion when they are plain JSON already (`is_plain_json`), else GX's own."""
    gx_to_id = id_dict.to_id

    @functools.wraps(gx_to_id)
    def to_id(self, id_keys=None, id_ignore_keys=None):
        keys = set(self.keys() if id_keys is None else id_keys)
        keys -= set(self._id_ignore_keys if id_ignore_keys is None else id_ignore_keys)
        if len(keys) > 1:
            data = {k: self[k] for k in keys}
            if is_plain_json(data):
                text = json.dumps(data, sort_keys=True)
                return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()
        return gx_to_id(self, id_keys, id_ignore_keys)

    return {"to_id": to_id}


# ---- graph_once_per_suite -------------------------------------------------------------------------

GRAPHS_KEPT = 64
"""Metric graphs kept by `graph_once_per_suite` (a process validates a few suites, each with the
expectations its files' columns allow)."""

_graphs: dict[tuple, tuple] = {}  # key → (expectation graphs, processed configurations), in use order


def _validator_class():
    from great_expectations.validator.validator import Validator  # noqa: PLC0415

    return Validator


def _graph_key(validator, configurations, catch_exceptions: bool, runtime_configuration) -> tuple | None:
    """What a validation's metric graph is built from (see the module's doc), or None when it
    cannot be told (a configuration or runtime configuration that is not JSON): not kept."""
    try:
        expectations = tuple(json.dumps(c.to_json_dict(), sort_keys=True) for c in configurations)
        runtime = json.dumps(runtime_configuration or {}, sort_keys=True)
    except (TypeError, ValueError):
        return None
    engine = type(validator._execution_engine)
    return (
        engine.__module__,
        engine.__qualname__,
        validator.active_batch_id,
        bool(catch_exceptions),
        runtime,
        expectations,
    )


def _graph_once_per_suite(validator: type) -> dict[str, Any]:
    """The replacement of the Validator's graph building: GX's own, kept by `_graph_key`."""
    gx_generate = validator._generate_metric_dependency_subgraphs_for_each_expectation_configuration

    @functools.wraps(gx_generate)
    def generate(
        self,
        expectation_configurations,
        processed_configurations,
        catch_exceptions,
        runtime_configuration=None,
    ):
        key = _graph_key(self, expectation_configurations, catch_exceptions, runtime_configuration)
        with _lock:
            kept = _graphs.pop(key, None) if key is not None else None
            if kept is not None:
                _graphs[key] = kept  # the most recently used, last
        if kept is None:
            graphs, evrs, processed = gx_generate(
                self, expectation_configurations, [], catch_exceptions, runtime_configuration
            )
            if evrs or key is None:  # an expectation's graph raised: GX's own, every time
                processed_configurations.extend(processed)
                return graphs, evrs, processed_configurations
            kept = (tuple(graphs), tuple(processed))
            with _lock:
                _graphs[key] = kept
                while len(_graphs) > GRAPHS_KEPT:
                    del _graphs[next(iter(_graphs))]
        graphs, processed = kept
        processed_configurations.extend(processed)
        return list(graphs), [], processed_configurations

    return {"_generate_metric_dependency_subgraphs_for_each_expectation_configuration": generate}


PATCHES: tuple[Patch, ...] = (
    Patch(
        "shape_fingerprint",
        "great_expectations.execution_engine.pandas_execution_engine.hash_pandas_dataframe",
        _pandas_execution_engine_module,
        lambda _module: {"hash_pandas_dataframe": shape_fingerprint},
    ),
    Patch(
        "configuration_once_per_lookup",
        "great_expectations.expectations.expectation.Expectation.configuration and its kwarg lookups",
        _gx_expectation_class,
        _configuration_built_once_per_lookup,
    ),
    Patch(
        "plain_ids",
        "great_expectations.core.id_dict.IDDict.to_id",
        _id_dict_class,
        _plain_ids,
    ),
    Patch(
        "graph_once_per_suite",
        "great_expectations.validator.validator.Validator"
        "._generate_metric_dependency_subgraphs_for_each_expectation_configuration",
        _validator_class,
        _graph_once_per_suite,
    ),
)
"""Every patch of GX statwh makes (the module docstring says what each does and why it is safe)."""


DEFERRED_IMPORTS = ("scipy.stats", "altair")


class _DeferredModule(types.ModuleType):
    """A module not executed yet: its first read of an attribute it lacks executes it, into this
    same object (so every name bound to it sees the real module), under a lock."""

    def __getattr__(self, attr: str):
        with _deferred_lock:
            if type(self) is _DeferredModule:
                self.__class__ = types.ModuleType
                spec = self.__spec__
                if spec.submodule_search_locations is not None:
                    self.__path__ = spec.submodule_search_locations
                spec.loader.exec_module(self)
        return getattr(self, attr)


_deferred_lock = threading.RLock()


def defer_unused_imports() -> None:
    """Put a deferred module in place of each of `DEFERRED_IMPORTS` not imported yet (see above).

    Not `importlib.util.LazyLoader`: its module loads on any attribute read, ``__spec__``
    included, which ``import altair`` reads (a module named by `import`, not by `from … import`,
    would load at once). Here ``__spec__`` and the other attributes the import system sets are
    there already; ``__path__`` is not, so that importing a submodule first loads the package."""
    for name in DEFERRED_IMPORTS:
        if name in sys.modules:
            continue
        try:
            spec = importlib.util.find_spec(name)
        except ImportError:
            continue
        if spec is None or spec.loader is None:
            continue
        module = importlib.util.module_from_spec(spec)
        module.__dict__.pop("__path__", None)
        module.__class__ = _DeferredModule
        sys.modules[name] = module
        parent, _, child = name.rpartition(".")
        if parent in sys.modules:
            setattr(sys.modules[parent], child, module)


def apply_gx_patches() -> None:
    """Apply every patch in `PATCHES` if great_expectations is `CHECKED_GX_VERSION`; on another
    version apply none and log a warning, once. Idempotent and thread-safe."""
    import great_expectations as gx  # noqa: PLC0415 - the caller has imported it already

    with _lock:
        if gx.__version__ != CHECKED_GX_VERSION:
            if gx.__version__ not in _warned:
                _warned.append(gx.__version__)
                log.warning(
                    "great_expectations is %s, not %s: its speed patches (%s) are not applied until "
                    "each is checked against it (etl/validate/gx_patches.py)",
                    gx.__version__,
                    CHECKED_GX_VERSION,
                    ", ".join(p.name for p in PATCHES),
                )
            return
        for patch in PATCHES:
            patch.apply()

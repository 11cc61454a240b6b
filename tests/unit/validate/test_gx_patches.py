"""The great_expectations speed patches (`etl.validate.gx_patches`), each against GX's own code.

For each patch and every suite in ``expectations/``, a realistic frame — the demo files extracted,
with each of the suite's failing values (tests/test_validate.py's `CASES`) written into a row —
is validated with the patch and with GX's own code: the results must be the same (success flags,
unexpected counts, unexpected index lists, whole GX results but for their run metadata, issue
rows, results rows). `test_the_comparison_can_fail` shows that a patch changing a result fails it.

The patches are applied only to the GX version they were checked against: when another is
installed, `test_patch_was_checked_against_the_installed_gx` fails, once per patch, saying which
to re-check. The comparisons then apply the patches themselves, so they are the re-check.
"""

from __future__ import annotations

import logging
import threading
import tomllib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from etl.validate.gx_patches import (
    CHECKED_GX_VERSION,
    KWARG_LOOKUPS,
    PATCHES,
    Patch,
    is_plain_json,
    shape_fingerprint,
)
from tests.conftest import REPO
from tests.unit.validate.test_validate import CASES, DUP

ROOT = REPO
SUITES = sorted(p.stem for p in (ROOT / "expectations").glob("*.json"))
PATCH_NAMES = [p.name for p in PATCHES]
ROSTERS = 2  # of the demo's 23 monthly rosters: a realistic frame, and a previous period for `history`


def patch_named(name: str) -> Patch:
    return next(p for p in PATCHES if p.name == name)


@contextmanager
def patched(patch: Patch, applied: bool) -> Iterator[None]:
    """`patch` applied (`applied`) or GX's own code in its place, for the block; then as it was."""
    was = patch.applied
    patch.apply() if applied else patch.revert()
    try:
        yield
    finally:
        patch.apply() if was else patch.revert()


@contextmanager
def only(names: set[str]) -> Iterator[None]:
    """The patches `names` applied and no other (GX's own code everywhere else), for the block."""
    with ExitStack() as stack:
        for patch in PATCHES:
            stack.enter_context(patched(patch, patch.name in names))
        yield


# ---- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def suites():
    """`etl.validate.suites` with great_expectations imported (the patches applied) and the context built."""
    from etl.validate import suites

    suites._gx()
    suites._ephemeral_batch_definition("targets")
    return suites


def _extracted(demo_files: Path) -> dict[str, pd.DataFrame]:
    """The demo files (the first `ROSTERS` rosters only) extracted: dataset → its rows, all files."""
    from etl.extract import extract

    rosters = sorted((demo_files / "enterprises").iterdir())[ROSTERS:]
    frames: dict[str, list[pd.DataFrame]] = {}
    for path in sorted(p for p in demo_files.rglob("*") if p.is_file() and p not in rosters):
        ex = extract(path, path.parent.name)
        assert ex.spec is not None and not ex.critical, (path, ex.issues)
        frames.setdefault(ex.spec.dataset, []).append(ex.frame)
        if ex.reconciliations:  # the `reconciliations` suite's frame: the files' 合计 checks
            frames.setdefault("reconciliations", []).append(pd.DataFrame(ex.reconciliations))
    return {dataset: pd.concat(parts, ignore_index=True) for dataset, parts in frames.items()}


def _with_failures(dataset: str, frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """`frame` with each failing value of `CASES` for `dataset` written into a row of its own (a
    duplicate key: one row's key copied onto another), relabelled (labels are not positions)."""
    frame = frame.copy()
    rows = iter(rng.permutation(len(frame)).tolist())  # each row changed (or copied) once at most
    for (ds, _type, column), case in CASES.items():
        if ds != dataset:
            continue
        at = [frame.columns.get_loc(c) for c in column.split("+")]
        for bad in case.bad:
            row = next(rows)
            if bad is DUP:
                frame.iloc[row, at] = frame.iloc[next(rows), at]
                continue
            if isinstance(bad, pd.Timestamp) and frame.iloc[:, at[0]].dtype == object:
                bad = bad.date()  # the extracted column holds dates
            try:
                frame.iloc[row, at[0]] = bad
            except TypeError:  # a column no file filled in (all NaN, float): text in it is object
                frame[frame.columns[at[0]]] = frame.iloc[:, at[0]].astype(object)
                frame.iloc[row, at[0]] = bad
    if dataset == "enterprise_periods":  # a stray row of a period the frame holds no other row of
        row = next(rows)
        frame.iloc[row, frame.columns.get_loc("period")] = "2019-01"
    frame.index = rng.permutation(len(frame)) * 10
    return frame


def _history(enterprises: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The `history` suite's frame as etl.validate.history builds it — each enterprise's month
    beside its previous period, the roster's 高新技术企业 flag beside the certificate lists' — with
    tenfold jumps and disagreements written in."""
    f = enterprises.sort_values(["credit_code", "period"], kind="stable")
    frame = pd.DataFrame(
        {
            "value": f["output_month"].to_numpy(),
            "previous": f.groupby("credit_code")["output_month"].shift().to_numpy(),
            "roster_hightech": f["is_hightech"].to_numpy(),
            "listed_hightech": f["is_hightech"].astype(object).to_numpy(),
            "_sheet": f["_sheet"].to_numpy(),
            "_row": f["_row"].to_numpy(),
        }
    )
    known = np.flatnonzero(frame["previous"].notna().to_numpy())
    jumps = rng.choice(known, 8, replace=False)
    frame.loc[jumps[:4], "value"] = frame.loc[jumps[:4], "previous"] * 10
    frame.loc[jumps[4:], "value"] = frame.loc[jumps[4:], "previous"] / 20
    flips = rng.choice(len(frame), 8, replace=False)
    frame.loc[flips, "listed_hightech"] = ~frame.loc[flips, "roster_hightech"]
    frame.loc[rng.choice(len(frame), 8, replace=False), "listed_hightech"] = None  # years not listed
    return frame


@pytest.fixture(scope="module")
def frames(demo_files) -> dict[str, pd.DataFrame]:
    """A realistic frame for every suite, failing each of its expectations in some rows."""
    rng = np.random.default_rng(20240601)
    extracted = _extracted(demo_files)
    out = {dataset: _with_failures(dataset, frame, rng) for dataset, frame in extracted.items()}
    out["history"] = _history(extracted["enterprise_periods"], rng)
    rec = out["reconciliations"]
    rec.loc[rng.choice(rec.index.to_numpy(), 3, replace=False), "passed"] = False  # totals that do not add up
    assert sorted(out) == SUITES, "a suite in expectations/ without a frame here"
    return out


# ---- comparing results ----------------------------------------------------------------------------


def _validated(suites, dataset: str, frame: pd.DataFrame, monkeypatch):
    """`validate(dataset, frame)`, and the GX result it made its outcome from."""
    gx_results = []
    run = suites._run_ephemeral

    def keep(*args):
        gx_results.append(run(*args))
        return gx_results[-1]

    with monkeypatch.context() as m:
        m.setattr(suites, "_run_ephemeral", keep)
        outcome = suites.validate(dataset, frame)
    (result,) = gx_results
    return outcome, result


def _by_expectation(result) -> dict[str, dict]:
    """GX's result of each expectation: the figures statwh reads, and the whole result."""
    out = {}
    for evr in result.results:
        config = evr.expectation_config
        found = evr.result or {}
        kwargs = config.kwargs
        columns = kwargs.get("column_list") or [
            kwargs.get("column") or f"{kwargs['column_A']},{kwargs['column_B']}"
        ]
        out[f"{config.type}({'+'.join(columns)})"] = {  # a suite has no (type, columns) twice
            "success": evr.success,
            "unexpected_count": found.get("unexpected_count"),
            "unexpected_index_list": found.get("unexpected_index_list"),
            "raised": (evr.exception_info or {}).get("raised_exception"),
            "whole": evr.to_json_dict(),
        }
    return out


def _differences(ours, theirs) -> list[str]:
    """How two `_validated` returns differ (GX's run metadata, the batch marker included, aside)."""
    (outcome, result), (gx_outcome, gx_result) = ours, theirs
    found = []
    mine, gx = _by_expectation(result), _by_expectation(gx_result)
    if set(mine) != set(gx):
        found.append(f"expectations: {sorted(set(mine) ^ set(gx))}")
    for key in sorted(set(mine) & set(gx)):
        for part in ("success", "unexpected_count", "unexpected_index_list", "raised", "whole"):
            if mine[key][part] != gx[key][part]:
                found.append(f"{key} {part}: {mine[key][part]!r:.300} != GX's {gx[key][part]!r:.300}")
    if (result.success, result.statistics) != (gx_result.success, gx_result.statistics):
        found.append(
            f"suite: {result.success, result.statistics} != GX's {gx_result.success, gx_result.statistics}"
        )
    for name in ("issues", "results"):
        try:
            pd.testing.assert_frame_equal(getattr(outcome, name), getattr(gx_outcome, name))
        except AssertionError as e:
            found.append(f"{name}: {e}")
    return found


# ---- each patch against GX's own code -------------------------------------------------------------


@pytest.mark.parametrize("dataset", SUITES)
@pytest.mark.parametrize("name", [*PATCH_NAMES, "all"])
def test_patch_gives_gx_own_results(suites, frames, monkeypatch, name, dataset):
    """The patch `name` alone (or all of them) against GX's own code, on the suite `dataset`."""
    with only(set(PATCH_NAMES) if name == "all" else {name}):
        ours = _validated(suites, dataset, frames[dataset], monkeypatch)
    with only(set()):
        theirs = _validated(suites, dataset, frames[dataset], monkeypatch)

    differences = _differences(ours, theirs)
    assert not differences, f"the patch {name} changes the results:\n" + "\n".join(differences)
    results = theirs[0].results  # the frame tries every expectation: each ran, and failed on some rows only
    whole = results["expectation"].isin(suites.AGGREGATE_TYPES)  # a median: ran, on figures in range
    assert (results.loc[whole, "status"] == "passed").all(), results
    results = results[~whole]
    assert (results["status"] == "failed").all(), results
    assert (results["unexpected_count"] < len(frames[dataset])).all(), results


def _lenient_configuration(expectation: type) -> dict:
    """A broken `configuration_once_per_lookup`: the configuration it builds says ``mostly: 0.5``."""
    gx_configuration = expectation.configuration.fget

    def configuration(self):
        found = gx_configuration(self)
        if "mostly" in self.success_keys:
            found.kwargs["mostly"] = 0.5
        return found

    return {"configuration": property(configuration)}


def test_the_comparison_can_fail(suites, frames, monkeypatch):
    """A patch that changes results is caught (a comparison that cannot fail is no check)."""
    real = patch_named("configuration_once_per_lookup")
    broken = Patch("broken", "Expectation.configuration", real.owner, _lenient_configuration)
    with only(set()):
        theirs = _validated(suites, "enterprise_periods", frames["enterprise_periods"], monkeypatch)
        with patched(broken, True):
            ours = _validated(suites, "enterprise_periods", frames["enterprise_periods"], monkeypatch)
    found = _differences(ours, theirs)
    assert any(" success: True != GX's False" in d for d in found), found
    assert any(d.startswith("issues:") for d in found), found


# ---- the GX version -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PATCH_NAMES)
def test_patch_was_checked_against_the_installed_gx(suites, name):
    import great_expectations as gx

    patch = patch_named(name)
    assert gx.__version__ == CHECKED_GX_VERSION, (
        f"great_expectations is {gx.__version__}, the patch {name} was checked against "
        f"{CHECKED_GX_VERSION}: re-check it (it replaces {patch.replaces}) against GX {gx.__version__}'s "
        "code, run tests/test_gx_patches.py, then set CHECKED_GX_VERSION in etl/validate/gx_patches.py"
    )
    assert patch.applied


def test_the_checked_version_is_the_pinned_one():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    assert f"great-expectations=={CHECKED_GX_VERSION}" in dependencies


def test_another_gx_version_gets_no_patch_and_one_warning(suites, monkeypatch, caplog):
    import great_expectations as gx

    from etl.validate.gx_patches import apply_gx_patches

    monkeypatch.setattr(gx, "__version__", "9.9.9-untested")
    with only(set()):
        with caplog.at_level(logging.WARNING, logger="statwh.validate"):
            apply_gx_patches()
            apply_gx_patches()
        assert not any(p.applied for p in PATCHES)
        warnings = [r for r in caplog.records if "9.9.9-untested" in r.getMessage()]
        assert [r.levelname for r in warnings] == ["WARNING"]
        assert all(name in warnings[0].getMessage() for name in PATCH_NAMES)
        out = suites.validate("targets", pd.DataFrame({"indicator_id": ["gdp", None], "unit": ["%", "%"]}))
        assert out.issues["row_index"].tolist() == [1]  # GX's own code validates, only slower


def test_patches_apply_once_whatever_the_threads(suites):
    from great_expectations.execution_engine import pandas_execution_engine
    from great_expectations.expectations.expectation import Expectation

    from etl.validate.gx_patches import apply_gx_patches

    for patch in PATCHES:
        patch.revert()
    threads = [threading.Thread(target=apply_gx_patches) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert pandas_execution_engine.hash_pandas_dataframe is shape_fingerprint
    lookups = patch_named("configuration_once_per_lookup")
    for name in KWARG_LOOKUPS:  # wrapped once: the wrapper wraps GX's own method
        assert getattr(Expectation, name).__wrapped__ is lookups.originals[name]
        assert not hasattr(lookups.originals[name], "__wrapped__")


# ---- what each patch does -------------------------------------------------------------------------


def test_batch_fingerprint_is_the_shape_not_a_hash_of_every_cell(suites):
    """GX would hash all cells of each batch for a marker nothing reads (shape_fingerprint)."""
    df = pd.DataFrame({"indicator_id": ["gdp"] * 3, "value": [1.0, 2.0, 3.0]})
    work = suites._working_frame(df, "targets", ["indicator_id", "value"])
    loaded = suites._load("targets", None)
    refs = tuple(s.ref for s in loaded.specs if s.columns and set(s.columns) <= set(df.columns))

    def marker(frame: pd.DataFrame) -> str:
        result = suites._run_ephemeral("targets", suites._gx_suite(loaded, refs), frame)
        return result.meta["batch_markers"]["pandas_data_fingerprint"]

    assert marker(work) == shape_fingerprint(work) and marker(work).startswith("shape:")
    assert marker(work.head(2)) != marker(work)
    patch = patch_named("shape_fingerprint")
    gx_hash = patch.originals["hash_pandas_dataframe"]
    with patched(patch, False):  # what it replaces: GX's hash, the one place GX computes the marker
        assert marker(work) == gx_hash(work) != shape_fingerprint(work)


def test_kwarg_lookups_build_one_configuration_and_return_what_gx_does(suites, monkeypatch):
    """GX rebuilds `Expectation.configuration` on every read, once per key in its kwarg lookups;
    with the patch it is built once per lookup. For every expectation of every suite, each lookup
    returns what GX's own returns, building the configuration once, while outside a lookup every
    read still builds it afresh."""
    from great_expectations.expectations import expectation as gx_expectation

    built: list[int] = []
    build = gx_expectation.ExpectationConfiguration
    monkeypatch.setattr(
        gx_expectation, "ExpectationConfiguration", lambda *a, **k: built.append(1) or build(*a, **k)
    )
    patch = patch_named("configuration_once_per_lookup")
    checked = 0
    for dataset in SUITES:
        loaded = suites._load(dataset, None)
        suite = suites._gx_suite(loaded, tuple(s.ref for s in loaded.specs), name=f"check-{dataset}")
        for e in suite.expectations:
            calls = [
                (name, args)
                for name in KWARG_LOOKUPS
                for args in (
                    [(k,) for k in (*e.runtime_keys, *e.success_keys)]
                    if name == "_get_success_kwarg"
                    else [()]
                )
            ]
            ours = [getattr(e, name)(*args) for name, args in calls]
            with patched(patch, False):
                theirs = [getattr(e, name)(*args) for name, args in calls]
            assert ours == theirs, (dataset, e.expectation_type)
            checked += len(calls)
            built.clear()
            e._get_runtime_kwargs()
            assert len(built) == 1, (dataset, e.expectation_type, len(built))
            built.clear()
            assert e.configuration == e.configuration and len(built) == 2  # outside a lookup: afresh
    assert checked > 200


DEFERRED_CHECK = """
import sys, tempfile, types
import pandas as pd
from etl.validate import suites
suites._gx()
deferred = {name: sys.modules[name] for name in ("scipy.stats", "altair")}
def lazy():
    return ",".join(n for n, m in deferred.items() if type(m) is not types.ModuleType)
print("lazy_after_import", lazy())
frame = pd.DataFrame({"indicator_id": ["gdp"], "region_code": ["320803"], "period": ["2025"],
    "period_end": [pd.Timestamp("2025-12-31")], "value": [1.0], "unit": ["亿元"], "basis": ["period"]})
docs = tempfile.mkdtemp()
suites.validate_frame("indicator_obs", frame, {}, docs)
print("lazy_after_validation", lazy())
suites.build_data_docs(docs)
print("lazy_after_data_docs", lazy())
print("norm_cdf", deferred["scipy.stats"].norm.cdf(0.0))
print("chart", deferred["altair"].Chart(pd.DataFrame({"x": [1]})).mark_bar().to_dict()["mark"]["type"])
print("loaded_on_use", lazy() or "none lazy")
"""

SUBMODULE_CHECK = """
import sys
from etl.validate import gx_patches
gx_patches.defer_unused_imports()
import altair.utils  # a submodule first: the package is executed before it
print(type(sys.modules["altair"]).__name__, hasattr(sys.modules["altair"], "Chart"))
"""


def test_unused_modules_are_loaded_only_when_something_reads_them():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", DEFERRED_CHECK], capture_output=True, text=True, timeout=300, check=True
    ).stdout.split("\n")
    seen = dict(line.split(" ", 1) for line in out if line)
    # importing great_expectations, validating a frame (its result stored) and rendering Data Docs
    # left both unloaded; reading each loads it, whole
    assert seen == {
        "lazy_after_import": "scipy.stats,altair",
        "lazy_after_validation": "scipy.stats,altair",
        "lazy_after_data_docs": "scipy.stats,altair",
        "norm_cdf": "0.5",
        "chart": "bar",
        "loaded_on_use": "none lazy",
    }
    sub = subprocess.run(
        [sys.executable, "-c", SUBMODULE_CHECK], capture_output=True, text=True, timeout=300, check=True
    )
    assert sub.stdout.split() == ["module", "True"]


def test_plain_ids_are_gx_own_ids_for_every_id_of_every_suite(suites, frames, monkeypatch):
    """Every id GX makes while validating every suite (with its own code), made again by
    `plain_ids`: the same string each time; the fast way taken for most of them."""
    import datetime as dt

    from great_expectations.core.id_dict import IDDict

    seen: list[tuple[IDDict, tuple]] = []
    with only(set()):
        gx_to_id = IDDict.to_id

        def recording(self, id_keys=None, id_ignore_keys=None):
            seen.append((IDDict(self), (id_keys, id_ignore_keys)))
            return gx_to_id(self, id_keys, id_ignore_keys)

        with monkeypatch.context() as m:
            m.setattr(IDDict, "to_id", recording)
            for dataset in SUITES:
                _validated(suites, dataset, frames[dataset], monkeypatch)
    edge = [  # what GX converts (a NaN, a set, a date, numpy values, a non-str key) or keeps
        {"column": "a", "value": float("nan")},
        {"column": "a", "value_set": {"x", "y"}},
        {"column": "a", "min_value": dt.date(2025, 1, 31)},
        {"column": "a", "min_value": np.int64(3), "max_value": np.float64(2.5)},
        {"column": "a", 1: "b"},
        {"column": "a", "value_set": ("x", "y"), "mostly": 0.95, "strict": True, "row_condition": None},
        {"column": "a", "nested": {"k": [1, 2.5, None, "z"]}},
        {"column_list": ["a", "b"], "ignore_row_if": "any_value_is_missing"},
        {"x": float("inf"), "y": -float("inf")},
    ]
    seen += [(IDDict(d), (None, None)) for d in edge]
    with only({"plain_ids"}):
        for kwargs, (id_keys, id_ignore_keys) in seen:
            assert kwargs.to_id(id_keys, id_ignore_keys) == gx_to_id(kwargs, id_keys, id_ignore_keys), kwargs
    fast = [k for k, (keys, _) in seen if keys is None and len(k) > 1 and is_plain_json(dict(k))]
    assert len(seen) > 1000 and len(fast) > len(seen) / 2  # most ids are made the fast way
    assert [is_plain_json(d) for d in edge] == [False] * 5 + [True, True, True, False]


def _variants(dataset: str, frame: pd.DataFrame, rng: np.random.Generator) -> list[pd.DataFrame]:
    """Frames of one suite to validate one after the other: failing, clean (its first rows, each
    value kept), without a column one of its expectations reads (fewer expectations run), with a
    column of another dtype (text), shuffled."""
    data = [c for c in frame.columns if not str(c).startswith("_")]
    first = frame.iloc[: max(3, len(frame) // 4)]
    out = [frame, first, frame.drop(columns=[data[0]])]
    text = frame.copy()
    text[data[-1]] = text[data[-1]].astype(str)
    out.append(text)
    out.append(frame.iloc[rng.permutation(len(frame))])
    return out


_kept_by_batch_id: dict = {}


def _graph_kept_by_batch_id_only(validator: type) -> dict:
    """A broken `graph_once_per_suite`: one graph per batch id, whatever the expectations."""
    gx_generate = validator._generate_metric_dependency_subgraphs_for_each_expectation_configuration
    kept = _kept_by_batch_id

    def generate(
        self,
        expectation_configurations,
        processed_configurations,
        catch_exceptions,
        runtime_configuration=None,
    ):
        if self.active_batch_id not in kept:
            kept[self.active_batch_id] = gx_generate(
                self, expectation_configurations, [], catch_exceptions, runtime_configuration
            )
        graphs, evrs, done = kept[self.active_batch_id]
        processed_configurations.extend(done)
        return list(graphs), list(evrs), processed_configurations

    return {"_generate_metric_dependency_subgraphs_for_each_expectation_configuration": generate}


def _sequence_differences(suites, frames, monkeypatch, patch: Patch) -> list[str]:
    """Every suite's variants validated in turn with `patch` (its graphs kept from frame to frame),
    each compared with GX's own result for the same frame."""
    rng = np.random.default_rng(7)
    found = []
    for dataset in SUITES:
        for n, frame in enumerate(_variants(dataset, frames[dataset], rng)):
            try:
                with only(set()), patched(patch, True):
                    ours = _validated(suites, dataset, frame, monkeypatch)
            except Exception as e:  # noqa: BLE001 - a wrong graph may raise instead: a difference too
                found.append(f"{dataset} variant {n}: raised {e!r}")
                continue
            with only(set()):
                theirs = _validated(suites, dataset, frame, monkeypatch)
            found += [f"{dataset} variant {n}: {d}" for d in _differences(ours, theirs)]
    return found


def test_graphs_kept_from_file_to_file_give_gx_own_results(suites, frames, monkeypatch):
    """`graph_once_per_suite` keeps each suite's metric graph from one validation to the next:
    frames failing and clean, with a column missing and with another dtype, validated in turn,
    give each GX's own result for that frame; the graphs were reused (fewer built than run)."""
    from etl.validate import gx_patches

    patch = patch_named("graph_once_per_suite")
    built = []
    with monkeypatch.context() as m:
        m.setattr(gx_patches, "_graphs", {})  # none kept from the tests before
        m.setattr(gx_patches, "_graph_key", _counting(gx_patches._graph_key, built))
        found = _sequence_differences(suites, frames, monkeypatch, patch)
        kept = len(gx_patches._graphs)
    assert not found, "keeping the graph changes the results:\n" + "\n".join(found)
    runs = len(built)
    assert runs >= 5 * len(SUITES) and kept < runs - len(SUITES), (runs, kept)


def _counting(fn, calls: list):
    def counted(*args, **kwargs):
        calls.append(1)
        return fn(*args, **kwargs)

    return counted


def test_a_graph_kept_for_other_expectations_is_caught(suites, frames, monkeypatch):
    """A graph kept by batch id alone (the expectations a frame's columns allow not in the key)
    gives wrong results on the frame without a column: the comparison above catches it."""
    real = patch_named("graph_once_per_suite")
    broken = Patch("broken_graphs", real.replaces, real.owner, _graph_kept_by_batch_id_only)
    _kept_by_batch_id.clear()
    found = _sequence_differences(suites, frames, monkeypatch, broken)
    assert any("variant 2" in d for d in found), found

"""What a spec file may say: every key, its type, and what a dataset needs mapped.

`check_raw(raw, path)` runs before a spec is built: an unknown key, a missing required one or a
value of the wrong type is a `SpecError` of one line naming the file and the key's path
(`fields.credit_code.required`), never a spec that loads with a silently wrong setting
(`files: "*.xlsx"` read as five one-letter patterns, `period_required: "no"` read as true).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from etl.base.cells import CURRENCIES, KNOWN_UNITS
from etl.base.datasets import DATASETS
from etl.reference import catalog


class SpecError(Exception):
    """A spec file is wrong; the message names the file and the key."""


FIELD_TYPES = {
    "text",
    "credit_code",
    "number",
    "integer",
    "flag",
    "date",
    "region",
    "industry",
    "period",
    "year",
}
SHAPES = ("rows", "wide", "measures")
MEASURE_BASES = ("本期", "累计", "上年同期", "同比")
PERIOD_PLACES = ("column", "sheet", "title", "file_name")
EXTRA_FIELDS = {"period", "unit_text", "basis_text", "deadline_text", "status_text"}
"""Field names a spec may map besides its dataset's columns (finishing reads and drops them)."""

DATASET_NEEDS: dict[str, tuple[str, ...]] = {
    "enterprise_periods": ("credit_code", "name"),
    "hightech_certs": ("name", "cert_no"),
    "hightech_counts": ("township",),
    "land_projects": ("project", "township"),
    "indicator_obs": ("indicator_name", "value"),
    "targets": ("indicator_id", "target"),
}
"""The fields a `shape: rows` spec of each dataset must map (what identifies a row and its figure);
`wide` and `measures` tables produce indicator_obs rows from their layout instead."""

Check = Callable[[Any], str | None]  # the value → None, or what was expected


def _is(kind: type, name: str) -> Check:
    def check(v: Any) -> str | None:
        ok = isinstance(v, kind) and not (kind is int and isinstance(v, bool))
        return None if ok else name

    return check


def _one_of(*choices: Any) -> Check:
    return lambda v: None if v in choices else "one of " + ", ".join(map(str, choices))


def _list_of(item: Check, what: str) -> Check:
    return lambda v: None if isinstance(v, list) and all(item(x) is None for x in v) else f"a list of {what}"


def _unit(v: Any) -> str | None:
    shown = [u for u in KNOWN_UNITS if not u.endswith(CURRENCIES[1:]) and len(u) <= 4][:40]
    return None if isinstance(v, str) and v in KNOWN_UNITS else "a known unit (" + "、".join(shown) + " …)"


_STR, _BOOL, _INT, _MAP = (
    _is(str, "text"),
    _is(bool, "true or false"),
    _is(int, "a whole number"),
    _is(dict, "a mapping"),
)
_STRS = _list_of(_STR, "texts")

TOP_KEYS: dict[str, Check] = {
    "source": _STR,
    "layout": _STR,
    "dataset": _one_of(*DATASETS),
    "description": _STR,
    "files": _STRS,
    "sheets": _STR,
    "shape": _one_of(*SHAPES),
    "fields": _MAP,
    "required_any": _list_of(_STRS, "lists of field names"),
    "header_scan_rows": _INT,
    "total_labels": _STRS,
    "period_from": _list_of(_one_of(*PERIOD_PLACES), "places (" + ", ".join(PERIOD_PLACES) + ")"),
    "period_required": _BOOL,
    "blank_means": _one_of("missing", "zero"),
    "constants": _MAP,
    "wide": lambda v: None if isinstance(v, dict | bool) else "a mapping or true",
    "measures": _MAP,
    "coverage": _one_of("above_scale", "below_scale"),
    "decimal": _one_of(",", "."),
}
REQUIRED_TOP = ("source", "layout", "dataset")
FIELD_KEYS: dict[str, Check] = {
    "aliases": _STRS,
    "type": _one_of(*sorted(FIELD_TYPES)),
    "unit": _unit,
    "default_unit": _unit,
    "required": _BOOL,
    "month_end": _BOOL,
    "lower_bound": _BOOL,
    "vocabulary": _STR,
    "values": _MAP,
    "prefer": _STRS,
}
WIDE_KEYS: dict[str, Check] = {"label": _one_of("region", "indicator"), "label_aliases": _STRS}
MEASURES_KEYS: dict[str, Check] = {
    "label": _one_of("region"),
    "label_aliases": _STRS,
    "columns": _is(list, "a list of measure columns"),
}
MEASURE_COLUMN_KEYS: dict[str, Check] = {
    "aliases": _STRS,
    "indicator": _STR,
    "basis": _one_of(*MEASURE_BASES),
    "unit": _unit,
}


def _keys(
    raw: Any, allowed: dict[str, Check], where: str, path: Path, required: tuple[str, ...] = ()
) -> None:
    """`raw` is a mapping of `allowed` keys, each of its type, with every `required` one."""
    if not isinstance(raw, dict):
        raise SpecError(
            f"{path}: {where or 'the spec'}: expected a mapping of keys, got {type(raw).__name__}"
        )
    prefix = f"{where}." if where else ""
    for key in required:
        if key not in raw or raw[key] is None:
            raise SpecError(f"{path}: missing required key {prefix}{key!s}")
    for key, value in raw.items():
        if key not in allowed:
            raise SpecError(f"{path}: unknown key {prefix}{key!s} (known: {', '.join(allowed)})")
        expected = allowed[key](value)
        if expected is not None and value is not None:
            raise SpecError(f"{path}: key {prefix}{key}: expected {expected}, got {value!r}")


def check_raw(raw: Any, path: Path) -> None:
    """The parsed YAML of a spec file against the schema and its dataset (see the module's doc)."""
    _keys(raw, TOP_KEYS, "", path, REQUIRED_TOP)
    dataset, shape = raw["dataset"], raw.get("shape") or "rows"
    for name, body in (raw.get("fields") or {}).items():
        _keys(body or {}, FIELD_KEYS, f"fields.{name}", path)
        if name not in DATASETS[dataset].columns and name not in EXTRA_FIELDS:
            raise SpecError(f"{path}: unknown key fields.{name}: not a column of dataset {dataset!r}")
    if isinstance(raw.get("wide"), dict):
        _keys(raw["wide"], WIDE_KEYS, "wide", path)
    for key in ("wide", "measures"):
        if raw.get(key) and shape != key:
            raise SpecError(f"{path}: key {key}: only for shape: {key} (this spec's shape is {shape})")
    if shape == "rows":
        return
    if dataset != "indicator_obs":
        raise SpecError(f"{path}: key shape: {shape} tables give dataset indicator_obs, not {dataset!r}")
    if shape == "measures":
        _check_measures(raw.get("measures"), path)


def check_needs(raw: dict[str, Any], path: Path) -> None:
    """A `shape: rows` spec maps the fields its dataset needs (`DATASET_NEEDS`); checked after
    the fields themselves, so that a wrong field is named first."""
    dataset = raw["dataset"]
    if (raw.get("shape") or "rows") != "rows":
        return
    for need in DATASET_NEEDS[dataset]:
        if need not in (raw.get("fields") or {}):
            raise SpecError(f"{path}: missing required field fields.{need} (dataset {dataset} needs it)")


def _check_measures(raw: Any, path: Path) -> None:
    if raw is None:
        raise SpecError(f"{path}: missing required key measures (shape: measures)")
    _keys(raw, MEASURES_KEYS, "measures", path, ("columns",))
    if not raw["columns"]:
        raise SpecError(f"{path}: key measures.columns: expected at least one measure column")
    for i, col in enumerate(raw["columns"]):
        _keys(col, MEASURE_COLUMN_KEYS, f"measures.columns[{i}]", path, ("aliases", "indicator"))
        iid = catalog.indicator_id_for(col["indicator"])
        kind = catalog.by_id()[iid].kind if iid else None
        if col.get("basis") == "同比" and kind not in {None, "rate"}:
            raise SpecError(
                f"{path}: key measures.columns[{i}].basis: 同比 is a growth rate (%), but {iid} is a {kind}"
                f" in {catalog.by_id()[iid].unit}: name its growth indicator (…_growth, 增长率)"
            )

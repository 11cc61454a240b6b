"""The disclosure rules' parameters (plan.yaml `disclosure`), validated before a build uses them.

The rules themselves are SQL (warehouse/models/published/int_disclosure_cells.sql): a published
cell of enterprise output is withheld when it is built from 1 to `min_enterprises - 1`
enterprises (minimum frequency), when its `dominance.n` largest enterprises make more than
`dominance.k` % of it (the (n, k) dominance rule of τ-ARGUS and sdcTable), and, where a table
has a total, when it is the cell chosen so that no suppressed cell can be recovered by
subtraction (secondary suppression). This module only reads and checks the numbers.
"""

from __future__ import annotations

from typing import Any

from etl.base.settings import SettingsError

DEFAULTS = {"min_enterprises": 3, "dominance_n": 2, "dominance_k_pct": 85.0}


class DisclosureConfigError(SettingsError):
    """plan.yaml `disclosure` holds a value the rules cannot use (the message says which): a
    configuration error, so `statwh` prints it on one line and exits 2."""


def disclosure_params(plan: dict[str, Any]) -> dict[str, Any]:
    """{min_enterprises, dominance_n, dominance_k_pct} from plan.yaml's `disclosure`, defaults for
    what is not given; a value out of range is a `DisclosureConfigError` naming it."""
    d = plan.get("disclosure") or {}
    dom = (d.get("dominance") or {}) if isinstance(d, dict) else None
    if not isinstance(d, dict) or not isinstance(dom, dict):
        raise DisclosureConfigError(
            "plan.yaml disclosure: expected a mapping (min_enterprises, dominance: {n, k})"
        )
    out = {
        "min_enterprises": _number(
            d.get("min_enterprises", DEFAULTS["min_enterprises"]), "min_enterprises", int
        ),
        "dominance_n": _number(dom.get("n", DEFAULTS["dominance_n"]), "dominance.n", int),
        "dominance_k_pct": _number(dom.get("k", DEFAULTS["dominance_k_pct"]), "dominance.k", float),
    }
    if out["min_enterprises"] < 1:
        raise DisclosureConfigError(
            f"plan.yaml disclosure.min_enterprises: {out['min_enterprises']} — expected a whole number ≥ 1"
        )
    if out["dominance_n"] < 1:
        raise DisclosureConfigError(
            f"plan.yaml disclosure.dominance.n: {out['dominance_n']} — expected a whole number ≥ 1"
        )
    if not 0 < out["dominance_k_pct"] <= 100:
        raise DisclosureConfigError(
            f"plan.yaml disclosure.dominance.k: {out['dominance_k_pct']} — expected a percentage above 0 and at most 100"
        )
    return out


def _number(v: Any, name: str, kind: type) -> Any:
    if isinstance(v, bool) or not isinstance(v, int | float) or (kind is int and v != int(v)):
        raise DisclosureConfigError(
            f"plan.yaml disclosure.{name}: {v!r} — expected {'a whole number' if kind is int else 'a number'}"
        )
    return kind(v)

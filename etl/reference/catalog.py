"""The indicator catalog and the plan (warehouse/catalog/*.yaml), loaded once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import yaml

from etl.base.cells import header_key, without_month_bracket
from etl.base.paths import CATALOG_DIR


@dataclass(frozen=True)
class Indicator:
    id: str
    name_zh: str
    unit: str
    kind: str
    derivation: str
    frequency: str = "year"
    """year / quarter / month: how often its figures come (a quarterly one's 1-3月 is `2025Q1`)."""
    method: str = "none"
    direction: str = "up"
    window: str | None = None
    track: bool = True
    aliases: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    """Derivation parameters: flag, entry_type, chain, land_kind, of."""


@cache
def plan() -> dict[str, Any]:
    return yaml.safe_load((CATALOG_DIR / "plan.yaml").read_text(encoding="utf-8"))


@cache
def indicators() -> tuple[Indicator, ...]:
    raw = yaml.safe_load((CATALOG_DIR / "indicators.yaml").read_text(encoding="utf-8"))["indicators"]
    base = {
        "id",
        "name_zh",
        "unit",
        "kind",
        "derivation",
        "frequency",
        "method",
        "direction",
        "window",
        "track",
        "aliases",
    }
    out = []
    for e in raw:
        out.append(
            Indicator(
                id=e["id"],
                name_zh=e["name_zh"],
                unit=e["unit"],
                kind=e["kind"],
                derivation=e["derivation"],
                frequency=_frequency(e),
                method=e.get("method", "none"),
                direction=e.get("direction", "up"),
                window=e.get("window"),
                track=e.get("track", True),
                aliases=tuple(e.get("aliases", ())),
                params={k: v for k, v in e.items() if k not in base},
            )
        )
    return tuple(out)


FREQUENCIES = ("year", "quarter", "month")


def _frequency(entry: dict[str, Any]) -> str:
    f = entry.get("frequency", "year")
    if f not in FREQUENCIES:
        raise ValueError(
            f"indicators.yaml: {entry['id']}: frequency {f!r} is not one of {', '.join(FREQUENCIES)}"
        )
    return f


def by_id() -> dict[str, Indicator]:
    return {i.id: i for i in indicators()}


@cache
def _alias_index() -> dict[str, str]:
    idx: dict[str, str] = {}
    for i in indicators():
        for a in (i.id, i.name_zh, *i.aliases):
            idx.setdefault(header_key(a), i.id)
    return idx


def indicator_id_for(name: str | None) -> str | None:
    """The catalog id for a name as a department writes it (`地区生产总值(亿元)` → gdp), else None."""
    if not name:
        return None
    key = header_key(name)
    idx = _alias_index()
    if key in idx:
        return idx[key]
    # `规模以上工业总产值（当月）`: the indicator, read as the month alone (etl.extract.finish's basis)
    return idx.get(header_key(without_month_bracket(name)))


def ext_id(name: str) -> str:
    """`ext.<name>` for an indicator not in the catalog: the name without brackets and spaces."""
    return "ext." + header_key(name)


def window(name: str | None) -> tuple[dt.date, dt.date] | None:
    if not name:
        return None
    w = plan()["windows"][name]
    return w["start"], w["end"]

"""The alias index: what the existing specs know about each dataset, and how alike two headers are."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from etl.base.cells import header_key
from etl.spec.model import FieldSpec, SourceSpec, builtin_specs


@dataclass
class Known:
    """All that the existing specs know about one dataset."""

    dataset: str
    specs: list[SourceSpec]
    combined: SourceSpec  # every field of every layout of the dataset, aliases pooled
    fields: dict[str, FieldSpec]  # field → its FieldSpec (the first layout that has it)
    aliases: dict[str, list[str]]  # field → every alias known for it


def known_datasets(source: str | None) -> dict[str, Known]:
    """Per dataset, what the row layouts of every spec (or only of `source`, a known id) know."""
    specs = [s for s in builtin_specs() if s.shape == "rows"]
    if source and any(s.source == source for s in builtin_specs()):
        specs = [s for s in specs if s.source == source]
    out: dict[str, Known] = {}
    for ds in dict.fromkeys(s.dataset for s in specs):
        mine = [s for s in specs if s.dataset == ds]
        fields: dict[str, FieldSpec] = {}
        aliases: dict[str, list[str]] = {}
        for s in mine:
            for f in s.fields:
                fields.setdefault(f.name, f)
                aliases.setdefault(f.name, [])
                for a in (f.name, *f.aliases):
                    if a not in aliases[f.name]:
                        aliases[f.name].append(a)
        combined_fields = tuple(
            FieldSpec(
                name=n, aliases=tuple(aliases[n]), type=f.type, unit=f.unit, default_unit=f.default_unit
            )
            for n, f in fields.items()
        )
        combined = SourceSpec(
            path=Path("<index>"), source=mine[0].source, layout="<index>", dataset=ds, fields=combined_fields
        )
        out[ds] = Known(ds, mine, combined, fields, aliases)
    return out


_FLAG_FRAME = re.compile(r"^是否(?:为)?(?=..)|(?<=..)(?:企业|单位)$")


def _core(key: str) -> str:
    """A key without the words every flag's header wraps its subject in (`是否…企业`): `是否重点企业`
    is not like `是否规上企业` for sharing them (it had been guessed the 规上 column)."""
    return _FLAG_FRAME.sub("", key)


def similarity(header: str, aliases: list[str]) -> tuple[float, str]:
    """How alike `header` is to the closest of `aliases` (0-1, compared as header keys), and which."""
    key = _core(header_key(header))
    best, which = 0.0, ""
    for a in aliases:
        ak = _core(header_key(a))
        if not ak or not key:
            continue
        r = difflib.SequenceMatcher(None, key, ak).ratio()
        if r > best:
            best, which = r, a
    return best, which

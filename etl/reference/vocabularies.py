"""Vocabularies of categorical columns (`data/vocabularies.yaml`): what departments write → one
canonical value. A value outside a vocabulary is never guessed at: `lookup` says it is unknown."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from etl.base.cells import clean_text
from etl.base.paths import REFERENCE_DIR

VOCABULARIES_FILE = REFERENCE_DIR / "vocabularies.yaml"


def vocabulary_key(raw: Any) -> str:
    """How a cell is compared with a vocabulary: NFKC, no spaces, lower case (`1.0` for 1)."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return clean_text(raw).replace(" ", "").lower()


@dataclass(frozen=True)
class Vocabulary:
    name: str
    values: dict[str, Any]
    """vocabulary_key(what is written) → canonical value (None for the `none` words)."""
    canonical: tuple[Any, ...] = ()
    fields: tuple[str, ...] = field(default=(), compare=False)
    """`dataset.column`s that use it unless their spec names another."""

    def lookup(self, raw: Any) -> tuple[bool, Any]:
        """(known, canonical value); a blank cell is looked up as ''."""
        key = vocabulary_key(raw)
        if key in self.values:
            return True, self.values[key]
        return False, None

    def words(self) -> list[str]:
        """Every word the vocabulary knows (for messages and tests)."""
        return sorted(self.values)


def build_vocabulary(name: str, values: dict[Any, list[Any]], none: list[Any] = (), fields=()) -> Vocabulary:
    """A vocabulary from {canonical: [words]} (+ words meaning nothing); a word under two
    canonical values is an error."""
    out: dict[str, Any] = {}
    for canonical, words in values.items():
        for w in [canonical, *(words or [])]:
            k = vocabulary_key(w)
            if k in out and out[k] != canonical:
                raise ValueError(f"vocabulary {name}: {w!r} maps to both {out[k]!r} and {canonical!r}")
            out[k] = canonical
    for w in none or []:
        k = vocabulary_key(w)
        if k in out and out[k] is not None:
            raise ValueError(f"vocabulary {name}: {w!r} is both {out[k]!r} and none")
        out[k] = None
    return Vocabulary(name, out, tuple(values), tuple(fields))


def load_vocabularies(path: Path = VOCABULARIES_FILE) -> dict[str, Vocabulary]:
    """Every vocabulary of the file; one that `extends` another has that one's words too (the
    专精特新 flag: every 是/否 word of `flag`, and the ladder's rungs)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = {}
    for name, body in raw.items():
        values = {k: list(v or []) for k, v in (body.get("values") or {}).items()}
        none = list(body.get("none") or [])
        if base := body.get("extends"):
            if base not in raw or raw[base].get("extends"):
                raise ValueError(f"vocabulary {name}: extends {base!r}, which is no vocabulary of its own")
            for k, words in (raw[base].get("values") or {}).items():
                values[k] = [*(words or []), *values.get(k, [])]
            none = [*(raw[base].get("none") or []), *none]
        out[name] = build_vocabulary(name, values, none, body.get("fields") or [])
    return out


@cache
def vocabularies() -> dict[str, Vocabulary]:
    """The shipped vocabularies, loaded once."""
    return load_vocabularies()


def vocabulary(name: str) -> Vocabulary:
    """One shipped vocabulary; KeyError names the ones there are."""
    try:
        return vocabularies()[name]
    except KeyError:
        raise KeyError(f"no vocabulary {name!r}; known: {sorted(vocabularies())}") from None


def vocabulary_for_column(dataset: str, column: str) -> str | None:
    """The vocabulary a dataset column uses by default, if any."""
    key = f"{dataset}.{column}"
    return next((v.name for v in vocabularies().values() if key in v.fields), None)

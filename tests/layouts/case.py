"""A generated case: the file to write and the rows extraction must yield; and the comparison."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.layouts.space import Layout
from tests.layouts.writers import Sheet, extension, write


@dataclass
class Case:
    source: str  # what `statwh check SOURCE` is given
    layout: Layout
    file_stem: str
    sheet: Sheet
    key: str | tuple[str, ...]  # the field(s) that tell the expected rows apart
    expected: list[dict[str, Any]]
    fields: list[str] = field(default_factory=list)  # the fields compared

    @property
    def file_name(self) -> str:
        return f"{self.file_stem}.{extension(self.layout.format)}"

    def write(self, folder: Path) -> Path:
        return write(self.sheet, self.layout.format, folder / self.file_name)


def _same(a: Any, b: Any) -> bool:
    if isinstance(b, float) or isinstance(a, float):
        if a is None or b is None:
            return a is None and b is None
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    if hasattr(a, "item"):
        a = a.item()
    return a == b


def differences(case: Case, frame) -> list[str]:
    """What the extracted frame gets wrong against the case's ground truth (empty: all right)."""
    if frame is None:
        return ["no rows extracted"]
    keys = (case.key,) if isinstance(case.key, str) else case.key
    got = {"|".join(str(r[k]) for k in keys): r for r in frame.to_dict("records")}
    want = {"|".join(str(r[k]) for k in keys): r for r in case.expected}
    out = []
    if set(got) != set(want):
        out.append(f"rows: missing {sorted(set(want) - set(got))}, unexpected {sorted(set(got) - set(want))}")
    for k in sorted(set(got) & set(want)):
        for f in case.fields:
            g = got[k].get(f)
            g = None if g is not None and not isinstance(g, str) and _isnan(g) else g
            if not _same(g, want[k].get(f)):
                out.append(f"{k} {f}: got {g!r}, expected {want[k].get(f)!r}")
    return out


def _isnan(v: Any) -> bool:
    try:
        return bool(v != v)
    except (TypeError, ValueError):
        return False

"""`draft_spec`: the sheet to draft from, the draft of its layout, and the trial extraction with it."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from etl.draft.cell_kinds import is_blank
from etl.draft.header import find_header
from etl.draft.measures_draft import draft_measures, find_measures
from etl.draft.results import DraftResult
from etl.draft.rows import draft_rows
from etl.draft.wide import find_wide
from etl.draft.wide_draft import draft_wide
from etl.extract import extract
from etl.read import Grid, Workbook, read_workbook
from etl.spec.model import SpecError, load_spec

__all__ = ["draft_spec"]


def _choose_sheet(wb: Workbook) -> tuple[Grid, str, Any] | None:
    """The sheet to draft from: a wide table, else the one with the best header."""
    best = None
    for g in wb.sheets:
        if not g.rows or all(all(is_blank(v) for v in r) for r in g.rows):
            continue
        w = find_wide(g)
        if w is not None:
            cand = (100.0 + len(w[1]), g, "wide", w)
        else:
            h = find_header(g)
            if h is None:
                continue
            cand = (h.score, g, "rows", h)
        if best is None or cand[0] > best[0]:
            best = cand
    return None if best is None else best[1:]


def draft_spec(path: Path, source: str | None = None) -> DraftResult:
    """Draft a spec for the layout of `path` (any file `etl.read.workbook` reads).

    `source` restricts the datasets considered to those of an existing source id; an unknown id
    is written as the draft's `source:` (with a TODO). Raises `etl.read.workbook.ReadError` for a file that
    cannot be read, and ValueError when no sheet holds anything like a table."""
    path = Path(path)
    wb = read_workbook(path)
    chosen = _choose_sheet(wb)
    if chosen is None:
        raise ValueError(f"{path.name}: no sheet holds a header over rows of values / 找不到表头")
    grid, shape, found = chosen
    others = [
        g.name for g in wb.sheets if g is not grid and any(any(not is_blank(v) for v in r) for r in g.rows)
    ]
    if shape == "wide":
        result = draft_wide(path, wb, grid, found, source, others)
    elif (measures := find_measures(grid, found, source)) is not None:  # places down, measures across
        result = draft_measures(path, wb, grid, found, measures, source, others)
    else:
        result = draft_rows(path, wb, grid, found, source, others)
    _trial(path, result)
    return result


def _trial(path: Path, result: DraftResult) -> None:
    """Load the draft and extract the file with it; note the outcome at the top of the YAML."""

    with tempfile.TemporaryDirectory() as tmp:
        spec_path = Path(tmp) / "draft.yaml"
        spec_path.write_text(result.yaml_text, encoding="utf-8")
        ex = None
        try:  # a draft lacking a field its dataset needs does not load: that is the person's to map
            load_spec(spec_path)
        except SpecError as e:
            result.trial_problems = [str(e).replace(str(spec_path), "the draft")]
        else:
            ex = extract(path, str(spec_path))
    if ex is not None:
        result.trial_problems = [i.message for i in ex.critical]
        result.trial_rows = None if ex.frame is None else len(ex.frame)
    if result.trial_problems:
        line = f"# trial: extracting “{path.name}” with this draft fails: {result.trial_problems[0][:160]}"
        result.undecided.append(f"the draft does not yet extract the file: {result.trial_problems[0][:200]}")
    else:
        line = f"# trial: extracting “{path.name}” with this draft gives {result.trial_rows} rows"
    lines = result.yaml_text.split("\n")
    at = next(i for i, x in enumerate(lines) if x == "")
    lines.insert(at, line)
    result.yaml_text = "\n".join(lines)

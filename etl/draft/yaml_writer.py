"""Writing the draft's YAML by hand: scalars and flow collections, comments, TODO(person) lines.

By hand rather than with `yaml.dump` because every choice carries a comment next to its line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from etl.base import cells
from etl.base.cells import clean_text
from etl.draft.cell_kinds import META_PREFIX

_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^:,\[\]{}#&*!|>'\"%@`]*")


def scalar(s: Any) -> str:
    """`s` as a YAML scalar: plain when YAML reads it back as the same string, else quoted."""
    if isinstance(s, bool):
        return "true" if s else "false"
    if isinstance(s, int | float):
        return str(s)
    s = str(s)
    if _PLAIN.fullmatch(s) and not s.endswith(" "):
        try:
            if yaml.safe_load(f"[{s}]") == [s]:
                return s
        except yaml.YAMLError:
            pass
    return json.dumps(s, ensure_ascii=False)


def flow(v: Any) -> str:
    """`v` in YAML flow style (`{a: 1}`, `[x, y]`), on one line."""
    if isinstance(v, dict):
        return "{" + ", ".join(f"{scalar(k)}: {flow(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(flow(x) for x in v) + "]"
    return scalar(v)


def alias_text(header: str) -> str:
    """The header as an alias: its unit bracket left out (aliases are compared without it)."""
    s = clean_text(header).replace(" ", "")
    u = cells.unit_in_text(s)
    if u:
        s = re.sub(r"[\(（\[【]\s*(?:单位[:：])?\s*" + re.escape(u) + r"\s*[\)）\]】]", "", s)
    return s or clean_text(header)


def files_pattern(file_name: str) -> str:
    """A `files:` pattern, `*…*` around the longest run of Chinese in the file name (年/月 trimmed), else `*`."""
    stem = clean_text(Path(file_name).stem)
    runs = re.findall(r"[\u4e00-\u9fff][\u4e00-\u9fff（）()]*[\u4e00-\u9fff）)]|[\u4e00-\u9fff]", stem)
    runs = [re.sub(r"^(?:年|月|季度|年度)+|(?:年|月|年度)+$", "", r) for r in runs]
    runs = [r for r in runs if len(r) >= 3]
    return f"*{max(runs, key=len)}*" if runs else "*"


def description_text(title_texts: list[str], file_name: str) -> str:
    """The table's title without its dates, else the file name without them."""
    for t in title_texts:
        if META_PREFIX.match(t) or len(t) < 4:
            continue
        s = re.sub(r"[\(（][^\)）]*\d{4}[^\)）]*[\)）]", "", t)
        s = re.sub(r"\d{4}\s*年(?:度)?(?:\d{1,2}(?:\s*[-—~至]\s*\d{1,2})?月)?", "", s).strip(" _-")
        if len(s) >= 4:
            return s
    return re.sub(
        r"\d{4}\s*年(?:度)?(?:\d{1,2}(?:\s*[-—~至]\s*\d{1,2})?月)?", "", Path(file_name).stem
    ).strip(" _-")


def _wrap(text: str, prefix: str, width: int = 100) -> list[str]:
    """`text` as comment lines of at most `width` characters; continuations indented under it."""
    cont = prefix[: len(prefix) - len(prefix.lstrip())] + "#   "
    out, line = [], prefix
    for word in re.split(r"(?<= )", text):
        if len(line) + len(word) > width and line != prefix and line != cont:
            out.append(line.rstrip())
            line = cont
        line += word
    out.append(line.rstrip())
    return out


class Writer:
    """The draft's lines as they are written, and the TODO(person) items among them."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.undecided: list[str] = []

    def comment(self, text: str, indent: str = "") -> None:
        self.lines.extend(_wrap(text, f"{indent}# "))

    def todo(self, text: str, indent: str = "") -> None:
        self.undecided.append(text)
        self.lines.extend(_wrap(text, f"{indent}# TODO(person): "))

    def line(self, text: str) -> None:
        self.lines.append(text)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def write_intro(w: Writer, file_name: str, sheet: str) -> None:
    """The first lines of every draft: where it was drafted from, and what a person does with it."""
    w.comment(f"Draft spec written by `statwh spec draft` from “{file_name}”, sheet “{sheet}”.")
    w.comment("Review every TODO(person) line, then try it: statwh check <this file> <the file>.")
    w.comment("")


def files_line(file_name: str) -> str:
    """The `files:` line: one pattern, made from this file's name."""
    return f"files: {flow([files_pattern(file_name)])}   # file-name patterns this layout takes (from this file's name)"

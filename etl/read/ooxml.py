"""The parts of an .xlsx package the fast paths need: cell references, sheet paths, shared strings."""

from __future__ import annotations

import posixpath
import re
import zipfile
from xml.etree.ElementTree import iterparse

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


class SharedStrings:
    """Shared strings read only as far as the highest index asked for."""

    def __init__(self, z: zipfile.ZipFile):
        self._it = None
        self._items: list[str] = []
        name = next((n for n in z.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
        if name:
            self._it = iterparse(z.open(name), events=("end",))

    def __getitem__(self, i: int) -> str:
        while len(self._items) <= i and self._it is not None:
            try:
                _, el = next(self._it)
            except StopIteration:
                self._it = None
                break
            if el.tag == f"{NS}si":
                self._items.append("".join(t.text or "" for t in el.iter(f"{NS}t")))
                el.clear()
        return self._items[i] if i < len(self._items) else ""


def sheet_paths(z: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part path) in workbook order."""
    rels = {}
    with z.open("xl/_rels/workbook.xml.rels") as f:
        for _, el in iterparse(f):
            if el.tag.endswith("Relationship"):
                target = el.get("Target", "")
                rels[el.get("Id")] = (
                    target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
                )
    out = []
    with z.open("xl/workbook.xml") as f:
        for _, el in iterparse(f):
            if el.tag == f"{NS}sheet":
                out.append((el.get("name"), rels.get(el.get(f"{REL_NS}id"), "")))
    return out

"""`check_extent`: a sheet reaching past Excel's limits or `STATWH_MAX_CELLS` is refused before any
reader allocates for it, whatever the declared dimension says and however the references are written."""

from __future__ import annotations

import io
import random
import re
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.read import ooxml
from etl.read.ooxml import MAX_COLS, MAX_ROWS, ExtentError, check_extent, col_index

WORKBOOK = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def letters(n: int) -> str:
    """Column letters of 1-based column `n` (any size: past XFD too)."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def package(
    cells: list[tuple[int, int]], *, dimension: str | None = None, attrs_first: bool = False
) -> zipfile.ZipFile:
    """A workbook whose one sheet holds a number at each (row, column), 1-based."""
    rows: dict[int, list[int]] = {}
    for r, c in cells:
        rows.setdefault(r, []).append(c)
    xml = ['<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">']
    if dimension:
        xml.append(f'<dimension ref="{dimension}"/>')
    xml.append("<sheetData>")
    for r in sorted(rows):
        xml.append(f'<row spans="1:2" r="{r}">' if attrs_first else f'<row r="{r}">')
        for c in sorted(rows[r]):
            ref = f"{letters(c)}{r}"
            xml.append(f'<c s="0" r="{ref}"><v>1</v></c>' if attrs_first else f'<c r="{ref}"><v>1</v></c>')
        xml.append("</row>")
    xml.append("</sheetData></worksheet>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", RELS)
        z.writestr("xl/worksheets/sheet1.xml", "".join(xml))
    return zipfile.ZipFile(io.BytesIO(buf.getvalue()))


def test_letters_round_trip():
    for n in (1, 26, 27, 702, 703, MAX_COLS):
        assert col_index(letters(n)) == n - 1
    assert letters(MAX_COLS) == "XFD"


@pytest.mark.parametrize("attrs_first", [False, True])
@pytest.mark.parametrize("seed", range(12))
def test_the_furthest_reference_decides_whatever_the_dimension_says(seed, attrs_first):
    """Ground truth from the generator: rejected exactly when the furthest row or column is past
    Excel's limits, or rows × columns is over the cap; the dimension claims A1:A1 throughout."""
    rng = random.Random(seed)
    max_cells = rng.choice([10_000, 1_000_000, 60_000_000])
    cells = [(rng.randint(1, 40), rng.randint(1, 12)) for _ in range(30)]
    far = (
        rng.choice([5, 3_000, 200_000, MAX_ROWS, MAX_ROWS + 1]),
        rng.choice([3, 200, MAX_COLS, MAX_COLS + 1, 8_031_810_176]),
    )
    cells.append(far)
    top_row = max(r for r, _ in cells)
    top_col = max(c for _, c in cells)
    bad = top_row > MAX_ROWS or top_col > MAX_COLS or top_row * top_col > max_cells
    z = package(cells, dimension="A1:A1", attrs_first=attrs_first)
    if bad:
        with pytest.raises(ExtentError):
            check_extent(z, max_cells)
    else:
        check_extent(z, max_cells)


@pytest.mark.parametrize(
    ("dimension", "bad"),
    [
        ("A1:Q2000", False),
        ("A1:XFD200000", True),
        ("A1:XFD1048576", True),
        ("A1:A1048577", True),
        ("B2", False),
        ("ZZZZZZZ1", True),
    ],
)
def test_the_declared_dimension_is_checked(dimension, bad):
    z = package([(1, 1), (2, 2)], dimension=dimension)
    if bad:
        with pytest.raises(ExtentError, match="dimension"):
            check_extent(z, 60_000_000, scan_bytes=0)
    else:
        check_extent(z, 60_000_000, scan_bytes=0)


def test_a_big_sheet_whose_dimension_lies_is_caught_by_the_streaming_scan():
    """Over `scan_bytes` the references are scanned as the sheet is inflated (`stream`): a
    `<dimension>` saying A1:B2 does not hide cells out to XFD200000. Without `stream` (the header
    reader's own check, after the worker's) only the dimension is read."""
    z = package([(1, 1), (200_000, MAX_COLS)], dimension="A1:B2")
    check_extent(z, 60_000_000, scan_bytes=10, stream=False)
    with pytest.raises(ExtentError, match="200,000 行 × 16,384 列"):
        check_extent(z, 60_000_000, scan_bytes=10)
    with pytest.raises(ExtentError, match="200,000 行 × 16,384 列"):
        check_extent(z, 60_000_000)


@pytest.mark.parametrize("chunk", [37, 1 << 20])
@pytest.mark.parametrize("attrs_first", [False, True])
@pytest.mark.parametrize("seed", range(12))
def test_the_streaming_scan_finds_the_furthest_reference(seed, attrs_first, chunk, monkeypatch):
    """As the one-pass scan, read in chunks (of 37 bytes: references cut at every place), with
    single-quoted and lower-case references among them."""
    monkeypatch.setattr(ooxml, "CHUNK", chunk)
    rng = random.Random(seed)
    max_cells = rng.choice([10_000, 1_000_000, 60_000_000])
    cells = [(rng.randint(1, 40), rng.randint(1, 12)) for _ in range(30)]
    far = (
        rng.choice([5, 3_000, 200_000, MAX_ROWS, MAX_ROWS + 1, 10**9]),
        rng.choice([3, 200, MAX_COLS, MAX_COLS + 1, 8_031_810_176]),
    )
    cells.append(far)
    top_row, top_col = max(r for r, _ in cells), max(c for _, c in cells)
    bad = top_row > MAX_ROWS or top_col > MAX_COLS or top_row * top_col > max_cells
    z = package(cells, dimension="A1:A1", attrs_first=attrs_first)
    if seed % 3 == 0:  # the same sheet written with r='…' and lower-case letters
        xml = z.read("xl/worksheets/sheet1.xml").decode()
        xml = re.sub(r'r="([A-Z]*)(\d+)"', lambda m: f"r='{m.group(1).lower()}{m.group(2)}'", xml)
        z = repack(z, xml)
    if bad:
        with pytest.raises(ExtentError):
            check_extent(z, max_cells, scan_bytes=0)
    else:
        check_extent(z, max_cells, scan_bytes=0)


def repack(z: zipfile.ZipFile, sheet_xml: str) -> zipfile.ZipFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for name in z.namelist():
            out.writestr(name, sheet_xml if name == "xl/worksheets/sheet1.xml" else z.read(name))
    return zipfile.ZipFile(io.BytesIO(buf.getvalue()))


def test_ingest_refuses_a_big_sheet_whose_dimension_lies(home, tmp_path):
    """End to end: a sheet of more than 1 MB of XML declaring A1:B2, with one cell at XFD200000,
    is refused unread (`too_many_cells`) by the worker's check before any reader allocates."""
    from tests.conftest import query, run_cli

    cells = [(r, c) for r in range(1, 20_001) for c in (1, 2, 3)] + [(200_000, MAX_COLS)]
    z = package(cells, dimension="A1:B2")
    assert z.getinfo("xl/worksheets/sheet1.xml").file_size > ooxml.FULL_SCAN_BYTES
    path = tmp_path / "规上工业企业主要指标_2025年1-6月.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name in z.namelist():
            out.writestr(name, z.read(name))
    assert run_cli("ingest", "enterprises", str(path), "--no-build") == 1
    ((rule, message),) = query(home / "warehouse.duckdb", "select rule, message from meta.rejections")
    assert rule == "too_many_cells" and "16,384" in message


def _old_longest_value(a, at, kind, limit: int, value, base: int):
    """`_longest_value` as it was: `kind` a mask over the whole buffer."""
    import numpy as np

    n = np.zeros(len(at), np.int8)
    alive = np.arange(len(at))
    for i in range(limit):
        alive = alive[kind[at[alive] + i]]
        if not len(alive):
            break
        n[alive] += 1
    longest = int(n.max())
    if longest >= limit:
        return MAX_ROWS * MAX_COLS, at + n
    sub = at[n == longest]
    top = np.zeros(len(sub), np.int64)
    for i in range(longest):
        top = top * base + value(a[sub + i].astype(np.int64))
    return (int(top.max()) if len(top) else 0), at + n


def _old_chunk_extent(buf: bytes) -> tuple[int, int]:
    """`_chunk_extent` as it was: every test a comparison over the whole buffer."""
    import numpy as np

    a = np.frombuffer(buf, np.uint8)
    if len(a) < 8:
        return 0, 0
    quote = (a[3:] == 34) | (a[3:] == 39)
    at = np.flatnonzero(quote & (a[2:-1] == 61) & (a[1:-2] == 114) & (a[:-3] <= 32)) + 4
    at = at[at < len(a) - 14]
    if not len(at):
        return 0, 0
    letter = ((a | 32) >= 97) & ((a | 32) <= 122)
    digit = (a >= 48) & (a <= 57)
    col, start = _old_longest_value(a, at, letter, 5, lambda ch: (ch | 32) - 96, 26)
    row, _ = _old_longest_value(a, start, digit, 9, lambda ch: ch - 48, 10)
    return row, col


_TOKENS = [
    *(' r="', " r='", '\tr="', 'xr="', 'r="', " r=", '"', "'", " ", "<c", "/>", "\n", "=", "r"),
    *("A", "z", "XFD", "Q", "AAAAA", "é", "1", "9", "0", "123", "1048576", "999999999", '<row r="7">'),
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=120))
def test_the_chunk_scan_finds_what_masks_over_the_whole_buffer_found(tokens):
    """The scan looks only at the bytes around each `r`: the same furthest row and column as the
    masks over the whole buffer it replaced, on references written every way, cut short, too long."""
    buf = "".join(tokens).encode()
    assert ooxml._chunk_extent(buf) == _old_chunk_extent(buf)


def test_the_chunk_scan_on_a_real_sheet_finds_what_it_found():
    cells = [(r, c) for r in range(1, 400, 7) for c in (1, 2, 27, 703, 16_384)]
    xml = package(cells, attrs_first=True).read("xl/worksheets/sheet1.xml")
    for cut in (len(xml), len(xml) // 2, 1000, 40):
        assert ooxml._chunk_extent(xml[:cut]) == _old_chunk_extent(xml[:cut])
    assert ooxml._chunk_extent(xml + b" " * 16) == (393, 16_384)

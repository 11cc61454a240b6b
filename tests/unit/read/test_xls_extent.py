""".xls: a sheet's DIMENSIONS record is checked before calamine allocates a grid by it. A DIMENSIONS
that claims 2,147,483,632 rows makes calamine abort the process (a 171 GB allocation); it must be
one line naming the sheet, and the reader never called. Files crafted here: a small .xls written
by xlwt with the bytes of its DIMENSIONS record patched."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest
import xlwt

from etl.read import ReadError, read_workbook
from etl.read.biff import check_xls_extent
from etl.read.ooxml import ExtentError
from tests.conftest import FIXTURES, REPO, query, run_cli

DIMENSIONS = b"\x00\x02\x0e\x00"  # record 0x0200, 14 bytes (BIFF8)


def small_xls(path: Path, *, rows: int | None = None, cols: int | None = None) -> Path:
    """A two-sheet .xls of 2 × 2 cells; `rows`/`cols`: what the first sheet's DIMENSIONS claims."""
    wb = xlwt.Workbook()
    ws = wb.add_sheet("表1")
    for r, row in enumerate([["名称", "数值"], ["甲", 1.5]]):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    wb.add_sheet("Sheet2").write(0, 0, "x")
    wb.save(str(path))
    data = bytearray(path.read_bytes())
    at = data.find(DIMENSIONS)
    assert at > 0 and struct.unpack_from("<IIHH", data, at + 4) == (0, 2, 0, 2)
    if rows is not None:
        struct.pack_into("<I", data, at + 8, rows)
    if cols is not None:
        struct.pack_into("<H", data, at + 14, cols)
    path.write_bytes(bytes(data))
    return path


def test_a_sheet_declaring_too_many_rows_is_refused_before_calamine(tmp_path, monkeypatch):
    import python_calamine

    huge = small_xls(tmp_path / "huge.xls", rows=0x7FFFFFF0)
    with pytest.raises(ExtentError, match="表1.*2,147,483,632 行"):
        check_xls_extent(huge, 60_000_000)

    def never(*a, **k):
        raise AssertionError("calamine was called")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", never)
    with pytest.raises(ReadError) as err:
        read_workbook(huge)
    assert "\n" not in str(err.value) and "65,536" in str(err.value)


def test_columns_and_the_cell_cap(tmp_path):
    with pytest.raises(ExtentError, match="300 列"):
        check_xls_extent(small_xls(tmp_path / "wide.xls", cols=300), 60_000_000)
    fine = small_xls(tmp_path / "fine.xls")
    check_xls_extent(fine, 4)  # 2 × 2 cells
    with pytest.raises(ExtentError, match="超过单元格上限 3"):
        check_xls_extent(fine, 3)
    assert [g.name for g in read_workbook(fine).sheets] == ["表1", "Sheet2"]


@pytest.mark.parametrize("path", sorted((FIXTURES / "realdata").glob("*.xls")), ids=lambda p: p.name[:2])
def test_real_xls_files_pass_and_are_measured(path):
    check_xls_extent(path, 60_000_000)
    with pytest.raises(ExtentError):  # their sheets' DIMENSIONS were found and read
        check_xls_extent(path, 10)


def test_statwh_check_says_one_line(tmp_path):
    huge = small_xls(tmp_path / "规上工业企业主要指标_2025年1-6月.xls", rows=0x7FFFFFF0)
    out = subprocess.run(
        [sys.executable, "-m", "etl.cli", "check", "enterprises", str(huge)],
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "GX_ANALYTICS_ENABLED": "false", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 1 and "Traceback" not in out.stderr and "memory allocation" not in out.stderr
    assert "would be rejected" in out.stdout and "DIMENSIONS" in out.stdout, out.stdout


def test_ingest_rejects_it_unread_as_too_many_cells(home, tmp_path):
    huge = small_xls(tmp_path / "规上工业企业主要指标_2025年1-6月.xls", rows=0x7FFFFFF0)
    assert run_cli("ingest", "enterprises", str(huge), "--no-build") == 1
    (rule,) = query(home / "warehouse.duckdb", "select rule from meta.rejections")[0]
    assert rule == "too_many_cells"

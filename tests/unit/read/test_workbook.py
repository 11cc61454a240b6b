"""The CSV reader reads strictly: decimal commas only when the file says so, an ambiguous number or
an unclosed quote rejects the file naming where, an unreadable file is a ReadError, not a crash."""

from __future__ import annotations

import random

import pytest

from etl.base.cells import parse_number
from etl.read import ReadError, read_workbook
from etl.read.workbook import decimal_comma_number, strict_csv_rows

HEADER = "项目名称;所在镇;复垦面积;验收日期"


def write(tmp_path, text: str, name: str = "台账.csv", encoding: str = "utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def figures(path, col: int, **kw) -> list[float | None]:
    rows = read_workbook(path, **kw).sheets[0].rows
    return [parse_number(r[col]).value for r in rows[1:]]


def test_sep_line_declares_decimal_commas(tmp_path):
    p = write(tmp_path, f"sep=;\r\n{HEADER}\r\n甲;石塘镇;51,5;2024-03-01\r\n乙;施河镇;1.234,5;2024-03-02\r\n")
    wb = read_workbook(p)
    assert wb.sheets[0].rows[0][0] == "项目名称", "the sep= line is no row of the sheet"
    assert figures(p, 2) == [51.5, 1234.5]


def test_semicolon_file_without_declaration_rejects_a_decimal_comma_naming_the_cell(tmp_path):
    p = write(tmp_path, f"{HEADER}\n甲;石塘镇;10;2024-03-01\n乙;施河镇;51,5;2024-03-02\n", name="x.csv")
    with pytest.raises(ReadError) as e:
        read_workbook(p)
    msg = str(e.value)
    assert "\n" not in msg
    for part in ("sheet x", "row 3", "column C", "'51,5'", "ambiguous"):
        assert part in msg, msg


@pytest.mark.parametrize("cell", ["1,234", "1,23", "-0,5", "12,5%"])
def test_semicolon_file_any_comma_number_is_ambiguous(tmp_path, cell):
    p = write(tmp_path, f"{HEADER}\n甲;石塘镇;{cell};2024-03-01\n")
    with pytest.raises(ReadError, match="ambiguous"):
        read_workbook(p)


def test_the_caller_may_declare_decimal_commas(tmp_path):
    p = write(tmp_path, f"{HEADER}\n甲;石塘镇;51,5;2024-03-01\n")
    assert figures(p, 2, decimal=",") == [51.5]


def test_thousands_separator_in_a_comma_separated_quoted_field_stays(tmp_path):
    p = write(tmp_path, '项目名称,复垦面积\n甲,"1,234"\n乙,"12,345.5"\n')
    assert figures(p, 1) == [1234.0, 12345.5]


@pytest.mark.parametrize("cell", ["51,5", "1,23", "1,2345"])
def test_a_comma_that_is_no_thousands_separator_is_ambiguous_in_a_comma_file(tmp_path, cell):
    p = write(tmp_path, f'项目名称,复垦面积\n甲,"{cell}"\n')
    with pytest.raises(ReadError, match="ambiguous"):
        read_workbook(p)


def test_text_with_commas_is_no_number(tmp_path):
    p = write(tmp_path, f"{HEADER}\n1,2号地块;石塘镇;5;2024-03-01\n")
    assert read_workbook(p).sheets[0].rows[1][0] == "1,2号地块"


def test_decimal_comma_numbers_against_ground_truth():
    """Random figures written as a European Excel writes them read back as the same numbers."""
    rng = random.Random(7)
    for _ in range(2000):
        v = round(rng.uniform(-1e7, 1e7), rng.randint(0, 4))
        whole, _, frac = f"{abs(v):.{rng.randint(1, 4)}f}".partition(".")
        grouped = (
            f"{int(whole):,}".replace(",", rng.choice([".", "\u00a0", " "])) if rng.random() < 0.5 else whole
        )
        text = ("-" if v < 0 else "") + grouped + ("," + frac if frac else "")
        got = parse_number(decimal_comma_number(text)).value
        assert got == pytest.approx(float(("-" if v < 0 else "") + whole + "." + frac)), text


@pytest.mark.parametrize("cell", ["2024.1", "0.123", "1.5", "淮安区", "9132080", "2024-03-01"])
def test_cells_that_are_not_decimal_comma_numbers_stay(cell):
    assert decimal_comma_number(cell) == cell


def test_unclosed_quote_rejects_the_file_naming_the_line_it_opened(tmp_path):
    lines = ["项目名称,所在镇,复垦面积"] + [f"项目{i},石塘镇,{i}" for i in range(1, 20)]
    lines[3] = '"项目3,石塘镇,3'
    p = write(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(ReadError) as e:
        read_workbook(p)
    assert "line 4" in str(e.value) and "never closed" in str(e.value) and "\n" not in str(e.value)


def test_unclosed_quote_after_a_sep_line_counts_the_sep_line(tmp_path):
    p = write(tmp_path, 'sep=;\n项目名称;复垦面积\n甲;"5\n乙;6\n')
    with pytest.raises(ReadError, match="line 3"):
        read_workbook(p)


def test_unclosed_quote_after_a_closed_multiline_field(tmp_path):
    text = '项目名称,备注\n甲,"两行\n备注"\n乙,"x"\n丙,"开了\n没关\n'
    with pytest.raises(ReadError, match="line 5"):
        strict_csv_rows(text, ",")


def test_closed_quotes_spanning_lines_read(tmp_path):
    rows = strict_csv_rows('项目名称,备注\n甲,"两行\n备注"\n乙,"说""明"\n', ",")
    assert rows == [["项目名称", "备注"], ["甲", "两行\n备注"], ["乙", '说"明']]


def test_text_after_a_closing_quote_is_malformed(tmp_path):
    with pytest.raises(ReadError, match="line 2"):
        strict_csv_rows('a,b\n"x"y,1\n', ",")


def test_a_directory_is_a_read_error(tmp_path):
    d = tmp_path / "台账.xlsx"
    d.mkdir()
    with pytest.raises(ReadError, match="directory"):
        read_workbook(d)


def test_an_unreadable_file_is_a_read_error(tmp_path, monkeypatch):
    p = write(tmp_path, "项目名称,复垦面积\n甲,5\n")
    p.chmod(0)
    import os
    from pathlib import Path

    if os.geteuid() == 0:  # root reads any file: make the open fail as it fails for others
        real_open = Path.open

        def refuse(self, *a, **k):
            if self == p:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *a, **k)

        monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(ReadError, match="cannot read the file: Permission denied"):
        read_workbook(p)


def test_a_spec_may_declare_decimal_commas(tmp_path):
    """`decimal: ","` in a layout's spec reads `51,5` in its `;`-separated CSVs as 51.5; without
    it the same file is rejected as ambiguous."""
    from etl.base.paths import SPEC_DIR
    from etl.extract import extract
    from tests.hostile.corpus import ledger_semicolon_text

    text = (SPEC_DIR / "land_linkage.yaml").read_text(encoding="utf-8")
    spec = tmp_path / "land_linkage_eu.yaml"
    spec.write_text(text + '\ndecimal: ","\n', encoding="utf-8")
    p = write(tmp_path, ledger_semicolon_text(["51,5", "50", "1.234,5", "52", "53"], sep_line=False))
    p = p.rename(tmp_path / "增减挂钩项目验收台账.csv")
    ex = extract(p, str(spec))
    assert not ex.critical, ex.issues
    assert list(ex.frame["area_mu"]) == [51.5, 50.0, 1234.5, 52.0, 53.0]
    plain_spec = tmp_path / "land_linkage_plain.yaml"
    plain_spec.write_text(text, encoding="utf-8")
    plain = extract(p, str(plain_spec))
    assert plain.critical and "ambiguous number '51,5'" in plain.critical[0].message


@pytest.mark.parametrize("text", ["51,5", "1,23", "1,2345", "1,234,5", "１，５", "-0,5"])
def test_a_text_cell_whose_comma_is_no_thousands_separator_is_refused(text):
    """In a workbook too (a text cell, no CSV to say how it writes numbers): `51,5` is never 515."""
    p = parse_number(text)
    assert p.value is None and "ambiguous number" in p.problem


@pytest.mark.parametrize("text, value", [("1,234", 1234), ("-12,345.5", -12345.5), ("1,234万元", 1234)])
def test_thousands_separators_in_text_cells_still_read(text, value):
    assert parse_number(text).value == value

"""A corpus of hostile departmental files, generated at test time (nothing binary is committed).

One function per case: `case_<name>(directory) -> Path` writes the file into `directory` and returns
its path. `CASES` lists every case with the source it is ingested as and the outcome the pipeline
owes it (`rejected`, `partial` or `loaded`); `tests/test_hostile.py` asserts the details.

Only xlsxwriter, openpyxl and the standard library are used (both are dependencies of the project).
The password-protected workbook is built as Office builds one: an OLE2 compound file holding
`EncryptionInfo` and `EncryptedPackage` streams (written by `ole2_file` below, no msoffcrypto needed).
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from etl.base.codes import make_credit_code

TOWNSHIPS = ["淮城街道", "石塘镇", "施河镇", "复兴镇", "朱桥镇", "车桥镇"]
ROSTER_HEADER = [
    "序号",
    "统一社会信用代码",
    "企业名称",
    "所在镇（街道）",
    "行业代码",
    "本月工业总产值",
    "本年累计工业总产值",
    "从业人员",
]
ROSTER_NAME = "规上工业企业主要指标_2025年1-6月.xlsx"
LEDGER_HEADER = ["序号", "项目名称", "所在镇", "复垦面积", "验收日期"]
LEDGER_NAME = "增减挂钩项目验收台账.xlsx"


def code(i: int) -> str:
    """A valid 统一社会信用代码, distinct per `i`."""
    return make_credit_code("320803", f"7{i:07d}")


def roster_rows(n: int = 6) -> list[list]:
    return [
        [
            i + 1,
            code(i),
            f"淮安测试{i + 1}号机械有限公司",
            TOWNSHIPS[i % len(TOWNSHIPS)],
            "3599",
            100.0 + i,
            600.0 + 10 * i,
            20 + i,
        ]
        for i in range(n)
    ]


def ledger_rows(n: int = 5) -> list[list]:
    return [
        [
            i + 1,
            f"{TOWNSHIPS[i % len(TOWNSHIPS)]}测试村{i + 1}号增减挂钩拆旧复垦项目",
            TOWNSHIPS[i % len(TOWNSHIPS)],
            50.0 + i,
            dt.date(2024, 3, i + 1),
        ]
        for i in range(n)
    ]


def write_xlsx(
    path: Path,
    rows: list[list],
    *,
    sheet: str = "Sheet1",
    title: str | None = None,
    unit_row: str | None = None,
    formulas: dict[tuple[int, int], tuple[str, object]] | None = None,
    vba: bytes | None = None,
) -> Path:
    """A plain workbook: optional title and unit rows, then `rows` (header first).

    `formulas` maps (row in `rows`, column) to (formula, cached value); cached value `None` writes
    the formula with no cached value at all (as openpyxl and many generators do)."""
    wb = xlsxwriter.Workbook(
        str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    ws = wb.add_worksheet(sheet)
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    r0 = 0
    for extra in (title, unit_row):
        if extra:
            ws.write_string(r0, 0, extra)
            r0 += 1
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if formulas and (r, c) in formulas:
                f, cached = formulas[(r, c)]
                ws.write_formula(r0 + r, c, f, None, cached if cached is not None else "")
            elif v is None:
                continue
            elif isinstance(v, dt.date):
                ws.write_datetime(r0 + r, c, dt.datetime(v.year, v.month, v.day), date_fmt)
            elif isinstance(v, bool):
                ws.write_boolean(r0 + r, c, v)
            elif isinstance(v, int | float):
                ws.write_number(r0 + r, c, v)
            else:
                ws.write_string(r0 + r, c, str(v))
    if vba is not None:
        vba_path = path.with_name("vbaProject.bin")
        vba_path.write_bytes(vba)
        wb.add_vba_project(str(vba_path))
    wb.close()
    if vba is not None:
        path.with_name("vbaProject.bin").unlink()
    if formulas and any(cached is None for _, cached in formulas.values()):
        _strip_cached_values(path)
    return path


def _strip_cached_values(path: Path) -> None:
    """Remove the `<v>` of formula cells whose cached value is empty: formulas never calculated."""
    import re

    buf = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = data.decode("utf-8")
                text = re.sub(
                    r'<c r="([A-Z]+\d+)"([^>]*) t="str"><f>([^<]*)</f><v></v></c>',
                    r'<c r="\1"\2><f>\3</f></c>',
                    text,
                )
                text = re.sub(r"<f>([^<]*)</f><v></v>", r"<f>\1</f>", text)
                data = text.encode("utf-8")
            zout.writestr(item, data)
    path.write_bytes(buf.getvalue())


def roster(path: Path, rows: list[list] | None = None, header: list[str] | None = None, **kw) -> Path:
    return write_xlsx(
        path,
        [header or ROSTER_HEADER] + (roster_rows() if rows is None else rows),
        title=kw.pop("title", "淮安区工业企业主要经济指标"),
        unit_row=kw.pop("unit_row", "单位：万元"),
        **kw,
    )


def ledger(path: Path, rows: list[list] | None = None, header: list[str] | None = None, **kw) -> Path:
    return write_xlsx(
        path,
        [header or LEDGER_HEADER] + (ledger_rows() if rows is None else rows),
        title="淮安区城乡建设用地增减挂钩项目验收台账",
        unit_row=kw.pop("unit_row", "面积单位：亩"),
        **kw,
    )


def ledger_csv_text(date_texts: list[str] | None = None) -> str:
    lines = ["淮安区城乡建设用地增减挂钩项目验收台账", "面积单位：亩", ",".join(LEDGER_HEADER)]
    for i, r in enumerate(ledger_rows()):
        d = date_texts[i] if date_texts else r[4].isoformat()
        lines.append(",".join(str(x) for x in r[:4]) + f",{d}")
    return "\r\n".join(lines) + "\r\n"


# ---------------------------------------------------------------- OLE2 (compound file) writer


def ole2_file(streams: dict[str, bytes]) -> bytes:
    """A minimal but valid compound file (CFB v3, 512-byte sectors) holding `streams` in its root.

    Every stream is padded to at least 4096 bytes so that it lives in the regular FAT (no mini
    stream needed); readers go by the stream names, which is what matters here."""
    sec = 512
    streams = {k: v + b"\x00" * max(0, 4096 - len(v)) for k, v in streams.items()}
    names = list(streams)
    # layout: [FAT sector(s)] [directory sectors] [stream data...]
    data_secs = [(len(v) + sec - 1) // sec for v in streams.values()]
    n_dir = (len(names) + 1 + 3) // 4
    n_fat = 1
    while True:
        total = n_fat + n_dir + sum(data_secs)
        if total <= n_fat * (sec // 4):
            break
        n_fat += 1
    fat = [0xFFFFFFFD] * n_fat  # FATSECT
    dir_start = len(fat)
    fat += [dir_start + i + 1 for i in range(n_dir - 1)] + [0xFFFFFFFE]
    starts = []
    for n in data_secs:
        s = len(fat)
        starts.append(s)
        fat += [s + i + 1 for i in range(n - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (n_fat * (sec // 4) - len(fat))

    def entry(
        name: str, kind: int, start: int, size: int, left=0xFFFFFFFF, right=0xFFFFFFFF, child=0xFFFFFFFF
    ):
        n = name.encode("utf-16-le") + b"\x00\x00"
        return (
            n.ljust(64, b"\x00")
            + struct.pack("<HBB", len(n), kind, 1)
            + struct.pack("<III", left, right, child)
            + b"\x00" * 16
            + struct.pack("<I", 0)
            + b"\x00" * 16
            + struct.pack("<IIi", start, size, 0)
        )

    # a balanced-enough tree: a right-leaning chain of siblings, sorted as CFB wants (length, then upper)
    order = sorted(range(len(names)), key=lambda i: (len(names[i]), names[i].upper()))
    entries = [b""] * (len(names) + 1)
    entries[0] = entry("Root Entry", 5, 0xFFFFFFFE, 0, child=order[0] + 1 if names else 0xFFFFFFFF)
    for pos, i in enumerate(order):
        right = order[pos + 1] + 1 if pos + 1 < len(order) else 0xFFFFFFFF
        entries[i + 1] = entry(names[i], 2, starts[i], len(streams[names[i]]), right=right)
    dir_bytes = b"".join(entries).ljust(n_dir * sec, b"\x00")
    # unused directory slots must be "empty" entries
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<I", 0)
        + struct.pack("<I", n_fat)
        + struct.pack("<I", dir_start)
        + struct.pack("<I", 0)
        + struct.pack("<I", 4096)
        + struct.pack("<I", 0xFFFFFFFE)
        + struct.pack("<I", 0)
        + struct.pack("<I", 0xFFFFFFFE)
        + struct.pack("<I", 0)
    )
    difat = list(range(n_fat)) + [0xFFFFFFFF] * (109 - n_fat)
    header += struct.pack("<109I", *difat)
    assert len(header) == 512
    body = (
        struct.pack(f"<{len(fat)}I", *fat)
        + dir_bytes
        + b"".join(v.ljust(n * sec, b"\x00") for v, n in zip(streams.values(), data_secs, strict=True))
    )
    return header + body


AGILE_ENCRYPTION_INFO = (
    struct.pack("<HHI", 4, 4, 0x40) + b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption" '
    b'xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password">'
    b'<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
    b'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/>'
    b'<keyEncryptors><keyEncryptor uri="http://schemas.microsoft.com/office/2006/keyEncryptor/password">'
    b'<p:encryptedKey spinCount="100000" saltSize="16" blockSize="16" keyBits="256" hashSize="64" '
    b'cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" '
    b'saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/></keyEncryptor></keyEncryptors></encryption>'
)


# ---------------------------------------------------------------- the cases: rejected whole


def case_zero_bytes(d: Path) -> Path:
    p = d / ROSTER_NAME
    p.write_bytes(b"")
    return p


def case_blank_text(d: Path) -> Path:
    """Not zero bytes, but nothing in it: a BOM and line breaks."""
    p = d / "规上工业企业主要指标_2025年1-6月.csv"
    p.write_bytes(codecs.BOM_UTF8 + b"\r\n\r\n  \r\n")
    return p


def case_empty_workbook(d: Path) -> Path:
    p = d / ROSTER_NAME
    wb = xlsxwriter.Workbook(str(p))
    wb.add_worksheet("Sheet1")
    wb.close()
    return p


def case_truncated_xlsx(d: Path) -> Path:
    p = roster(d / ROSTER_NAME)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    return p


def case_text_renamed_xlsx(d: Path) -> Path:
    p = d / ROSTER_NAME
    p.write_text("Dear colleague,\nplease find the figures attached.\nRegards\n", encoding="utf-8")
    return p


def case_password_protected_xlsx(d: Path) -> Path:
    p = d / ROSTER_NAME
    package = struct.pack("<Q", 9000) + bytes((i * 37 + 11) % 256 for i in range(9008))
    p.write_bytes(ole2_file({"EncryptionInfo": AGILE_ENCRYPTION_INFO, "EncryptedPackage": package}))
    return p


def case_corrupt_xls_garbage(d: Path) -> Path:
    p = d / "规上工业企业主要指标_2025年1-6月.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes((i * 7) % 251 for i in range(5000)))
    return p


def case_corrupt_xls_workbook_stream(d: Path) -> Path:
    """A sound compound file whose `Workbook` stream is not BIFF."""
    p = d / "规上工业企业主要指标_2025年1-6月.xls"
    p.write_bytes(ole2_file({"Workbook": b"\x09\x08\x10\x00" + b"\xff" * 5000}))
    return p


def case_only_headers(d: Path) -> Path:
    return roster(d / ROSTER_NAME, rows=[])


def case_no_header(d: Path) -> Path:
    return write_xlsx(d / ROSTER_NAME, [["甲", "乙", "丙"], [1, 2, 3], [4, 5, 6]])


def case_required_field_missing(d: Path) -> Path:
    header = [h for h in ROSTER_HEADER if h != "统一社会信用代码"]
    rows = [[v for j, v in enumerate(r) if j != 1] for r in roster_rows()]
    return roster(d / ROSTER_NAME, rows=rows, header=header)


def case_two_columns_same_field(d: Path) -> Path:
    header = ROSTER_HEADER + ["单位名称"]
    rows = [r + [r[2]] for r in roster_rows()]
    return roster(d / ROSTER_NAME, rows=rows, header=header)


def case_no_period(d: Path) -> Path:
    return roster(d / "规上工业企业主要指标.xlsx")


def _zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip archive from (name, deflated bytes, crc32, compressed size, uncompressed size)."""
    out, central = bytearray(), bytearray()
    for name, data, crc, csize, usize in members:
        n = name.encode("utf-8")
        offset = len(out)
        out += (
            struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, 8, 0, 0x21, crc, csize, usize, len(n), 0) + n
        )
        out += data
        central += (
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0x800,
                8,
                0,
                0x21,
                crc,
                csize,
                usize,
                len(n),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + n
        )
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + end)


def _deflate(data: bytes) -> tuple[bytes, int, int, int]:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    z = c.compress(data) + c.flush()
    return z, zlib.crc32(data), len(z), len(data)


def case_zip_bomb(d: Path, size: int = 2 * 2**30) -> Path:
    """A real .xlsx package (2 MB) whose sheet XML inflates to `size` bytes (2 GiB of `0` in a comment).

    Built without inflating anything: after a full flush deflate forgets its history, so the
    compressed form of each 1 MiB chunk is the same bytes, written `size / 1 MiB` times."""
    src = roster(d / "_base.xlsx")
    members = []
    with zipfile.ZipFile(src) as zin:
        for item in zin.infolist():
            raw = zin.read(item.filename)
            if item.filename != "xl/worksheets/sheet1.xml":
                members.append((item.filename, *_deflate(raw)))
                continue
            head, tail = raw[: -len(b"</worksheet>")] + b"<!--", b"--></worksheet>"
            chunk, n = b"0" * 2**20, size // 2**20
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            z_head = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
            z_chunk = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
            z_tail = c.compress(tail) + c.flush()
            crc = zlib.crc32(head)
            for _ in range(n):
                crc = zlib.crc32(chunk, crc)
            crc = zlib.crc32(tail, crc)
            data = z_head + z_chunk * n + z_tail
            members.append((item.filename, data, crc, len(data), len(head) + n * len(chunk) + len(tail)))
    src.unlink()
    p = d / ROSTER_NAME
    p.write_bytes(_zip(members))
    return p


def case_million_row_used_range(d: Path) -> Path:
    """Five data rows, but the used range claims every row of the sheet (a styled cell at A1048576)."""
    p = d / ROSTER_NAME
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("Sheet1")
    ws.write_string(0, 0, "淮安区工业企业主要经济指标")
    for r, row in enumerate([ROSTER_HEADER] + roster_rows(5), start=1):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    fmt = wb.add_format({"bold": True})
    ws.write_blank(1048575, len(ROSTER_HEADER) - 1, None, fmt)
    wb.close()
    return p


# ---------------------------------------------------------------- rows quarantined


def case_excel_errors(d: Path) -> Path:
    rows = roster_rows()
    rows[1][6] = "#DIV/0!"
    return roster(
        d / ROSTER_NAME, rows=rows, formulas={(3, 1): ("=VLOOKUP(C4,'[名录.xlsx]Sheet1'!A:B,2,0)", "#REF!")}
    )


def case_formula_no_cached_value(d: Path) -> Path:
    return roster(
        d / ROSTER_NAME,
        formulas={
            (2, 1): ('=CONCATENATE("9132",F3)', None),
            (2, 6): ("=F3*6", None),
            (2, 5): ("=G3/6", None),
        },
    )


def case_future_period(d: Path) -> Path:
    header = ROSTER_HEADER + ["统计期"]
    rows = [r + ["2025年6月"] for r in roster_rows()]
    rows[2][-1] = "2099年6月"
    return roster(d / "规上工业企业主要指标.xlsx", rows=rows, header=header)


def case_future_date(d: Path) -> Path:
    rows = ledger_rows()
    rows[1][4] = dt.date(2099, 1, 1)
    return ledger(d / LEDGER_NAME, rows=rows)


def case_duplicate_keys(d: Path) -> Path:
    rows = roster_rows()
    rows[3][1] = rows[1][1]
    return roster(d / ROSTER_NAME, rows=rows)


def case_invalid_credit_code(d: Path) -> Path:
    rows = roster_rows()
    c = rows[2][1]
    rows[2][1] = c[:17] + ("0" if c[17] != "0" else "1")
    return roster(d / ROSTER_NAME, rows=rows)


def case_credit_code_as_number(d: Path) -> Path:
    rows = roster_rows()
    rows[2][1] = 9.13208e17
    return roster(d / ROSTER_NAME, rows=rows)


def case_unknown_township(d: Path) -> Path:
    rows = roster_rows()
    rows[4][3] = "乌有镇"
    return roster(d / ROSTER_NAME, rows=rows)


def case_negative_area(d: Path) -> Path:
    rows = ledger_rows()
    rows[2][3] = -12.5
    return ledger(d / LEDGER_NAME, rows=rows)


def case_mixed_units_in_column(d: Path) -> Path:
    """The unit row says 亩, yet one cell says 公顷 (one 公顷 is 15 亩)."""
    rows = ledger_rows()
    rows[0][3] = "50亩"
    rows[1][3] = "3.4公顷"
    return ledger(d / LEDGER_NAME, rows=rows)


# ---------------------------------------------------------------- loaded (with a warning where due)


def case_total_does_not_reconcile(d: Path) -> Path:
    rows = ledger_rows()
    rows.append([None, "合计", None, 9999.0, None])
    return ledger(d / LEDGER_NAME, rows=rows)


def case_dates_as_serials(d: Path) -> Path:
    rows = ledger_rows()
    for i, r in enumerate(rows):
        r[4] = float((dt.date(2024, 5, i + 1) - dt.date(1899, 12, 30)).days)
    return ledger(d / LEDGER_NAME, rows=rows)


def case_dates_as_text(d: Path) -> Path:
    rows = ledger_rows()
    for r, t in zip(rows, ["2024.6", "2024年6月", "2024-06", "2024/7/15", "2024年8月1日"], strict=True):
        r[4] = t
    return ledger(d / LEDGER_NAME, rows=rows)


def case_date_float_mangled(d: Path) -> Path:
    """`2024.10` typed into a number cell is the float 2024.1: loaded as January, with a warning."""
    rows = ledger_rows()
    rows[1][4] = 2024.1
    return ledger(d / LEDGER_NAME, rows=rows)


def case_gbk_csv(d: Path) -> Path:
    p = d / "增减挂钩项目验收台账.csv"
    p.write_bytes(ledger_csv_text().encode("gbk"))
    return p


def case_utf16_csv(d: Path) -> Path:
    p = d / "增减挂钩项目验收台账.csv"
    p.write_bytes(codecs.BOM_UTF16_LE + ledger_csv_text().replace(",", "\t").encode("utf-16-le"))
    return p


def case_xlsm_with_macros(d: Path) -> Path:
    """A macro-enabled workbook (vbaProject.bin part, macroEnabled content type); never run."""
    p = d / "增减挂钩项目验收台账.xlsm"
    vba = ole2_file(
        {
            "PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\nDocument=ThisWorkbook/&H00000000\r\n'
            b'Sub Workbook_Open()\r\n  Shell "rm -rf /"\r\nEnd Sub\r\n'
        }
    )
    return ledger(p, vba=vba)


def case_awkward_file_name(d: Path) -> Path:
    """Spaces, Chinese, quotes and a `..` component in the path a clerk passes."""
    sub = d / "sub dir"
    sub.mkdir(exist_ok=True)
    ledger(d / "增减挂钩 项目 台账 (最终版) 'x'.xlsx")
    return sub / ".." / "增减挂钩 项目 台账 (最终版) 'x'.xlsx"


def case_sql_in_names(d: Path) -> Path:
    """Sheet name, header comment and file name that would break SQL built by string formatting."""
    name = "x'); drop table meta.loads; --"
    p = d / f"增减挂钩{name}.xlsx"
    return write_xlsx(
        p,
        [LEDGER_HEADER + [name]] + [r + ["x"] for r in ledger_rows()],
        sheet=name,
        title=f"淮安区增减挂钩台账 {name}",
        unit_row="面积单位：亩",
    )


# ---------------------------------------------------------------- read strictly (issue #21)


def ledger_semicolon_text(areas: list[str], *, sep_line: bool) -> str:
    """The ledger as a European-locale Excel saves it: `;` between fields, figures as `areas`."""
    lines = (["sep=;"] if sep_line else []) + ["淮安区城乡建设用地增减挂钩项目验收台账", "面积单位：亩"]
    lines.append(";".join(LEDGER_HEADER))
    for r, area in zip(ledger_rows(), areas, strict=True):
        lines.append(";".join([str(r[0]), r[1], r[2], area, r[4].isoformat()]))
    return "\r\n".join(lines) + "\r\n"


DECLARED_AREAS = ["51,5", "1.234,5", "0,25", "12", "7,0"]
DECLARED_VALUES = [51.5, 1234.5, 0.25, 12.0, 7.0]


def case_decimal_comma_declared(d: Path) -> Path:
    """`sep=;` first line: the file says its decimal separator is a comma."""
    p = d / "增减挂钩项目验收台账.csv"
    p.write_bytes(ledger_semicolon_text(DECLARED_AREAS, sep_line=True).encode("utf-8-sig"))
    return p


def case_decimal_comma_ambiguous(d: Path) -> Path:
    """`;`-separated, no `sep=` line: `51,5` may be 51.5 or a mistyped 515 — rejected, never guessed."""
    p = d / "增减挂钩项目验收台账.csv"
    p.write_bytes(ledger_semicolon_text(["50", "51,5", "52", "53", "54"], sep_line=False).encode("gbk"))
    return p


def case_unclosed_quote(d: Path) -> Path:
    """A quote opened on line 5 (the second data row) and never closed: every line below would
    otherwise become one cell of that row."""
    lines = ledger_csv_text().split("\r\n")
    lines[4] = '"' + lines[4]
    p = d / "增减挂钩项目验收台账.csv"
    p.write_bytes("\r\n".join(lines).encode("utf-8"))
    return p


def case_newline_in_value(d: Path) -> Path:
    """A township typed on two lines (Alt+Enter) that is no township: the reason quotes the value,
    and stays one line."""
    rows = roster_rows()
    rows[4][3] = "乌有\n镇"
    return roster(d / ROSTER_NAME, rows=rows)


def case_numbers_out_of_range(d: Path) -> Path:
    """`1e308`, `inf`, `1e400` (beyond a double) and `nan` typed into figure cells."""
    rows = roster_rows()
    rows[0][5], rows[1][5], rows[2][6], rows[3][6] = "1e308", "inf", "1e400", "nan"
    return roster(d / ROSTER_NAME, rows=rows)


@dataclass(frozen=True)
class Case:
    make: Callable[[Path], Path]
    source: str
    outcome: str  # rejected / partial / loaded


CASES: dict[str, Case] = {
    # rejected whole
    "zero_bytes": Case(case_zero_bytes, "enterprises", "rejected"),
    "blank_text": Case(case_blank_text, "enterprises", "rejected"),
    "empty_workbook": Case(case_empty_workbook, "enterprises", "rejected"),
    "truncated_xlsx": Case(case_truncated_xlsx, "enterprises", "rejected"),
    "text_renamed_xlsx": Case(case_text_renamed_xlsx, "enterprises", "rejected"),
    "password_protected_xlsx": Case(case_password_protected_xlsx, "enterprises", "rejected"),
    "corrupt_xls_garbage": Case(case_corrupt_xls_garbage, "enterprises", "rejected"),
    "corrupt_xls_workbook_stream": Case(case_corrupt_xls_workbook_stream, "enterprises", "rejected"),
    "only_headers": Case(case_only_headers, "enterprises", "rejected"),
    "no_header": Case(case_no_header, "enterprises", "rejected"),
    "required_field_missing": Case(case_required_field_missing, "enterprises", "rejected"),
    "two_columns_same_field": Case(case_two_columns_same_field, "enterprises", "rejected"),
    "no_period": Case(case_no_period, "enterprises", "rejected"),
    "zip_bomb": Case(case_zip_bomb, "enterprises", "rejected"),
    "decimal_comma_ambiguous": Case(case_decimal_comma_ambiguous, "land_use", "rejected"),
    "unclosed_quote": Case(case_unclosed_quote, "land_use", "rejected"),
    # rows quarantined
    "excel_errors": Case(case_excel_errors, "enterprises", "partial"),
    "formula_no_cached_value": Case(case_formula_no_cached_value, "enterprises", "partial"),
    "future_period": Case(case_future_period, "enterprises", "partial"),
    "future_date": Case(case_future_date, "land_use", "partial"),
    "duplicate_keys": Case(case_duplicate_keys, "enterprises", "partial"),
    "invalid_credit_code": Case(case_invalid_credit_code, "enterprises", "partial"),
    "credit_code_as_number": Case(case_credit_code_as_number, "enterprises", "partial"),
    "unknown_township": Case(case_unknown_township, "enterprises", "partial"),
    "negative_area": Case(case_negative_area, "land_use", "partial"),
    "mixed_units_in_column": Case(case_mixed_units_in_column, "land_use", "partial"),
    "newline_in_value": Case(case_newline_in_value, "enterprises", "partial"),
    "numbers_out_of_range": Case(case_numbers_out_of_range, "enterprises", "partial"),
    # loaded
    "million_row_used_range": Case(case_million_row_used_range, "enterprises", "loaded"),
    "total_does_not_reconcile": Case(case_total_does_not_reconcile, "land_use", "loaded"),
    "dates_as_serials": Case(case_dates_as_serials, "land_use", "loaded"),
    "dates_as_text": Case(case_dates_as_text, "land_use", "loaded"),
    "date_float_mangled": Case(case_date_float_mangled, "land_use", "loaded"),
    "gbk_csv": Case(case_gbk_csv, "land_use", "loaded"),
    "utf16_csv": Case(case_utf16_csv, "land_use", "loaded"),
    "xlsm_with_macros": Case(case_xlsm_with_macros, "land_use", "loaded"),
    "awkward_file_name": Case(case_awkward_file_name, "land_use", "loaded"),
    "sql_in_names": Case(case_sql_in_names, "land_use", "loaded"),
    "decimal_comma_declared": Case(case_decimal_comma_declared, "land_use", "loaded"),
}

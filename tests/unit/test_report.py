"""The dashboard in a real browser: Debian's headless Chromium renders it, the screenshot is not blank,
and the numbers on the cards are the marts' (read from the rendered DOM, not from our HTML string)."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from etl.report import STATUS
from tests.conftest import FIXTURES, HomeEnv, query, run_cli

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LATEST = """
select indicator_id, period, actual, target, status from marts.indicator_progress
qualify row_number() over (partition by indicator_id order by period_end desc nulls last, period desc) = 1
"""


def _chromium() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.geteuid() != 0:
        pytest.skip(
            "Debian's chromium is not installed (/usr/bin/chromium) and we are not root: "
            "`apt-get install chromium` (or run `make test` as root) for the dashboard browser test"
        )
    pytest.fail(
        "/usr/bin/chromium missing although running as root: `make test` installs it (Makefile `browser`)"
    )


def _browser(tmp: Path, *args: str, timeout: float = 90) -> subprocess.CompletedProcess:
    cmd = [_chromium(), *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args]
    return subprocess.run(cmd, capture_output=True, timeout=timeout, cwd=tmp)


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes) into rows of pixel bytes."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    w = h = depth = ctype = 0
    while pos < len(data):
        (n,), kind = struct.unpack(">I", data[pos : pos + 4]), data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = 3 if ctype == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(
            bytes(line) if bpp == 3 else bytes(v for j in range(0, stride, 4) for v in line[j : j + 3])
        )
        prev = line
    return w, h, rows


class Cards(HTMLParser):
    def __init__(self):
        super().__init__()
        self.cards, self.external, self.scripts = [], [], 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-indicator" in a:
            self.cards.append(a)
        if tag == "script":
            self.scripts += 1
        for k in ("src", "href"):
            if a.get(k) and "://" in a[k]:
                self.external.append(a[k])


@pytest.fixture(scope="module")
def rendered(built_home, tmp_path_factory):
    out = tmp_path_factory.mktemp("dashboard")
    with HomeEnv(built_home):
        assert run_cli("report", "--out", str(out)) == 0
    return out


@pytest.mark.slow
def test_dashboard_renders_in_headless_chromium(rendered, built_home):
    page = rendered / "index.html"
    png = rendered / "screenshot.png"
    p = _browser(rendered, f"--screenshot={png}", "--window-size=1400,2400", page.as_uri())
    assert p.returncode == 0 and png.exists(), p.stderr.decode(errors="replace")[-2000:]
    if os.environ.get("STATWH_SCREENSHOT"):  # keep it for a person to look at
        shutil.copy(png, os.environ["STATWH_SCREENSHOT"])
    w, h, rows = png_pixels(png)
    assert (w, h) == (1400, 2400)
    colours, non_white, ink, sample = set(), 0, 0, 0
    for y in range(0, h, 4):
        row = rows[y]
        for x in range(0, w * 3, 12):
            px = row[x : x + 3]
            colours.add(px)
            sample += 1
            non_white += px != b"\xff\xff\xff"
            ink += min(px) < 200  # text, bars, lines
    assert len(colours) > 200, f"only {len(colours)} colours: a blank page?"
    assert non_white / sample > 0.2, f"{non_white / sample:.0%} non-white: a blank page?"
    assert ink / sample > 0.04, f"{ink / sample:.1%} ink: nothing drawn?"
    # the status colours are on screen: red (滞后) and green (进度正常/已完成) cards in the demo data
    flat = set(colours)
    assert {bytes.fromhex("cf222e"), bytes.fromhex("2da44e")} <= flat or len(flat) > 1000


@pytest.mark.slow
def test_dashboard_numbers_are_the_marts(rendered, built_home):
    p = _browser(rendered, "--dump-dom", (rendered / "index.html").as_uri())
    assert p.returncode == 0, p.stderr.decode(errors="replace")[-2000:]
    dom = Cards()
    dom.feed(p.stdout.decode("utf-8"))
    assert dom.external == [] and dom.scripts == 0, "self-contained: nothing fetched from elsewhere"
    shown = {c["data-indicator"]: c for c in dom.cards}
    assert len(shown) == len(dom.cards), "one card per indicator"
    expected = query(built_home / "published" / "statwh.duckdb", LATEST)
    assert set(shown) == {r[0] for r in expected}
    for ind, period, actual, target, status in expected:
        c = shown[ind]
        assert c["data-status"] == status, ind
        assert c["data-period"] == (period or ""), ind
        if actual is None:
            assert c["data-actual"] == "", ind
        else:
            assert float(c["data-actual"]) == pytest.approx(actual, rel=1e-12), ind
        assert (c["data-target"] == "") == (target is None), ind
    # the rendered text carries the figures a leader reads, and where they came from
    text = p.stdout.decode("utf-8")
    assert "目标待定" in text and "应达进度" in text and "五大产业链" in text and "数据新鲜度" in text
    assert all(c.get("title", "").startswith(("来源", "来源：派生")) for c in dom.cards)
    assert text.count('class="pace"') >= 5, (
        "an expected-pace line on the charts of level and cumulative targets"
    )


def test_pace_line_follows_the_required_growth():
    import pandas as pd

    from etl.report import pace_line

    series = pd.DataFrame(
        {
            "period": ["2023", "2024", "2025"],
            "period_end": pd.to_datetime(["2023-12-31", "2024-12-31", "2025-12-31"]),
            "value": [70.4, 79.5, 89.6],
        }
    )
    r = {"target": 100.0, "target_period_end": pd.Timestamp("2028-12-31"), "method": "level"}
    pts = pace_line(r, series, {}, "2023")
    assert len(pts) == 6 and pts[0][1] == pytest.approx(70.4) and pts[-1][1] == pytest.approx(100.0)
    assert pts[2][1] == pytest.approx(70.4 * (100 / 70.4) ** (2 / 5))
    r = {"target": 10000.0, "target_period_end": pd.Timestamp("2026-12-31"), "method": "cumulative"}
    pts = pace_line(r, series, {"window_start": pd.Timestamp("2024-01-01")}, "2023")
    assert [round(y) for _, y in pts] == [0, 10000] and pts[0][0] < 2024.0 < pts[1][0] < 2027.0
    assert pace_line({**r, "target": None}, series, {}, "2023") == []


# ---------------------------------------------------------------- a phone and a desktop, and paper

MEASURE = FIXTURES / "layout_measure.js"
MIN_WINDOW = 500  # headless Chromium makes no window narrower: a narrower page runs in an iframe


def _measured_copy(page: Path, width: int, tmp: Path) -> Path:
    """The page with the measuring script, inside an iframe `width` CSS px wide (a phone's viewport)."""
    copy = tmp / f"measured-{width}.html"
    text = page.read_text(encoding="utf-8")
    text = text.replace("</head>", "<style>html{scrollbar-width:none}</style></head>", 1)
    copy.write_text(
        text.replace("</body>", f"<script>{MEASURE.read_text()}</script></body>", 1), encoding="utf-8"
    )
    frame = tmp / f"frame-{width}.html"
    frame.write_text(
        f'<html><body style="margin:0"><iframe src="{copy.name}" style="width:{width}px;height:20000px;'
        'border:0;display:block"></iframe></body></html>',
        encoding="utf-8",
    )
    return frame


def _layout(page: Path, width: int, tmp: Path) -> dict:
    frame = _measured_copy(page, width, tmp)
    window = f"--window-size={max(width, MIN_WINDOW)},9000"
    p = _browser(
        tmp,
        "--allow-file-access-from-files",
        window,
        "--virtual-time-budget=5000",
        "--dump-dom",
        frame.as_uri(),
    )
    assert p.returncode == 0, p.stderr.decode(errors="replace")[-2000:]
    found = re.search(r'<pre id="layout-report">(.*?)</pre>', p.stdout.decode("utf-8"), re.S)
    assert found, "the measuring script did not report"
    import html as _html

    return json.loads(_html.unescape(found.group(1)))


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 1400])
def test_dashboard_fits_the_screen_and_shows_every_number_whole(width, rendered, tmp_path):
    report = _layout(rendered / "index.html", width, tmp_path)
    assert report["viewport"] == width
    assert report["numbers"] > 200, "the numbers on the page were not found"
    assert report["problems"] == [], "\n".join(report["problems"][:30])
    # a screenshot of the whole page, for a person to look at (under the test's tmp dir)
    png = tmp_path / f"dashboard-{width}.png"
    frame = tmp_path / f"frame-{width}.html"
    height = min(report["height"], 16000)
    p = _browser(
        tmp_path,
        "--allow-file-access-from-files",
        f"--window-size={max(width, MIN_WINDOW)},{height}",
        "--virtual-time-budget=5000",
        f"--screenshot={png}",
        frame.as_uri(),
    )
    assert p.returncode == 0 and png.exists(), p.stderr.decode(errors="replace")[-2000:]
    assert _png_size(png) == (max(width, MIN_WINDOW), height) and png.stat().st_size > 50_000
    if os.environ.get("STATWH_SCREENSHOT_DIR"):
        shutil.copy(png, Path(os.environ["STATWH_SCREENSHOT_DIR"]) / png.name)


@pytest.mark.slow
def test_the_layout_check_finds_a_page_too_wide_for_a_phone(rendered, tmp_path):
    """The measuring can fail: a card forced wider than a phone is reported."""
    page = tmp_path / "wide.html"
    text = (rendered / "index.html").read_text(encoding="utf-8")
    page.write_text(text.replace("</style>", ".card{min-width:600px}</style>", 1), encoding="utf-8")
    problems = _layout(page, 390, tmp_path)["problems"]
    assert any(p.startswith("sideways scroll") for p in problems)
    assert any("outside the viewport: div.card" in p for p in problems)


@pytest.mark.slow
def test_dashboard_prints_to_a4(rendered, tmp_path):
    pdf = tmp_path / "dashboard.pdf"
    p = _browser(
        tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", (rendered / "index.html").as_uri()
    )
    assert p.returncode == 0 and pdf.exists(), p.stderr.decode(errors="replace")[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes, "no page in the PDF"
    for w, h in boxes:  # A4 is 595.28 × 841.89 pt (Chromium rounds to 595.92 × 841.92)
        assert abs(float(w) - 595.3) < 1.5 and abs(float(h) - 841.9) < 1.5, (w, h)
    assert 2 <= len(boxes) <= 40


# ---------------------------------------------------------------- what the page says


class _Guide(HTMLParser):
    """The terms and their explanations of the page's 读图说明 (dt → dd)."""

    def __init__(self):
        super().__init__()
        self.inside, self.tag, self.pairs, self.dt = False, None, {}, ""

    def handle_starttag(self, tag, attrs):
        if dict(attrs).get("id") == "guide":
            self.inside = True
        if self.inside and tag in ("dt", "dd"):
            self.tag = tag
            if tag == "dt":
                self.dt = ""

    def handle_endtag(self, tag):
        if tag == "dl":
            self.inside = False
        if tag in ("dt", "dd"):
            self.tag = None

    def handle_data(self, data):
        if self.tag == "dt":
            self.dt += data.strip()
        elif self.tag == "dd":
            self.pairs[self.dt] = self.pairs.get(self.dt, "") + data.strip()


def test_the_page_explains_its_words_and_every_status(rendered):
    text = (rendered / "index.html").read_text(encoding="utf-8")
    guide = _Guide()
    guide.feed(text)
    words = {"进度", "应达", "到期预计"} | {label for label, _, _ in STATUS.values()}
    assert words <= set(guide.pairs), words - set(guide.pairs)
    for word in words:
        meaning = guide.pairs[word]
        assert len(meaning) >= 8 and re.search(r"[\u4e00-\u9fff]{4}", meaning), (word, meaning)
    assert "README" not in text, "the page explains itself; a leader has no repository"
    for word in ("进度", "应达", "到期预计"):  # the words explained are the words on the cards
        assert f"{word} " in text.split('id="guide"')[0]


def _roster_with_a_bad_credit_code(demo_files: Path, tmp: Path) -> Path:
    import openpyxl

    src = sorted((demo_files / "enterprises").glob("*.xlsx"))[-1]
    wb = openpyxl.load_workbook(src)
    ws = wb.worksheets[0]
    for row in ws.iter_rows(max_row=15):
        for cell in row:
            if isinstance(cell.value, str) and "信用代码" in cell.value:
                ws.cell(row=cell.row + 3, column=cell.column, value="91320803XXXXXXXX")
                out = tmp / src.name
                wb.save(out)
                return out
    raise AssertionError(f"{src.name}: no 信用代码 column")


@pytest.mark.slow
def test_rejections_are_shown_in_plain_chinese(copied_home, demo_files, tmp_path):
    import openpyxl

    wrong_layout = tmp_path / "增减挂钩项目验收台账.xlsx"  # a land ledger sent as the roster (saved anew:
    openpyxl.load_workbook(demo_files / "land_use" / wrong_layout.name).save(wrong_layout)  # not a duplicate)
    assert run_cli("ingest", "enterprises", str(wrong_layout)) == 1
    assert run_cli("ingest", "enterprises", str(_roster_with_a_bad_credit_code(demo_files, tmp_path))) == 1
    out = tmp_path / "report"
    assert run_cli("report", "--out", str(out)) == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    panel = page.split('id="rejections"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", panel, re.S)[1:]
    assert len(rows) >= 2, panel[:500]
    for row in rows:
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        department, file_name, place, problem, fix = cells
        assert department in {"工信局/统计局"}, cells
        assert file_name.endswith(".xlsx") and place and problem and fix, cells
        shown = " ".join([place, problem, fix])
        assert not re.search(r"[A-Za-z]+_[A-Za-z]|matched|missing required|\[|\]|/ ", shown), shown
        assert re.search(r"[\u4e00-\u9fff]{4}", problem) and re.search(r"[\u4e00-\u9fff]{4}", fix), cells
    stored = query(copied_home / "published" / "statwh.duckdb", "select message from meta.rejections")
    assert any("matched" in m for (m,) in stored), "the developer text is still kept for operators"

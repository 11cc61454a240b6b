"""The dashboard in a real browser: Debian's headless Chromium renders it, the screenshot is not blank,
and the numbers on the cards are the marts' (read from the rendered DOM, not from our HTML string)."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import HomeEnv, query, run_cli

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

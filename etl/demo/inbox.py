"""`write_demo`: every source's sample files into one inbox."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from etl.demo.hightech import write_hightech
from etl.demo.indicators import write_indicators
from etl.demo.land import write_land
from etl.demo.model import build
from etl.demo.roster import roster_file_name, write_roster
from etl.demo.story import ROSTER_PERIODS, SEED, SOURCES
from etl.demo.targets import write_targets


def write_demo(inbox: Path) -> list[Path]:
    """Write the sample departmental spreadsheets into `inbox/<source>/`; return their paths, sorted."""
    inbox = Path(inbox)
    folders = {s: inbox / s for s in SOURCES}
    for f in folders.values():
        f.mkdir(parents=True, exist_ok=True)
    demo = build()
    paths: list[Path] = []
    for p, (y, m) in enumerate(ROSTER_PERIODS):
        path = folders["enterprises"] / roster_file_name(y, m)
        write_roster(demo, p, path)
        paths.append(path)
    paths += write_hightech(demo, folders["hightech"])
    paths += write_land(np.random.default_rng(SEED + 1), folders["land_use"])
    paths += write_indicators(demo, folders["indicators"])
    paths += write_targets(folders["targets"])
    return sorted(paths)

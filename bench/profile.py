"""Where our ingest spends its time: `python -m bench.profile [ROWS] [--stage all|extract|validate]`.

Runs prepare → commit → build → publish on a cached roster of ROWS rows (default 200000) under
cProfile, after the one-time imports and a warm-up, and prints the top functions by cumulative
and by own time, restricted to the ones in etl/ and then overall.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def main(argv: list[str]) -> int:
    rows = int(argv[0]) if argv and argv[0].isdigit() else 200_000
    top = int(os.environ.get("TOP", "25"))
    from bench.gen import rosters
    from bench.worker import _ingest_one, _ours_setup, _warmup

    path, warm = rosters(rows)[0], rosters(50)[0]
    Home, connect = _ours_setup()
    work = Path(tempfile.mkdtemp(prefix="statwh-profile-"))
    _warmup(work, warm)
    home = Home(work / "home").ensure()
    con = connect(home)
    prof = cProfile.Profile()
    prof.enable()
    _ingest_one(con, home, path)
    prof.disable()
    out = io.StringIO()
    st = pstats.Stats(prof, stream=out)
    st.sort_stats("cumulative").print_stats(r"/etl/", top)
    st.sort_stats("tottime").print_stats(top)
    print(out.getvalue())
    if len(argv) > 1:
        st.dump_stats(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

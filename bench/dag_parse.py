"""Parse time of each DAG file, as Airflow's dag-processor sees it (goal: < 0.5 s each).

    .venv/bin/python bench/dag_parse.py            # every file in dags/
    .venv/bin/python bench/dag_parse.py dags/statwh_marts.py

Each file is parsed in a fresh interpreter that has already imported Airflow (as the dag-processor
has): the time printed is the file's own cost — its imports (etl.spec.model, pyyaml, the specs) and the
DAG objects it builds. Also printed: whether a heavy module (pandas, duckdb, great_expectations,
numpy, pyarrow) got imported, which a DAG file must never do at parse time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "duckdb", "great_expectations", "numpy", "pyarrow")
GOAL = 0.5

PROBE = r"""
import json, sys, time
import airflow.sdk  # the dag-processor has Airflow loaded already
from airflow.sdk import task
task.sensor  # loads the standard provider's decorators (shared by every DAG file)
from airflow.dag_processing.dagbag import DagBag
path = sys.argv[1]
t = time.perf_counter()
bag = DagBag(dag_folder=path, bundle_path=None)
total = time.perf_counter() - t
stats = {s.file: s.duration for s in bag.dagbag_stats}
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[2].split(",")))
print(json.dumps({"seconds": total, "stats": {k: v.total_seconds() if hasattr(v, "total_seconds") else v
                                             for k, v in stats.items()},
                  "dags": len(bag.dags), "errors": list(bag.import_errors), "heavy": heavy}))
"""


def measure(path: Path) -> dict:
    env = dict(os.environ)
    env.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="statwh-bench-airflow-"))
    env["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(path), ",".join(HEAVY)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )
    if out.returncode != 0:
        raise SystemExit(f"{path}: probe failed\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or sorted((REPO / "dags").glob("*.py"))
    worst = 0.0
    print(f"{'DAG file':32} {'parse s':>8} {'DAGs':>5}  heavy imports")
    for f in files:
        r = measure(f.resolve())
        seconds = r["seconds"]
        worst = max(worst, seconds)
        flag = "" if seconds < GOAL else f"  (over the {GOAL} s goal)"
        print(f"{f.name:32} {seconds:8.3f} {r['dags']:5d}  {', '.join(r['heavy']) or 'none'}{flag}")
        for e in r["errors"]:
            print(f"    import error: {e}")
    print(f"slowest: {worst:.3f} s (goal < {GOAL} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""`python -m etl.demo [inbox]`: write the sample files (into `data/inbox` by default), print their paths."""

import sys
from pathlib import Path

from etl.demo.inbox import write_demo

for written in write_demo(Path(sys.argv[1] if len(sys.argv) > 1 else "data/inbox")):
    print(written)

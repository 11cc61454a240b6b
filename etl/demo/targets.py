"""targets/: the work report's target table (`TARGET_ROWS`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from etl.demo.book import Book
from etl.demo.story import TARGET_ROWS


def write_targets(folder: Path) -> list[Path]:
    path = folder / "工作报告目标任务表.xlsx"
    b = Book(path, dt.datetime(2024, 1, 15, 9, 0))
    ws = b.sheet()
    for c, h in enumerate(("指标名称", "目标值", "单位", "完成时限", "基期", "备注")):
        ws.write_string(0, c, h, b.head)
    ws.set_column(0, 0, 28)
    ws.set_column(5, 5, 40)
    for i, (name, target, unit, deadline, base, note) in enumerate(TARGET_ROWS):
        r = 1 + i
        ws.write_string(r, 0, name, b.text)
        if target is None:
            ws.write_blank(r, 1, None, b.text)
        else:
            ws.write_number(r, 1, target, b.int)
        ws.write_string(r, 2, unit, b.center)
        ws.write_string(r, 3, deadline, b.center)
        ws.write_string(r, 4, base, b.center)
        ws.write_string(r, 5, note, b.text)
    b.close()
    return [path]
